package session_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

// answer is a run that answers status and body, a success.
func answer(status int, body string) func(context.Context) session.Answer {
	return func(context.Context) session.Answer { return session.Answer{Status: status, Body: []byte(body)} }
}

// failed is a run whose attempt ended with err.
func failed(status int, err error) func(context.Context) session.Answer {
	return func(context.Context) session.Answer {
		return session.Answer{Status: status, Body: []byte(err.Error()), Err: err}
	}
}

func TestIdempotentReplaysTheFirstAnswer(t *testing.T) {
	var outcomes sync.Map
	count := func(o string) { v, _ := outcomes.LoadOrStore(o, new(atomic.Int32)); v.(*atomic.Int32).Add(1) }
	f := newFixture(t, session.WithObserver(session.Observer{Idempotent: count}))
	ctx := context.Background()
	first, err := f.engine.Idempotent(ctx, merchant, "key-1", []byte(`{}`), answer(200, `{"a":1}`))
	if err != nil || first.Replayed || first.Status != 200 || !first.FirstAttemptAt.IsZero() {
		t.Fatalf("first attempt = %+v, %v; want its own 200 without a timestamp", first, err)
	}
	firstAt := f.clock.now()
	f.clock.add(time.Minute)
	ran := false
	for _, body := range []string{`{}`, `{"tokens":["x"]}`} { // a changed body is replayed too
		rep, err := f.engine.Idempotent(ctx, merchant, "key-1", []byte(body), func(context.Context) session.Answer { ran = true; return session.Answer{} })
		if err != nil || !rep.Replayed || rep.Status != 200 || string(rep.Body) != `{"a":1}` {
			t.Fatalf("repeat with %s = %+v, %v; want the first answer replayed", body, rep, err)
		}
		if want := firstAt.UnixMilli(); rep.FirstAttemptAt.UnixMilli() != want {
			t.Errorf("FirstAttemptAt = %v, want %v", rep.FirstAttemptAt, firstAt)
		}
	}
	if ran {
		t.Error("a repeat ran again")
	}
	// Scoped per merchant.
	if r, err := f.engine.Idempotent(ctx, other, "key-1", []byte(`{}`), answer(201, `x`)); err != nil || r.Replayed || r.Status != 201 {
		t.Errorf("the same key for another merchant = %+v, %v; want its own run", r, err)
	}
	// Kept for the TTL (24 h by default), not longer.
	f.clock.add(24 * time.Hour)
	if r, err := f.engine.Idempotent(ctx, merchant, "key-1", []byte(`{}`), answer(202, `y`)); err != nil || r.Replayed || r.Status != 202 {
		t.Errorf("after 24 h = %+v, %v; want a new run", r, err)
	}
	for o, want := range map[string]int32{"first": 3, "replayed": 2} {
		if v, _ := outcomes.Load(o); v == nil || v.(*atomic.Int32).Load() != want {
			t.Errorf("observer saw %q %v times, want %d", o, v, want)
		}
	}
}

