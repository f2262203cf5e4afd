package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/pgstore"
)

// Migrate adds the lease column to an idempotency table created before
// leases: the old running rows keep running until their expiry (no lease),
// finished rows replay, and new claims hold a lease.
func TestMigrateAddsTheLeaseToAnOldTable(t *testing.T) {
	pool := newPool(t, dsn(t), nil)
	ctx := t.Context()
	var b [5]byte
	_, _ = rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	tables := pgstore.Tables{Sessions: "t_sessions_" + sfx, Nonces: "t_nonces_" + sfx, Tokens: "t_tokens_" + sfx,
		Idempotency: "t_idem_" + sfx}
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+tables.Sessions+", "+tables.Nonces+", "+tables.Tokens+", "+tables.Idempotency)
	})
	// The table as the schema created it before leases.
	if _, err := pool.Exec(ctx, `CREATE TABLE `+tables.Idempotency+` (
		key BYTEA PRIMARY KEY, attempt BYTEA NOT NULL, started_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
		fingerprint BYTEA NOT NULL, done BOOLEAN NOT NULL, status INTEGER NOT NULL, body BYTEA)`); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Truncate(time.Millisecond)
	oldRunning, oldDone := storage.Key{1}, storage.Key{2}
	for _, row := range []struct {
		key  storage.Key
		done bool
	}{{oldRunning, false}, {oldDone, true}} {
		if _, err := pool.Exec(ctx, `INSERT INTO `+tables.Idempotency+` VALUES ($1, $2, $3, $4, $5, $6, 200, $7)`,
			row.key[:], make([]byte, 16), t0, t0.Add(24*time.Hour), make([]byte, 32), row.done, []byte("old")); err != nil {
			t.Fatal(err)
		}
	}
	s, err := pgstore.New(pool, pgstore.WithTables(tables))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate over a table without lease_until: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	claimAt := func(key storage.Key, at time.Time, lease time.Duration) (storage.IdempotencyRecord, storage.IdempotencyRecord) {
		t.Helper()
		rec := storage.IdempotencyRecord{StartedAt: at, LeaseUntil: at.Add(lease), ExpiresAt: at.Add(24 * time.Hour)}
		_, _ = rand.Read(rec.Attempt[:])
		got, err := s.ClaimIdempotency(ctx, key, rec)
		if err != nil {
			t.Fatalf("ClaimIdempotency: %v", err)
		}
		return rec, got
	}
	later := t0.Add(23 * time.Hour)
	if _, got := claimAt(oldRunning, later, time.Minute); got.Attempt != ([16]byte{}) || got.Done || !got.LeaseUntil.IsZero() {
		t.Errorf("an old running row, 23 h later: %+v; want it still running, without lease", got)
	}
	if _, got := claimAt(oldDone, later, time.Minute); !got.Done || string(got.Body) != "old" {
		t.Errorf("an old finished row: %+v; want its answer", got)
	}
	fresh := storage.Key{3}
	first, got := claimAt(fresh, t0, time.Minute)
	if got.Attempt != first.Attempt || !got.LeaseUntil.Equal(first.LeaseUntil) {
		t.Fatalf("a new claim: %+v; want its own, with its lease %v", got, first.LeaseUntil)
	}
	if next, got := claimAt(fresh, first.LeaseUntil, time.Minute); got.Attempt != next.Attempt {
		t.Errorf("a claim at the end of the new claim's lease: %+v; want its own", got)
	}
}
