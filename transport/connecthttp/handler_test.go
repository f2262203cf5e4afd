package connecthttp_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

func TestCreateSession(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(s.ClientSessionID) ||
		!regexp.MustCompile(`^1234-[0-9a-f]{32}$`).MatchString(s.CustomerID) {
		t.Errorf("ids = %q, %q; want 32 hex and 1234-{32 hex}", s.ClientSessionID, s.CustomerID)
	}
	if s.ClientAPIURL != publicURL+"/client" || s.AssetURL != publicURL+"/" || s.Region != "EU" {
		t.Errorf("urls = %q %q %q, want the public URL's /client and / and EU", s.ClientAPIURL, s.AssetURL, s.Region)
	}
	if s.InvalidTokens == nil || len(s.InvalidTokens) != 0 {
		t.Errorf("invalidTokens = %#v, want []", s.InvalidTokens)
	}

	s = g.create(`{"tokens":["tok-visa","nope","tok-expired","tok-revoked","nope","tok-other","tok-mc"]}`)
	if want := []string{"nope", "tok-expired", "tok-revoked", "tok-other"}; !slices.Equal(s.InvalidTokens, want) {
		t.Errorf("invalidTokens = %v, want %v", s.InvalidTokens, want)
	}

	r := g.Server(http.MethodPost, "/v1/5678/sessions", `{}`, otherSigner)
	var us wire.SessionResponse
	r.JSON(t, &us)
	if us.ClientAPIURL != "https://us.gateway.example/client" || us.Region != "US" {
		t.Errorf("merchant 5678: %s; want the US datacenter's origin and region", r.Body)
	}
}

func TestCreateSessionRejects(t *testing.T) {
	g := newGateway(t)
	tests := []struct {
		name, body string
		code       sderrors.Code
		property   string
	}{
		{"not JSON", `nope`, sderrors.ErrInvalidJSON.Code(), ""},
		{"truncated", `{"tokens":`, sderrors.ErrInvalidJSON.Code(), "tokens"},
		{"unknown property", `{"token":["a"]}`, sderrors.ErrUnknownProperty.Code(), "token"},
		{"null filters", `{"paymentProductFilters":null}`, sderrors.ErrNullNotAllowed.Code(), "paymentProductFilters"},
		{"zero product id", `{"paymentProductFilters":{"restrictTo":{"products":[0]}}}`, sderrors.ErrInvalidProductID.Code(), "paymentProductFilters.restrictTo.products[0]"},
		{"unknown group", `{"paymentProductFilters":{"exclude":{"groups":["cards","wallets"]}}}`, sderrors.ErrUnknownGroup.Code(), "paymentProductFilters.exclude.groups[1]"},
		{"duplicate product", `{"paymentProductFilters":{"exclude":{"products":[3,3]}}}`, sderrors.ErrDuplicateItem.Code(), "paymentProductFilters.exclude.products[1]"},
		{"empty token", `{"tokens":["a",""]}`, sderrors.ErrInvalidTokenFormat.Code(), "tokens[1]"},
		{"too large", `{"tokens":["` + strings.Repeat("a", wire.DefaultMaxRequestBytes) + `"]}`, sderrors.ErrBodyTooLarge.Code(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.Server(http.MethodPost, "/v1/1234/sessions", tt.body, defaultSigner).WantError(t, http.StatusBadRequest, tt.code, tt.property)
		})
	}
}

func TestServerAuth(t *testing.T) {
	g := newGateway(t)
	unauthorized := sderrors.ErrUnauthorized.Code()
	tests := []struct {
		name   string
		target string
		o      connecttest.Signer
		status int
		code   sderrors.Code
	}{
		{"wrong secret", "/v1/1234/sessions", connecttest.Signer{KeyID: "testKeyId", Secret: "nope"}, 401, unauthorized},
		{"unknown key", "/v1/1234/sessions", connecttest.Signer{KeyID: "nobody", Secret: "testSecretApiKey"}, 401, unauthorized},
		{"date 16 minutes old", "/v1/1234/sessions", connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey", Date: time.Now().Add(-16 * time.Minute)}, 401, unauthorized},
		{"date 16 minutes ahead", "/v1/1234/sessions", connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey", Date: time.Now().Add(16 * time.Minute)}, 401, unauthorized},
		{"key of another merchant", "/v1/5678/sessions", defaultSigner, 403, sderrors.ErrMerchantNotAllowed.Code()},
		{"unknown merchant", "/v1/0000/sessions", defaultSigner, 403, sderrors.ErrMerchantNotAllowed.Code()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.Server(http.MethodPost, tt.target, `{}`, tt.o).WantError(t, tt.status, tt.code, "")
		})
	}
	t.Run("no Authorization", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.srv.URL+"/v1/1234/sessions", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		g.Do(req).WantError(t, 401, unauthorized, "")
	})
}

