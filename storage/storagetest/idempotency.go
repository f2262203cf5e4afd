package storagetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/storage"
)

// idemStores returns fresh stores whose Sessions keep idempotency
// records, or skips t.
func (x suite) idemStores(t *testing.T) (Stores, storage.Idempotency) {
	t.Helper()
	s := x.stores(t)
	id, ok := s.Sessions.(storage.Idempotency)
	if !ok {
		s.lacks(t, Idempotency)
	}
	return s, id
}

// The suite's lease and TTL: the lease ends an hour after the claim, in
// the future of the real clock, so that a store that also drops records
// by its own clock (Redis) keeps them for the test's duration.
const (
	testLease = time.Hour
	testTTL   = 24 * time.Hour
)

// newAttempt is a running attempt claimed at startedAt, with a lease of
// testLease and a TTL of testTTL.
func newAttempt(t *testing.T, startedAt time.Time) storage.IdempotencyRecord {
	t.Helper()
	var fp [32]byte
	copy(fp[:], randomBytes(t, 32))
	return storage.IdempotencyRecord{
		Attempt:     storage.Attempt(randomBytes(t, 16)),
		StartedAt:   startedAt,
		LeaseUntil:  startedAt.Add(testLease),
		ExpiresAt:   startedAt.Add(testTTL),
		Fingerprint: fp,
	}
}

func sameTime(a, b time.Time) bool { return a.Sub(b).Abs() < time.Millisecond }

func claim(t *testing.T, id storage.Idempotency, key storage.Key, rec storage.IdempotencyRecord) storage.IdempotencyRecord {
	t.Helper()
	got, err := id.ClaimIdempotency(t.Context(), key, rec)
	if err != nil {
		t.Fatalf("ClaimIdempotency: %v", err)
	}
	return got
}

func (x suite) idemClaimFinish(t *testing.T) {
	_, id := x.idemStores(t)
	ctx := t.Context()
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	got := claim(t, id, key, first)
	if got.Attempt != first.Attempt || got.Done || !sameTime(got.StartedAt, t0) || got.Fingerprint != first.Fingerprint {
		t.Fatalf("first claim returned %+v, want its own running record", got)
	}
	// A repeat while the first runs sees it running, with its lease.
	second := newAttempt(t, t0.Add(time.Second))
	got = claim(t, id, key, second)
	if got.Attempt != first.Attempt || got.Done || !sameTime(got.StartedAt, t0) || got.Fingerprint != first.Fingerprint {
		t.Fatalf("claim while running returned %+v, want the first attempt's running record", got)
	}
	if !sameTime(got.LeaseUntil, first.LeaseUntil) || !sameTime(got.ExpiresAt, first.ExpiresAt) {
		t.Errorf("claim while running returned lease %v and expiry %v, want %v and %v",
			got.LeaseUntil, got.ExpiresAt, first.LeaseUntil, first.ExpiresAt)
	}
	body := []byte(`{"clientSessionId":"x"}`)
	if err := id.FinishIdempotency(ctx, key, first.Attempt, 200, body); err != nil {
		t.Fatal(err)
	}
	body[0] = 'X' // the store kept a copy
	got = claim(t, id, key, newAttempt(t, t0.Add(time.Minute)))
	if got.Attempt != first.Attempt || !got.Done || got.Status != 200 || string(got.Body) != `{"clientSessionId":"x"}` || !sameTime(got.StartedAt, t0) {
		t.Fatalf("claim after finish returned %+v, want the first attempt's answer", got)
	}
	got.Body[0] = 'Y'
	again := claim(t, id, key, newAttempt(t, t0.Add(2*time.Minute)))
	if !bytes.Equal(again.Body, []byte(`{"clientSessionId":"x"}`)) {
		t.Error("the store handed out its own body slice")
	}
	// Another key is independent.
	other := newAttempt(t, t0)
	if got := claim(t, id, newKey(t), other); got.Attempt != other.Attempt {
		t.Error("a claim of another key did not win")
	}
}

