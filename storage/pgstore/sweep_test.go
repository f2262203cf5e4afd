package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
)

// Create-only traffic over simulated hours, with the sweep a gateway runs
// every simulated minute (storage.SweepEvery over the engine's Sweep, which
// calls DeleteExpired): the table holds the live sessions and at most a
// minute of expired ones, not every session ever created.
func TestCreateOnlyTrafficWithSweepStaysNearLiveCount(t *testing.T) {
	s, _ := newStore(t)
	db := newPool(t, dsn(t), &queryCounter{})
	ctx := context.Background()
	const (
		lifetime = 10 * time.Minute
		step     = 10 * time.Second
	)
	live := int(lifetime / step)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lastSweep, maxHeld := now, 0
	for range int(2 * time.Hour / step) {
		now = now.Add(step)
		var k storage.Key
		_, _ = rand.Read(k[:])
		if err := s.Save(ctx, storage.Record{Key: k, MerchantID: "m", CustomerID: "m-c", ExpiresAt: now.Add(lifetime)}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordNonce(ctx, k, "n", now.Add(lifetime)); err != nil {
			t.Fatal(err)
		}
		if now.Sub(lastSweep) >= time.Minute {
			if _, err := s.DeleteExpired(ctx, now); err != nil {
				t.Fatal(err)
			}
			lastSweep = now
		}
		var sessions, nonces int
		err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM `+s.Tables().Sessions+`), (SELECT count(*) FROM `+s.Tables().Nonces+`)`).Scan(&sessions, &nonces)
		if err != nil {
			t.Fatal(err)
		}
		if nonces > sessions {
			t.Fatalf("%d nonce rows for %d sessions", nonces, sessions)
		}
		maxHeld = max(maxHeld, sessions)
	}
	if limit := live + int(time.Minute/step) + 1; maxHeld > limit {
		t.Errorf("held up to %d sessions for %d live, want at most %d", maxHeld, live, limit)
	}
}