func TestRevoke(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	if r := g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR); r.Status != http.StatusOK {
		t.Fatalf("before revoke: status %d, body %s", r.Status, r.Body)
	}
	other := g.Server(http.MethodDelete, "/v1/5678/sessions/"+s.ClientSessionID, "", otherSigner)
	other.WantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")

	r := g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("revoke: status %d, body %q; want 204 and no body", r.Status, r.Body)
	}
	g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR).WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner).
		WantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
}

func TestClientProducts(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"],"paymentProductFilters":{"exclude":{"products":[2]}}}`)

	if got, want := productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)), []int32{1, 3, 840, 809}; !slices.Equal(got, want) {
		t.Errorf("NL/EUR products = %v, want %v", got, want)
	}
	if got, want := productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products?countryCode=BE&currencyCode=EUR&amount=50")), []int32{1, 3}; !slices.Equal(got, want) {
		t.Errorf("BE/EUR 0.50 products = %v, want %v", got, want)
	}

	r := g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR+"&hide=fields")
	var list wire.PaymentProducts
	r.JSON(t, &list)
	visa := list.PaymentProducts[0]
	if visa.Fields != nil {
		t.Errorf("hide=fields: product 1 has %d fields, want none", len(visa.Fields))
	}
	if visa.DisplayHints.Logo != "pp_logo_1.png" || visa.PaymentProductGroup != "cards" || !visa.AllowsTokenization || visa.MobileIntegrationLevel == "" {
		t.Errorf("product 1 = %+v, want the documented shape", visa)
	}
	if len(visa.AccountsOnFile) != 1 || visa.AccountsOnFile[0].Attributes[0].Value != "************0026" ||
		visa.AccountsOnFile[0].Attributes[2] != (wire.AccountOnFileAttribute{Key: "expiryDate", Value: "1230", Status: "READ_ONLY"}) {
		t.Errorf("product 1 accounts on file = %+v, want alias ************0026 and expiry 1230", visa.AccountsOnFile)
	}
	if !strings.Contains(string(r.Body), `"labelTemplate":[{"attributeKey":"alias"`) {
		t.Errorf("accounts on file lack the alias label template: %s", r.Body)
	}

	r = g.Client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR)
	var p wire.PaymentProduct
	r.JSON(t, &p)
	var fieldIDs []string
	for _, f := range p.Fields {
		fieldIDs = append(fieldIDs, f.ID)
	}
	if want := []string{"cardNumber", "expiryDate", "cvv", "cardholderName"}; !slices.Equal(fieldIDs, want) {
		t.Errorf("product 1 fields = %v, want %v", fieldIDs, want)
	}
	if p.Fields[0].Type != "numericstring" || p.Fields[0].DataRestrictions.Validators.Luhn == nil || p.Fields[1].DisplayHints.Mask != "{{99}}/{{99}}" {
		t.Errorf("card fields lack the luhn validator or the expiry mask: %s", r.Body)
	}
	r = g.Client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR+"&hide=fields")
	if strings.Contains(string(r.Body), `"fields"`) {
		t.Errorf("product detail with hide=fields: %s, want no fields", r.Body)
	}
	r = g.Client(s.CustomerID, s.ClientSessionID, "products/840"+nlEUR)
	if !strings.Contains(string(r.Body), `"fields":[]`) {
		t.Errorf("redirect product detail: %s, want an empty fields list", r.Body)
	}

	for _, id := range []string{"2", "999", "0", "abc", "99999999999"} {
		g.Client(s.CustomerID, s.ClientSessionID, "products/"+id+nlEUR).WantError(t, http.StatusNotFound, sderrors.ErrUnknownProduct.Code(), "productId")
	}
}

func TestClientEmptyProductList(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"paymentProductFilters":{"restrictTo":{"products":[123456]}}}`)
	r := g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)
	if r.Status != http.StatusOK || string(r.Body) != `{"paymentProducts":[]}` {
		t.Errorf("empty list: status %d body %s, want 200 {\"paymentProducts\":[]}", r.Status, r.Body)
	}
}

func TestClientProductGroups(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"]}`)
	r := g.Client(s.CustomerID, s.ClientSessionID, "productgroups"+nlEUR+"&hide=fields")
	var groups wire.PaymentProductGroups
	r.JSON(t, &groups)
	if len(groups.PaymentProductGroups) != 1 || groups.PaymentProductGroups[0].ID != "cards" ||
		len(groups.PaymentProductGroups[0].AccountsOnFile) != 2 || groups.PaymentProductGroups[0].Fields != nil {
		t.Errorf("groups = %s, want cards with 2 accounts on file and no fields", r.Body)
	}
	r = g.Client(s.CustomerID, s.ClientSessionID, "productgroups/cards"+nlEUR)
	var cards wire.PaymentProductGroup
	r.JSON(t, &cards)
	if len(cards.Fields) != 4 || cards.DisplayHints.Logo == "" {
		t.Errorf("group cards = %s, want 4 card fields and a logo", r.Body)
	}
	g.Client(s.CustomerID, s.ClientSessionID, "productgroups/wallets"+nlEUR).
		WantError(t, http.StatusNotFound, sderrors.ErrUnknownProduct.Code(), "paymentProductGroupId")

	excl := g.create(`{"paymentProductFilters":{"exclude":{"groups":["cards"]}}}`)
	r = g.Client(excl.CustomerID, excl.ClientSessionID, "productgroups"+nlEUR)
	if string(r.Body) != `{"paymentProductGroups":[]}` {
		t.Errorf("groups with cards excluded = %s, want none", r.Body)
	}
}

