package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/storage/storagetest"
)

// The server is killed while workers create and authenticate sessions:
// every answer is right (the worker's own session) or a retryable error,
// never a 401 for a session that exists, a crossed session or a panic; after
// a restart on the same port the engine serves again. Bounded: about 3 s.
func TestFaultsServerKilledMidRun(t *testing.T) {
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

	var killed atomic.Bool
	var ok, okAfterKill, retryable, wrong atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			req := session.CreateRequest{Tokens: []string{"tok-" + strconv.Itoa(w)}}
			for {
				select {
				case <-stop:
					return
				default:
				}
				down := killed.Load() // the answer of a command sent after the kill cannot be a success
				resp, err := e.Create(ctx, sessiontest.LoadMerchant, req)
				if err != nil {
					count(t, err, &retryable, &wrong, "Create")
					continue
				}
				s, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
				switch {
				case err != nil:
					count(t, err, &retryable, &wrong, "Authenticate")
				case s.CustomerID() != resp.CustomerID:
					wrong.Add(1)
					t.Errorf("Authenticate answered another session: %s, want %s", s.CustomerID(), resp.CustomerID)
				case down:
					okAfterKill.Add(1)
				default:
					ok.Add(1)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	srv.stop() // killed and reaped: whatever is sent from now on finds no server
	killed.Store(true)
	time.Sleep(time.Second)
	close(stop)
	waitGroup(t, &wg, time.Minute, "the workers to stop")
	t.Logf("before the kill %d sessions created and authenticated; after it %d retryable errors, %d wrong answers",
		ok.Load(), retryable.Load(), wrong.Load())
	if ok.Load() == 0 || retryable.Load() == 0 || wrong.Load() != 0 || okAfterKill.Load() != 0 {
		t.Errorf("ok %d, retryable %d, wrong %d, ok with the server down %d; want ok > 0, retryable > 0, no wrong answer",
			ok.Load(), retryable.Load(), wrong.Load(), okAfterKill.Load())
	}

	srv.start() // same port, empty (it keeps nothing on disk)
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := e.Create(ctx, sessiontest.LoadMerchant, session.CreateRequest{})
		if err == nil {
			if _, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
				t.Errorf("Authenticate after restart: %v", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Create after restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count files a failed engine call: retryable is what the server's absence
// must give; anything else (a 401, a bad request) is a wrong answer.
func count(t *testing.T, err error, retryable, wrong *atomic.Int64, op string) {
	t.Helper()
	if sderrors.IsRetryable(err) && errors.Is(err, sderrors.ErrUnavailable) {
		retryable.Add(1)
		return
	}
	wrong.Add(1)
	t.Errorf("%s with the server going down: %v; want a retryable ErrUnavailable", op, err)
}
