package connecthttp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// explainTarget is the explain extension's path with a payment context.
func explainTarget(merchantID, clientSessionID, query string) string {
	return "/v1/" + merchantID + "/sessions/" + clientSessionID + "/explain" + query
}

func TestExplain(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc","tok-expired"],"paymentProductFilters":{"exclude":{"products":[3]},"restrictTo":{"products":[1,3,840,77]}}}`)
	r := g.Server(http.MethodGet, explainTarget("1234", s.ClientSessionID, "?countryCode=BE&currencyCode=EUR&amount=50&isRecurring=false"), "", defaultSigner)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("explain: %d %s", r.Status, r.Body)
	}
	var e wire.ExplainResponse
	r.JSON(t, &e)
	if e.PaymentContext != (wire.ExplainedContext{CountryCode: "BE", CurrencyCode: "EUR", Amount: 50}) {
		t.Errorf("paymentContext = %+v", e.PaymentContext)
	}
	reasons := map[int32]string{}
	for _, p := range e.PaymentProducts {
		reasons[p.ID] = p.Reason
		if p.Available != (p.Reason == "available") {
			t.Errorf("product %d: available %t with reason %q", p.ID, p.Available, p.Reason)
		}
	}
	want := map[int32]string{1: "available", 2: "not in restrictTo", 77: "unknown product id"}
	for id, reason := range want {
		if reasons[id] != reason {
			t.Errorf("product %d: reason %q, want %q (all: %v)", id, reasons[id], reason, reasons)
		}
	}
	for _, id := range []int32{3, 840, 809} {
		if reasons[id] == "" || reasons[id] == "available" {
			t.Errorf("product %d: reason %q, want why it is hidden", id, reasons[id])
		}
	}
	// The session's valid tokens (tok-expired was invalid at create and is
	// not part of the session), in request order.
	if len(e.Tokens) != 2 || e.Tokens[0].Token != "tok-visa" || !e.Tokens[0].Shown || e.Tokens[0].AccountOnFileID != 1 ||
		e.Tokens[1].Token != "tok-mc" || e.Tokens[1].Shown || !strings.Contains(e.Tokens[1].Reason, "product 3") {
		t.Errorf("tokens = %+v, want tok-visa shown as account on file 1 and tok-mc hidden by its product", e.Tokens)
	}

	// The same rules as the rest of the Server API.
	ok := explainTarget("1234", s.ClientSessionID, "?countryCode=NL&currencyCode=EUR")
	g.Server(http.MethodGet, explainTarget("1234", s.ClientSessionID, "?currencyCode=EUR"), "", defaultSigner).
		WantError(t, http.StatusBadRequest, sderrors.ErrParameterNotFound.Code(), "countryCode")
	g.Server(http.MethodGet, explainTarget("1234", s.ClientSessionID, "?countryCode=NL&currencyCode=EUR&amount=x"), "", defaultSigner).
		WantError(t, http.StatusBadRequest, sderrors.ErrInvalidPaymentContext.Code(), "amount")
	g.Server(http.MethodGet, ok, "", connecttest.Signer{KeyID: "testKeyId", Secret: "nope"}).
		WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	g.Server(http.MethodGet, explainTarget("5678", s.ClientSessionID, "?countryCode=NL&currencyCode=EUR"), "", otherSigner).
		WantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
	g.Server(http.MethodGet, explainTarget("1234", strings.Repeat("0", 32), "?countryCode=NL&currencyCode=EUR"), "", defaultSigner).
		WantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
	g.Server(http.MethodPost, ok, "", defaultSigner).WantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")
	// The browser's credential does not open it.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, g.URL+ok, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth.ClientAuthorization(s.ClientSessionID))
	g.Do(req).WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

// TestGoSDKSignedQuery: a Server API call with a query, signed the Go
// SDK's way (unescaped query) and the Node SDK's way (raw target), passes
// both ways over HTTP.
func TestGoSDKSignedQuery(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	u := &url.URL{Path: "/v1/1234/sessions/" + s.ClientSessionID + "/explain",
		RawQuery: url.Values{"countryCode": {"NL"}, "currencyCode": {"EUR"}, "probe": {"a b/c"}}.Encode()}
	goSDKResource := u.EscapedPath() + "?" + mustUnescape(t, u.RawQuery)
	for name, signed := range map[string]string{"Go SDK": goSDKResource, "Node SDK": u.RequestURI()} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, g.URL+u.RequestURI(), nil)
		if err != nil {
			t.Fatal(err)
		}
		date := time.Now().UTC().Format(http.TimeFormat)
		req.Header.Set("Date", date)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth.Sign("testKeyId", []byte("testSecretApiKey"), auth.Request{
			Method: http.MethodGet, ContentType: "application/json", Date: date, Header: req.Header, Target: signed,
		}))
		if r := g.Do(req); r.Status != http.StatusOK {
			t.Errorf("%s signature over %q: %d %s", name, signed, r.Status, r.Body)
		}
	}
}