func TestClientAuthAndContext(t *testing.T) {
	g := newGateway(t)
	a := g.create(`{"tokens":["tok-visa"]}`)
	b := g.create(`{"tokens":["tok-mc"]}`)
	unauthorized := sderrors.ErrUnauthorized.Code()
	g.Client(a.CustomerID, "", "products"+nlEUR).WantError(t, 401, unauthorized, "")
	g.Client(a.CustomerID, strings.Repeat("0", 32), "products"+nlEUR).WantError(t, 401, unauthorized, "")
	g.Client(b.CustomerID, a.ClientSessionID, "products"+nlEUR).WantError(t, 401, unauthorized, "")

	// Each customer sees only its own accounts on file.
	for _, c := range []struct {
		s    wire.SessionResponse
		want int32
	}{{a, 1}, {b, 3}} {
		var pp wire.PaymentProducts
		g.Client(c.s.CustomerID, c.s.ClientSessionID, "products"+nlEUR).JSON(t, &pp)
		var owners []int32
		for _, p := range pp.PaymentProducts {
			for _, aof := range p.AccountsOnFile {
				owners = append(owners, aof.PaymentProductID)
			}
		}
		if !slices.Equal(owners, []int32{c.want}) {
			t.Errorf("customer %s sees accounts on file of products %v, want [%d]", c.s.CustomerID, owners, c.want)
		}
	}

	tests := []struct {
		query    string
		code     sderrors.Code
		property string
	}{
		{"?currencyCode=EUR", sderrors.ErrParameterNotFound.Code(), "countryCode"},
		{"?countryCode=NL", sderrors.ErrParameterNotFound.Code(), "currencyCode"},
		{"?countryCode=nl&currencyCode=EUR", sderrors.ErrInvalidPaymentContext.Code(), "countryCode"},
		{"?countryCode=NL&currencyCode=EUR&amount=1.5", sderrors.ErrInvalidPaymentContext.Code(), "amount"},
		{"?countryCode=NL&currencyCode=EUR&amount=-1", sderrors.ErrInvalidPaymentContext.Code(), "amount"},
		{"?countryCode=NL&currencyCode=EUR&isRecurring=yes", sderrors.ErrInvalidPaymentContext.Code(), "isRecurring"},
	}
	for _, tt := range tests {
		g.Client(a.CustomerID, a.ClientSessionID, "products"+tt.query).WantError(t, http.StatusBadRequest, tt.code, tt.property)
	}
}

func TestRoutingAndCORS(t *testing.T) {
	g := newGateway(t)
	req := func(method, target string, hdr map[string]string) connecttest.Response {
		r, err := http.NewRequestWithContext(t.Context(), method, g.srv.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return g.Do(r)
	}
	req(http.MethodGet, "/nowhere", nil).WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	req(http.MethodGet, "/v1/1234/sessions/x/y/z", nil).WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	for _, p := range []string{"/client/v1//products", "/client/v1/c/./products", "/client/v1/c/x/../products", "/client/v1/c/products/"} {
		req(http.MethodGet, p, nil).WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	}

	r := req(http.MethodGet, "/v1/1234/sessions", nil)
	r.WantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")
	if r.Header.Get("Allow") != "POST" {
		t.Errorf("Allow = %q, want POST", r.Header.Get("Allow"))
	}
	req(http.MethodPost, "/client/v1/c/products", nil).WantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")

	r = req(http.MethodOptions, "/client/v1/1234-abc/products?countryCode=NL", map[string]string{
		"Origin": "https://shop.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "authorization,content-type,x-gcs-clientmetainfo",
	})
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		r.Header.Get("Access-Control-Allow-Headers") != connecthttp.CORSAllowHeaders || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: status %d headers %v, want 204 with the CORS headers", r.Status, r.Header)
	}
	r = req(http.MethodGet, "/client/v1/1234-abc/products", map[string]string{"Origin": "https://shop.example"})
	if r.Status != http.StatusUnauthorized || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("client error answer: status %d, Allow-Origin %q; want 401 readable by the browser", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
	}
	r = req(http.MethodGet, "/client/v1/1234-abc/products", nil)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("Allow-Origin without Origin = %q, want *", r.Header.Get("Access-Control-Allow-Origin"))
	}
	if r = req(http.MethodOptions, "/v1/1234/sessions", map[string]string{"Origin": "https://shop.example"}); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the Server API answers CORS: %v", r.Header)
	}
}
