package session_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
)

// lostFinish is a memstore whose FinishIdempotency fails while lose is
// set, as when the store is cut off between claim and finish: the claim
// stays running in the store.
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

// A claim whose finish was lost holds its key for the lease, not for the
// TTL: the first caller gets a retryable error (its answer was not kept,
// so it is not given), repeats get 1409 during the lease, and after it the
// key runs again as a new attempt whose answer is then replayed.
func TestIdempotentLeaseFreesAnUnfinishedClaim(t *testing.T) {
	store := &lostFinish{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	const lease = 10 * time.Second
	f := newFixtureOver(t, store, store, session.WithIdempotenceStore(store), session.WithIdempotenceLease(lease))
	ctx := context.Background()
	store.lose.Store(true)
	if r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(200, `{"first":1}`)); !sderrors.IsRetryable(err) || r.Body != nil {
		t.Fatalf("first attempt with a lost finish = %+v, %v; want no answer and a retryable error", r, err)
	}
	store.lose.Store(false)
	firstAt := f.clock.now()
	f.clock.add(lease - time.Millisecond)
	ran := false
	r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), func(context.Context) session.Answer { ran = true; return session.Answer{} })
	if !sderrors.HasCode(err, sderrors.ErrDuplicateRequest.Code()) || ran || !r.FirstAttemptAt.Equal(firstAt) {
		t.Fatalf("repeat 1 ms before the lease ends = %+v, %v (ran %v); want 1409 with the first attempt's time, without running", r, err, ran)
	}
	f.clock.add(time.Millisecond)
	secondAt := f.clock.now()
	r, err = f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(200, `{"second":2}`))
	if err != nil || r.Replayed || string(r.Body) != `{"second":2}` || !r.FirstAttemptAt.IsZero() {
		t.Fatalf("repeat at the lease's end = %+v, %v; want a new attempt that runs", r, err)
	}
	f.clock.add(time.Hour) // the answer outlives the lease
	r, err = f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(500, `third`))
	if err != nil || !r.Replayed || string(r.Body) != `{"second":2}` || !r.FirstAttemptAt.Equal(secondAt) {
		t.Fatalf("a later repeat = %+v, %v; want the new attempt's answer replayed with its time", r, err)
	}
}

// An attempt that outlives its lease while another attempt takes the key
// over cannot store its answer, and its caller does not get it: the only
// answer given for the key is the one its repeats replay.
func TestIdempotentStaleAttemptIsNotAnswered(t *testing.T) {
	const lease = 10 * time.Second
	f := newFixture(t, session.WithIdempotenceLease(lease))
	ctx := context.Background()
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // the first attempt never outlives the test
	type result struct {
		r   session.IdempotentResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), func(context.Context) session.Answer {
			close(entered)
			<-release
			return session.Answer{Status: 200, Body: []byte(`{"old":1}`)}
		})
		done <- result{r, err}
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first attempt did not start within 10 s")
	}
	f.clock.add(lease)
	r, err := f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(201, `{"new":1}`))
	if err != nil || r.Replayed || r.Status != 201 {
		t.Fatalf("the attempt after the lease = %+v, %v; want it to run", r, err)
	}
	unblock()
	var old result
	select {
	case old = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the stale attempt did not return within 10 s")
	}
	if !errors.Is(old.err, sderrors.ErrUnavailable) || !sderrors.IsRetryable(old.err) || old.r.Body != nil || old.r.Status != 0 {
		t.Errorf("the stale attempt = %+v, %v; want no answer and a retryable ErrUnavailable", old.r, old.err)
	}
	r, err = f.engine.Idempotent(ctx, merchant, "k", []byte(`{}`), answer(500, ``))
	if err != nil || !r.Replayed || r.Status != 201 || string(r.Body) != `{"new":1}` {
		t.Errorf("a repeat = %+v, %v; want the new attempt's answer", r, err)
	}
}

// A store call that cannot commit does not hold an attempt forever: with
// no deadline of the caller's, the finish ends one lease after the lease.
func TestIdempotentFinishEndsAfterTheLease(t *testing.T) {
	store := &blockingFinish{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	const lease = 100 * time.Millisecond
	f := newFixtureOver(t, store, store, session.WithIdempotenceStore(store), session.WithIdempotenceLease(lease))
	done := make(chan error, 1)
	go func() {
		_, err := f.engine.Idempotent(context.Background(), merchant, "k", []byte(`{}`), answer(200, `{}`))
		done <- err
	}()
	select {
	case err := <-done:
		if !sderrors.IsRetryable(err) {
			t.Errorf("Idempotent with a finish that never commits = %v; want a retryable error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Idempotent with a finish that never commits did not return within 10 s (lease 100 ms)")
	}
}

// blockingFinish is a memstore whose FinishIdempotency waits until its
// context ends, as a store that cannot commit does.
type blockingFinish struct{ *memstore.Store }

func (*blockingFinish) FinishIdempotency(ctx context.Context, _ storage.Key, _ storage.Attempt, _ int, _ []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

// run's context ends with the lease, so that an attempt that outlives its
// claim stops its work (its store calls fail) instead of storing a session
// after another attempt took over.
func TestIdempotentRunEndsWithTheLease(t *testing.T) {
	// Not shorter: the release after the cut has one more lease to reach
	// the store, and on a loaded 2-core machine under -race 100 ms was
	// sometimes not enough (the fixture's clock stands still, so a claim
	// left behind never frees itself).
	const lease = 500 * time.Millisecond
	f := newFixture(t, session.WithIdempotenceLease(lease))
	began := time.Now()
	var ended time.Duration
	r, err := f.engine.Idempotent(context.Background(), merchant, "k", nil, func(ctx context.Context) session.Answer {
		select {
		case <-ctx.Done():
			ended = time.Since(began)
			return session.Answer{Status: 503, Err: sderrors.FromDependency(ctx.Err())}
		case <-time.After(10 * time.Second):
			return session.Answer{Status: 200}
		}
	})
	if err != nil || r.Status != 503 {
		t.Fatalf("Idempotent = %+v, %v; want the 503 of the run cut at the lease", r, err)
	}
	if ended == 0 || ended > 5*time.Second {
		t.Errorf("run's context ended after %v; want at the %v lease", ended, lease)
	}
	// Cut off, the attempt is not kept: a retry runs.
	if r, err := f.engine.Idempotent(context.Background(), merchant, "k", nil, answer(200, `ok`)); err != nil || r.Replayed {
		t.Errorf("retry = %+v, %v; want a new run", r, err)
	}
	// The caller's own deadline still applies when it is earlier.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _ = f.engine.Idempotent(ctx, merchant, "k2", nil, func(runCtx context.Context) session.Answer {
		if d, ok := runCtx.Deadline(); !ok || time.Until(d) > 50*time.Millisecond {
			t.Errorf("run's deadline = %v, %v; want the caller's, 10 ms away", d, ok)
		}
		return session.Answer{Status: 200}
	})
}
