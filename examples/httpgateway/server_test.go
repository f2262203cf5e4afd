package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// testData is the e2e fixture's shape in small: two merchants on two
// datacenters, cards and redirect products, valid and invalid tokens.
const testData = `{
  "apiKeys": [
    {"keyId": "testKeyId", "secretApiKey": "testSecretApiKey", "merchants": ["1234"]},
    {"keyId": "otherKeyId", "secretApiKey": "otherSecret", "merchants": ["5678"]}
  ],
  "datacenters": [
    {"name": "EU", "origin": "", "region": "EU"},
    {"name": "US", "origin": "https://us.gateway.example", "region": "US"}
  ],
  "merchants": [
    {"id": "1234", "datacenter": "EU", "products": [1, 2, 3, 840, 809]},
    {"id": "5678", "datacenter": "US"}
  ],
  "products": [
    {"id": 1, "group": "cards", "displayOrder": 10, "label": "VISA", "logo": "pp_logo_1.png", "paymentMethod": "card", "allowsRecurring": true, "allowsTokenization": true},
    {"id": 2, "group": "cards", "displayOrder": 20, "label": "American Express", "logo": "pp_logo_2.png", "paymentMethod": "card"},
    {"id": 3, "group": "cards", "displayOrder": 30, "label": "MasterCard", "logo": "pp_logo_3.png", "paymentMethod": "card"},
    {"id": 840, "displayOrder": 40, "label": "PayPal", "logo": "pp_logo_840.png", "paymentMethod": "redirect", "minAmount": 100},
    {"id": 809, "displayOrder": 50, "label": "iDEAL", "logo": "pp_logo_809.png", "paymentMethod": "redirect", "countries": ["NL"], "currencies": ["EUR"]}
  ],
  "tokens": [
    {"id": "tok-visa", "merchantId": "1234", "paymentProductId": 1, "status": "active", "cardExpiry": "1230", "alias": "************0026"},
    {"id": "tok-mc", "merchantId": "1234", "paymentProductId": 3, "status": "active", "alias": "************4444"},
    {"id": "tok-expired", "merchantId": "1234", "paymentProductId": 2, "status": "active", "cardExpiry": "0120", "alias": "x"},
    {"id": "tok-revoked", "merchantId": "1234", "paymentProductId": 1, "status": "revoked", "alias": "x"},
    {"id": "tok-other", "merchantId": "5678", "paymentProductId": 1, "status": "active", "alias": "x"}
  ]
}`

const publicURL = "http://gateway.test"

// gateway is a test server over testData.
type gateway struct {
	t   *testing.T
	srv *httptest.Server
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	return newGatewayWithKeys(t, testKeys(t))
}

// newGatewayWithKeys is newGateway with the given encryption keys.
func newGatewayWithKeys(t *testing.T, keys *keyFile) *gateway {
	t.Helper()
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatalf("parseData: %v", err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatalf("openStores: %v", err)
	}
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: keys})
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gateway{t: t, srv: srv}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// wantError checks an ErrorResponse: status, code and propertyName.
func (r response) wantError(t *testing.T, status int, code sderrors.Code, property string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var er sderrors.ErrorResponse
	r.json(t, &er)
	if len(er.Errors) == 0 || er.ErrorID == "" {
		t.Fatalf("ErrorResponse = %s, want errorId and one error", r.body)
	}
	e := er.Errors[0]
	if e.Code != string(code) || e.PropertyName != property || e.HTTPStatusCode != status {
		t.Errorf("error = code %s property %q status %d, want code %s property %q status %d",
			e.Code, e.PropertyName, e.HTTPStatusCode, code, property, status)
	}
}

