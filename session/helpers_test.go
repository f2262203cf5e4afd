package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

const (
	merchant = "1234"
	other    = "5678"
	origin   = "https://payment.example.com"
)

// Token ids of the test store.
const (
	tokVisa       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01" // VISA, valid
	tokVisa2      = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02" // VISA, valid, no expiry
	tokAmex       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa03" // American Express, valid
	tokMaster     = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa04" // MasterCard, valid
	tokPayPal     = "PP-token-of-merchant-1234"        // PayPal, valid, not hex
	tokExpired    = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb01" // expired 12/2025
	tokOther      = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb02" // other merchant's
	tokDeleted    = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb03"
	tokRevoked    = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb04"
	tokGone       = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb05" // product 77, not in the catalog
	tokUnknown    = "cccccccccccccccccccccccccccccc01" // not stored
	tokExpiringOK = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb06" // expires 01/2026: valid through Jan 31
)

// start is the tests' "now": 15 January 2026, 10:00 UTC.
var start = time.Date(2026, time.January, 15, 10, 0, 0, 0, time.UTC)

func testProducts() []filter.Product {
	return []filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card", AllowsRecurring: true},
		{ID: 2, Group: "cards", DisplayOrder: 20, Label: "American Express", Logo: "pp_logo_2.png", PaymentMethod: "card", AllowsRecurring: true},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard", Logo: "pp_logo_3.png", PaymentMethod: "card", AllowsRecurring: true},
		{ID: 840, DisplayOrder: 40, Label: "PayPal", Logo: "pp_logo_840.png", PaymentMethod: "redirect", AllowsRecurring: true},
		{ID: 809, DisplayOrder: 50, Label: "iDEAL", Logo: "pp_logo_809.png", PaymentMethod: "redirect",
			Countries: []string{"NL"}, Currencies: []string{"EUR"}},
	}
}

func testCatalog(tb testing.TB) *filter.Catalog {
	tb.Helper()
	c, err := filter.NewCatalog(testProducts())
	if err != nil {
		tb.Fatalf("NewCatalog: %v", err)
	}
	return c
}

func testTokens() []token.Token {
	card := func(id string, product int32, month time.Month, year int) token.Token {
		return token.Token{ID: id, MerchantID: merchant, PaymentProductID: product, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: month, Year: year}, Alias: "************" + id[len(id)-4:]}
	}
	toks := []token.Token{
		card(tokVisa, 1, time.December, 2030),
		card(tokVisa2, 1, 0, 0),
		card(tokAmex, 2, time.May, 2029),
		card(tokMaster, 3, time.August, 2028),
		{ID: tokPayPal, MerchantID: merchant, PaymentProductID: 840, Status: token.StatusActive, Alias: "j***@example.com"},
		card(tokExpired, 1, time.December, 2025),
		card(tokOther, 1, time.December, 2030),
		card(tokDeleted, 1, time.December, 2030),
		card(tokRevoked, 1, time.December, 2030),
		card(tokGone, 77, time.December, 2030),
		card(tokExpiringOK, 2, time.January, 2026),
	}
	toks[6].MerchantID = other
	toks[7].Status = token.StatusDeleted
	toks[8].Status = token.StatusRevoked
	return toks
}

