package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/storage/storagetest"
)

// testOptions returns new client options for the tests' Redis, or skips:
// SD_TEST_REDIS_URL (redis://[:password@]host:port/db, go-redis ParseURL:
// it can choose a database and a password) when set, else
// SD_TEST_REDIS_ADDR (host:port, database 0).
func testOptions(tb testing.TB) *redis.Options {
	tb.Helper()
	if u := os.Getenv("SD_TEST_REDIS_URL"); u != "" {
		o, err := redis.ParseURL(u)
		if err != nil {
			tb.Fatalf("SD_TEST_REDIS_URL: %v", err) // go-redis's error holds no password
		}
		return o
	}
	a := os.Getenv("SD_TEST_REDIS_ADDR")
	if a == "" {
		tb.Skip("neither SD_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) nor SD_TEST_REDIS_ADDR (e.g. 127.0.0.1:6379) is set: skipping the Redis adapter tests")
	}
	return &redis.Options{Addr: a}
}

// addr returns the address of the tests' Redis (testOptions), or skips.
// The tests that start Redis servers of their own call it as the same
// switch as the others.
func addr(tb testing.TB) string {
	tb.Helper()
	return testOptions(tb).Addr
}

// roundTrips counts the commands and pipelines a client sends.
type roundTrips struct{ n atomic.Int64 }

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// newStore returns a store on a fresh random prefix whose keys are removed
// when tb ends, and the round-trip counter of its client.
func newStore(tb testing.TB) (*redisstore.Store, *roundTrips) {
	tb.Helper()
	client := redis.NewClient(testOptions(tb))
	counter := &roundTrips{}
	client.AddHook(counter)
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "cstest:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		_ = client.Close()
	})
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatal(err)
	}
	return s, counter
}

func TestConformance(t *testing.T) {
	factory := func(t *testing.T) storagetest.Stores {
		t.Helper()
		s, _ := newStore(t)
		return storagetest.Stores{Sessions: s, Require: []storagetest.Capability{storagetest.NonceRecorder, storagetest.Idempotency}}
	}
	storagetest.Run(t, factory)
	storagetest.RunConcurrency(t, factory)
}

