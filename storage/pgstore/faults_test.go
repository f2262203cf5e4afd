package pgstore_test

import (
	"context"
	"errors"
	"net"
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
)

// Connections cut under concurrent creates and authentications: every
// answer is right or a retryable error (never 401 for a live session, never
// another customer's session), and everything works again after recovery.
func TestFaultsConnectionsCut(t *testing.T) {
	d := dsn(t)
	cfg, err := pgx.ParseConfig(d)
	if err != nil {
		t.Fatal(err)
	}
	// The failover harness's proxy, without lag: Cut closes every connection
	// and refuses new ones until Restore.
	proxy := sessiontest.NewLagProxy(t, "127.0.0.1:0", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	direct, _ := newStore(t) // its tables, through the proxy below
	pcfg, err := pgxpool.ParseConfig(d)
	if err != nil {
		t.Fatal(err)
	}
	pcfg.ConnConfig.Host, pcfg.ConnConfig.Port = "127.0.0.1", uint16(proxy.Port())
	pcfg.ConnConfig.ConnectTimeout = 2 * time.Second
	pcfg.ConnConfig.Fallbacks = nil
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := pgstore.New(pool, pgstore.WithTables(direct.Tables()))
	if err != nil {
		t.Fatal(err)
	}
	e := sessiontest.NewLoadEngine(t, storagetest.Stores{Sessions: s, Tokens: s, PutTokens: s.PutTokens})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	before, err := e.Create(ctx, sessiontest.LoadMerchant, session.CreateRequest{Tokens: []string{"tok-1"}})
	if err != nil {
		t.Fatal(err)
	}

	var ok, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := e.Create(ctx, sessiontest.LoadMerchant, session.CreateRequest{Tokens: []string{"tok-2"}})
				if err != nil {
					if !sderrors.IsRetryable(err) {
						t.Errorf("Create during cuts: %v; want a retryable error", err)
						return
					}
					failed.Add(1)
					continue
				}
				for _, r := range []session.CreateResponse{resp, before} {
					sess, err := e.Authenticate(ctx, r.CustomerID, r.ClientSessionID)
					switch {
					case err != nil && (!sderrors.IsRetryable(err) || errors.Is(err, sderrors.ErrUnauthorized)):
						t.Errorf("Authenticate during cuts: %v; want success or a retryable error", err)
						return
					case err != nil:
						failed.Add(1)
					case sess.CustomerID() != r.CustomerID:
						t.Errorf("Authenticate during cuts returned customer %s; want %s", sess.CustomerID(), r.CustomerID)
						return
					default:
						ok.Add(1)
					}
				}
			}
		})
	}
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		proxy.Cut()
		key, now := session.KeyOf(before.ClientSessionID), time.Now()
		for name, op := range downOps(s, key, now) {
			if err := op(ctx); err == nil || errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrAlreadyExists) {
				t.Errorf("%s with connections cut: %v; want a failure that is neither not-found nor already-exists", name, err)
			}
		}
		time.Sleep(150 * time.Millisecond)
		proxy.Restore()
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	waitGroup(t, &wg, time.Minute, "the workers to stop")
	t.Logf("during 3 cuts: %d right answers, %d retryable failures", ok.Load(), failed.Load())
	if failed.Load() == 0 {
		t.Error("no operation failed while the connections were cut: the test cut nothing")
	}

	// Recovered: the pool drops the dead connections and reconnects; the
	// session saved before is there.
	for range 50 {
		if _, err = e.Authenticate(ctx, before.CustomerID, before.ClientSessionID); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Authenticate after recovery: %v", err)
	}
	after, err := e.Create(ctx, sessiontest.LoadMerchant, session.CreateRequest{Tokens: []string{"tok-3"}})
	if err != nil {
		t.Fatalf("Create after recovery: %v", err)
	}
	if _, err := e.Authenticate(ctx, after.CustomerID, after.ClientSessionID); err != nil {
		t.Errorf("Authenticate after recovery: %v", err)
	}
}