func (x suite) idemRelease(t *testing.T) {
	_, id := x.idemStores(t)
	ctx := t.Context()
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	claim(t, id, key, first)
	// Another attempt cannot release it.
	if err := id.ReleaseIdempotency(ctx, key, newAttempt(t, t0).Attempt); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, id, key, newAttempt(t, t0)); got.Attempt != first.Attempt {
		t.Fatal("another attempt's release removed the record")
	}
	if err := id.ReleaseIdempotency(ctx, key, first.Attempt); err != nil {
		t.Fatal(err)
	}
	retry := newAttempt(t, t0.Add(time.Second))
	if got := claim(t, id, key, retry); got.Attempt != retry.Attempt {
		t.Fatalf("after release a retry got %+v, want its own claim", got)
	}
	// A finished record is never released.
	if err := id.FinishIdempotency(ctx, key, retry.Attempt, 400, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := id.ReleaseIdempotency(ctx, key, retry.Attempt); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, id, key, newAttempt(t, t0.Add(time.Minute))); !got.Done || got.Status != 400 {
		t.Fatalf("release removed a finished record: %+v", got)
	}
}

func (x suite) idemOtherAttempt(t *testing.T) {
	_, id := x.idemStores(t)
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	claim(t, id, key, first)
	if err := id.FinishIdempotency(t.Context(), key, newAttempt(t, t0).Attempt, 200, []byte("forged")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("FinishIdempotency by another attempt = %v, want an error wrapping storage.ErrNotFound", err)
	}
	if got := claim(t, id, key, newAttempt(t, t0)); got.Done {
		t.Fatalf("another attempt finished the record: %+v", got)
	}
	// Finishing a key nobody claimed does nothing.
	other := newKey(t)
	if err := id.FinishIdempotency(t.Context(), other, first.Attempt, 200, nil); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("FinishIdempotency of a key nobody claimed = %v, want an error wrapping storage.ErrNotFound", err)
	}
	if fresh := newAttempt(t, t0); claim(t, id, other, fresh).Attempt != fresh.Attempt {
		t.Error("a finish of a key nobody claimed stored a record")
	}
}

// idemLease: a claim whose attempt never finishes holds its key until its
// lease ends, not until its expiry; then a claim takes the key over as a
// new attempt.
func (x suite) idemLease(t *testing.T) {
	_, id := x.idemStores(t)
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	claim(t, id, key, first)
	before := newAttempt(t, first.LeaseUntil.Add(-time.Millisecond))
	if got := claim(t, id, key, before); got.Attempt != first.Attempt || got.Done {
		t.Fatalf("a claim 1 ms before the lease ends got %+v, want the first attempt running", got)
	}
	takeover := newAttempt(t, first.LeaseUntil)
	got := claim(t, id, key, takeover)
	if got.Attempt != takeover.Attempt || got.Done || !sameTime(got.StartedAt, takeover.StartedAt) || got.Fingerprint != takeover.Fingerprint {
		t.Fatalf("a claim at the lease's end got %+v, want its own running record (a new attempt)", got)
	}
	// The new attempt holds the key for its own lease.
	if got := claim(t, id, key, newAttempt(t, takeover.StartedAt.Add(time.Minute))); got.Attempt != takeover.Attempt || got.Done {
		t.Fatalf("a claim during the new attempt's lease got %+v, want the new attempt running", got)
	}
}

