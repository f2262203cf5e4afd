package redisstore_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/redisstore"
)

// acked runs a set-up write of a test until its replica acknowledges it
// (at most 10 s): with a healthy replica, a WAIT may still outlast a test's
// short timeout on a loaded machine, and only the writes made while the
// replica is stopped are the test's subject.
func acked(t *testing.T, what string, write func() error) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := write()
		if err == nil {
			return
		}
		if !errors.Is(err, redisstore.ErrNotReplicated) || time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// replicaPair starts a primary of the test's own and a replica of it.
func replicaPair(tb testing.TB) (primary, replica *ownServer) {
	tb.Helper()
	addr(tb) // the same switch as the other tests: CI sets it
	primary = startOwnServer(tb)
	replica = startOwnServer(tb, "--replicaof", "127.0.0.1", primary.port)
	waitReplicaLink(tb, replica.addr())
	return primary, replica
}

func newAckStore(t *testing.T, addr string, n int, timeout time.Duration) (*redisstore.Store, *roundTrips) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	counter := &roundTrips{}
	client.AddHook(counter)
	s, err := redisstore.New(client, redisstore.WithReplicaAcks(n, timeout))
	if err != nil {
		t.Fatal(err)
	}
	return s, counter
}

func TestWithReplicaAcksValidates(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: time.Second}) // never dialed
	t.Cleanup(func() { _ = client.Close() })
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	t.Cleanup(func() { _ = ring.Close() })
	for _, tc := range []struct {
		name     string
		client   redis.UniversalClient
		n        int
		timeout  time.Duration
		property string
	}{
		{"no acknowledgement", client, 0, 100 * time.Millisecond, "replicaAcks.n"},
		{"negative", client, -1, 100 * time.Millisecond, "replicaAcks.n"},
		{"zero timeout (WAIT 0 blocks forever)", client, 1, 0, "replicaAcks.timeout"},
		{"under a millisecond", client, 1, time.Microsecond, "replicaAcks.timeout"},
		{"over the maximum", client, 1, redisstore.MaxReplicaAckTimeout + time.Millisecond, "replicaAcks.timeout"},
		{"not shorter than the read timeout", client, 1, time.Second, "replicaAcks.timeout"},
		{"a client that cannot keep WAIT with the write", ring, 1, 100 * time.Millisecond, "replicaAcks"},
	} {
		_, err := redisstore.New(tc.client, redisstore.WithReplicaAcks(tc.n, tc.timeout))
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) || sderrors.Find(err).Property() != tc.property {
			t.Errorf("%s: New(WithReplicaAcks(%d, %s)) = %v; want ErrInvalidConfiguration at %s", tc.name, tc.n, tc.timeout, err, tc.property)
		}
	}
	if _, err := redisstore.New(client, redisstore.WithReplicaAcks(2, 999*time.Millisecond)); err != nil {
		t.Errorf("New(WithReplicaAcks(2, 999ms)) = %v", err)
	}
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ReadTimeout: 2 * time.Second})
	t.Cleanup(func() { _ = cluster.Close() })
	if _, err := redisstore.New(cluster, redisstore.WithReplicaAcks(1, time.Second)); err != nil {
		t.Errorf("New(cluster, WithReplicaAcks(1, 1s)) = %v", err)
	}
}

