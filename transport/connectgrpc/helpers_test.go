package connectgrpc_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire/auth"
)

// The tests run on the data of the HTTP gateway's end-to-end test: its
// fixture.json (catalog, merchants, datacenters, tokens) and cases.json
// (filter, token and payment-context cases), read from there, not copied.
var e2eDir = filepath.Join("..", "..", "examples", "httpgateway", "e2e")

// publicURL stands for the gateway's origin where a datacenter names none.
const publicURL = "http://gateway.test"

type fixture struct {
	Datacenters []struct {
		Name   string `json:"name"`
		Origin string `json:"origin"`
		Region string `json:"region"`
	} `json:"datacenters"`
	Merchants []struct {
		ID         string  `json:"id"`
		Datacenter string  `json:"datacenter"`
		Products   []int32 `json:"products"`
	} `json:"merchants"`
	Products []struct {
		ID                 int32    `json:"id"`
		Group              string   `json:"group"`
		DisplayOrder       int      `json:"displayOrder"`
		Label              string   `json:"label"`
		Logo               string   `json:"logo"`
		PaymentMethod      string   `json:"paymentMethod"`
		AllowsRecurring    bool     `json:"allowsRecurring"`
		AllowsTokenization bool     `json:"allowsTokenization"`
		MinAmount          *int64   `json:"minAmount"`
		MaxAmount          *int64   `json:"maxAmount"`
		Countries          []string `json:"countries"`
		Currencies         []string `json:"currencies"`
	} `json:"products"`
	Tokens []struct {
		ID               string `json:"id"`
		MerchantID       string `json:"merchantId"`
		PaymentProductID int32  `json:"paymentProductId"`
		Status           string `json:"status"`
		CardExpiry       string `json:"cardExpiry"`
		Alias            string `json:"alias"`
	} `json:"tokens"`
}

// paymentContextJSON is a payment context of cases.json.
type paymentContextJSON struct {
	CountryCode  string `json:"countryCode"`
	CurrencyCode string `json:"currencyCode"`
	Amount       int64  `json:"amount"`
	IsRecurring  bool   `json:"isRecurring"`
}

func (c paymentContextJSON) proto() *pb.PaymentContext {
	return &pb.PaymentContext{CountryCode: c.CountryCode, CurrencyCode: c.CurrencyCode, Amount: c.Amount, IsRecurring: c.IsRecurring}
}

type sharedCases struct {
	Contexts map[string]paymentContextJSON `json:"contexts"`
	Tokens   struct {
		Request       []string `json:"request"`
		InvalidTokens []string `json:"invalidTokens"`
	} `json:"tokens"`
	Malformed []struct {
		Body         json.RawMessage `json:"body"`
		PropertyName string          `json:"propertyName"`
	} `json:"malformed"`
	PaymentContexts []struct {
		Context  string  `json:"context"`
		Products []int32 `json:"products"`
	} `json:"paymentContexts"`
	Filters []struct {
		Filters  json.RawMessage `json:"filters"`
		Context  string          `json:"context"`
		Products []int32         `json:"products"`
	} `json:"filters"`
}

func readJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(e2eDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

func loadCases(tb testing.TB) sharedCases {
	tb.Helper()
	var c sharedCases
	readJSON(tb, "cases.json", &c)
	if len(c.Filters) == 0 || len(c.Malformed) == 0 || len(c.Tokens.Request) == 0 || len(c.PaymentContexts) == 0 {
		tb.Fatal("cases.json: a list of cases is empty")
	}
	return c
}

var (
	testKeyOnce sync.Once
	testKey     encryption.Key
	errTestKey  error
)

// key returns one RSA-2048 key shared by the tests: generating it is slow
// on a small machine.
func key(tb testing.TB) encryption.Key {
	tb.Helper()
	testKeyOnce.Do(func() { testKey, errTestKey = encryption.GenerateKey("test-key") })
	if errTestKey != nil {
		tb.Fatal(errTestKey)
	}
	return testKey
}

// env is an engine over memstore with the fixture's data.
type env struct {
	engine *session.Engine
	store  *memstore.Store
}

type engineConfig struct {
	tokens token.Repository // nil: the memstore with the fixture's tokens
	now    func() time.Time
	// catalog, when not nil, replaces merchant 1234's catalog.
	catalog []filter.Product
	// store options of the memstore (e.g. a memory bound).
	store []memstore.Option
	// extra are more engine options.
	extra []session.Option
}

// newEngine builds the engine of the fixture: one catalog and one
// datacenter per merchant, the fixture's tokens, client-side encryption.
func newEngine(tb testing.TB, cfg engineConfig) env {
	tb.Helper()
	var fx fixture
	readJSON(tb, "fixture.json", &fx)
	products := map[int32]filter.Product{}
	for _, p := range fx.Products {
		products[p.ID] = filter.Product{
			ID: p.ID, Group: p.Group, DisplayOrder: p.DisplayOrder, Label: p.Label, Logo: p.Logo,
			PaymentMethod: p.PaymentMethod, AllowsRecurring: p.AllowsRecurring, AllowsTokenization: p.AllowsTokenization,
			MinAmount: p.MinAmount, MaxAmount: p.MaxAmount, Countries: p.Countries, Currencies: p.Currencies,
		}
	}
	dcs := map[string]session.Datacenter{}
	for _, d := range fx.Datacenters {
		origin := d.Origin
		if origin == "" {
			origin = publicURL
		}
		dcs[d.Name] = session.Datacenter{Origin: origin, Region: d.Region}
	}
	catalogs := map[string]*filter.Catalog{}
	datacenters := map[string]session.Datacenter{}
	for _, m := range fx.Merchants {
		var ps []filter.Product
		for _, id := range m.Products {
			ps = append(ps, products[id])
		}
		if m.ID == "1234" && cfg.catalog != nil {
			ps = cfg.catalog
		}
		c, err := filter.NewCatalog(ps)
		if err != nil {
			tb.Fatal(err)
		}
		catalogs[m.ID] = c
		datacenters[m.ID] = dcs[m.Datacenter]
	}
	store, err := memstore.New(cfg.store...)
	if err != nil {
		tb.Fatal(err)
	}
	for _, tk := range fx.Tokens {
		st, err := token.ParseStatus(tk.Status)
		if err != nil {
			tb.Fatal(err)
		}
		var exp token.Expiry
		if tk.CardExpiry != "" {
			if exp, err = token.ParseExpiry(tk.CardExpiry); err != nil {
				tb.Fatal(err)
			}
		}
		store.PutTokens(token.Token{
			ID: tk.ID, MerchantID: tk.MerchantID, PaymentProductID: tk.PaymentProductID,
			Status: st, CardExpiry: exp, Alias: tk.Alias,
		})
	}
	keys, err := encryption.NewKeySet(key(tb))
	if err != nil {
		tb.Fatal(err)
	}
	opts := []session.Option{
		session.WithCatalogs(session.CatalogFunc(func(_ context.Context, id string) (*filter.Catalog, error) {
			if c, ok := catalogs[id]; ok {
				return c, nil
			}
			return nil, sderrors.ErrUnknownMerchant
		})),
		session.WithDatacenters(session.DatacenterFunc(func(_ context.Context, id string) (session.Datacenter, error) {
			if d, ok := datacenters[id]; ok {
				return d, nil
			}
			return session.Datacenter{}, sderrors.ErrUnknownMerchant
		})),
		session.WithKeys(keys),
	}
	if cfg.now != nil {
		opts = append(opts, session.WithClock(cfg.now))
	}
	opts = append(opts, cfg.extra...)
	var tokens token.Repository = store
	if cfg.tokens != nil {
		tokens = cfg.tokens
	}
	e, err := session.New(store, tokens, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return env{engine: e, store: store}
}

// apiTokens are the test's merchant credentials: a bearer token per
// merchant, as an API edge might forward them.
var apiTokens = map[string]string{"token-1234": "1234", "token-5678": "5678"}

// bearerAuth is the test's MerchantAuthenticator: "authorization: Bearer
// {token}" names the merchant.
func bearerAuth(ctx context.Context) (string, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) != 1 {
		return "", sderrors.ErrUnauthorized
	}
	given, ok := strings.CutPrefix(values[0], "Bearer ")
	if !ok {
		return "", sderrors.ErrUnauthorized
	}
	for tok, merchantID := range apiTokens {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(given)) == 1 {
			return merchantID, nil
		}
	}
	return "", sderrors.ErrUnauthorized
}

