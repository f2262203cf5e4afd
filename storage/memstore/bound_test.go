package memstore_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
)

func TestWithMaxBytesValidated(t *testing.T) {
	for _, n := range []int64{0, -1, -1 << 40} {
		_, err := memstore.New(memstore.WithMaxBytes(n))
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) || sderrors.Find(err).Property() != "maxBytes" {
			t.Errorf("New(WithMaxBytes(%d)) = %v; want ErrInvalidConfiguration at maxBytes", n, err)
		}
	}
	s := newStore(t, memstore.WithMaxBytes(1))
	if s.MaxBytes() != 1 || s.Bytes() != 0 {
		t.Errorf("MaxBytes %d, Bytes %d; want 1 and 0", s.MaxBytes(), s.Bytes())
	}
	if newStore(t).MaxBytes() != 0 {
		t.Error("a store without WithMaxBytes reports a bound")
	}
}

// boundedRecord is a session with a payload of n bytes, alive until exp.
func boundedRecord(t *testing.T, n int, exp time.Time) storage.Record {
	t.Helper()
	r := record(t, exp)
	r.Payload = strings.Repeat("p", n)
	return r
}

// fill saves sessions of n-byte payloads expiring at exp until the store
// refuses one, and returns the saved ones.
func fill(t *testing.T, s *memstore.Store, n int, exp time.Time) []storage.Record {
	t.Helper()
	var saved []storage.Record
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("the store never refused a Save")
		}
		r := boundedRecord(t, n, exp)
		err := s.Save(t.Context(), r)
		if errors.Is(err, storage.ErrFull) {
			return saved
		}
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, r)
	}
}

