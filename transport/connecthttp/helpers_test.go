package connecthttp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// The fixture, in small: two merchants on two datacenters, cards and
// redirect products, valid and invalid tokens.
const publicURL = "http://gateway.test"

func int64p(n int64) *int64 { return &n }

// catalogProducts is merchant 1234's catalog.
func catalogProducts() []filter.Product {
	return []filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card", AllowsRecurring: true, AllowsTokenization: true},
		{ID: 2, Group: "cards", DisplayOrder: 20, Label: "American Express", Logo: "pp_logo_2.png", PaymentMethod: "card"},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard", Logo: "pp_logo_3.png", PaymentMethod: "card"},
		{ID: 840, DisplayOrder: 40, Label: "PayPal", Logo: "pp_logo_840.png", PaymentMethod: "redirect", MinAmount: int64p(100)},
		{ID: 809, DisplayOrder: 50, Label: "iDEAL", Logo: "pp_logo_809.png", PaymentMethod: "redirect", Countries: []string{"NL"}, Currencies: []string{"EUR"}},
	}
}

func testTokens() []token.Token {
	active := token.StatusActive
	return []token.Token{
		{ID: "tok-visa", MerchantID: "1234", PaymentProductID: 1, Status: active, CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "************0026"},
		{ID: "tok-mc", MerchantID: "1234", PaymentProductID: 3, Status: active, Alias: "************4444"},
		{ID: "tok-expired", MerchantID: "1234", PaymentProductID: 2, Status: active, CardExpiry: token.Expiry{Month: time.January, Year: 2020}, Alias: "x"},
		{ID: "tok-revoked", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusRevoked, Alias: "x"},
		{ID: "tok-other", MerchantID: "5678", PaymentProductID: 1, Status: active, Alias: "x"},
	}
}

// apiKeys: testKeyId may act for 1234, otherKeyId for 5678.
var apiKeys = auth.StaticKeys{
	"testKeyId":  {Secret: "testSecretApiKey", Merchants: []string{"1234"}},
	"otherKeyId": {Secret: "otherSecret", Merchants: []string{"5678"}},
}

var (
	defaultSigner = connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey"}
	otherSigner   = connecttest.Signer{KeyID: "otherKeyId", Secret: "otherSecret"}
)

var (
	testKeyOnce sync.Once
	testKeyRSA  *rsa.PrivateKey
	errTestKey  error
)

// testKey returns one RSA key shared by the tests: key generation is slow
// on a small machine.
func testKey(tb testing.TB) encryption.Key {
	tb.Helper()
	testKeyOnce.Do(func() { testKeyRSA, errTestKey = rsa.GenerateKey(rand.Reader, 2048) })
	if errTestKey != nil {
		tb.Fatal(errTestKey)
	}
	return encryption.Key{ID: "test-key", Private: testKeyRSA}
}

// newEngine is the fixture's engine over a fresh memstore.
func newEngine(tb testing.TB, opts ...session.Option) *session.Engine {
	tb.Helper()
	store, err := memstore.New()
	if err != nil {
		tb.Fatal(err)
	}
	store.PutTokens(testTokens()...)
	return newEngineOver(tb, store, store, opts...)
}

// newEngineOver is the fixture's engine over sessions and tokens (the
// caller puts the fixture's tokens in, e.g. with testTokens).
func newEngineOver(tb testing.TB, sessions storage.Repository, tokens token.Repository, opts ...session.Option) *session.Engine {
	tb.Helper()
	cat, err := filter.NewCatalog(catalogProducts())
	if err != nil {
		tb.Fatal(err)
	}
	other, err := filter.NewCatalog(catalogProducts()[:1])
	if err != nil {
		tb.Fatal(err)
	}
	catalogs := map[string]*filter.Catalog{"1234": cat, "5678": other}
	dcs := map[string]session.Datacenter{
		"1234": {Origin: publicURL, Region: "EU"},
		"5678": {Origin: "https://us.gateway.example", Region: "US"},
	}
	keys, err := encryption.NewKeySet(testKey(tb))
	if err != nil {
		tb.Fatal(err)
	}
	base := []session.Option{
		session.WithCatalogs(session.CatalogFunc(func(_ context.Context, m string) (*filter.Catalog, error) {
			if c, ok := catalogs[m]; ok {
				return c, nil
			}
			return nil, sderrors.ErrUnknownMerchant
		})),
		session.WithDatacenters(session.DatacenterFunc(func(_ context.Context, m string) (session.Datacenter, error) {
			if d, ok := dcs[m]; ok {
				return d, nil
			}
			return session.Datacenter{}, sderrors.ErrUnknownMerchant
		})),
		session.WithKeys(keys),
	}
	e, err := session.New(sessions, tokens, append(base, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// gateway is a test server: the handler over the fixture's engine.
type gateway struct {
	*connecttest.Gateway
	srv *httptest.Server
}

func newGateway(t *testing.T, opts ...connecthttp.Option) *gateway {
	t.Helper()
	h, err := connecthttp.New(newEngine(t), apiKeys, opts...)
	if err != nil {
		t.Fatalf("connecthttp.New: %v", err)
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
	if r.Status != 200 {
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

// newGatewayOver serves h.
func newGatewayOver(t *testing.T, h http.Handler) *gateway {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
}