// serve runs a server of the service on a loopback port until the test
// ends and returns a connection to it.
func serve(tb testing.TB, e *session.Engine, auth connectgrpc.MerchantAuthenticator, opts ...connectgrpc.Option) *grpc.ClientConn {
	tb.Helper()
	srv, err := connectgrpc.NewServer(e, auth, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return serveOn(tb, srv)
}

func serveOn(tb testing.TB, srv *grpc.Server) *grpc.ClientConn {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = conn.Close()
		srv.Stop()
		if err := waitFor(tb, done, 10*time.Second, "Serve to return after Stop"); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			tb.Errorf("Serve: %v", err)
		}
	})
	return conn
}

// client is a test's view of one server: both services, with the merchant
// credentials of merchant 1234.
type client struct {
	sessions pb.SessionServiceClient
	clients  pb.ClientServiceClient
}

func newClient(conn *grpc.ClientConn) client {
	return client{sessions: pb.NewSessionServiceClient(conn), clients: pb.NewClientServiceClient(conn)}
}

// asMerchant adds the bearer token of merchantID.
func asMerchant(ctx context.Context, merchantID string) context.Context {
	for tok, id := range apiTokens {
		if id == merchantID {
			return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
		}
	}
	panic("no token for merchant " + merchantID)
}

// withSession adds the v1Client credentials of a session.
func withSession(ctx context.Context, clientSessionID string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", auth.ClientAuthorization(clientSessionID))
}

func (c client) create(tb testing.TB, req *pb.CreateSessionRequest) *pb.CreateSessionResponse {
	tb.Helper()
	resp, err := c.sessions.CreateSession(asMerchant(tb.Context(), "1234"), req)
	if err != nil {
		tb.Fatalf("CreateSession(%v): %v", req, err)
	}
	return resp
}

func (c client) products(tb testing.TB, s *pb.CreateSessionResponse, pc *pb.PaymentContext) []*pb.PaymentProduct {
	tb.Helper()
	resp, err := c.clients.GetPaymentProducts(withSession(tb.Context(), s.GetClientSessionId()),
		&pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: pc, HideFields: true})
	if err != nil {
		tb.Fatalf("GetPaymentProducts: %v", err)
	}
	return resp.GetPaymentProducts()
}

func ids(products []*pb.PaymentProduct) []int32 {
	out := []int32{}
	for _, p := range products {
		out = append(out, p.GetId())
	}
	return out
}

var nlEUR = &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}

// iinNLEUR is nlEUR in the shape of a getIINdetails body.
var iinNLEUR = iinContext("NL", "EUR", 1000)

func iinContext(country, currency string, amount int64) *pb.IINPaymentContext {
	return &pb.IINPaymentContext{CountryCode: country, AmountOfMoney: &pb.AmountOfMoney{Amount: amount, CurrencyCode: currency}}
}

// details is what a status carries.
type details struct {
	info       *errdetails.ErrorInfo
	violations []*errdetails.BadRequest_FieldViolation
	retry      *errdetails.RetryInfo
	others     int
}