// TestAccountIsReleased: every way a record leaves the store gives its
// bytes back, so that the account returns to zero.
func TestAccountIsReleased(t *testing.T) {
	ctx := t.Context()
	now := time.Unix(1_700_000_000, 0)
	s := newStore(t, memstore.WithMaxBytes(1<<20))
	var live, doomed []storage.Record
	for i := range 40 {
		exp := now.Add(time.Hour)
		if i%2 == 1 {
			exp = now.Add(time.Minute)
		}
		r := boundedRecord(t, 100+i, exp)
		if err := s.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		for j := range i % 12 { // past the list of 8: the set too
			if err := s.RecordNonce(ctx, r.Key, fmt.Sprintf("nonce-%d-%d", i, j), r.ExpiresAt); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 1 {
			doomed = append(doomed, r)
		} else {
			live = append(live, r)
		}
	}
	// Nonces of a key with no session; a replaced session.
	if err := s.RecordNonce(ctx, storage.Key{1}, "orphan", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	replaced := live[0]
	replaced.Payload = strings.Repeat("q", 3000)
	if err := s.Save(ctx, replaced); err != nil {
		t.Fatal(err)
	}
	// Idempotency records: finished, released, running, expired.
	idem := func(name string, startedAt time.Time, ttl time.Duration) (storage.Key, storage.Attempt) {
		k := storage.Key(sha256.Sum256([]byte(name)))
		a := storage.Attempt(k[:16])
		if _, err := s.ClaimIdempotency(ctx, k, storage.IdempotencyRecord{Attempt: a, StartedAt: startedAt, ExpiresAt: startedAt.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
		return k, a
	}
	k1, a1 := idem("finished", now, time.Hour)
	if err := s.FinishIdempotency(ctx, k1, a1, 200, []byte(strings.Repeat("b", 500))); err != nil {
		t.Fatal(err)
	}
	k2, a2 := idem("released", now, time.Hour)
	if err := s.ReleaseIdempotency(ctx, k2, a2); err != nil {
		t.Fatal(err)
	}
	idem("running", now, time.Hour)
	idem("expiring", now, time.Minute)
	if s.Bytes() <= 0 {
		t.Fatalf("Bytes = %d after saves, nonces and claims", s.Bytes())
	}

	// Load past expiry, DeleteExpired, Delete: nothing left, nothing charged.
	later := now.Add(2 * time.Minute)
	if _, err := s.Load(ctx, doomed[0].Key, later); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Load of an expired session: %v", err)
	}
	if _, err := s.DeleteExpired(ctx, later); err != nil {
		t.Fatal(err)
	}
	for _, r := range live {
		if err := s.Delete(ctx, r.Key, r.MerchantID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteExpired(ctx, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 0 || s.IdempotencyLen() != 0 || s.Bytes() != 0 {
		t.Errorf("after every record left: Len %d, IdempotencyLen %d, Bytes %d; want 0, 0, 0", s.Len(), s.IdempotencyLen(), s.Bytes())
	}
}

// TestBoundReclaimsExpiredBeforeRefusing: a store full of expired sessions
// accepts a Save too large for the lazy sweep's few removals: it reclaims
// every expired session first. A store full of live sessions refuses it
// and keeps them all.
func TestBoundReclaimsExpiredBeforeRefusing(t *testing.T) {
	ctx := t.Context()
	now := time.Unix(1_700_000_000, 0)
	s := newStore(t, memstore.WithMaxBytes(256<<10))
	s.ObserveTime(now)
	old := fill(t, s, 100, now.Add(time.Minute))
	if len(old) < 500 {
		t.Fatalf("only %d sessions of 100 bytes in 256 KiB", len(old))
	}
	// The engine tells the time before every create: they all expired.
	s.ObserveTime(now.Add(2 * time.Minute))
	if err := s.Save(ctx, boundedRecord(t, 20_000, now.Add(time.Hour))); err != nil {
		t.Fatalf("Save into a store full of expired sessions: %v, want room made by reclaiming them", err)
	}
	if n := s.Len(); n != 1 {
		t.Errorf("%d sessions after the reclaim, want 1 (every expired one reclaimed)", n)
	}

	live := fill(t, s, 1000, now.Add(time.Hour))
	err := s.Save(ctx, boundedRecord(t, 1000, now.Add(time.Hour)))
	if !errors.Is(err, storage.ErrFull) || sderrors.Find(err) != nil {
		t.Fatalf("Save into a store full of live sessions = %v, want an error wrapping storage.ErrFull", err)
	}
	for _, r := range live {
		if _, err := s.Load(ctx, r.Key, now.Add(2*time.Minute)); err != nil {
			t.Fatalf("a live session was evicted: %v", err)
		}
	}
	if s.Bytes() > s.MaxBytes() {
		t.Errorf("Bytes %d over MaxBytes %d", s.Bytes(), s.MaxBytes())
	}
}

// TestBoundNonceAndIdempotency: nonces and idempotency claims are refused
// at the bound too; a finish that does not fit drops its claim, so that
// a repeat runs again instead of waiting for a 409 to expire.
func TestBoundNonceAndIdempotency(t *testing.T) {
	ctx := t.Context()
	now := time.Unix(1_700_000_000, 0)
	s := newStore(t, memstore.WithMaxBytes(32<<10))
	s.ObserveTime(now)
	k := storage.Key{9}
	a := storage.Attempt{9}
	if _, err := s.ClaimIdempotency(ctx, k, storage.IdempotencyRecord{Attempt: a, StartedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	saved := fill(t, s, 100, now.Add(time.Hour))
	if err := s.RecordNonce(ctx, saved[0].Key, strings.Repeat("n", 4096), saved[0].ExpiresAt); !errors.Is(err, storage.ErrFull) {
		t.Errorf("RecordNonce past the bound = %v, want storage.ErrFull", err)
	}
	other := storage.Key{10}
	if _, err := s.ClaimIdempotency(ctx, other, storage.IdempotencyRecord{Attempt: storage.Attempt{10}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, storage.ErrFull) {
		t.Errorf("ClaimIdempotency past the bound = %v, want storage.ErrFull", err)
	}
	if err := s.FinishIdempotency(ctx, k, a, 200, make([]byte, 4096)); !errors.Is(err, storage.ErrFull) {
		t.Errorf("FinishIdempotency with an answer past the bound = %v, want storage.ErrFull", err)
	}
	if s.IdempotencyLen() != 0 {
		t.Errorf("the claim whose answer did not fit is still held (%d records)", s.IdempotencyLen())
	}
	// Room: the key can be claimed again, by a new attempt.
	for _, r := range saved[:5] {
		if err := s.Delete(ctx, r.Key, r.MerchantID); err != nil {
			t.Fatal(err)
		}
	}
	b := storage.Attempt{11}
	got, err := s.ClaimIdempotency(ctx, k, storage.IdempotencyRecord{Attempt: b, StartedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil || got.Attempt != b {
		t.Errorf("a new claim after the dropped one = %v (attempt %x), want this attempt's", err, got.Attempt)
	}
}

// TestBoundConcurrent: savers race on a bounded store: the bound holds at
// every moment they can observe, and each Save is stored or refused.
func TestBoundConcurrent(t *testing.T) {
	ctx := t.Context()
	exp := time.Now().Add(time.Hour)
	s := newStore(t, memstore.WithMaxBytes(512<<10))
	var mu sync.Mutex
	var stored []storage.Record
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 300 {
				r := boundedRecord(t, 700, exp)
				err := s.Save(ctx, r)
				switch {
				case err == nil:
					mu.Lock()
					stored = append(stored, r)
					mu.Unlock()
				case !errors.Is(err, storage.ErrFull):
					t.Errorf("Save: %v", err)
					return
				}
				if b := s.Bytes(); b > s.MaxBytes() {
					t.Errorf("Bytes %d over MaxBytes %d during the race", b, s.MaxBytes())
					return
				}
			}
		})
	}
	testwait.Group(t, &wg, time.Minute, "the savers")
	if s.Len() != len(stored) {
		t.Errorf("Len %d, %d Saves succeeded", s.Len(), len(stored))
	}
	for _, r := range stored {
		if _, err := s.Load(ctx, r.Key, time.Now()); err != nil {
			t.Fatalf("a stored session is gone: %v", err)
		}
	}
}

// TestAccountTracksHeap: the account is an estimate of the heap the
// records hold; for sessions of the engine's usual size it stays within a
// factor of 1.5 of the heap's growth either way (the maps' load varies
// between their doublings). The figures are logged.
func TestAccountTracksHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap over 20,000 sessions")
	}
	exp := time.Now().Add(time.Hour)
	for _, payload := range []int{200, 2000} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newStore(t)
		const n = 20_000
		for i := range n {
			r := storage.Record{Key: storage.Key(sha256.Sum256([]byte(fmt.Sprint(i, payload)))), MerchantID: "1234",
				CustomerID: "1234-0123456789abcdef0123456789abcdef", ExpiresAt: exp, Payload: strings.Repeat("p", payload)}
			if err := s.Save(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		ratio := heap / float64(s.Bytes())
		t.Logf("%d sessions of %d-byte payloads: %d bytes accounted, heap grew %.0f bytes: heap/account %.2f",
			n, payload, s.Bytes(), heap, ratio)
		if ratio < 1/1.5 || ratio > 1.5 {
			t.Errorf("payload %d: heap/account = %.2f, want within 1.5x either way", payload, ratio)
		}
		runtime.KeepAlive(s)
	}
}