// clock is a settable clock, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// counter is a deterministic "random" source: bytes 0, 1, 2, ...
type counter struct{ next byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

// fixture is an engine over a memstore filled with the test tokens.
type fixture struct {
	engine *session.Engine
	store  *memstore.Store
	clock  *clock
	tokens *countingTokens
}

func newFixture(tb testing.TB, opts ...session.Option) *fixture {
	tb.Helper()
	store := newMemstore(tb)
	store.PutTokens(testTokens()...)
	return newFixtureOver(tb, store, store, opts...)
}

func newFixtureOver(tb testing.TB, sessions storage.Repository, tokens token.Repository, opts ...session.Option) *fixture {
	tb.Helper()
	f := &fixture{clock: newClock(start), tokens: &countingTokens{next: tokens}}
	if s, ok := sessions.(*memstore.Store); ok {
		f.store = s
	}
	all := append([]session.Option{
		session.WithCatalog(testCatalog(tb)),
		session.WithDatacenter(session.Datacenter{Origin: origin, Region: "EU"}),
		session.WithClock(f.clock.now),
	}, opts...)
	e, err := session.New(sessions, f.tokens, all...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	f.engine = e
	return f
}

// create decodes body and creates a session of merchant.
func (f *fixture) create(tb testing.TB, body string) session.CreateResponse {
	tb.Helper()
	resp, err := f.tryCreate(merchant, body)
	if err != nil {
		tb.Fatalf("Create(%s): %v", body, err)
	}
	return resp
}

func (f *fixture) tryCreate(merchantID, body string) (session.CreateResponse, error) {
	req, err := f.engine.DecodeCreateRequest([]byte(body))
	if err != nil {
		return session.CreateResponse{}, err
	}
	return f.engine.Create(context.Background(), merchantID, req)
}

func (f *fixture) auth(tb testing.TB, resp session.CreateResponse) session.Session {
	tb.Helper()
	s, err := f.engine.Authenticate(context.Background(), resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		tb.Fatalf("Authenticate(%s, %s): %v", resp.CustomerID, resp.ClientSessionID, err)
	}
	return s
}

// countingTokens counts the calls to a token repository.
type countingTokens struct {
	next  token.Repository
	calls atomic.Int64
}

func (c *countingTokens) Tokens(ctx context.Context, merchantID string, ids []string) ([]token.Token, error) {
	c.calls.Add(1)
	return c.next.Tokens(ctx, merchantID, ids)
}

var errBroken = errors.New("broken dependency")

// failingTokens is a token repository that always fails.
type failingTokens struct{}

func (failingTokens) Tokens(context.Context, string, []string) ([]token.Token, error) {
	return nil, errBroken
}

// flakySessions wraps a memstore; each operation fails while its flag is set.
type flakySessions struct {
	*memstore.Store
	mu                 sync.Mutex
	save, load, delete bool
}

func (f *flakySessions) fail(save, load, del bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.save, f.load, f.delete = save, load, del
}

func (f *flakySessions) failing() (save, load, del bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.save, f.load, f.delete
}

func (f *flakySessions) Save(ctx context.Context, r storage.Record) error {
	if s, _, _ := f.failing(); s {
		return errBroken
	}
	return f.Store.Save(ctx, r)
}

func (f *flakySessions) Load(ctx context.Context, k storage.Key, now time.Time) (storage.Record, error) {
	if _, l, _ := f.failing(); l {
		return storage.Record{}, errBroken
	}
	return f.Store.Load(ctx, k, now)
}

func (f *flakySessions) Delete(ctx context.Context, k storage.Key, merchantID string) error {
	if _, _, d := f.failing(); d {
		return errBroken
	}
	return f.Store.Delete(ctx, k, merchantID)
}

// wantError checks err's code and property.
func wantError(t *testing.T, what string, err error, code sderrors.Code, property string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: error = nil; want code %s at %q", what, code, property)
	}
	e := sderrors.Find(err)
	if e == nil {
		t.Fatalf("%s: error %v is not an *sderrors.Error; want code %s", what, err, code)
	}
	if e.Code() != code || e.Property() != property {
		t.Errorf("%s: error = code %s at %q (%v); want code %s at %q", what, e.Code(), e.Property(), err, code, property)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("json.Marshal: %v", err)
	}
	return string(b)
}

func repeatToken(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = `"t` + strings.Repeat("x", i%5) + `"`
	}
	return `{"tokens":[` + strings.Join(ids, ",") + `]}`
}

// newMemstore returns a new memstore.Store or fails tb.
func newMemstore(tb testing.TB) *memstore.Store {
	tb.Helper()
	s, err := memstore.New()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