func (g *gateway) do(req *http.Request) response {
	g.t.Helper()
	res, err := g.srv.Client().Do(req)
	if err != nil {
		g.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// signedOpts change how a Server API request is signed.
type signedOpts struct {
	keyID, secret string
	date          time.Time
}

var defaultSigner = signedOpts{keyID: "testKeyId", secret: "testSecretApiKey"}

// server sends a v1HMAC-signed Server API request, signed as
// connect-sdk-nodejs signs (Content-Type, Date, X-GCS-ServerMetaInfo).
func (g *gateway) server(method, target, body string, o signedOpts) response {
	g.t.Helper()
	req, err := http.NewRequestWithContext(g.t.Context(), method, g.srv.URL+target, strings.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	if o.date.IsZero() {
		o.date = time.Now()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Date", o.date.UTC().Format(http.TimeFormat))
	req.Header.Set("X-GCS-ServerMetaInfo", "eyJzZGtDcmVhdG9yIjoidGVzdCJ9")
	s := stringToSign(method, "application/json", req.Header.Get("Date"), req.Header, target)
	req.Header.Set("Authorization", v1HMACPrefix+o.keyID+":"+signV1HMAC([]byte(o.secret), s))
	return g.do(req)
}

// client sends a Client API GET with the session's Authorization header.
func (g *gateway) client(customerID, sessionID, rest string) response {
	g.t.Helper()
	req, err := http.NewRequestWithContext(g.t.Context(), http.MethodGet, g.srv.URL+"/client/v1/"+customerID+"/"+rest, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	if sessionID != "" {
		req.Header.Set("Authorization", "GCS v1Client:"+sessionID)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GCS-ClientMetaInfo", "e30=")
	return g.do(req)
}

type sessionResponse struct {
	AssetURL        string   `json:"assetUrl"`
	ClientAPIURL    string   `json:"clientApiUrl"`
	ClientSessionID string   `json:"clientSessionId"`
	CustomerID      string   `json:"customerId"`
	InvalidTokens   []string `json:"invalidTokens"`
	Region          string   `json:"region"`
}

func (g *gateway) create(body string) sessionResponse {
	g.t.Helper()
	r := g.server(http.MethodPost, "/v1/1234/sessions", body, defaultSigner)
	if r.status != http.StatusOK {
		g.t.Fatalf("create %s: status %d, body %s", body, r.status, r.body)
	}
	var s sessionResponse
	r.json(g.t, &s)
	return s
}

const nlEUR = "?countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false&locale=en_GB&cacheBust=1"

func productIDs(t *testing.T, r response) []int32 {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("products: status %d, body %s", r.status, r.body)
	}
	var pp paymentProductsJSON
	r.json(t, &pp)
	ids := []int32{}
	for _, p := range pp.PaymentProducts {
		ids = append(ids, p.ID)
	}
	return ids
}

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

	r := g.server(http.MethodPost, "/v1/5678/sessions", `{}`, signedOpts{keyID: "otherKeyId", secret: "otherSecret"})
	var us sessionResponse
	r.json(t, &us)
	if us.ClientAPIURL != "https://us.gateway.example/client" || us.Region != "US" {
		t.Errorf("merchant 5678: %s; want the US datacenter's origin and region", r.body)
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
		{"too large", `{"tokens":["` + strings.Repeat("a", maxBodyBytes) + `"]}`, sderrors.ErrBodyTooLarge.Code(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.server(http.MethodPost, "/v1/1234/sessions", tt.body, defaultSigner).wantError(t, http.StatusBadRequest, tt.code, tt.property)
		})
	}
}

func TestServerAuth(t *testing.T) {
	g := newGateway(t)
	unauthorized := sderrors.ErrUnauthorized.Code()
	tests := []struct {
		name   string
		target string
		o      signedOpts
		status int
		code   sderrors.Code
	}{
		{"wrong secret", "/v1/1234/sessions", signedOpts{keyID: "testKeyId", secret: "nope"}, 401, unauthorized},
		{"unknown key", "/v1/1234/sessions", signedOpts{keyID: "nobody", secret: "testSecretApiKey"}, 401, unauthorized},
		{"date 16 minutes old", "/v1/1234/sessions", signedOpts{keyID: "testKeyId", secret: "testSecretApiKey", date: time.Now().Add(-16 * time.Minute)}, 401, unauthorized},
		{"date 16 minutes ahead", "/v1/1234/sessions", signedOpts{keyID: "testKeyId", secret: "testSecretApiKey", date: time.Now().Add(16 * time.Minute)}, 401, unauthorized},
		{"key of another merchant", "/v1/5678/sessions", defaultSigner, 403, sderrors.ErrMerchantNotAllowed.Code()},
		{"unknown merchant", "/v1/0000/sessions", defaultSigner, 403, sderrors.ErrMerchantNotAllowed.Code()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.server(http.MethodPost, tt.target, `{}`, tt.o).wantError(t, tt.status, tt.code, "")
		})
	}
	t.Run("no Authorization", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, g.srv.URL+"/v1/1234/sessions", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		g.do(req).wantError(t, 401, unauthorized, "")
	})
}

func TestRevoke(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	if r := g.client(s.CustomerID, s.ClientSessionID, "products"+nlEUR); r.status != http.StatusOK {
		t.Fatalf("before revoke: status %d, body %s", r.status, r.body)
	}
	other := g.server(http.MethodDelete, "/v1/5678/sessions/"+s.ClientSessionID, "", signedOpts{keyID: "otherKeyId", secret: "otherSecret"})
	other.wantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")

	r := g.server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("revoke: status %d, body %q; want 204 and no body", r.status, r.body)
	}
	g.client(s.CustomerID, s.ClientSessionID, "products"+nlEUR).wantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	g.server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner).
		wantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
}

