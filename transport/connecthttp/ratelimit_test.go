package connecthttp_test

import (
	"net/http"
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
