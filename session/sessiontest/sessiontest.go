// Package sessiontest holds the engine-level tests and benchmarks that
// every store adapter runs from its own tests, over a session.Engine built
// on the adapter's stores: RunLoad (many concurrent creates and
// authentications; no session lost or crossed), BenchmarkEngine (Create
// and Authenticate, with the adapter's round trips per operation), and
// Failover (a load of creates, encrypted-input opens, idempotent creates,
// authentications and revocations that records what was acknowledged while
// a test breaks the store under it, and verifies afterwards that nothing
// acknowledged was lost), with LagProxy, the slow replication link of the
// failover tests.
//
// The storage-level contract is package storage/storagetest, which
// imports no engine; this package is its engine-level complement, and
// adapters import it from tests only.
package sessiontest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/storage/storagetest"
	"github.com/clientsession/engine/token"
)

// LoadMerchant is the merchant of the sessions RunLoad and NewLoadEngine
// create; their tokens are LoadTokens.
const LoadMerchant = "1234"

// LoadTokens returns the 64 tokens ("tok-0" to "tok-63", product 1, alias
// "alias-N") that NewLoadEngine's sessions use.
func LoadTokens() []token.Token {
	out := make([]token.Token, 64)
	for i := range out {
		out[i] = token.Token{ID: "tok-" + strconv.Itoa(i), MerchantID: LoadMerchant, PaymentProductID: 1,
			Status: token.StatusActive, Alias: "alias-" + strconv.Itoa(i)}
	}
	return out
}

// NewLoadEngine returns an engine over the stores of an adapter, with a
// two-product catalog, for load tests and benchmarks. The tokens of
// LoadTokens are put in stores.Tokens (through PutTokens), or in a memstore
// when stores.Tokens is nil.
func NewLoadEngine(tb testing.TB, stores storagetest.Stores) *session.Engine {
	tb.Helper()
	return newEngine(tb, stores)
}

// newEngine is NewLoadEngine with more options.
func newEngine(tb testing.TB, stores storagetest.Stores, opts ...session.Option) *session.Engine {
	tb.Helper()
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
		{ID: 840, DisplayOrder: 2, Label: "PayPal", Logo: "pp_logo_840.png", PaymentMethod: "redirect"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tokens := stores.Tokens
	if tokens == nil {
		mem, err := memstore.New()
		if err != nil {
			tb.Fatal(err)
		}
		mem.PutTokens(LoadTokens()...)
		tokens = mem
	} else if err := stores.PutTokens(context.Background(), LoadTokens()...); err != nil {
		tb.Fatal(err)
	}
	e, err := session.New(stores.Sessions, tokens, append([]session.Option{session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://pay.example.com", Region: "EU"})}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// RunLoad creates n sessions through a session.Engine over stores from
// workers goroutines, each with one token, authenticates each at once and
// checks that it is its own (customerId and token); then checks that every
// session still authenticates and only with its own customerId. It logs the
// rate. Adapters run it bounded (a few thousand sessions by default) and at
// full size behind a flag.
func RunLoad(t *testing.T, stores storagetest.Stores, n, workers int) {
	t.Helper()
	e := NewLoadEngine(t, stores)
	ctx := context.Background()
	out := make([]session.CreateResponse, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				tok := "tok-" + strconv.Itoa(i%64)
				resp, err := e.Create(ctx, LoadMerchant, session.CreateRequest{Tokens: []string{tok}})
				if err != nil {
					t.Errorf("Create %d: %v", i, err)
					return
				}
				out[i] = resp
				sess, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
				if err != nil {
					t.Errorf("Authenticate %d: %v", i, err)
					return
				}
				toks, err := sess.Tokens()
				if err != nil || len(toks) != 1 || toks[0].ID != tok || sess.CustomerID() != resp.CustomerID {
					t.Errorf("session %d crossed: customer %s tokens %v (%v)", i, sess.CustomerID(), toks, err)
					return
				}
			}
		})
	}
	// A bound far above what any adapter needs (1 ms per session on top of
	// two minutes), so that a store that hangs fails the run with a message.
	testwait.Group(t, &wg, 2*time.Minute+time.Duration(n)*time.Millisecond, "the load workers")
	if t.Failed() {
		return
	}
	elapsed := time.Since(start)
	t.Logf("%d creates + %d authentications from %d workers in %v: %.0f operations/s",
		n, n, workers, elapsed.Round(time.Millisecond), float64(2*n)/elapsed.Seconds())
	for i, resp := range out {
		if _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
			t.Fatalf("session %d lost: %v", i, err)
		}
		if i > 0 {
			_, err := e.Authenticate(ctx, out[i-1].CustomerID, resp.ClientSessionID)
			if !errors.Is(err, sderrors.ErrUnauthorized) {
				t.Fatalf("session %d authenticates with another customerId: %v", i, err)
			}
		}
	}
}

// BenchmarkEngine benchmarks Create (5 tokens) and Authenticate through a
// session.Engine over an adapter's stores (NewLoadEngine), as the
// sub-benchmarks Create and Authenticate. trips returns a running count of
// the adapter's round trips (from a driver hook or tracer); it is reported
// per operation under unit, e.g. "roundtrips/op".
func BenchmarkEngine(b *testing.B, stores storagetest.Stores, trips func() int64, unit string) {
	b.Helper()
	e := NewLoadEngine(b, stores)
	ctx := context.Background()
	req := session.CreateRequest{Tokens: []string{"tok-1", "tok-2", "tok-3", "tok-4", "tok-5"}}
	measure := func(b *testing.B, op func() error) {
		b.Helper()
		b.ReportAllocs()
		start, n := trips(), 0
		for b.Loop() {
			n++
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(trips()-start)/float64(n), unit)
	}
	b.Run("Create", func(b *testing.B) {
		measure(b, func() error { _, err := e.Create(ctx, LoadMerchant, req); return err })
	})
	b.Run("Authenticate", func(b *testing.B) {
		resp, err := e.Create(ctx, LoadMerchant, req)
		if err != nil {
			b.Fatal(err)
		}
		measure(b, func() error { _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); return err })
	})
}
