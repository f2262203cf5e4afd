package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// newTestApp starts the shop and gateway with a stand-in SDK bundle: these
// tests need no npm install and no browser.
func newTestApp(t *testing.T) *app {
	t.Helper()
	sdk := t.TempDir() + "/sdk.js"
	if err := os.WriteFile(sdk, []byte("export {};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := start(config{
		ShopAddr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", SDKPath: sdk, Exclude: []int32{2},
		Context: paymentContext{CountryCode: "NL", Currency: "EUR", TotalAmount: 4999},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// TestShopPaysOnce: the backend creates a session with its filters, opens
// the page's encrypted card data once through the gateway, and answers it
// masked; a second payment, or a session it did not create, is refused.
func TestShopPaysOnce(t *testing.T) {
	a := newTestApp(t)
	status, body := post(t, a.ShopURL+"/api/session", "")
	if status != http.StatusOK {
		t.Fatalf("session: %d %s", status, body)
	}
	var s sessionAnswer
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if s.Session.ClientAPIURL != a.GatewayURL+"/client" || s.Session.AssetURL != a.GatewayURL+"/" || strings.Contains(string(body), "invalidTokens") {
		t.Errorf("session answer %s: want the gateway's URLs and nothing else of the create answer", body)
	}

	// What the page's SDK does: products (the session excludes Amex), key, encrypt.
	g := &connecttest.Gateway{T: t, URL: a.GatewayURL}
	var pp wire.PaymentProducts
	g.Client(s.Session.CustomerID, s.Session.ClientSessionID, "products?countryCode=NL&currencyCode=EUR&amount=4999").JSON(t, &pp)
	var ids []int32
	for _, p := range pp.PaymentProducts {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []int32{1, 3, 840, 809}) {
		t.Errorf("products %v, want the catalog without American Express", ids)
	}
	resp := wire.SessionResponse{ClientSessionID: s.Session.ClientSessionID, CustomerID: s.Session.CustomerID}
	pub := g.PublicKey(resp)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID,
		connecttest.CardPayload(s.Session.ClientSessionID, connecttest.Nonce(1), map[string]any{}))

	pay := `{"clientSessionId":"` + s.Session.ClientSessionID + `","encryptedCustomerInput":"` + blob + `"}`
	status, body = post(t, a.ShopURL+"/api/pay", pay)
	if status != http.StatusOK {
		t.Fatalf("pay: %d %s", status, body)
	}
	var c Confirmation
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	if c.PaymentProductID != 1 || c.CardNumber != "401200******0026" || c.Amount != 4999 || c.Currency != "EUR" {
		t.Errorf("confirmation %s", body)
	}
	if strings.Contains(string(body), "4012000033330026") || strings.Contains(string(body), `"123"`) {
		t.Errorf("confirmation %s shows card data", body)
	}
	if status, body = post(t, a.ShopURL+"/api/pay", pay); status != http.StatusBadRequest {
		t.Errorf("second payment: %d %s, want 400", status, body)
	}
	if status, body = post(t, a.ShopURL+"/api/pay", `{"clientSessionId":"nope","encryptedCustomerInput":"x"}`); status != http.StatusBadRequest {
		t.Errorf("unknown session: %d %s, want 400", status, body)
	}
	if status, _ = post(t, a.ShopURL+"/api/pay", `{"clientSessionId":1}`); status != http.StatusBadRequest {
		t.Errorf("bad body: %d, want 400", status)
	}
}

// TestShopPage: the page, its script and the SDK come from the shop's
// origin, under a policy that allows nothing else but the gateway.
func TestShopPage(t *testing.T) {
	a := newTestApp(t)
	for _, p := range []string{"/", "/checkout.js", "/style.css", "/sdk/connect-sdk-client-js.js"} {
		res, err := http.Get(a.ShopURL + p) //nolint:noctx // a test on loopback
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if res.StatusCode != http.StatusOK || !strings.Contains(csp, "connect-src 'self' "+a.GatewayURL+";") || !strings.Contains(csp, "script-src 'self';") {
			t.Errorf("GET %s: %d, CSP %q", p, res.StatusCode, csp)
		}
	}
}

func TestParseIDs(t *testing.T) {
	ids, err := parseIDs(" 2, 3,,")
	if err != nil || !slices.Equal(ids, []int32{2, 3}) {
		t.Errorf("parseIDs = %v, %v", ids, err)
	}
	for _, bad := range []string{"0", "x", "2147483648"} {
		if _, err := parseIDs(bad); err == nil {
			t.Errorf("parseIDs(%q) accepted", bad)
		}
	}
	if got := createBody([]int32{2, 3}); got != `{"paymentProductFilters":{"exclude":{"products":[2,3]}}}` {
		t.Errorf("createBody = %s", got)
	}
}