// idemStaleFinish: the finish of an attempt whose key was taken over after
// its lease changes nothing and says so (storage.ErrNotFound); the new
// attempt's answer is the key's.
func (x suite) idemStaleFinish(t *testing.T) {
	_, id := x.idemStores(t)
	ctx := t.Context()
	key, t0 := newKey(t), baseTime()
	old := newAttempt(t, t0)
	claim(t, id, key, old)
	current := newAttempt(t, old.LeaseUntil)
	claim(t, id, key, current)
	if err := id.FinishIdempotency(ctx, key, old.Attempt, 200, []byte("old")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the old attempt's finish after a takeover = %v, want an error wrapping storage.ErrNotFound", err)
	}
	at := current.StartedAt.Add(time.Minute)
	if got := claim(t, id, key, newAttempt(t, at)); got.Attempt != current.Attempt || got.Done {
		t.Fatalf("after the old attempt's finish a claim got %+v, want the new attempt still running", got)
	}
	if err := id.FinishIdempotency(ctx, key, current.Attempt, 201, []byte("new")); err != nil {
		t.Fatalf("the new attempt's finish: %v", err)
	}
	if err := id.FinishIdempotency(ctx, key, old.Attempt, 200, []byte("old")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the old attempt's finish after the new one's = %v, want an error wrapping storage.ErrNotFound", err)
	}
	got := claim(t, id, key, newAttempt(t, at))
	if got.Attempt != current.Attempt || !got.Done || got.Status != 201 || string(got.Body) != "new" {
		t.Fatalf("a repeat got %+v, want the new attempt's answer 201 \"new\"", got)
	}
}

// idemStaleRelease: the release of an attempt whose key was taken over
// after its lease removes nothing.
func (x suite) idemStaleRelease(t *testing.T) {
	_, id := x.idemStores(t)
	ctx := t.Context()
	key, t0 := newKey(t), baseTime()
	old := newAttempt(t, t0)
	claim(t, id, key, old)
	current := newAttempt(t, old.LeaseUntil)
	claim(t, id, key, current)
	if err := id.ReleaseIdempotency(ctx, key, old.Attempt); err != nil {
		t.Fatalf("the old attempt's release: %v", err)
	}
	at := current.StartedAt.Add(time.Minute)
	if got := claim(t, id, key, newAttempt(t, at)); got.Attempt != current.Attempt || got.Done {
		t.Fatalf("after the old attempt's release a claim got %+v, want the new attempt still running", got)
	}
	// Nor after the new attempt finished.
	if err := id.FinishIdempotency(ctx, key, current.Attempt, 200, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := id.ReleaseIdempotency(ctx, key, old.Attempt); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, id, key, newAttempt(t, at)); got.Attempt != current.Attempt || !got.Done || string(got.Body) != "new" {
		t.Fatalf("after the old attempt's release a claim got %+v, want the new attempt's answer", got)
	}
}