func TestOneRoundTripPerOperation(t *testing.T) {
	s, counter := newStore(t)
	ctx := context.Background()
	now := time.Now()
	key := storage.Key{1, 2, 3}
	rec := storage.Record{Key: key, MerchantID: "1234", CustomerID: "1234-c", ExpiresAt: now.Add(time.Hour), Payload: "p"}
	// Warm the scripts up: the first run of a script may need EVAL after a NOSCRIPT.
	_ = s.RecordNonce(ctx, storage.Key{9}, "warm", now.Add(time.Minute))
	_ = s.Delete(ctx, storage.Key{9}, "none")
	warm := storage.IdempotencyRecord{Attempt: storage.Attempt{9}, StartedAt: now, ExpiresAt: now.Add(time.Minute)}
	_, _ = s.ClaimIdempotency(ctx, storage.Key{9}, warm)
	_ = s.FinishIdempotency(ctx, storage.Key{9}, warm.Attempt, 200, nil)
	_ = s.ReleaseIdempotency(ctx, storage.Key{9}, warm.Attempt)
	idem := storage.IdempotencyRecord{Attempt: storage.Attempt{1}, StartedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	retry := storage.IdempotencyRecord{Attempt: storage.Attempt{2}, StartedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	steps := []struct {
		name string
		op   func() error
	}{
		{"Save", func() error { return s.Save(ctx, rec) }},
		{"Load", func() error { _, err := s.Load(ctx, key, now); return err }},
		{"RecordNonce", func() error { return s.RecordNonce(ctx, key, "n1", rec.ExpiresAt) }},
		{"RecordNonce replay", func() error {
			if err := s.RecordNonce(ctx, key, "n1", rec.ExpiresAt); !errors.Is(err, storage.ErrAlreadyExists) {
				return fmt.Errorf("replay: %w", err)
			}
			return nil
		}},
		{"Delete", func() error { return s.Delete(ctx, key, "1234") }},
		// An idempotent create: claim, then finish (or release).
		{"ClaimIdempotency", func() error { _, err := s.ClaimIdempotency(ctx, key, idem); return err }},
		{"FinishIdempotency", func() error { return s.FinishIdempotency(ctx, key, idem.Attempt, 200, []byte("{}")) }},
		{"ClaimIdempotency (replay)", func() error {
			got, err := s.ClaimIdempotency(ctx, key, retry)
			if err == nil && !got.Done {
				err = errors.New("not replayed")
			}
			return err
		}},
		{"FinishIdempotency (stale attempt)", func() error {
			if err := s.FinishIdempotency(ctx, key, retry.Attempt, 200, nil); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("stale finish: %w", err)
			}
			return nil
		}},
		{"ReleaseIdempotency", func() error { return s.ReleaseIdempotency(ctx, key, idem.Attempt) }},
	}
	for _, st := range steps {
		before := counter.n.Load()
		if err := st.op(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := counter.n.Load() - before; got != 1 {
			t.Errorf("%s took %d round trips; want 1", st.name, got)
		}
	}
}

func TestRedisExpiresSessions(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	key := storage.Key{7}
	if err := s.Save(ctx, storage.Record{Key: key, MerchantID: "m", CustomerID: "m-c", ExpiresAt: time.Now().Add(150 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		// A caller clock that lags far behind: only Redis's own expiry can remove the session.
		_, err := s.Load(ctx, key, time.Unix(0, 0))
		if errors.Is(err, storage.ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis did not expire the session: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ownServer starts a redis-server of the test's own on a free port.
type ownServer struct {
	t     testing.TB
	port  string
	dir   string
	conf  string // a configuration file, or ""
	extra []string
	cmd   *exec.Cmd
}

// startOwnServer starts a redis-server of the test's own (no persistence,
// a temporary directory, extra arguments appended) and kills it when t ends.
func startOwnServer(tb testing.TB, extra ...string) *ownServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	s := &ownServer{t: tb, port: port, dir: tb.TempDir(), extra: extra}
	s.start()
	tb.Cleanup(s.stop)
	return s
}

func (s *ownServer) start() {
	s.t.Helper()
	var args []string
	if s.conf != "" {
		args = append(args, s.conf)
	}
	args = append(args, "--port", s.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir,
		"--repl-diskless-sync-delay", "0") // a replica syncs at once, not after 5 s
	s.cmd = exec.Command("redis-server", append(args, s.extra...)...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + s.port})
	defer func() { _ = c.Close() }()
	for range 100 {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatal("own redis-server did not start")
}

func (s *ownServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func TestFaultsServerKilledAndRestarted(t *testing.T) {
	addr(t) // the same switch as the other tests: CI sets it
	srv := startOwnServer(t)
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + srv.port,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxRetries: 1})
	defer func() { _ = client.Close() }()
	store, err := redisstore.New(client)
	if err != nil {
		t.Fatal(err)
	}
	e := sessiontest.NewLoadEngine(t, storagetest.Stores{Sessions: store})
	ctx := context.Background()
	create := func() (session.CreateResponse, error) {
		return e.Create(ctx, "1234", session.CreateRequest{Tokens: []string{"tok-1"}})
	}
	before, err := create()
	if err != nil {
		t.Fatal(err)
	}

	srv.stop()
	if _, err := create(); !sderrors.IsRetryable(err) {
		t.Errorf("Create with Redis down: %v; want a retryable error", err)
	}
	_, err = e.Authenticate(ctx, before.CustomerID, before.ClientSessionID)
	if !sderrors.IsRetryable(err) || errors.Is(err, sderrors.ErrUnauthorized) {
		t.Errorf("Authenticate with Redis down: %v; want retryable, not 401", err)
	}
	if _, err := store.Load(ctx, session.KeyOf(before.ClientSessionID), time.Now()); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load with Redis down: %v; want a failure that is not not-found", err)
	}
	if err := store.RecordNonce(ctx, storage.Key{1}, "n", time.Now().Add(time.Hour)); err == nil || errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("RecordNonce with Redis down: %v; want a failure that is not a replay", err)
	}

	srv.start() // same port, empty (it keeps nothing on disk)
	var after session.CreateResponse
	for range 50 { // go-redis reconnects on the next command
		if after, err = create(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
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
	sessiontest.RunLoad(t, storagetest.Stores{Sessions: s}, loadSize(), 32)
}

// Through the engine, Create, Authenticate and Revoke are one round trip
// each (the tokens are in memory: Redis keeps no tokens).
func TestEngineOneRoundTripPerOperation(t *testing.T) {
	s, counter := newStore(t)
	e := sessiontest.NewLoadEngine(t, storagetest.Stores{Sessions: s})
	ctx := context.Background()
	_ = s.Delete(ctx, storage.Key{9}, "none") // load the delete script first
	var resp session.CreateResponse
	steps := []struct {
		name string
		op   func() error
	}{
		{"Create", func() (err error) {
			resp, err = e.Create(ctx, sessiontest.LoadMerchant, session.CreateRequest{Tokens: []string{"tok-1", "tok-2"}})
			return err
		}},
		{"Authenticate", func() error { _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); return err }},
		{"Revoke", func() error { return e.Revoke(ctx, sessiontest.LoadMerchant, resp.ClientSessionID) }},
		{"Authenticate revoked", func() error {
			if _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); !errors.Is(err, sderrors.ErrUnauthorized) {
				return fmt.Errorf("after revoke: %w; want ErrUnauthorized", err)
			}
			return nil
		}},
	}
	for _, st := range steps {
		before := counter.n.Load()
		if err := st.op(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := counter.n.Load() - before; got != 1 {
			t.Errorf("%s took %d round trips; want 1", st.name, got)
		}
	}
}

// A record saved already expired (by Redis's clock) is not kept, and
// saving it over a live one removes that one: Redis is never left holding
// a session past its expiry.
func TestSaveExpiredIsNotKept(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	longAgo := past.Add(-time.Hour) // a caller clock far behind: only Redis can have dropped it
	for _, tc := range []struct {
		name      string
		liveFirst bool
	}{{"new key", false}, {"over a live session", true}} {
		t.Run(tc.name, func(t *testing.T) {
			key := storage.Key{8, byte(len(tc.name))}
			if tc.liveFirst {
				if err := s.Save(ctx, storage.Record{Key: key, MerchantID: "m", CustomerID: "m-c", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Save(ctx, storage.Record{Key: key, MerchantID: "m", CustomerID: "m-c", ExpiresAt: past}); err != nil {
				t.Fatalf("Save of an expired record: %v; want nil", err)
			}
			if r, err := s.Load(ctx, key, longAgo); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Load after saving an expired record = %+v, %v; want ErrNotFound", r, err)
			}
		})
	}
}

// TestNewValidatesOptions: a bad option is an error naming it.
func TestNewValidatesOptions(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialed
	t.Cleanup(func() { _ = client.Close() })
	for _, p := range []string{"", "a{b", "}", "with space", strings.Repeat("p", 65), "é"} {
		_, err := redisstore.New(client, redisstore.WithPrefix(p))
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) || sderrors.Find(err).Property() != "prefix" {
			t.Errorf("New(WithPrefix(%q)) = %v; want ErrInvalidConfiguration at prefix", p, err)
		}
	}
	if _, err := redisstore.New(nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil) = %v; want ErrInvalidConfiguration", err)
	}
	if _, err := redisstore.New(client, redisstore.WithPrefix("gw1:")); err != nil {
		t.Errorf("New(WithPrefix(gw1:)) = %v", err)
	}
}
