package connecthttp_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// The allocation budget of the two calls the gateway benchmark drives
// (bench/gateway/run.sh): a Client API products call and a signed create.
// Measured with testing.AllocsPerRun directly on the Handler (no network,
// no net/http server: what the handler itself allocates per call, the
// engine and memstore included), with a reused request and a
// ResponseWriter whose header map is emptied between runs, as net/http
// gives each request a fresh one. A change that allocates more fails
// TestAllocationBudget; lower the figures when a change allocates less.
//
// Before the encoders of package wire and the pooled buffers, the same
// calls made 50 (products) and 67 (create) allocations. Of the 18 of a
// products call, 4 are the HTTP layer's (the answer's header values, its
// Content-Length, the ServeMux's match); the rest are the engine's
// (decoding the session's filters and tokens, resolving the products) and
// one per account on file (its expiry). Of the 52 of a create, 4 are the
// HTTP layer's; the rest are the v1HMAC check (wire/auth) and the
// engine's decode, validation, token check and save.
const (
	productsAllocBudget = 18
	createAllocBudget   = 52
)

// benchCreateBody is the create of the gateway benchmark: filters and 2
// tokens, one of them valid.
const benchCreateBody = `{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}},"tokens":["tok-visa","tok-mc"]}`

// discardWriter is a ResponseWriter that keeps the status and the body's
// size only.
type discardWriter struct {
	header http.Header
	status int
	n      int
	body   []byte
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	w.body = append(w.body[:0], b...)
	return len(b), nil
}

func (w *discardWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

// rewindBody is a request body that can be read again.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// handlerCalls returns one products call and one create call of the
// benchmark's kind, each a function that serves it once on h.
func handlerCalls(tb testing.TB) (products, create func() *discardWriter) {
	tb.Helper()
	h, err := connecthttp.New(newEngine(tb), apiKeys)
	if err != nil {
		tb.Fatal(err)
	}
	w := &discardWriter{header: http.Header{}}

	body := &rewindBody{}
	createReq := func() *http.Request {
		r, err := http.NewRequest(http.MethodPost, "/v1/1234/sessions", body)
		if err != nil {
			tb.Fatal(err)
		}
		r.RequestURI = "/v1/1234/sessions"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header.Set("Authorization", auth.Sign(defaultSigner.KeyID, []byte(defaultSigner.Secret), auth.Request{
			Method: r.Method, ContentType: "application/json", Date: r.Header.Get("Date"), Header: r.Header, Target: r.RequestURI,
		}))
		return r.WithContext(tb.Context())
	}()
	create = func() *discardWriter {
		w.reset()
		body.Reset([]byte(benchCreateBody))
		h.ServeHTTP(w, createReq)
		return w
	}
	if w := create(); w.status != http.StatusOK {
		tb.Fatalf("create: %d %s", w.status, w.body)
	}
	var s wire.SessionResponse
	connecttest.Response{Body: w.body}.JSON(tb, &s)

	target := "/client/v1/" + s.CustomerID + "/products?countryCode=NL&currencyCode=EUR&amount=1000"
	u, err := url.ParseRequestURI(target)
	if err != nil {
		tb.Fatal(err)
	}
	productsReq := &http.Request{Method: http.MethodGet, URL: u, RequestURI: target, Header: http.Header{
		"Authorization": {"GCS v1Client:" + s.ClientSessionID},
	}, Host: "gateway.test", Body: http.NoBody}
	productsReq = productsReq.WithContext(tb.Context())
	products = func() *discardWriter {
		w.reset()
		h.ServeHTTP(w, productsReq)
		return w
	}
	if w := products(); w.status != http.StatusOK {
		tb.Fatalf("products: %d %s", w.status, w.body)
	}
	return products, create
}

// TestAllocationBudget fails when a products or create call through the
// handler allocates more than its budget. The race detector changes the
// counts (sync.Pool drops items at random under it), so it skips there,
// as under coverage.
func TestAllocationBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector (sync.Pool drops buffers at random): create makes 62")
	}
	if testing.CoverMode() != "" {
		t.Skip("coverage counters change allocation counts")
	}
	products, create := handlerCalls(t)
	for _, c := range []struct {
		name   string
		call   func() *discardWriter
		budget float64
	}{
		{"products", products, productsAllocBudget},
		{"create", create, createAllocBudget},
	} {
		got := testing.AllocsPerRun(200, func() {
			if w := c.call(); w.status != http.StatusOK {
				t.Fatalf("%s: status %d %s", c.name, w.status, w.body)
			}
		})
		t.Logf("%s: %.0f allocations per call (budget %.0f)", c.name, got, c.budget)
		if got > c.budget {
			t.Errorf("%s: %.0f allocations per call, budget %.0f", c.name, got, c.budget)
		}
	}
}

// BenchmarkHandler serves the calls of TestAllocationBudget on the
// handler directly: the HTTP layer's and the engine's cost per call,
// without sockets.
func BenchmarkHandler(b *testing.B) {
	products, create := handlerCalls(b)
	for _, c := range []struct {
		name string
		call func() *discardWriter
	}{{"call=products", products}, {"call=create", create}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := c.call(); w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