func detailsOf(st *status.Status) details {
	var d details
	for _, x := range st.Details() {
		switch v := x.(type) {
		case *errdetails.ErrorInfo:
			d.info = v
		case *errdetails.BadRequest:
			d.violations = append(d.violations, v.GetFieldViolations()...)
		case *errdetails.RetryInfo:
			d.retry = v
		default:
			d.others++
		}
	}
	return d
}

// wantError checks err's code, wire code and property (none when "").
func wantError(t *testing.T, what string, err error, code interface{ String() string }, wireCode, property string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || err == nil {
		t.Fatalf("%s: err = %v, want a status %v", what, err, code)
	}
	if st.Code().String() != code.String() {
		t.Errorf("%s: code = %v, want %v (%v)", what, st.Code(), code, err)
	}
	d := detailsOf(st)
	if d.info == nil {
		t.Fatalf("%s: no ErrorInfo in %v", what, st.Details())
	}
	if got := d.info.GetMetadata()["code"]; got != wireCode {
		t.Errorf("%s: ErrorInfo code = %q, want %q", what, got, wireCode)
	}
	switch {
	case property == "" && len(d.violations) != 0:
		t.Errorf("%s: field violations %v, want none", what, d.violations)
	case property != "" && (len(d.violations) != 1 || d.violations[0].GetField() != property):
		t.Errorf("%s: field violations %v, want one at %q", what, d.violations, property)
	}
}

// seal makes an encryptedCustomerInput as connect-sdk-client-js does (JWE
// compact, RSA-OAEP with SHA-1, A256CBC-HS512), with the standard library
// only: an implementation independent of the engine's go-jose.
func seal(tb testing.TB, pub *rsa.PublicKey, kid string, plaintext []byte) string {
	tb.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	header := b64([]byte(`{"alg":"RSA-OAEP","enc":"A256CBC-HS512","kid":"` + kid + `"}`))
	cek := make([]byte, 64)
	iv := make([]byte, aes.BlockSize)
	_, _ = rand.Read(cek)
	_, _ = rand.Read(iv)
	encKey, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, cek, nil)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := aes.NewCipher(cek[32:])
	if err != nil {
		tb.Fatal(err)
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	padded := append(append([]byte{}, plaintext...), make([]byte, pad)...)
	for i := len(plaintext); i < len(padded); i++ {
		padded[i] = byte(pad)
	}
	ct := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
	mac := hmac.New(sha512.New, cek[:32])
	mac.Write([]byte(header))
	mac.Write(iv)
	mac.Write(ct)
	_ = binary.Write(mac, binary.BigEndian, uint64(len(header))*8)
	tag := mac.Sum(nil)[:32]
	return strings.Join([]string{header, b64(encKey), b64(iv), b64(ct), b64(tag)}, ".")
}

// cardInput is the plaintext the client SDK encrypts for a VISA card.
func cardInput(clientSessionID string, extra string) []byte {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return []byte(`{"clientSessionId":"` + clientSessionID + `","nonce":"` + hexString(nonce) + `","tokenize":false,` +
		`"collectedDeviceInformation":{"timezoneOffsetUtcMinutes":0,"locale":"en-US","browserData":{"colorDepth":24}},` +
		`"paymentProductId":1,"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},` +
		`{"key":"expiryDate","value":"1230"},{"key":"cvv","value":"123"},{"key":"cardholderName","value":"José Müller"}]` +
		extra + `}`)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// waitFor returns the next value from ch, or fails tb when none arrives
// within d: a test of this module never waits without a bound. (The root
// module's tests use internal/testwait, which a module of its own may not
// import.)
func waitFor[T any](tb testing.TB, ch <-chan T, d time.Duration, what string) T {
	tb.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		tb.Fatalf("gave up after %v waiting for %s", d, what)
		var zero T
		return zero
	}
}

// waitGroup waits for wg, or fails tb when it does not finish within d.
func waitGroup(tb testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	waitFor(tb, done, d, what)
}
