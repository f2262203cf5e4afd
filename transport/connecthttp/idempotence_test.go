package connecthttp_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// withKey is defaultSigner sending an idempotence key.
func withKey(key string) connecttest.Signer {
	s := defaultSigner
	s.Header = http.Header{session.IdempotenceKeyHeader: {key}}
	return s
}

const tsHeader = session.IdempotenceTimestampHeader

func TestIdempotentCreateOverHTTP(t *testing.T) {
	g := newGateway(t)
	before := time.Now().UnixMilli()
	first := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa"]}`, withKey("order-1"))
	if first.Status != http.StatusOK {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	if got := first.Header.Get(tsHeader); got != "" {
		t.Errorf("the first answer carries %s: %q", tsHeader, got)
	}
	// Repeats, with the same or another body: the same status and body,
	// with the first attempt's time.
	for _, body := range []string{`{"tokens":["tok-visa"]}`, `{}`} {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", body, withKey("order-1"))
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, first.Body) {
			t.Fatalf("repeat: %d %s, want the first answer %s", r.Status, r.Body, first.Body)
		}
		ts, err := strconv.ParseInt(r.Header.Get(tsHeader), 10, 64)
		if err != nil || ts < before-1000 || ts > time.Now().UnixMilli() {
			t.Errorf("repeat %s = %q, want the first attempt's time in ms", tsHeader, r.Header.Get(tsHeader))
		}
	}
	// Another merchant with the same key: its own session.
	other := otherSigner
	other.Header = http.Header{session.IdempotenceKeyHeader: {"order-1"}}
	if r := g.Server(http.MethodPost, "/v1/5678/sessions", `{}`, other); r.Status != 200 || r.Header.Get(tsHeader) != "" {
		t.Errorf("the same key of another merchant: %d %s", r.Status, r.Header.Get(tsHeader))
	}
	// Without a key: a new session each time.
	a, b := g.create(`{}`), g.create(`{}`)
	if a.ClientSessionID == b.ClientSessionID {
		t.Error("two creates without a key gave one session")
	}
	// A 4xx is replayed, byte for byte (its errorId too).
	bad := g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":""}`, withKey("order-2"))
	again := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("order-2"))
	if bad.Status != 400 || again.Status != 400 || !bytes.Equal(bad.Body, again.Body) || again.Header.Get(tsHeader) == "" {
		t.Errorf("a 400 then a repeat: %d %s / %d %s", bad.Status, bad.Body, again.Status, again.Body)
	}
}

func TestIdempotenceKeyMalformed(t *testing.T) {
	g := newGateway(t)
	for _, key := range []string{"", strings.Repeat("k", 41), "é"} {
		r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey(key))
		r.WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), session.IdempotenceKeyHeader)
	}
	two := defaultSigner
	two.Header = http.Header{session.IdempotenceKeyHeader: {"a", "b"}}
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, two).WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), session.IdempotenceKeyHeader)
}

// Concurrent repeats over HTTP: one session; the others 200 replays or 409s.
func TestIdempotentConcurrentOverHTTP(t *testing.T) {
	g := newGateway(t)
	const n = 8
	var wg sync.WaitGroup
	answers := make([]connecttest.Response, n)
	for i := range n {
		wg.Go(func() {
			answers[i] = g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("race"))
		})
	}
	testwait.Group(t, &wg, time.Minute, "the concurrent repeats")
	var ok, conflict int
	var body []byte
	for _, r := range answers {
		switch r.Status {
		case http.StatusOK:
			ok++
			if body == nil {
				body = r.Body
			} else if !bytes.Equal(body, r.Body) {
				t.Error("two 200 answers differ: two sessions were created")
			}
		case http.StatusConflict:
			conflict++
			var e sderrors.ErrorResponse
			r.JSON(t, &e)
			if len(e.Errors) != 1 || e.Errors[0].Code != "1409" || r.Header.Get(tsHeader) == "" {
				t.Errorf("409 = %s (timestamp %q), want exactly one error 1409 and the timestamp", r.Body, r.Header.Get(tsHeader))
			}
		default:
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
	}
	if ok+conflict != n || ok < 1 {
		t.Errorf("%d 200 and %d 409 of %d", ok, conflict, n)
	}
}