func TestIdempotentStrictRefusesAChangedBody(t *testing.T) {
	f := newFixture(t, session.WithStrictIdempotence())
	ctx := context.Background()
	if _, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(200, `{}`)); err != nil {
		t.Fatal(err)
	}
	r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{"tokens":[]}`), answer(200, `{}`))
	wantError(t, "changed body", err, sderrors.ErrInvalidValue.Code(), "") // the transport names the key's carrier
	if r.FirstAttemptAt.IsZero() {
		t.Error("the refusal of a repeat carries no first-attempt timestamp")
	}
	if r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(500, ``)); err != nil || !r.Replayed {
		t.Errorf("the same body = %+v, %v; want a replay", r, err)
	}
}

// The outcome's kind decides what is kept: a failure a retry may change
// is not (the next attempt runs), a final one is (replayed); the
// transport's status is stored, never read.
func TestIdempotentRetryableFailuresAreNotKept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, err := range []error{
		sderrors.ErrUnavailable, sderrors.ErrInternal, sderrors.ErrCanceled, sderrors.ErrTooManyRequests,
		sderrors.ErrRequestTimeout, errors.New("not ours"), context.Canceled,
	} {
		key := "k" + strings.Repeat("x", i)
		if _, err := f.engine.Idempotent(ctx, merchant, key, nil, failed(200, err)); err != nil {
			t.Fatal(err)
		}
		r, err2 := f.engine.Idempotent(ctx, merchant, key, nil, answer(200, `ok`))
		if err2 != nil || r.Replayed || string(r.Body) != `ok` {
			t.Errorf("after %v: retry = %+v, %v; want a new run", err, r, err2)
		}
	}
	for i, err := range []error{
		sderrors.ErrInvalidJSON.WithProperty("tokens"), sderrors.ErrUnauthorized, sderrors.ErrMerchantNotAllowed,
		sderrors.ErrUnknownMerchant, sderrors.ErrDuplicateRequest, sderrors.ErrMethodNotAllowed,
		errors.Join(sderrors.ErrInvalidTokenFormat, sderrors.ErrInvalidTokenFormat),
	} {
		key := "final" + strings.Repeat("x", i)
		if _, err := f.engine.Idempotent(ctx, merchant, key, nil, failed(599, err)); err != nil {
			t.Fatal(err)
		}
		r, _ := f.engine.Idempotent(ctx, merchant, key, nil, answer(200, ``))
		if !r.Replayed || r.Status != 599 || string(r.Body) != err.Error() || r.Err != nil {
			t.Errorf("after %v: %+v, want the first answer replayed as stored, without its error", err, r)
		}
	}
	// A panicking run releases the key.
	func() {
		defer func() { _ = recover() }()
		_, _ = f.engine.Idempotent(ctx, merchant, "boom", nil, func(context.Context) session.Answer { panic("boom") })
	}()
	if r, err := f.engine.Idempotent(ctx, merchant, "boom", nil, answer(200, ``)); err != nil || r.Replayed {
		t.Errorf("after a panic: %+v, %v; want a new run", r, err)
	}
}

// failingFinish is a memstore whose FinishIdempotency fails, as a store
// does when it cannot make the answer durable (no replica acknowledged it).
type failingFinish struct {
	*memstore.Store
	fail, block atomic.Bool
}

func (s *failingFinish) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if s.block.Load() { // a store that cannot commit: waits as long as it is let
		<-ctx.Done()
		return ctx.Err()
	}
	if s.fail.Load() {
		return errors.New("finish: not acknowledged by enough replicas")
	}
	return s.Store.FinishIdempotency(ctx, key, attempt, status, body)
}

// An answer that could not be stored is not handed out: the caller gets a
// retryable error, since a repeat could not replay it; the key stays
// claimed (409 while running), so the work is not done twice meanwhile.
func TestIdempotentAnswerNotStoredIsNotGiven(t *testing.T) {
	store := &failingFinish{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	f := newFixtureOver(t, store, store, session.WithIdempotenceStore(store))
	ctx := context.Background()
	store.fail.Store(true)
	r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(200, `{"a":1}`))
	if !errors.Is(err, sderrors.ErrUnavailable) || !sderrors.IsRetryable(err) || r.Status != 0 || r.Body != nil {
		t.Fatalf("first attempt with a failing finish = %+v, %v; want no answer and a retryable ErrUnavailable", r, err)
	}
	store.fail.Store(false)
	ran := false
	_, err = f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), func(context.Context) session.Answer { ran = true; return session.Answer{Status: 200} })
	if !errors.Is(err, sderrors.ErrDuplicateRequest) || ran {
		t.Errorf("repeat = %v (ran %v); want 1409 while the claim stands, without running", err, ran)
	}
}

// Keeping the answer survives the caller's cancellation but not its
// deadline: a store that cannot commit does not hold the call forever.
func TestIdempotentFinishEndsAtTheCallersDeadline(t *testing.T) {
	store := &failingFinish{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	f := newFixtureOver(t, store, store, session.WithIdempotenceStore(store))
	store.block.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(200, `{}`))
		done <- err
	}()
	select {
	case err := <-done:
		if !sderrors.IsRetryable(err) {
			t.Errorf("Idempotent with a finish that never commits = %v; want a retryable error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Idempotent outlived its caller's deadline by 5 s: the finish is unbounded")
	}
}

// Concurrent attempts: exactly one runs; the others get 1409 while it runs,
// each with the first attempt's time.
func TestIdempotentConcurrentAttempts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	release := make(chan struct{})
	var runs, conflicts atomic.Int32
	var wg sync.WaitGroup
	started := make(chan struct{})
	wg.Go(func() {
		_, err := f.engine.Idempotent(ctx, merchant, "same", nil, func(context.Context) session.Answer {
			runs.Add(1)
			close(started)
			select {
			case <-release:
			case <-time.After(time.Minute):
				t.Error("the running attempt was never released")
			}
			return session.Answer{Status: 200}
		})
		if err != nil {
			t.Error(err)
		}
	})
	testwait.Recv(t, started, time.Minute, "the first attempt to run")
	for range 16 {
		wg.Go(func() {
			r, err := f.engine.Idempotent(ctx, merchant, "same", nil, answer(200, ``))
			if sderrors.HasCode(err, sderrors.ErrDuplicateRequest.Code()) && sderrors.Find(err).Property() == "" && !r.FirstAttemptAt.IsZero() {
				conflicts.Add(1)
			}
		})
	}
	// Every repeat answers while the first still runs: wait for all 16
	// (a fixed sleep was too short on a loaded machine).
	testwait.Until(t, time.Minute, "16 repeats answered with 1409 while the first runs", func() bool { return conflicts.Load() == 16 })
	close(release)
	testwait.Group(t, &wg, time.Minute, "the attempts")
	if runs.Load() != 1 || conflicts.Load() != 16 {
		t.Errorf("%d runs, %d conflicts with a timestamp; want 1 and 16", runs.Load(), conflicts.Load())
	}
}

func TestIdempotenceKeyRule(t *testing.T) {
	for key, want := range map[string]bool{
		"a": true, strings.Repeat("k", 40): true, "with space~!": true,
		"": false, strings.Repeat("k", 41): false, "tab\t": false, "é": false, "\x7f": false,
	} {
		if got := session.ValidIdempotenceKey(key); got != want {
			t.Errorf("ValidIdempotenceKey(%q) = %v, want %v", key, got, want)
		}
	}
	f := newFixture(t)
	_, err := f.engine.Idempotent(context.Background(), merchant, strings.Repeat("k", 41), nil, answer(200, ``))
	wantError(t, "41 characters", err, sderrors.ErrInvalidValue.Code(), "") // the transport names the key's carrier
	if !f.engine.SupportsIdempotence() {
		t.Error("an engine over memstore does not support idempotence")
	}
	for _, o := range []session.Option{session.WithIdempotenceTTL(0), session.WithIdempotenceTTL(8 * 24 * time.Hour), session.WithIdempotenceStore(nil)} {
		if _, err := session.New(newMemstore(t), newMemstore(t), session.WithCatalog(testCatalog(t)),
			session.WithDatacenter(session.Datacenter{Origin: origin, Region: "EU"}), o); err == nil {
			t.Error("a bad idempotence option was accepted")
		}
	}
}

// The observer sees creates, invalid tokens by reason, refused
// authentications and store calls.
func TestObserver(t *testing.T) {
	var created, refused, stores atomic.Int32
	reasons := map[token.Reason]int{}
	var mu sync.Mutex
	f := newFixture(t, session.WithObserver(session.Observer{
		SessionCreated: func(m string) {
			if m == merchant {
				created.Add(1)
			}
		},
		TokenInvalid: func(r token.Reason) { mu.Lock(); reasons[r]++; mu.Unlock() },
		AuthRefused:  func() { refused.Add(1) },
		StoreCall:    func(string, time.Duration, error) { stores.Add(1) },
	}))
	resp := f.create(t, `{"tokens":["`+tokVisa+`","`+tokExpired+`","`+tokUnknown+`"]}`)
	f.auth(t, resp)
	if _, err := f.engine.Authenticate(context.Background(), resp.CustomerID, strings.Repeat("0", 32)); err == nil {
		t.Fatal("a wrong session id authenticated")
	}
	if created.Load() != 1 || refused.Load() != 1 || stores.Load() < 3 {
		t.Errorf("created %d, refused %d, store calls %d; want 1, 1, at least 3", created.Load(), refused.Load(), stores.Load())
	}
	if reasons[token.ReasonUnknown] != 1 || len(reasons) != 2 {
		t.Errorf("invalid token reasons %v, want one unknown and one expired", reasons)
	}
}
