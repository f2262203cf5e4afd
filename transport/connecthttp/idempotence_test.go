package connecthttp_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// withKey is defaultSigner sending an idempotence key.
func withKey(key string) connecttest.Signer {
	s := defaultSigner
	s.Header = http.Header{connecthttp.IdempotenceKeyHeader: {key}}
	return s
}

const tsHeader = connecthttp.IdempotenceTimestampHeader

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
	other.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"order-1"}}
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
		r.WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), connecthttp.IdempotenceKeyHeader)
	}
	two := defaultSigner
	two.Header = http.Header{connecthttp.IdempotenceKeyHeader: {"a", "b"}}
	g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, two).WantError(t, http.StatusBadRequest, sderrors.ErrInvalidValue.Code(), connecthttp.IdempotenceKeyHeader)
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

// TestIdempotenceKeepsWhatHTTPKept: the engine decides from the outcome's
// kind whether an idempotent answer is kept. For every kind, and for a
// success, that is exactly the rule of the statuses this transport
// answers with (sderrors.Kind.HTTPStatus): kept unless 5xx, 408, 429 or
// 499, so that a retry of those runs again.
func TestIdempotenceKeepsWhatHTTPKept(t *testing.T) {
	e := newEngine(t)
	type outcome struct {
		name   string
		status int
		err    error
	}
	outcomes := []outcome{{"success", http.StatusOK, nil}}
	for k := range sderrors.Kind(64) {
		if k != sderrors.KindUnknown && k.String() == sderrors.KindUnknown.String() {
			continue // not a kind
		}
		outcomes = append(outcomes, outcome{k.String(), k.HTTPStatus(), sderrors.Define("799999", k, "TEST_"+k.String(), "a test error")})
	}
	if len(outcomes) < 13 {
		t.Fatalf("%d outcomes; want a success and every kind", len(outcomes))
	}
	for _, o := range outcomes {
		wasKept := o.status < 500 && o.status != 408 && o.status != 429 && o.status != 499
		key := "keep-" + o.name
		first, err := e.Idempotent(t.Context(), "1234", key, nil, func(context.Context) session.Answer {
			return session.Answer{Status: o.status, Body: []byte(o.name), Err: o.err}
		})
		if err != nil || first.Replayed {
			t.Fatalf("%s: first attempt %+v, %v", o.name, first, err)
		}
		again, err := e.Idempotent(t.Context(), "1234", key, nil, func(context.Context) session.Answer {
			return session.Answer{Status: http.StatusCreated, Body: []byte("again")}
		})
		if err != nil {
			t.Fatalf("%s: repeat: %v", o.name, err)
		}
		if again.Replayed != wasKept {
			t.Errorf("%s (status %d): repeat replayed = %t; want %t", o.name, o.status, again.Replayed, wasKept)
		}
		if wasKept && (again.Status != o.status || string(again.Body) != o.name || again.Err != nil) {
			t.Errorf("%s: replayed %d %q %v; want the first answer, without its error", o.name, again.Status, again.Body, again.Err)
		}
	}
}

// TestIdempotenceErrorsOnTheWire pins the bytes of the errors about the
// key (the engine returns them without a property; this transport names
// its header): a malformed key, a repeat while the first attempt runs, a
// changed request under session.WithStrictIdempotence.
func TestIdempotenceErrorsOnTheWire(t *testing.T) {
	const (
		malformed = `{"errorId":"E","errors":[{"category":"CONNECT_PLATFORM_ERROR","code":"700105","httpStatusCode":400,"id":"INVALID_VALUE",` +
			`"message":"idempotence keys are 1 to 40 printable ASCII characters","propertyName":"X-GCS-Idempotence-Key"}]}`
		running = `{"errorId":"E","errors":[{"category":"CONNECT_PLATFORM_ERROR","code":"1409","httpStatusCode":409,"id":"DUPLICATE_REQUEST",` +
			`"message":"a request with this idempotence key is still being processed; retry later","propertyName":"X-GCS-Idempotence-Key"}]}`
		changed = `{"errorId":"E","errors":[{"category":"CONNECT_PLATFORM_ERROR","code":"700105","httpStatusCode":400,"id":"INVALID_VALUE",` +
			`"message":"the idempotence key was used with a different request","propertyName":"X-GCS-Idempotence-Key"}]}`
	)
	engine := newEngine(t, session.WithStrictIdempotence())
	h, err := connecthttp.New(engine, apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	wantBody := func(what string, r connecttest.Response, status int, want string) {
		t.Helper()
		var er sderrors.ErrorResponse
		r.JSON(t, &er)
		got := strings.Replace(string(r.Body), `"errorId":"`+er.ErrorID+`"`, `"errorId":"E"`, 1)
		if r.Status != status || got != want {
			t.Errorf("%s: %d %s\nwant %d %s", what, r.Status, got, status, want)
		}
	}
	wantBody("a key of 41 characters", g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey(strings.Repeat("k", 41))), 400, malformed)

	// A first attempt that runs until released.
	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := engine.Idempotent(context.Background(), "1234", "running", []byte(`{}`), func(context.Context) session.Answer {
			close(entered)
			<-release
			return session.Answer{Status: http.StatusOK, Body: []byte(`{}`)}
		})
		done <- err
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first attempt did not start")
	}
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, withKey("running"))
	close(release)
	wantBody("a repeat while the first runs", r, 409, running)
	if r.Header.Get(tsHeader) == "" {
		t.Error("the 409 has no first-attempt timestamp")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the first attempt: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first attempt did not finish")
	}
	r = g.Server(http.MethodPost, "/v1/1234/sessions", `{"tokens":["tok-visa"]}`, withKey("running"))
	wantBody("a changed request, strict", r, 400, changed)
	if r.Header.Get(tsHeader) == "" {
		t.Error("the refusal of a changed request has no first-attempt timestamp")
	}
}
