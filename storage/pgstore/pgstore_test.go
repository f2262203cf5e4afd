package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/pgstore"
	"github.com/clientsession/engine/storage/storagetest"
	"github.com/clientsession/engine/token"
)

// dsn returns the PostgreSQL DSN of the tests, or skips.
func dsn(tb testing.TB) string {
	tb.Helper()
	d := os.Getenv("SD_TEST_POSTGRES_DSN")
	if d == "" {
		tb.Skip("SD_TEST_POSTGRES_DSN is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the PostgreSQL adapter tests")
	}
	return d
}

// queryCounter counts the statements a pool sends.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (*queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func newPool(tb testing.TB, dsn string, counter *queryCounter) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	if counter != nil {
		cfg.ConnConfig.Tracer = counter
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// newStore returns a migrated store on fresh random table names that are
// dropped when tb ends, and the statement counter of its pool.
func newStore(tb testing.TB) (*pgstore.Store, *queryCounter) {
	tb.Helper()
	counter := &queryCounter{}
	pool := newPool(tb, dsn(tb), counter)
	var b [5]byte
	_, _ = rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	tables := pgstore.Tables{Sessions: "t_sessions_" + sfx, Nonces: "t_nonces_" + sfx, Tokens: "t_tokens_" + sfx}
	s, err := pgstore.New(pool, pgstore.WithTables(tables))
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+tables.Sessions+", "+tables.Nonces+", "+tables.Tokens+", "+tables.Sessions+"_idempotency")
	})
	return s, counter
}

// Both a pool and a transaction are a DB.
var (
	_ pgstore.DB = (*pgxpool.Pool)(nil)
	_ pgstore.DB = pgx.Tx(nil)
)

func TestConformance(t *testing.T) {
	factory := func(t *testing.T) storagetest.Stores {
		t.Helper()
		s, _ := newStore(t)
		return storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens,
			Require: []storagetest.Capability{storagetest.NonceRecorder, storagetest.Sweeper, storagetest.Idempotency}}
	}
	storagetest.Run(t, factory)
	storagetest.RunConcurrency(t, factory)
}

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	s, _ := newStore(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := s.Migrate(context.Background()); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
		})
	}
	waitGroup(t, &wg, 2*time.Minute, "the concurrent migrations")
}

func TestNewRejectsBadTableNames(t *testing.T) {
	for _, name := range []string{"", "a;drop table x", "1abc", "with space", string(make([]byte, 64))} {
		_, err := pgstore.New(&pgxpool.Pool{}, pgstore.WithTables(pgstore.Tables{Sessions: "s", Nonces: "n", Tokens: name}))
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) || sderrors.Find(err).Property() != "tables.tokens" {
			t.Errorf("New with table name %q: %v; want ErrInvalidConfiguration at tables.tokens", name, err)
		}
	}
	if _, err := pgstore.New(nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil) = %v; want ErrInvalidConfiguration", err)
	}
	if _, err := pgstore.New(&pgxpool.Pool{}, nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New with a nil option = %v; want ErrInvalidConfiguration", err)
	}
}

