package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
)

// Create-only traffic (no client call ever loads a session) over six
// simulated hours: memstore reclaims expired sessions on its writes, judged
// by the engine's time, so the store holds about the live sessions — not
// every session ever created.
func TestCreateOnlyTrafficStaysNearLiveCount(t *testing.T) {
	const (
		lifetime = 10 * time.Minute
		step     = 2 * time.Second // one create per step
		hours    = 6
	)
	live := int(lifetime / step)
	for _, tc := range []struct {
		name       string
		sweepEvery time.Duration // 0: no sweep, the writes alone
		maxHeld    int
	}{
		// A Save examines a few sessions of its shard: the share of
		// expired sessions held stays bounded, well under one half.
		{"writes alone", 0, live * 3 / 2},
		// With Sweep every simulated minute, at most a minute of
		// expired sessions is held.
		{"sweep every minute", time.Minute, live + int(time.Minute/step) + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, session.WithLifetime(lifetime))
			maxHeld, lastSweep := 0, f.clock.now()
			for range int(hours * time.Hour / step) {
				f.clock.add(step)
				f.create(t, `{}`)
				if tc.sweepEvery > 0 && f.clock.now().Sub(lastSweep) >= tc.sweepEvery {
					if _, err := f.engine.Sweep(context.Background(), f.clock.now()); err != nil {
						t.Fatal(err)
					}
					lastSweep = f.clock.now()
				}
				maxHeld = max(maxHeld, f.store.Len())
			}
			t.Logf("live %d, most held %d", live, maxHeld)
			if maxHeld > tc.maxHeld {
				t.Errorf("the store held up to %d sessions for %d live, want at most %d", maxHeld, live, tc.maxHeld)
			}
		})
	}
}

func TestSweepRemovesEveryExpiredSession(t *testing.T) {
	f := newFixture(t, session.WithLifetime(time.Minute))
	if !f.engine.NeedsSweep() {
		t.Fatal("an engine over memstore needs a sweep")
	}
	for range 50 {
		f.create(t, `{}`)
	}
	f.clock.add(time.Minute)
	n, err := f.engine.Sweep(context.Background(), f.clock.now())
	if err != nil || n != 50 || f.store.Len() != 0 {
		t.Fatalf("Sweep = %d, %v; %d held, want 50, nil; 0 held", n, err, f.store.Len())
	}
}

// failingSweeper is a session store whose DeleteExpired fails.
type failingSweeper struct{ storage.Repository }

func (failingSweeper) DeleteExpired(context.Context, time.Time) (int, error) {
	return 0, errors.New("connection refused")
}

func TestSweepFailureIsUnavailable(t *testing.T) {
	store := newMemstore(t)
	store.PutTokens(testTokens()...)
	f := newFixtureOver(t, failingSweeper{store}, store)
	_, err := f.engine.Sweep(context.Background(), f.clock.now())
	if !sderrors.HasCode(err, sderrors.ErrUnavailable.Code()) {
		t.Fatalf("Sweep over a failing store = %v, want ErrUnavailable", err)
	}
}

// A store without the capability (Redis expires keys itself) needs no sweep.
func TestSweepWithoutSweeper(t *testing.T) {
	store := newMemstore(t)
	store.PutTokens(testTokens()...)
	f := newFixtureOver(t, struct{ storage.Repository }{store}, store)
	if f.engine.NeedsSweep() {
		t.Error("NeedsSweep over a store with no DeleteExpired = true")
	}
	if n, err := f.engine.Sweep(context.Background(), f.clock.now()); n != 0 || err != nil {
		t.Errorf("Sweep = %d, %v, want 0, nil", n, err)
	}
}