func TestClientProducts(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"],"paymentProductFilters":{"exclude":{"products":[2]}}}`)

	if got, want := productIDs(t, g.client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)), []int32{1, 3, 840, 809}; !slices.Equal(got, want) {
		t.Errorf("NL/EUR products = %v, want %v", got, want)
	}
	if got, want := productIDs(t, g.client(s.CustomerID, s.ClientSessionID, "products?countryCode=BE&currencyCode=EUR&amount=50")), []int32{1, 3}; !slices.Equal(got, want) {
		t.Errorf("BE/EUR 0.50 products = %v, want %v", got, want)
	}

	r := g.client(s.CustomerID, s.ClientSessionID, "products"+nlEUR+"&hide=fields")
	var list paymentProductsJSON
	r.json(t, &list)
	visa := list.PaymentProducts[0]
	if visa.Fields != nil {
		t.Errorf("hide=fields: product 1 has %d fields, want none", len(visa.Fields))
	}
	if visa.DisplayHints.Logo != "pp_logo_1.png" || visa.PaymentProductGroup != "cards" || !visa.AllowsTokenization || visa.MobileIntegrationLevel == "" {
		t.Errorf("product 1 = %+v, want the documented shape", visa)
	}
	if len(visa.AccountsOnFile) != 1 || visa.AccountsOnFile[0].Attributes[0].Value != "************0026" ||
		visa.AccountsOnFile[0].Attributes[2] != (accountOnFileAttributeJSON{Key: "expiryDate", Value: "1230", Status: "READ_ONLY"}) {
		t.Errorf("product 1 accounts on file = %+v, want alias ************0026 and expiry 1230", visa.AccountsOnFile)
	}
	if !strings.Contains(string(r.body), `"labelTemplate":[{"attributeKey":"alias"`) {
		t.Errorf("accounts on file lack the alias label template: %s", r.body)
	}

	r = g.client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR)
	var p paymentProductJSON
	r.json(t, &p)
	var fieldIDs []string
	for _, f := range p.Fields {
		fieldIDs = append(fieldIDs, f.ID)
	}
	if want := []string{"cardNumber", "expiryDate", "cvv", "cardholderName"}; !slices.Equal(fieldIDs, want) {
		t.Errorf("product 1 fields = %v, want %v", fieldIDs, want)
	}
	if p.Fields[0].Type != "numericstring" || p.Fields[0].DataRestrictions.Validators.Luhn == nil || p.Fields[1].DisplayHints.Mask != "{{99}}/{{99}}" {
		t.Errorf("card fields lack the luhn validator or the expiry mask: %s", r.body)
	}
	r = g.client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR+"&hide=fields")
	if strings.Contains(string(r.body), `"fields"`) {
		t.Errorf("product detail with hide=fields: %s, want no fields", r.body)
	}
	r = g.client(s.CustomerID, s.ClientSessionID, "products/840"+nlEUR)
	if !strings.Contains(string(r.body), `"fields":[]`) {
		t.Errorf("redirect product detail: %s, want an empty fields list", r.body)
	}

	for _, id := range []string{"2", "999", "0", "abc", "99999999999"} {
		g.client(s.CustomerID, s.ClientSessionID, "products/"+id+nlEUR).wantError(t, http.StatusNotFound, sderrors.ErrUnknownProduct.Code(), "productId")
	}
}