func TestOneStatementPerOperation(t *testing.T) {
	s, counter := newStore(t)
	ctx := context.Background()
	now := time.Now()
	key := storage.Key{1, 2, 3}
	rec := storage.Record{Key: key, MerchantID: "1234", CustomerID: "1234-c", ExpiresAt: now.Add(time.Hour), Payload: "p"}
	var tokens []token.Token
	var ids []string
	for i := range 100 {
		id := "tok-" + strconv.Itoa(i)
		ids = append(ids, id)
		tokens = append(tokens, token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
	}
	expired := rec
	expired.Key = storage.Key{4, 5, 6}
	expired.ExpiresAt = now.Add(-time.Minute)
	if err := s.Save(ctx, expired); err != nil {
		t.Fatal(err)
	}
	idem := storage.IdempotencyRecord{Attempt: storage.Attempt{1}, StartedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	retry := storage.IdempotencyRecord{Attempt: storage.Attempt{2}, StartedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	steps := []struct {
		name    string
		op      func() error
		wantErr error // nil: success
	}{
		{"PutTokens(100)", func() error { return s.PutTokens(ctx, tokens...) }, nil},
		{"Tokens(1)", func() error { _, err := s.Tokens(ctx, "1234", ids[:1]); return err }, nil},
		{"Tokens(5)", func() error { _, err := s.Tokens(ctx, "1234", ids[:5]); return err }, nil},
		{"Tokens(100)", func() error {
			got, err := s.Tokens(ctx, "1234", ids)
			if err == nil && len(got) != 100 {
				err = fmt.Errorf("got %d tokens", len(got))
			}
			return err
		}, nil},
		{"Save", func() error { return s.Save(ctx, rec) }, nil},
		{"Load", func() error { _, err := s.Load(ctx, key, now); return err }, nil},
		{"Load(missing)", func() error { _, err := s.Load(ctx, storage.Key{9}, now); return err }, storage.ErrNotFound},
		{"Load(expired)", func() error { _, err := s.Load(ctx, expired.Key, now); return err }, storage.ErrNotFound},
		{"RecordNonce", func() error { return s.RecordNonce(ctx, key, "n1", rec.ExpiresAt) }, nil},
		{"RecordNonce(replay)", func() error { return s.RecordNonce(ctx, key, "n1", rec.ExpiresAt) }, storage.ErrAlreadyExists},
		{"Delete(other merchant)", func() error { return s.Delete(ctx, key, "9999") }, storage.ErrNotFound},
		{"Delete", func() error { return s.Delete(ctx, key, "1234") }, nil},
		// An idempotent create: claim, then finish (or release).
		{"ClaimIdempotency", func() error { _, err := s.ClaimIdempotency(ctx, key, idem); return err }, nil},
		{"FinishIdempotency", func() error { return s.FinishIdempotency(ctx, key, idem.Attempt, 200, []byte("{}")) }, nil},
		{"ClaimIdempotency(replay)", func() error {
			got, err := s.ClaimIdempotency(ctx, key, retry)
			if err == nil && !got.Done {
				err = errors.New("not replayed")
			}
			return err
		}, nil},
		{"FinishIdempotency(stale attempt)", func() error { return s.FinishIdempotency(ctx, key, retry.Attempt, 200, nil) }, storage.ErrNotFound},
		{"ReleaseIdempotency", func() error { return s.ReleaseIdempotency(ctx, storage.Key{8}, idem.Attempt) }, nil},
		{"DeleteExpired", func() error {
			n, err := s.DeleteExpired(ctx, now)
			if err == nil && n != 1 {
				err = fmt.Errorf("removed %d sessions; want 1, the expired one", n)
			}
			return err
		}, nil},
	}
	for _, st := range steps {
		before := counter.n.Load()
		if err := st.op(); !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: %v; want %v", st.name, err, st.wantErr)
		}
		if got := counter.n.Load() - before; got != 1 {
			t.Errorf("%s sent %d statements; want 1", st.name, got)
		}
	}
}

// ownCluster is a throwaway PostgreSQL cluster of the test's own, so that
// stopping it touches no one else's data. PostgreSQL refuses to run as
// root, so it runs as the postgres OS user.
type ownCluster struct {
	t    *testing.T
	dir  string
	port string
	bin  string
}

func startOwnCluster(t *testing.T) *ownCluster {
	t.Helper()
	bin, dir := postgresScratch(t, "the restart test", "pgstore-fault-")
	c := &ownCluster{t: t, dir: dir, port: strconv.Itoa(freePGPort(t)), bin: bin}
	c.run("initdb", "-D", dir+"/data", "-A", "trust", "-U", "postgres", "--no-sync")
	c.start()
	t.Cleanup(func() {
		c.stop()
		_ = os.RemoveAll(dir)
	})
	return c
}

func (c *ownCluster) run(tool string, args ...string) {
	c.t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, tool)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v\n%s", tool, err, out)
	}
}

func (c *ownCluster) start() {
	c.t.Helper()
	c.run("pg_ctl", "-D", c.dir+"/data", "-l", c.dir+"/log", "-w", "-o",
		"-p "+c.port+" -k "+c.dir+" -c listen_addresses=127.0.0.1 -c fsync=off", "start")
}

func (c *ownCluster) stop() {
	cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(c.bin, "pg_ctl"), "-D", c.dir+"/data", "-m", "fast", "-w", "stop")
	_ = cmd.Run()
}

func (c *ownCluster) dsn() string {
	return "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
}

func TestFaultsServerRestart(t *testing.T) {
	dsn(t) // the same switch as the other tests: CI sets it
	c := startOwnCluster(t)
	pool := newPool(t, c.dsn(), nil)
	s, err := pgstore.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := sessiontest.NewLoadEngine(t, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens})
	create := func() (session.CreateResponse, error) {
		return e.Create(ctx, "1234", session.CreateRequest{Tokens: []string{"tok-1", "tok-unknown"}})
	}
	before, err := create()
	if err != nil {
		t.Fatal(err)
	}

	c.stop()
	resp, err := create()
	if !sderrors.IsRetryable(err) {
		t.Errorf("Create with PostgreSQL down: %+v, %v; want a retryable error (and no invalid tokens)", resp, err)
	}
	_, err = e.Authenticate(ctx, before.CustomerID, before.ClientSessionID)
	if !sderrors.IsRetryable(err) || errors.Is(err, sderrors.ErrUnauthorized) {
		t.Errorf("Authenticate with PostgreSQL down: %v; want retryable, not 401", err)
	}
	key, now := session.KeyOf(before.ClientSessionID), time.Now()
	for name, op := range downOps(s, key, now) {
		if err := op(ctx); err == nil || errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("%s with PostgreSQL down: %v; want a failure that is neither not-found nor already-exists", name, err)
		}
	}

	c.start()
	var sess session.Session
	for range 50 { // the pool reconnects
		if sess, err = e.Authenticate(ctx, before.CustomerID, before.ClientSessionID); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("a session committed before the restart does not authenticate after it: %v", err)
	}
	if toks, _ := sess.Tokens(); len(toks) != 1 || toks[0].ID != "tok-1" {
		t.Errorf("the session's tokens after restart: %v", toks)
	}
	after, err := create()
	if err != nil {
		t.Fatalf("Create after restart: %v", err)
	}
	if _, err := e.Authenticate(ctx, after.CustomerID, after.ClientSessionID); err != nil {
		t.Errorf("Authenticate after restart: %v", err)
	}
}

