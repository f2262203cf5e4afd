package connecthttp_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// The default lease outlasts the longest a create can still be answered
// behind NewServer: past the write timeout no client waits for it, so a
// repeat after the lease may run again.
func TestIdempotenceLeaseOutlastsTheWriteTimeout(t *testing.T) {
	if session.DefaultIdempotenceLease <= connecthttp.DefaultWriteTimeout {
		t.Errorf("session.DefaultIdempotenceLease = %v; want above connecthttp.DefaultWriteTimeout (%v)",
			session.DefaultIdempotenceLease, connecthttp.DefaultWriteTimeout)
	}
}

// lostFinish is a memstore whose idempotency finishes fail while lose is
// set: the claim stays running, as when the store was cut off between
// claim and finish.
type lostFinish struct {
	*memstore.Store
	lose atomic.Bool
}

func (s *lostFinish) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if s.lose.Load() {
		return errors.New("finish: connection reset")
	}
	return s.Store.FinishIdempotency(ctx, key, attempt, status, body)
}

// Over HTTP: a key whose finish was lost answers 503 to its first
// attempt, then 409 during the lease; after it, the key runs as a new
// attempt (200) whose answer later repeats replay.
func TestIdempotenceLeaseOverHTTP(t *testing.T) {
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	mem.PutTokens(testTokens()...)
	store := &lostFinish{Store: mem}
	const lease = 300 * time.Millisecond
	h, err := connecthttp.New(newEngineOver(t, store, store, session.WithIdempotenceLease(lease)), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	store.lose.Store(true)
	began := time.Now()
	// The answer could not be kept, so it is not given: a retryable 503.
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1")).
		WantError(t, http.StatusServiceUnavailable, sderrors.ErrUnavailable.Code(), "")
	store.lose.Store(false)
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1"))
	if time.Since(began) < lease {
		r.WantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), connecthttp.IdempotenceKeyHeader)
		if r.Header.Get(tsHeader) == "" {
			t.Errorf("the 409 carries no %s", tsHeader)
		}
	}
	// Repeats answer 409 until the lease (counted from the claim, a little
	// after began) ends, then the key runs again.
	var second connecttest.Response
	for deadline := began.Add(lease + 5*time.Second); ; {
		second = g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1"))
		if second.Status != http.StatusConflict {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the key still answered 409 5 s after its %v lease", lease)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if second.Status != http.StatusOK || second.Header.Get(tsHeader) != "" || time.Since(began) < lease {
		t.Fatalf("after the lease: %d %s (%s %q, after %v); want a new attempt's 200, after the lease",
			second.Status, second.Body, tsHeader, second.Header.Get(tsHeader), time.Since(began))
	}
	var created wire.SessionResponse
	second.JSON(t, &created)
	if created.ClientSessionID == "" {
		t.Errorf("the new attempt's answer has no session: %s", second.Body)
	}
	for range 2 {
		again := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-1"))
		if again.Status != http.StatusOK || !bytes.Equal(again.Body, second.Body) || again.Header.Get(tsHeader) == "" {
			t.Fatalf("a later repeat: %d %s; want the new attempt's answer replayed", again.Status, again.Body)
		}
	}
}
