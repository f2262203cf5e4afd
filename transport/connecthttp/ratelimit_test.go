package connecthttp_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp"
)

// budget allows n creates per merchant, then asks to wait 1.5 s.
type budget struct {
	mu   sync.Mutex
	left map[string]int
	seen []string
}

func (b *budget) AllowCreate(merchantID string) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen = append(b.seen, merchantID)
	if b.left[merchantID] <= 0 {
		return false, 1500 * time.Millisecond
	}
	b.left[merchantID]--
	return true, 0
}

func TestCreateLimiter(t *testing.T) {
	b := &budget{left: map[string]int{"1234": 2, "5678": 1}}
	g := newGateway(t, connecthttp.WithCreateLimiter(b))
	g.create(`{}`)
	g.create(`{}`)
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner)
	r.WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want \"2\" (1.5 s rounded up)", got)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	// Per merchant: the other merchant still has its budget.
	g.Create("5678", `{}`, otherSigner)
	// An unauthenticated call never reaches the limiter.
	before := len(b.seen)
	g.Server(http.MethodPost, "/v1/5678/sessions", `{}`, defaultSigner).WantError(t, http.StatusForbidden, sderrors.ErrMerchantNotAllowed.Code(), "")
	if len(b.seen) != before {
		t.Error("the limiter was asked for a call that failed authentication")
	}
	if _, err := connecthttp.New(newEngine(t), apiKeys, connecthttp.WithCreateLimiter(nil)); err == nil {
		t.Error("WithCreateLimiter(nil) accepted")
	}
}

// A replayed idempotent answer is not charged to the limiter: only a
// create that runs is. With a budget of one create, the first attempt
// runs and every replay of it is its 200, never a 429.
func TestCreateLimiterChargesOnlyCreatesThatRun(t *testing.T) {
	b := &budget{left: map[string]int{"1234": 1}}
	g := newGateway(t, connecthttp.WithCreateLimiter(b))
	first := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1"))
	if first.Status != http.StatusOK {
		t.Fatalf("first attempt: %d %s; want 200", first.Status, first.Body)
	}
	for i := range 3 {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1"))
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, first.Body) || r.Header.Get(tsHeader) == "" {
			t.Fatalf("replay %d: %d %s; want the first 200 replayed (not charged)", i+1, r.Status, r.Body)
		}
	}
	if len(b.seen) != 1 {
		t.Errorf("the limiter was asked %d times; want once, for the attempt that ran", len(b.seen))
	}
	// The budget is spent: a new key's attempt is refused, and the 429 is
	// not kept, so its retry runs once the budget allows.
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-2"))
	r.WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want \"2\"", got)
	}
	if r.Header.Get(tsHeader) != "" {
		t.Errorf("the refused first attempt carries %s", tsHeader)
	}
	b.mu.Lock()
	b.left["1234"] = 1
	b.mu.Unlock()
	if r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-2")); r.Status != http.StatusOK || r.Header.Get(tsHeader) != "" {
		t.Errorf("the retry after a 429: %d %s (%s %q); want a first attempt that runs, 200", r.Status, r.Body, tsHeader, r.Header.Get(tsHeader))
	}
}

// The decision for 400s: a first attempt that answers 400 ran (its body
// was decoded and checked), so it is charged, as a create without a key
// is; its replay is not charged, as no replay is. A malformed key runs
// nothing and is not charged.
func TestCreateLimiterCharges400sOnce(t *testing.T) {
	b := &budget{left: map[string]int{"1234": 1}}
	g := newGateway(t, connecthttp.WithCreateLimiter(b))
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey(strings.Repeat("k", 41))).
		WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), connecthttp.IdempotenceKeyHeader)
	if len(b.seen) != 0 {
		t.Fatalf("a malformed key was charged (%d asks)", len(b.seen))
	}
	bad := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":""}`, withKey("bad-1"))
	bad.WantError(t, http.StatusBadRequest, sderrors.ErrInvalidType.Code(), "tokens")
	for i := range 3 {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":""}`, withKey("bad-1"))
		if r.Status != http.StatusBadRequest || !bytes.Equal(r.Body, bad.Body) {
			t.Fatalf("replay %d of the 400: %d %s; want it byte for byte", i+1, r.Status, r.Body)
		}
	}
	if len(b.seen) != 1 {
		t.Errorf("the limiter was asked %d times; want once, for the first attempt", len(b.seen))
	}
	// The 400 used the budget: the next create, without a key, is refused.
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner).
		WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
	// So is a create without a key that answers 400.
	b.mu.Lock()
	b.left["1234"] = 1
	b.mu.Unlock()
	g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":""}`, defaultSigner).
		WantError(t, http.StatusBadRequest, sderrors.ErrInvalidType.Code(), "tokens")
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner).
		WantError(t, http.StatusTooManyRequests, sderrors.ErrTooManyRequests.Code(), "")
}