// downOps are the store's operations on the existing session under key, for
// fault tests: each must fail, but not as not-found or already-exists.
func downOps(s *pgstore.Store, key storage.Key, now time.Time) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"Save": func(ctx context.Context) error {
			return s.Save(ctx, storage.Record{Key: storage.Key{7}, MerchantID: "1234", CustomerID: "c", ExpiresAt: now.Add(time.Hour)})
		},
		"Load":        func(ctx context.Context) error { _, err := s.Load(ctx, key, now); return err },
		"Delete":      func(ctx context.Context) error { return s.Delete(ctx, key, "1234") },
		"RecordNonce": func(ctx context.Context) error { return s.RecordNonce(ctx, key, "n-down", now.Add(time.Hour)) },
		"DeleteExpired": func(ctx context.Context) error {
			_, err := s.DeleteExpired(ctx, now)
			return err
		},
		"Tokens": func(ctx context.Context) error { _, err := s.Tokens(ctx, "1234", []string{"tok-1"}); return err },
		"PutTokens": func(ctx context.Context) error {
			return s.PutTokens(ctx, token.Token{ID: "tok-down", MerchantID: "1234"})
		},
		"Migrate": func(ctx context.Context) error { return s.Migrate(ctx) },
	}
}

// loadSize is the number of sessions of the load test: 50,000 (what CI
// runs), or 500 with -short.
func loadSize() int {
	if testing.Short() {
		return 500
	}
	return 50000
}

func TestLoadNoLostOrCrossedSessions(t *testing.T) {
	s, _ := newStore(t)
	sessiontest.RunLoad(t, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens}, loadSize(), 16)
}

// Expiries are kept to the microsecond, truncated; Load ignores an expired
// row without removing it, and DeleteExpired removes it.
func TestExpiryMicrosecondsAndSweep(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC)
	want := time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC)
	r := storage.Record{Key: storage.Key{42}, MerchantID: "1234", CustomerID: "c", ExpiresAt: exp, Payload: "p"}
	if err := s.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, r.Key, want.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("Load a microsecond before expiry: %v", err)
	}
	if !got.ExpiresAt.Equal(want) || got.ExpiresAt.Location() != time.UTC {
		t.Errorf("ExpiresAt = %s; want %s (truncated to the microsecond, UTC)", got.ExpiresAt.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	for _, now := range []time.Time{want, exp, exp.Add(time.Hour)} {
		if _, err := s.Load(ctx, r.Key, now); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Load(now %s) = %v; want not found", now.Format(time.RFC3339Nano), err)
		}
	}
	// Ignored, not removed: an earlier clock still reads it.
	if _, err := s.Load(ctx, r.Key, want.Add(-time.Second)); err != nil {
		t.Errorf("Load removed the expired row: %v", err)
	}
	if err := s.RecordNonce(ctx, r.Key, "n", want); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpired(ctx, want.Add(-time.Microsecond)); err != nil || n != 0 {
		t.Errorf("DeleteExpired a microsecond early = %d, %v; want 0, nil", n, err)
	}
	if n, err := s.DeleteExpired(ctx, want); err != nil || n != 1 {
		t.Errorf("DeleteExpired at expiry = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.Load(ctx, r.Key, want.Add(-time.Second)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load after DeleteExpired = %v; want not found", err)
	}
	if err := s.RecordNonce(ctx, r.Key, "n", want.Add(time.Hour)); err != nil {
		t.Errorf("the nonce outlived DeleteExpired: %v", err)
	}
}

// A store over a transaction writes in it: rolled back, nothing is kept.
func TestStoreInTransaction(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pool := newPool(t, dsn(t), nil)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	txStore, err := pgstore.New(tx, pgstore.WithTables(s.Tables()))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := storage.Record{Key: storage.Key{43}, MerchantID: "1234", CustomerID: "c", ExpiresAt: now.Add(time.Hour), Payload: "p"}
	if err := txStore.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := txStore.Load(ctx, r.Key, now); err != nil {
		t.Errorf("Load in the transaction: %v", err)
	}
	if _, err := s.Load(ctx, r.Key, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load outside the open transaction: %v; want not found", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, r.Key, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load after rollback: %v; want not found", err)
	}
	if _, err := txStore.Load(ctx, r.Key, now); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load on a closed transaction: %v; want a failure that is not not-found", err)
	}
}