func mustUnescape(t *testing.T, q string) string {
	t.Helper()
	s, err := url.QueryUnescape(q)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReplayGuardOverHTTP: off by default (a replay inside the Date window
// passes, as on the platform); with WithReplayGuard the second use of a
// signature is a 401.
func TestReplayGuardOverHTTP(t *testing.T) {
	for _, guarded := range []bool{false, true} {
		var opts []connecthttp.Option
		if guarded {
			opts = append(opts, connecthttp.WithVerifierOptions(auth.WithReplayGuard(auth.NewMemoryReplayGuard(0))))
		}
		g := newGateway(t, opts...)
		date := time.Now()
		send := func() connecttest.Response {
			return g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey", Date: date})
		}
		if r := send(); r.Status != http.StatusOK {
			t.Fatalf("guarded %t, first: %d %s", guarded, r.Status, r.Body)
		}
		r := send()
		switch {
		case !guarded && r.Status != http.StatusOK:
			t.Errorf("without a guard the replay got %d %s, want 200", r.Status, r.Body)
		case guarded:
			r.WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
		}
	}
}

// panickingKeys panics on every lookup.
type panickingKeys struct{}

func (panickingKeys) APIKey(context.Context, string, string) (auth.APIKey, error) {
	panic("secret internal state")
}

// TestPanicIsJSON500: a panic below the handler is a JSON 500 that does not
// show the panic value.
func TestPanicIsJSON500(t *testing.T) {
	h, err := connecthttp.New(newEngine(t), panickingKeys{})
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner)
	r.WantError(t, http.StatusInternalServerError, sderrors.ErrInternal.Code(), "")
	if strings.Contains(string(r.Body), "secret") {
		t.Errorf("the panic value reached the wire: %s", r.Body)
	}
}

// TestCORS: preflight only on real Client API routes and methods; allowed
// origins when configured; never credentials.
func TestCORS(t *testing.T) {
	send := func(g *gateway, method, path string, hdr map[string]string) connecttest.Response {
		req, err := http.NewRequestWithContext(t.Context(), method, g.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return g.Do(req)
	}
	preflight := map[string]string{"Origin": "https://shop.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "authorization,content-type,x-gcs-clientmetainfo"}

	g := newGateway(t)
	for _, p := range []string{"products", "products/1", "productgroups", "productgroups/cards", "crypto/publickey"} {
		r := send(g, http.MethodOptions, "/client/v1/1234-abc/"+p, preflight)
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
			r.Header.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" || r.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s: %d %v", p, r.Status, r.Header)
		}
	}
	// Not a route: a JSON 404, not a preflight answer.
	for _, p := range []string{"/client/v1/1234-abc/nothing", "/client/v2/x", "/client/v1/1234-abc/products/1/x"} {
		send(g, http.MethodOptions, p, preflight).WantError(t, http.StatusNotFound, sderrors.ErrUnknownResource.Code(), "")
	}
	// A method the route does not serve.
	bad := map[string]string{"Origin": "https://shop.example", "Access-Control-Request-Method": "DELETE"}
	r := send(g, http.MethodOptions, "/client/v1/1234-abc/products", bad)
	r.WantError(t, http.StatusMethodNotAllowed, sderrors.ErrMethodNotAllowed.Code(), "")
	if r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("a refused preflight allows methods: %v", r.Header)
	}

	// Allowed origins.
	g = newGateway(t, connecthttp.WithAllowedOrigins("https://shop.example", "http://localhost:3000"))
	r = send(g, http.MethodOptions, "/client/v1/1234-abc/products", preflight)
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("allowed origin preflight: %d %v", r.Status, r.Header)
	}
	evil := map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
	r = send(g, http.MethodOptions, "/client/v1/1234-abc/products", evil)
	if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("other origin preflight allowed: %d %v", r.Status, r.Header)
	}
	r = send(g, http.MethodGet, "/client/v1/1234-abc/products", map[string]string{"Origin": "https://evil.example"})
	if r.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(r.Header.Get("Vary"), "Origin") {
		t.Errorf("other origin GET: %v", r.Header)
	}
	r = send(g, http.MethodGet, "/client/v1/1234-abc/products", nil)
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no Origin with an allow list: Allow-Origin %q, want none", r.Header.Get("Access-Control-Allow-Origin"))
	}
}
