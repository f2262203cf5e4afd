package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
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
		_, _ = pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+tables.Sessions+", "+tables.Nonces+", "+tables.Tokens)
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
		return storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens}
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
	wg.Wait()
}

func TestNewRejectsBadTableNames(t *testing.T) {
	for _, name := range []string{"", "a;drop table x", "1abc", "with space", string(make([]byte, 64))} {
		if _, err := pgstore.New(&pgxpool.Pool{}, pgstore.WithTables(pgstore.Tables{Sessions: name, Nonces: "n", Tokens: "t"})); err == nil {
			t.Errorf("New accepted table name %q", name)
		}
	}
}

func TestOneStatementPerOperation(t *testing.T) {
	s, counter := newStore(t)
	ctx := context.Background()
	now := time.Now()
	key := storage.Key{1, 2, 3}
	rec := session.Record{Key: key, MerchantID: "1234", CustomerID: "1234-c", ExpiresAt: now.Add(time.Hour), Payload: []byte("p")}
	var tokens []token.Token
	var ids []string
	for i := range 100 {
		id := "tok-" + strconv.Itoa(i)
		ids = append(ids, id)
		tokens = append(tokens, token.Token{ID: id, MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive})
	}
	steps := []struct {
		name string
		op   func() error
	}{
		{"PutTokens(100)", func() error { return s.PutTokens(ctx, tokens...) }},
		{"Tokens(1)", func() error { _, err := s.Tokens(ctx, "1234", ids[:1]); return err }},
		{"Tokens(5)", func() error { _, err := s.Tokens(ctx, "1234", ids[:5]); return err }},
		{"Tokens(100)", func() error {
			got, err := s.Tokens(ctx, "1234", ids)
			if err == nil && len(got) != 100 {
				err = fmt.Errorf("got %d tokens", len(got))
			}
			return err
		}},
		{"Save", func() error { return s.Save(ctx, rec) }},
		{"Load", func() error { _, err := s.Load(ctx, key, now); return err }},
		{"RecordNonce", func() error { return s.RecordNonce(ctx, key, "n1", rec.ExpiresAt) }},
		{"Delete", func() error { return s.Delete(ctx, key, "1234") }},
		{"DeleteExpired", func() error { _, err := s.DeleteExpired(ctx, now); return err }},
	}
	for _, st := range steps {
		before := counter.n.Load()
		if err := st.op(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
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
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	pgUser, err := user.Lookup("postgres")
	if len(bins) == 0 || err != nil {
		t.Skip("no PostgreSQL server binaries or postgres user: skipping the restart test")
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		t.Skip("runuser is not installed: skipping the restart test")
	}
	// Not t.TempDir: its parent is private to root, and the postgres user must reach the directory.
	dir, err := os.MkdirTemp("", "pgstore-fault-") //nolint:usetesting // see above
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Skipf("cannot hand a directory to the postgres user (%v): skipping the restart test", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	c := &ownCluster{t: t, dir: dir, port: port, bin: filepath.Dir(bins[len(bins)-1])}
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
	e := storagetest.NewLoadEngine(t, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens})
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
	if _, err := s.Load(ctx, session.KeyOf(before.ClientSessionID), time.Now()); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load with PostgreSQL down: %v; want a failure that is not not-found", err)
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
	storagetest.RunLoad(t, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens}, loadSize(), 16)
}