func TestClientEmptyProductList(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"paymentProductFilters":{"restrictTo":{"products":[123456]}}}`)
	r := g.client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)
	if r.status != http.StatusOK || string(r.body) != `{"paymentProducts":[]}` {
		t.Errorf("empty list: status %d body %s, want 200 {\"paymentProducts\":[]}", r.status, r.body)
	}
}

func TestClientProductGroups(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"]}`)
	r := g.client(s.CustomerID, s.ClientSessionID, "productgroups"+nlEUR+"&hide=fields")
	var groups paymentProductGroupsJSON
	r.json(t, &groups)
	if len(groups.PaymentProductGroups) != 1 || groups.PaymentProductGroups[0].ID != "cards" ||
		len(groups.PaymentProductGroups[0].AccountsOnFile) != 2 || groups.PaymentProductGroups[0].Fields != nil {
		t.Errorf("groups = %s, want cards with 2 accounts on file and no fields", r.body)
	}
	r = g.client(s.CustomerID, s.ClientSessionID, "productgroups/cards"+nlEUR)
	var cards paymentProductGroupJSON
	r.json(t, &cards)
	if len(cards.Fields) != 4 || cards.DisplayHints.Logo == "" {
		t.Errorf("group cards = %s, want 4 card fields and a logo", r.body)
	}
	g.client(s.CustomerID, s.ClientSessionID, "productgroups/wallets"+nlEUR).
		wantError(t, http.StatusNotFound, sderrors.ErrUnknownProduct.Code(), "paymentProductGroupId")

	excl := g.create(`{"paymentProductFilters":{"exclude":{"groups":["cards"]}}}`)
	r = g.client(excl.CustomerID, excl.ClientSessionID, "productgroups"+nlEUR)
	if string(r.body) != `{"paymentProductGroups":[]}` {
		t.Errorf("groups with cards excluded = %s, want none", r.body)
	}
}

func TestClientAuthAndContext(t *testing.T) {
	g := newGateway(t)
	a := g.create(`{"tokens":["tok-visa"]}`)
	b := g.create(`{"tokens":["tok-mc"]}`)
	unauthorized := sderrors.ErrUnauthorized.Code()
	g.client(a.CustomerID, "", "products"+nlEUR).wantError(t, 401, unauthorized, "")
	g.client(a.CustomerID, strings.Repeat("0", 32), "products"+nlEUR).wantError(t, 401, unauthorized, "")
	g.client(b.CustomerID, a.ClientSessionID, "products"+nlEUR).wantError(t, 401, unauthorized, "")

	// Each customer sees only its own accounts on file.
	for _, c := range []struct {
		s    sessionResponse
		want int32
	}{{a, 1}, {b, 3}} {
		var pp paymentProductsJSON
		g.client(c.s.CustomerID, c.s.ClientSessionID, "products"+nlEUR).json(t, &pp)
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
		g.client(a.CustomerID, a.ClientSessionID, "products"+tt.query).wantError(t, http.StatusBadRequest, tt.code, tt.property)
	}
}

