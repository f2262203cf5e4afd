package storagetest

import (
	"bytes"
	"context"
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

func newAttempt(t *testing.T, startedAt time.Time) storage.IdempotencyRecord {
	t.Helper()
	var fp [32]byte
	copy(fp[:], randomBytes(t, 32))
	return storage.IdempotencyRecord{
		Attempt:     storage.Attempt(randomBytes(t, 16)),
		StartedAt:   startedAt,
		ExpiresAt:   startedAt.Add(24 * time.Hour),
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
	// A repeat while the first runs sees it running.
	second := newAttempt(t, t0.Add(time.Second))
	got = claim(t, id, key, second)
	if got.Attempt != first.Attempt || got.Done || !sameTime(got.StartedAt, t0) || got.Fingerprint != first.Fingerprint {
		t.Fatalf("claim while running returned %+v, want the first attempt's running record", got)
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
	if err := id.FinishIdempotency(t.Context(), key, newAttempt(t, t0).Attempt, 200, []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, id, key, newAttempt(t, t0)); got.Done {
		t.Fatalf("another attempt finished the record: %+v", got)
	}
	// Finishing a key nobody claimed does nothing.
	if err := id.FinishIdempotency(t.Context(), newKey(t), first.Attempt, 200, nil); err != nil {
		t.Fatal(err)
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