// With replica acknowledgements every write is still one round trip (the
// write and its WAIT in one pipeline), and the replica holds what was
// acknowledged the moment the call returns.
func TestReplicaAcksOneRoundTripAndOnTheReplica(t *testing.T) {
	primary, replica := replicaPair(t)
	s, counter := newAckStore(t, primary.addr(), 1, 500*time.Millisecond)
	ctx := t.Context()
	now := time.Now()
	key := storage.Key{1}
	rec := storage.Record{Key: key, MerchantID: "1234", CustomerID: "1234-c", ExpiresAt: now.Add(time.Hour), Payload: "p"}
	idem := storage.IdempotencyRecord{Attempt: storage.Attempt{1}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	// Warm the scripts up: the first run of a script may need EVAL after a NOSCRIPT.
	_ = s.RecordNonce(ctx, storage.Key{9}, "warm", now.Add(time.Minute))
	_ = s.Delete(ctx, storage.Key{9}, "none")
	_, _ = s.ClaimIdempotency(ctx, storage.Key{9}, idem)
	_ = s.FinishIdempotency(ctx, storage.Key{9}, idem.Attempt, 200, nil)
	_ = s.ReleaseIdempotency(ctx, storage.Key{9}, idem.Attempt)

	onReplica := redis.NewClient(&redis.Options{Addr: replica.addr()})
	t.Cleanup(func() { _ = onReplica.Close() })
	replicaHas := func(pattern string) bool {
		keys, err := onReplica.Keys(ctx, pattern).Result()
		return err == nil && len(keys) > 0
	}
	for _, st := range []struct {
		name    string
		op      func() error
		replica string // a key pattern the replica must hold right after
	}{
		{"Save", func() error { return s.Save(ctx, rec) }, "*" + "0100*:s"},
		{"RecordNonce", func() error { return s.RecordNonce(ctx, key, "n1", rec.ExpiresAt) }, "*0100*:n"},
		{"ClaimIdempotency", func() error { _, err := s.ClaimIdempotency(ctx, key, idem); return err }, "*0100*:i"},
		{"FinishIdempotency", func() error { return s.FinishIdempotency(ctx, key, idem.Attempt, 200, []byte("{}")) }, "*0100*:i"},
		{"Delete", func() error { return s.Delete(ctx, key, "1234") }, ""},
	} {
		before := counter.n.Load()
		if err := st.op(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := counter.n.Load() - before; got != 1 {
			t.Errorf("%s took %d round trips; want 1", st.name, got)
		}
		if st.replica != "" && !replicaHas(st.replica) {
			t.Errorf("%s returned before the replica held %s", st.name, st.replica)
		}
	}
	if replicaHas("*0100*:s") {
		t.Error("Delete returned before the replica dropped the session")
	}
}

// With the replica stalled, every write fails within the acknowledgement
// timeout with a retryable error wrapping ErrNotReplicated (the engine
// answers 503), never a success; reads still work. An unacknowledged
// claim is taken back, so that a retry is not told "running".
func TestReplicaAcksFailWithoutReplica(t *testing.T) {
	primary, replica := replicaPair(t)
	s, _ := newAckStore(t, primary.addr(), 1, 200*time.Millisecond)
	ctx := t.Context()
	now := time.Now()
	key := storage.Key{2}
	rec := storage.Record{Key: key, MerchantID: "1234", CustomerID: "1234-c", ExpiresAt: now.Add(time.Hour), Payload: "p"}
	acked(t, "Save", func() error { return s.Save(ctx, rec) })
	finishing := storage.IdempotencyRecord{Attempt: storage.Attempt{4}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	acked(t, "ClaimIdempotency", func() error { _, err := s.ClaimIdempotency(ctx, storage.Key{4}, finishing); return err })
	replica.signal(syscall.SIGSTOP)
	t.Cleanup(func() { replica.signal(syscall.SIGCONT) })
	idem := storage.IdempotencyRecord{Attempt: storage.Attempt{2}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, st := range []struct {
		name string
		op   func() error
	}{
		{"Save", func() error {
			return s.Save(ctx, storage.Record{Key: storage.Key{3}, MerchantID: "1234", CustomerID: "c", ExpiresAt: rec.ExpiresAt})
		}},
		{"RecordNonce", func() error { return s.RecordNonce(ctx, key, "n2", rec.ExpiresAt) }},
		{"ClaimIdempotency", func() error { _, err := s.ClaimIdempotency(ctx, key, idem); return err }},
		{"FinishIdempotency", func() error { return s.FinishIdempotency(ctx, storage.Key{4}, finishing.Attempt, 200, nil) }},
		{"Delete", func() error { return s.Delete(ctx, key, "1234") }},
	} {
		start := time.Now()
		err := st.op()
		if !errors.Is(err, redisstore.ErrNotReplicated) || errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("%s with the replica stalled = %v; want an error wrapping ErrNotReplicated", st.name, err)
		}
		if !sderrors.IsRetryable(sderrors.FromDependency(err)) {
			t.Errorf("%s: the engine would not answer a retryable error", st.name)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s took %s; want about the 200 ms timeout", st.name, took)
		}
	}
	if _, err := s.Load(ctx, storage.Key{4}, now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load with the replica stalled: %v; want not found, answered by the primary (reads need no acknowledgement)", err)
	}
	if _, err := s.Load(ctx, key, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Load with the replica stalled: %v; reads need no acknowledgement", err)
	}
	// The unacknowledged claim was taken back: the primary holds no record.
	probe := redis.NewClient(&redis.Options{Addr: primary.addr()})
	t.Cleanup(func() { _ = probe.Close() })
	if keys, _ := probe.Keys(ctx, "*0200*:i").Result(); len(keys) != 0 {
		t.Errorf("the unacknowledged claim is still on the primary: %v", keys)
	}
}

// A replay of a finished idempotency record is acknowledged like a write:
// an answer that a connection of another client has just written, and no
// replica holds yet, is not replayed as a success (a failover could lose
// it, and the next repeat would run again). WAIT is documented to cover
// the writes of its own connection; the claim script rewrites the done
// flag on a replay so that it covers the answer it replays. (Redis 7.0
// happens to make a fresh connection's WAIT cover earlier writes of
// others too, so on it this test holds without that rewrite; it guards
// the rule on any server.)
func TestReplicaAcksReplayCoversTheAnswer(t *testing.T) {
	primary, replica := replicaPair(t)
	writer, _ := newAckStore(t, primary.addr(), 1, 200*time.Millisecond)
	reader, _ := newAckStore(t, primary.addr(), 1, 200*time.Millisecond) // its own connections
	ctx := t.Context()
	now := time.Now()
	key := storage.Key{5}
	first := storage.IdempotencyRecord{Attempt: storage.Attempt{5}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	acked(t, "the writer's claim", func() error { _, err := writer.ClaimIdempotency(ctx, key, first); return err })
	warm := storage.IdempotencyRecord{Attempt: storage.Attempt{6}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	// Loads the script on the reader's side too.
	acked(t, "the reader's warm-up claim", func() error { _, err := reader.ClaimIdempotency(ctx, key, warm); return err })
	replica.signal(syscall.SIGSTOP)
	t.Cleanup(func() { replica.signal(syscall.SIGCONT) })
	if err := writer.FinishIdempotency(ctx, key, first.Attempt, 200, []byte("answer")); !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Fatalf("finish with the replica stalled = %v; want ErrNotReplicated", err)
	}
	retry := storage.IdempotencyRecord{Attempt: storage.Attempt{7}, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	got, err := reader.ClaimIdempotency(ctx, key, retry)
	if err == nil {
		t.Fatalf("a replay of an unreplicated answer = %+v; want ErrNotReplicated", got)
	}
	if !errors.Is(err, redisstore.ErrNotReplicated) {
		t.Errorf("replay with the replica stalled = %v; want ErrNotReplicated", err)
	}
	replica.signal(syscall.SIGCONT)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err = reader.ClaimIdempotency(ctx, key, retry)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay with the replica back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !got.Done || string(got.Body) != "answer" {
		t.Errorf("replay = %+v; want the first answer", got)
	}
}

// flakyConn loses the reply to the next command when armed: the command
// reached the server, the answer never comes back (a connection reset).
type flakyConn struct {
	net.Conn
	armed *atomic.Bool
}

func (c flakyConn) Read(b []byte) (int, error) {
	if c.armed.CompareAndSwap(true, false) {
		_ = c.Close()
		return 0, io.ErrUnexpectedEOF
	}
	return c.Conn.Read(b)
}

func (c flakyConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err == nil && c.armed.Load() {
		time.Sleep(20 * time.Millisecond) // let the server run it
	}
	return n, err
}

// go-redis resends a command whose reply was lost (MaxRetries). A nonce
// record or a delete that did run would then answer "already exists" or
// "not found": a false 409 or 404. The store marks them not to be resent:
// the caller gets a retryable error instead.
func TestLostReplyIsNotAFalseConflict(t *testing.T) {
	var armed atomic.Bool
	opts := testOptions(t)
	opts.MaxRetries = 3
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return flakyConn{Conn: c, armed: &armed}, nil
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	prefix := "cstest:lost" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		iter := client.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
		for iter.Next(context.Background()) {
			client.Del(context.Background(), iter.Val())
		}
	})
	ctx := t.Context()
	now := time.Now()
	key := storage.Key{8}
	_ = s.RecordNonce(ctx, storage.Key{9}, "warm", now.Add(time.Minute)) // load the scripts
	_ = s.Delete(ctx, storage.Key{9}, "none")
	if err := s.Save(ctx, storage.Record{Key: key, MerchantID: "1234", CustomerID: "c", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	armed.Store(true)
	err = s.RecordNonce(ctx, key, "n1", now.Add(time.Hour))
	if err == nil || errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("RecordNonce whose reply was lost = %v; want a failure that is not a replay", err)
	}
	armed.Store(true)
	err = s.Delete(ctx, key, "1234")
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Delete whose reply was lost = %v; want a failure that is not not-found", err)
	}
}