func TestRoutingAndCORS(t *testing.T) {
	g := newGateway(t)
	req := func(method, target string, hdr map[string]string) response {
		r, err := http.NewRequestWithContext(t.Context(), method, g.srv.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return g.do(r)
	}
	req(http.MethodGet, "/nowhere", nil).wantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	req(http.MethodGet, "/v1/1234/sessions/x/y/z", nil).wantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	for _, p := range []string{"/client/v1//products", "/client/v1/c/./products", "/client/v1/c/x/../products", "/client/v1/c/products/"} {
		req(http.MethodGet, p, nil).wantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	}

	r := req(http.MethodGet, "/v1/1234/sessions", nil)
	r.wantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow = %q, want POST", r.header.Get("Allow"))
	}
	req(http.MethodPost, "/client/v1/c/products", nil).wantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")

	r = req(http.MethodOptions, "/client/v1/1234-abc/products?countryCode=NL", map[string]string{
		"Origin": "https://shop.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "authorization,content-type,x-gcs-clientmetainfo",
	})
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		r.header.Get("Access-Control-Allow-Headers") != corsAllowHeaders || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: status %d headers %v, want 204 with the CORS headers", r.status, r.header)
	}
	r = req(http.MethodGet, "/client/v1/1234-abc/products", map[string]string{"Origin": "https://shop.example"})
	if r.status != http.StatusUnauthorized || r.header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("client error answer: status %d, Allow-Origin %q; want 401 readable by the browser", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	r = req(http.MethodGet, "/client/v1/1234-abc/products", nil)
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("Allow-Origin without Origin = %q, want *", r.header.Get("Access-Control-Allow-Origin"))
	}
	if r = req(http.MethodOptions, "/v1/1234/sessions", map[string]string{"Origin": "https://shop.example"}); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the Server API answers CORS: %v", r.header)
	}
}

func TestNewServerRejects(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"", "ftp://x", "http://x/path"} {
		if _, err := newServer(config{PublicURL: u, Data: d, Stores: st}); err == nil {
			t.Errorf("newServer(public URL %q) = nil error", u)
		}
	}
	// A malformed or unreachable store stops the gateway at start, naming its flag.
	for _, u := range []string{"ftp://x", "redis://127.0.0.1:1/0"} {
		if _, err := openStores(t.Context(), u, "", d); err == nil || !strings.Contains(err.Error(), "-redis") {
			t.Errorf("openStores(redis %q) = %v, want an error naming -redis", u, err)
		}
	}
	for _, dsn := range []string{"not a dsn", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1"} {
		if _, err := openStores(t.Context(), "", dsn, d); err == nil || !strings.Contains(err.Error(), "-postgres") {
			t.Errorf("openStores(postgres %q) = %v, want an error naming -postgres", dsn, err)
		}
	}
}

func TestRunServesAndShutsDown(t *testing.T) {
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &stderr) }()
	addr := ""
	for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("run did not start: %s", stderr.String())
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, addr+"/nowhere", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nowhere = %d, want 404", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel = %v, want nil (graceful shutdown)", err)
	}
	if !strings.Contains(stderr.String(), "ephemeral") {
		t.Errorf("stderr does not say the key is ephemeral: %s", stderr.String())
	}
}

func TestRunRejectsBadDataFile(t *testing.T) {
	var stderr syncBuffer
	err := run(t.Context(), []string{"-data", "testdata/missing.json"}, &stderr)
	if err == nil {
		t.Fatal("run with a missing data file = nil, want an error")
	}
	if err := run(t.Context(), []string{"extra"}, &stderr); err == nil {
		t.Error("run with an extra argument = nil, want an error")
	}
}