// idemAnswerPastLease: a finished answer is kept past the lease, until the
// record's expiry.
func (x suite) idemAnswerPastLease(t *testing.T) {
	_, id := x.idemStores(t)
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	claim(t, id, key, first)
	if err := id.FinishIdempotency(t.Context(), key, first.Attempt, 200, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{first.LeaseUntil, first.LeaseUntil.Add(time.Hour), first.ExpiresAt.Add(-time.Millisecond)} {
		got := claim(t, id, key, newAttempt(t, at))
		if got.Attempt != first.Attempt || !got.Done || got.Status != 200 || string(got.Body) != "kept" {
			t.Fatalf("a claim %v after the first got %+v, want its answer replayed", at.Sub(t0), got)
		}
	}
	last := newAttempt(t, first.ExpiresAt)
	if got := claim(t, id, key, last); got.Attempt != last.Attempt || got.Done {
		t.Fatalf("a claim at the expiry got %+v, want its own claim", got)
	}
}

// idemNoLease: a record claimed without a lease (the zero LeaseUntil, as
// written before leases) runs until its expiry.
func (x suite) idemNoLease(t *testing.T) {
	_, id := x.idemStores(t)
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	first.LeaseUntil = time.Time{}
	claim(t, id, key, first)
	if got := claim(t, id, key, newAttempt(t, first.ExpiresAt.Add(-time.Second))); got.Attempt != first.Attempt || got.Done {
		t.Fatalf("a claim before the expiry of a claim without lease got %+v, want it running", got)
	}
	last := newAttempt(t, first.ExpiresAt)
	if got := claim(t, id, key, last); got.Attempt != last.Attempt {
		t.Fatalf("a claim at the expiry got %+v, want its own claim", got)
	}
}

// idemSweepLease: DeleteExpired removes a running claim past its lease,
// and keeps a finished answer past its lease.
func (x suite) idemSweepLease(t *testing.T) {
	s, id := x.idemStores(t)
	sw, ok := s.Sessions.(storage.Sweeper)
	if !ok {
		s.lacks(t, Sweeper)
	}
	ctx := t.Context()
	t0 := baseTime()
	running, done := newKey(t), newKey(t)
	r := newAttempt(t, t0)
	claim(t, id, running, r)
	d := newAttempt(t, t0)
	claim(t, id, done, d)
	if err := id.FinishIdempotency(ctx, done, d.Attempt, 200, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	n, err := sw.DeleteExpired(ctx, r.LeaseUntil)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("DeleteExpired at the lease's end removed %d records, want 1 (the running claim)", n)
	}
	// The claim is gone: even a claim dated before its lease's end wins.
	early := newAttempt(t, t0)
	if got := claim(t, id, running, early); got.Attempt != early.Attempt {
		t.Errorf("DeleteExpired kept a claim past its lease: a claim got %+v", got)
	}
	if got := claim(t, id, done, newAttempt(t, r.LeaseUntil)); got.Attempt != d.Attempt || !got.Done {
		t.Errorf("DeleteExpired removed a finished answer before its expiry: a claim got %+v", got)
	}
}

func (x suite) idemExpiry(t *testing.T) {
	s, id := x.idemStores(t)
	key, t0 := newKey(t), baseTime()
	first := newAttempt(t, t0)
	first.ExpiresAt = t0.Add(time.Hour)
	claim(t, id, key, first)
	if err := id.FinishIdempotency(t.Context(), key, first.Attempt, 200, []byte("a")); err != nil {
		t.Fatal(err)
	}
	// Judged by the caller's time: at the expiry the key is free again.
	later := newAttempt(t, t0.Add(time.Hour))
	if got := claim(t, id, key, later); got.Attempt != later.Attempt || got.Done {
		t.Fatalf("a claim at the expiry got %+v, want its own claim", got)
	}
	if sw, ok := s.Sessions.(storage.Sweeper); ok {
		gone := newKey(t)
		r := newAttempt(t, t0)
		r.ExpiresAt = t0.Add(time.Minute)
		claim(t, id, gone, r)
		if _, err := sw.DeleteExpired(t.Context(), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// After the sweep, even a claim dated before the expiry wins:
		// the record is gone.
		early := newAttempt(t, t0)
		if got := claim(t, id, gone, early); got.Attempt != early.Attempt {
			t.Error("DeleteExpired kept an expired idempotency record")
		}
	}
}

// concurrentIdempotency: of many concurrent claims of one key exactly one
// wins; every loser sees the winner's record.
func (x suite) concurrentIdempotency(t *testing.T) {
	_, id := x.idemStores(t)
	for range 20 {
		key, t0 := newKey(t), baseTime()
		attempts := make([]storage.IdempotencyRecord, goroutines)
		for i := range attempts {
			attempts[i] = newAttempt(t, t0)
		}
		var wins atomic.Int32
		winners := make([]storage.Attempt, goroutines)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				got, err := id.ClaimIdempotency(context.Background(), key, attempts[i])
				if err != nil {
					t.Errorf("ClaimIdempotency: %v", err)
					return
				}
				winners[i] = got.Attempt
				if got.Attempt == attempts[i].Attempt {
					wins.Add(1)
				}
			})
		}
		testwait.Group(t, &wg, waitBound, "the concurrent claims")
		if wins.Load() != 1 {
			t.Fatalf("%d of %d concurrent claims won, want exactly 1", wins.Load(), goroutines)
		}
		for i := range winners {
			if winners[i] != winners[0] {
				t.Fatalf("claims saw different winners")
			}
		}
	}
}
