package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

const (
	goroutines  = 16
	perRoutine  = 200
	raceNonces  = 20
	raceDeletes = 200

	// waitBound bounds every wait of the suite for its goroutines: far
	// more than a store on a loaded machine needs, so that a deadlocked
	// store fails with a message instead of hanging until go test's
	// -timeout.
	waitBound = 2 * time.Minute
)

// RunConcurrency runs the concurrency suite, subtests under Concurrency/:
// Sessions/SaveLoad (no lost or crossed sessions), Sessions/DeleteVsLoad,
// Nonces/OneWinner, Tokens/ReadWrite and Idempotency/OneWinner, each on stores fresh from
// newStores. Run it under the race detector.
func RunConcurrency(t *testing.T, newStores Factory) {
	t.Helper()
	x := suite{newStores}
	t.Run("Concurrency", func(t *testing.T) {
		t.Run("Sessions/SaveLoad", x.concurrentSaveLoad)
		t.Run("Sessions/DeleteVsLoad", x.concurrentDelete)
		t.Run("Nonces/OneWinner", x.concurrentNonce)
		t.Run("Tokens/ReadWrite", x.concurrentTokens)
		t.Run("Idempotency/OneWinner", x.concurrentIdempotency)
	})
}

func (x suite) concurrentSaveLoad(t *testing.T) {
	s := x.stores(t)
	ctx := t.Context()
	all := make([][]storage.Record, goroutines)
	for g := range all {
		all[g] = make([]storage.Record, perRoutine)
		for i := range all[g] {
			r := newRecord(t, fmt.Sprintf("m%02d", g))
			r.Payload = fmt.Sprintf("goroutine %d record %d %x", g, i, r.Key[:4])
			all[g][i] = r
		}
	}
	var wg sync.WaitGroup
	for g := range all {
		wg.Go(func() {
			for i, r := range all[g] {
				if err := s.Sessions.Save(ctx, r); err != nil {
					t.Errorf("goroutine %d: Save %d: %v", g, i, err)
					return
				}
				// Its own latest, and one saved earlier by this goroutine.
				for _, j := range []int{i, i / 2} {
					got, err := s.Sessions.Load(ctx, all[g][j].Key, time.Now())
					if err != nil {
						t.Errorf("goroutine %d: Load %d: %v", g, j, err)
						return
					}
					if d := diffRecord(got, all[g][j]); d != "" {
						t.Errorf("goroutine %d: Load %d: %s", g, j, d)
						return
					}
				}
			}
		})
	}
	testwait.Group(t, &wg, waitBound, "the goroutines saving and loading")
	for g := range all {
		for i, r := range all[g] {
			got, err := s.Sessions.Load(ctx, r.Key, time.Now())
			if err != nil {
				t.Fatalf("after the race: goroutine %d record %d: Load: %v", g, i, err)
			}
			if d := diffRecord(got, r); d != "" {
				t.Fatalf("after the race: goroutine %d record %d: %s", g, i, d)
			}
		}
	}
}

func (x suite) concurrentDelete(t *testing.T) {
	s := x.stores(t)
	ctx := t.Context()
	rs := make([]storage.Record, raceDeletes)
	for i := range rs {
		rs[i] = newRecord(t, "1234")
		save(t, s, rs[i])
	}
	const deleters, loaders = 4, 8
	var deleted atomic.Int64
	var wg sync.WaitGroup
	for d := range deleters {
		wg.Go(func() {
			for i := d; i < len(rs); i += deleters {
				err := s.Sessions.Delete(ctx, rs[i].Key, rs[i].MerchantID)
				switch {
				case err == nil:
					deleted.Add(1)
				case !errors.Is(err, storage.ErrNotFound):
					t.Errorf("Delete %d: %v", i, err)
					return
				}
			}
		})
	}
	for l := range loaders {
		wg.Go(func() {
			for k := range rs {
				i := (k + l*len(rs)/loaders) % len(rs)
				got, err := s.Sessions.Load(ctx, rs[i].Key, time.Now())
				if errors.Is(err, storage.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Load %d during deletes: %v", i, err)
					return
				}
				if d := diffRecord(got, rs[i]); d != "" {
					t.Errorf("Load %d during deletes: %s", i, d)
					return
				}
			}
		})
	}
	testwait.Group(t, &wg, waitBound, "the deleters and loaders")
	if got := deleted.Load(); got != int64(len(rs)) {
		t.Errorf("%d Deletes succeeded, want %d", got, len(rs))
	}
	for i := range rs {
		loadNotFound(t, s, rs[i].Key, time.Now())
	}
}

func (x suite) concurrentNonce(t *testing.T) {
	s, nr := x.nonceStores(t)
	ctx := t.Context()
	r := newRecord(t, "1234")
	save(t, s, r)
	for k := range raceNonces {
		n := nonce(t)
		var wins atomic.Int64
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				<-start
				err := nr.RecordNonce(ctx, r.Key, n, r.ExpiresAt)
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, storage.ErrAlreadyExists):
					t.Errorf("nonce %d: RecordNonce = %v, want nil or ErrAlreadyExists", k, err)
				}
			})
		}
		close(start)
		testwait.Group(t, &wg, waitBound, "the goroutines recording one nonce")
		if got := wins.Load(); got != 1 {
			t.Fatalf("nonce %d: %d of %d concurrent RecordNonce succeeded, want exactly 1", k, got, goroutines)
		}
	}
}

func (x suite) concurrentTokens(t *testing.T) {
	s := x.tokenStores(t)
	ctx := t.Context()
	mk := func(w, i int) token.Token {
		return token.Token{ID: fmt.Sprintf("tok-w%d-%d", w, i), MerchantID: "1234",
			PaymentProductID: int32(1 + i%3), Status: token.StatusActive, Alias: fmt.Sprintf("%016d", i)}
	}
	fixed := make([]token.Token, 10)
	for i := range fixed {
		fixed[i] = mk(99, i)
	}
	putTokens(t, s, fixed...)
	const writers, readers, rounds = 2, 6, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				if err := s.PutTokens(ctx, mk(w, i)); err != nil {
					t.Errorf("PutTokens: %v", err)
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for i := range rounds {
				ids := []string{fixed[i%len(fixed)].ID, mk(0, i).ID, mk(1, i).ID, "missing"}
				got, err := s.Tokens.Tokens(ctx, "1234", ids)
				if err != nil {
					t.Errorf("Tokens during puts: %v", err)
					return
				}
				found := false
				for _, tk := range got {
					var w, n int
					if _, err := fmt.Sscanf(tk.ID, "tok-w%d-%d", &w, &n); err != nil || tk != mk(w, n) {
						t.Errorf("Tokens during puts returned %+v, not a stored token", tk)
						return
					}
					found = found || tk.ID == ids[0]
				}
				if !found {
					t.Errorf("Tokens during puts lost %q", ids[0])
					return
				}
			}
		})
	}
	testwait.Group(t, &wg, waitBound, "the token writers and readers")
}
