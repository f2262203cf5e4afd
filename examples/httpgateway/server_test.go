package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
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

// gateway is a test server over testData, called as the SDKs call.
type gateway struct {
	*connecttest.Gateway
	srv *httptest.Server
}

var (
	defaultSigner = connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey"}
	otherSigner   = connecttest.Signer{KeyID: "otherKeyId", Secret: "otherSecret"}
)

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
	return gatewayOn(t, d, st, keys)
}

// gatewayOn serves newServer over d, st and keys.
func gatewayOn(t *testing.T, d *gatewayData, st stores, keys *keyFile) *gateway {
	t.Helper()
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Keys: keys})
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
}

// create creates a session of merchant 1234.
func (g *gateway) create(body string) wire.SessionResponse {
	g.T.Helper()
	return g.Create("1234", body, defaultSigner)
}

const nlEUR = "?countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false&locale=en_GB&cacheBust=1"

func productIDs(t *testing.T, r connecttest.Response) []int32 {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("products: status %d, body %s", r.Status, r.Body)
	}
	var pp wire.PaymentProducts
	r.JSON(t, &pp)
	ids := []int32{}
	for _, p := range pp.PaymentProducts {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestGatewayWiring: the data file's merchants, datacenters, API keys and
// tokens reach the engine and connecthttp (the protocol itself is tested
// in transport/connecthttp).
func TestGatewayWiring(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","nope","tok-expired","tok-other"]}`)
	if want := []string{"nope", "tok-expired", "tok-other"}; !slices.Equal(s.InvalidTokens, want) {
		t.Errorf("invalidTokens = %v, want %v", s.InvalidTokens, want)
	}
	if s.ClientAPIURL != publicURL+"/client" || s.Region != "EU" {
		t.Errorf("merchant 1234: %+v, want the public URL (its datacenter names no origin) and EU", s)
	}
	us := g.Create("5678", `{}`, otherSigner)
	if us.ClientAPIURL != "https://us.gateway.example/client" || us.Region != "US" {
		t.Errorf("merchant 5678: %+v; want the US datacenter's origin and region", us)
	}
	if got, want := productIDs(t, g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR)), []int32{1, 2, 3, 840, 809}; !slices.Equal(got, want) {
		t.Errorf("products = %v, want merchant 1234's catalog %v", got, want)
	}
	g.Server(http.MethodPost, "/v1/5678/sessions", `{}`, defaultSigner).WantError(t, http.StatusForbidden, sderrors.ErrMerchantNotAllowed.Code(), "")
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, connecttest.Signer{KeyID: "testKeyId", Secret: "nope"}).
		WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, connecttest.Signer{KeyID: "nobody", Secret: "testSecretApiKey"}).
		WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

// TestGatewayClock: config.Now is the clock of the engine and of the
// signature check alike.
func TestGatewayClock(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStores(t.Context(), "", "", d)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	h, err := newServer(config{PublicURL: publicURL, Data: d, Stores: st, Now: func() time.Time { return past }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	g := &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner).WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	signer := defaultSigner
	signer.Date = past
	if s := g.Create("1234", `{"tokens":["tok-expired"]}`, signer); len(s.InvalidTokens) != 0 {
		t.Errorf("in 2020 the card expiring 01/20 is valid; invalidTokens = %v", s.InvalidTokens)
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
	if err := waitFor(t, done, 30*time.Second, "run to return after its context ended"); err != nil {
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

// TestDecryptKeyRotation: with a key file of [new, old], new sessions get
// the new key and blobs made under the old one still open.
func TestDecryptKeyRotation(t *testing.T) {
	old := testKeys(t).Keys[0]
	next := encryption.Key{ID: "next-key", Private: testKey(t, 2048)}
	g := newGatewayWithKeys(t, &keyFile{Keys: []encryption.Key{next, old}})
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	if pub.KeyID != "next-key" || !connecttest.ServedKey(t, pub).Equal(&next.Private.PublicKey) {
		t.Errorf("publickey = %+v, want the file's first key, next-key", pub)
	}
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	for i, k := range []encryption.Key{next, old} {
		blob := connecttest.Seal(t, &k.Private.PublicKey, k.ID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(i), nil))
		g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
	}
}

// TestFlagSecretsRedacted: a store flag that fails, however malformed,
// never prints its password.
func TestFlagSecretsRedacted(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "S3cr3tPa55"
	for _, u := range []string{
		"redis://user:" + secret + "@127.0.0.1:1/0",
		"redis://:" + secret + "@127.0.0.1:1/0",
		"redis://user:" + secret + "@127.0.0.1:port/0", // does not parse
		"redis://user:" + secret + "@[::1/0",           // does not parse
		"ftp://user:" + secret + "@host/0",             // wrong scheme
		"redis://user:S3cr3t%50a55@127.0.0.1:1/0",      // escaped
		"redis://127.0.0.1:1/0?password=" + secret,
	} {
		_, err := openStores(t.Context(), u, "", d)
		if err == nil || !strings.Contains(err.Error(), "-redis") {
			t.Errorf("openStores(redis %q) = %v, want an error naming -redis", u, err)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "S3cr3t%50a55") {
			t.Errorf("openStores(redis %q) prints the password: %v", u, err)
		}
	}
	for _, dsn := range []string{
		"postgres://postgres:" + secret + "@127.0.0.1:1/test?sslmode=disable&connect_timeout=1",
		"postgres://postgres:" + secret + "@127.0.0.1:x/test",
		"host=127.0.0.1 port=1 user=postgres password=" + secret + " dbname=test connect_timeout=1",
		"host=127.0.0.1 port=1 user=postgres password='" + secret + "' dbname=test connect_timeout=1",
		"host=127.0.0.1 port=x password=" + secret,
	} {
		_, err := openStores(t.Context(), "", dsn, d)
		if err == nil || !strings.Contains(err.Error(), "-postgres") {
			t.Errorf("openStores(postgres %q) = %v, want an error naming -postgres", dsn, err)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("openStores(postgres %q) prints the password: %v", dsn, err)
		}
	}
	if _, err := newServer(config{PublicURL: "https://u:" + secret + "@gw.example", Data: d}); err == nil ||
		!strings.Contains(err.Error(), "-public-url") || strings.Contains(err.Error(), secret) {
		t.Errorf("newServer with credentials in the public URL = %v, want an error naming -public-url without the password", err)
	}
	// run's own message (what main prints) holds no password either.
	var stderr syncBuffer
	err = run(t.Context(), []string{"-addr", "127.0.0.1:0", "-redis", "redis://u:" + secret + "@127.0.0.1:port/0"}, &stderr)
	if err == nil || strings.Contains(err.Error()+stderr.String(), secret) {
		t.Errorf("run with a bad -redis = %v, stderr %q; want an error without the password", err, stderr.String())
	}
}
