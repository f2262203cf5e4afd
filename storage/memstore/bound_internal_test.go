package memstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/internal/proptest"
	"github.com/clientsession/engine/storage"
)

// recount is what the account should hold: the cost of every record the
// store holds, computed from the records themselves.
func (s *Store) recount() int64 {
	var total int64
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, e := range sh.sessions {
			total += sessionCost(e)
		}
		for _, ns := range sh.nonces {
			total += ns.cost()
		}
		sh.mu.RUnlock()
	}
	s.idem.mu.Lock()
	for _, r := range s.idem.records {
		total += idemCost(r)
	}
	s.idem.mu.Unlock()
	return total
}

// TestAccountEqualsRecount: after any sequence of operations (saves and
// replacements, deletes, loads past expiry, nonces, idempotent claims,
// finishes and releases, sweeps, refusals at the bound) the account is
// exactly the cost of the records held, and never past the bound. The
// operations are drawn from the seed of the property tests (logged, and
// replayed with SD_GOPTER_SEED).
func TestAccountEqualsRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(uint64(proptest.Parameters(t).Seed()), 17))
	ctx := context.Background()
	s, err := New(WithShards(4), WithMaxBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	keyOf := func(i int) storage.Key {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		return storage.Key(sha256.Sum256(b[:]))
	}
	full := 0
	for op := range 20_000 {
		k := keyOf(rng.IntN(200))
		exp := now.Add(time.Duration(rng.IntN(600)) * time.Second)
		var err error
		switch rng.IntN(10) {
		case 0, 1, 2:
			err = s.Save(ctx, storage.Record{Key: k, MerchantID: "m", CustomerID: "m-c", ExpiresAt: exp,
				Payload: strings.Repeat("p", rng.IntN(2000))})
		case 3:
			err = s.Delete(ctx, k, "m")
		case 4:
			_, err = s.Load(ctx, k, now)
		case 5:
			err = s.RecordNonce(ctx, k, strings.Repeat("n", 1+rng.IntN(40)), exp)
		case 6:
			a := storage.Attempt{byte(rng.IntN(4))}
			_, err = s.ClaimIdempotency(ctx, k, storage.IdempotencyRecord{Attempt: a, StartedAt: now, ExpiresAt: exp})
		case 7:
			a := storage.Attempt{byte(rng.IntN(4))}
			if rng.IntN(2) == 0 {
				err = s.FinishIdempotency(ctx, k, a, 200, make([]byte, rng.IntN(3000)))
			} else {
				err = s.ReleaseIdempotency(ctx, k, a)
			}
		case 8:
			now = now.Add(time.Duration(rng.IntN(30)) * time.Second)
			s.ObserveTime(now)
		case 9:
			if rng.IntN(20) == 0 {
				_, err = s.DeleteExpired(ctx, now)
			}
		}
		switch {
		case errors.Is(err, storage.ErrFull):
			full++
		case err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, storage.ErrAlreadyExists):
			t.Fatalf("op %d: %v", op, err)
		}
		if got, want := s.Bytes(), s.recount(); got != want || got > s.MaxBytes() {
			t.Fatalf("op %d: account %d, records cost %d, bound %d", op, got, want, s.MaxBytes())
		}
	}
	t.Logf("%d writes refused at the bound", full)
	if full == 0 {
		t.Error("no write reached the bound: the test did not test it")
	}
}

// TestReclaimIsThrottled: a refused write scans the store for expired
// records at most once per second of caller time.
func TestReclaimIsThrottled(t *testing.T) {
	s, err := New(WithMaxBytes(1 << 20))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0).UnixNano()
	steps := []struct {
		at   int64
		want bool
	}{
		{t0, true},
		{t0 + int64(500*time.Millisecond), false},
		{t0 + int64(time.Second) - 1, false},
		{t0 + int64(time.Second), true},
		{t0 + int64(time.Second), false},
	}
	for _, st := range steps {
		if got := s.reclaim(st.at); got != st.want {
			t.Errorf("reclaim at t0+%v = %v, want %v", time.Duration(st.at-t0), got, st.want)
		}
	}
	unbounded, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if unbounded.reclaim(t0) {
		t.Error("a store without a bound reclaimed")
	}
}
