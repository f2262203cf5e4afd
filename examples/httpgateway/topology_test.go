package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
)

// The Redis flags build the client they name, with the gateway's timeouts
// unless the URL sets them.
func TestRedisFlags(t *testing.T) {
	read := redisReadTimeout
	for _, tc := range []struct {
		name  string
		flags storeFlags
		check func(t *testing.T, c redis.UniversalClient)
	}{
		{"one node", storeFlags{Redis: "redis://127.0.0.1:6390/2"}, func(t *testing.T, c redis.UniversalClient) {
			t.Helper()
			o := wantClient(t, c).Options()
			if o.Addr != "127.0.0.1:6390" || o.DB != 2 || o.ReadTimeout != read || o.WriteTimeout != redisReadTimeout ||
				o.DialTimeout != redisDialTimeout || o.PoolTimeout != read || o.MaxRetries != redisMaxRetries || !o.ContextTimeoutEnabled {
				t.Errorf("options = addr %s db %d read %s write %s dial %s pool %s retries %d ctx %v; want the gateway's defaults",
					o.Addr, o.DB, o.ReadTimeout, o.WriteTimeout, o.DialTimeout, o.PoolTimeout, o.MaxRetries, o.ContextTimeoutEnabled)
			}
		}},
		{"the URL's settings win", storeFlags{Redis: "redis://127.0.0.1:6390/0?read_timeout=3s&max_retries=5"},
			func(t *testing.T, c redis.UniversalClient) {
				t.Helper()
				o := wantClient(t, c).Options()
				if o.ReadTimeout != 3*time.Second || o.MaxRetries != 5 || o.DialTimeout != redisDialTimeout {
					t.Errorf("read %s retries %d dial %s; want the URL's 3s and 5, and the default dial", o.ReadTimeout, o.MaxRetries, o.DialTimeout)
				}
			}},
		{"the Sentinel URL's settings win", storeFlags{Redis: "redis://127.0.0.1:26390?master_name=gw&context_timeout_enabled=false&pool_timeout=4s"},
			func(t *testing.T, c redis.UniversalClient) {
				t.Helper()
				o := wantClient(t, c).Options()
				if o.ContextTimeoutEnabled || o.PoolTimeout != 4*time.Second || o.ReadTimeout != read {
					t.Errorf("ctx %v pool %s read %s; want the URL's false and 4s, and the default read", o.ContextTimeoutEnabled, o.PoolTimeout, o.ReadTimeout)
				}
			}},
		{"Sentinel", storeFlags{Redis: "redis://127.0.0.1:26390?master_name=gw&addr=127.0.0.1:26391", ReplicaAcks: 1, AckTimeout: 300 * time.Millisecond},
			func(t *testing.T, c redis.UniversalClient) {
				t.Helper()
				o := wantClient(t, c).Options()
				if o.Addr != "FailoverClient" || o.ReadTimeout != read+300*time.Millisecond {
					t.Errorf("addr %q read %s; want go-redis's failover client, reading for 1s + the ack timeout", o.Addr, o.ReadTimeout)
				}
			}},
		{"Cluster", storeFlags{RedisCluster: "redis://127.0.0.1:7390?addr=127.0.0.1:7391&addr=127.0.0.1:7392"},
			func(t *testing.T, c redis.UniversalClient) {
				t.Helper()
				cc, ok := c.(*redis.ClusterClient)
				if !ok {
					t.Fatalf("client %T, want *redis.ClusterClient", c)
				}
				o := cc.Options()
				if strings.Join(o.Addrs, ",") != "127.0.0.1:7390,127.0.0.1:7391,127.0.0.1:7392" || o.ReadTimeout != read || o.MaxRetries != redisMaxRetries {
					t.Errorf("addrs %v read %s retries %d; want the three seeds and the defaults", o.Addrs, o.ReadTimeout, o.MaxRetries)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := redisClient(tc.flags)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			tc.check(t, c)
		})
	}
	for _, tc := range []struct {
		name  string
		flags storeFlags
		flag  string
	}{
		{"both", storeFlags{Redis: "redis://a:1", RedisCluster: "redis://b:2"}, "-redis-cluster"},
		{"negative acks", storeFlags{Redis: "redis://a:1", ReplicaAcks: -1}, "-redis-replica-acks"},
		{"acks without Redis", storeFlags{ReplicaAcks: 1}, "-redis-replica-acks"},
		{"bad Sentinel URL", storeFlags{Redis: "redis://a:1?master_name=m&addr=nohost"}, "-redis"},
		{"bad Cluster URL", storeFlags{RedisCluster: "redis://a:1?bogus=1"}, "-redis-cluster"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, flag, err := redisClient(tc.flags)
			if err == nil {
				_ = c.Close()
				t.Fatalf("redisClient(%+v) = nil error; want one at %s", tc.flags, tc.flag)
			}
			if flag != tc.flag {
				t.Errorf("redisClient(%+v) names %s; want %s", tc.flags, flag, tc.flag)
			}
		})
	}
	// An acknowledgement timeout the client cannot wait for is refused at
	// start, naming the flag.
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	_, err = openStoresWith(t.Context(), storeFlags{Redis: "redis://127.0.0.1:1/0?read_timeout=100ms", ReplicaAcks: 1, AckTimeout: time.Second}, d)
	if err == nil || !strings.HasPrefix(err.Error(), "-redis: ") || !strings.Contains(err.Error(), "ReadTimeout") {
		t.Errorf("acks of 1 s with a 100 ms read timeout = %v; want an error at -redis naming the read timeout", err)
	}
}

func wantClient(t *testing.T, c redis.UniversalClient) *redis.Client {
	t.Helper()
	rc, ok := c.(*redis.Client)
	if !ok {
		t.Fatalf("client %T, want *redis.Client", c)
	}
	return rc
}

// redisServer is a redis-server of the test's own, killed when it ends.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(p)
	return n
}

func startRedis(t *testing.T, args ...string) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	s := &redisServer{t: t, port: freePort(t)}
	dir := t.TempDir()
	var all []string
	if len(args) > 0 && strings.HasSuffix(args[0], ".conf") {
		all, args = append(all, args[0]), args[1:]
	}
	all = append(all, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	s.cmd = exec.Command("redis-server", append(all, args...)...)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	})
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	defer func() { _ = c.Close() }()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(t.Context()).Err() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
	}
	return s
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// startGateway runs the gateway with args (run, as main does) and returns
// a client of it; the gateway stops when the test ends.
func startGateway(t *testing.T, args ...string) *connecttest.Gateway {
	t.Helper()
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("the gateway did not shut down within 20 s")
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			return &connecttest.Gateway{T: t, URL: m[1], HTTP: http.DefaultClient}
		}
		select {
		case err := <-done:
			t.Fatalf("the gateway stopped: %v\n%s", err, stderr.String())
		default:
		}
	}
	t.Fatalf("the gateway did not start: %s", stderr.String())
	return nil
}

// The gateway on Redis Sentinel with -redis-replica-acks: sessions are
// created while the replica acknowledges; with the replica stalled a
// create is a retryable 503 within the acknowledgement timeout, never a
// 200; once it is back, creates succeed again.
func TestGatewayOnSentinelWithReplicaAcks(t *testing.T) {
	testRedisURL(t) // the switch of the gateway-on-Redis tests (this one starts servers of its own)
	primary := startRedis(t)
	replica := startRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(primary.port))
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "sentinel monitor gw 127.0.0.1 %d 1\n", primary.port), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel := startRedis(t, conf, "--sentinel")
	rc := redis.NewClient(&redis.Options{Addr: replica.addr()})
	defer func() { _ = rc.Close() }()
	pollUntil(t, "the replica to sync", func() bool {
		info, err := rc.Info(t.Context(), "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})

	g := startGateway(t, "-redis", "redis://"+sentinel.addr()+"?master_name=gw", "-redis-replica-acks", "1", "-redis-replica-ack-timeout", "300ms")
	s := g.Create("1234", `{"tokens":["8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c"]}`, defaultSigner)
	if r := g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR); r.Status != http.StatusOK {
		t.Fatalf("products of a session on Sentinel: %d %s", r.Status, r.Body)
	}

	if err := replica.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner)
	r.WantError(t, http.StatusServiceUnavailable, sderrors.ErrUnavailable.Code(), "")
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the create without a replica took %s; want about the 300 ms acknowledgement timeout", took)
	}
	if err := replica.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, "a create to succeed with the replica back", func() bool {
		return g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner).Status == http.StatusOK
	})
}

// -postgres takes a multi-host DSN: the first host is down, the gateway
// uses the next one that is a primary (target_session_attrs=read-write).
func TestGatewayOnMultiHostPostgres(t *testing.T) {
	dsn := os.Getenv("SD_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SD_TEST_POSTGRES_DSN is not set: skipping the gateway-on-PostgreSQL test")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	down := freePort(t) // nothing listens there
	multi := fmt.Sprintf("host=127.0.0.1,%s port=%d,%d user=%s dbname=%s sslmode=disable target_session_attrs=read-write connect_timeout=2",
		cfg.Host, down, cfg.Port, cfg.User, cfg.Database)
	g := startGateway(t, "-postgres", multi)
	s := g.Create("1234", `{"tokens":["8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c"]}`, defaultSigner)
	if r := g.Client(s.CustomerID, s.ClientSessionID, "products"+nlEUR); r.Status != http.StatusOK {
		t.Fatalf("products of a session on a multi-host DSN: %d %s", r.Status, r.Body)
	}
}

// pollUntil polls ok for at most 20 s.
func pollUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 20 s waiting for %s", what)
		}
	}
}

// No message of a Sentinel or Cluster flag prints a password, whether in
// the URL's user part (the sentinels' password) or in a password= query
// parameter (the primary's).
func TestRedisTopologyFlagSecretsRedacted(t *testing.T) {
	d, err := parseData([]byte(testData))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "S3cr3tPa55"
	for _, f := range []storeFlags{
		{Redis: "redis://u:" + secret + "@127.0.0.1:1?master_name=m&dial_timeout=100ms"},
		{Redis: "redis://127.0.0.1:1?master_name=m&password=" + secret + "&dial_timeout=100ms"},
		{Redis: "redis://u:" + secret + "@127.0.0.1:1?master_name=m&addr=bad"},
		{RedisCluster: "redis://u:" + secret + "@127.0.0.1:1?dial_timeout=100ms"},
		{RedisCluster: "redis://u:" + secret + "@127.0.0.1:1?bogus=1"},
		{RedisCluster: "redis://u:" + secret + "@127.0.0.1:1?dial_timeout=100ms", ReplicaAcks: 1, AckTimeout: time.Minute + time.Millisecond},
	} {
		_, err := openStoresWith(t.Context(), f, d)
		if err == nil || !strings.Contains(err.Error(), "-redis") {
			t.Errorf("openStoresWith(%+v) = %v; want an error naming the flag", f, err)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("openStoresWith(%+v) prints the password: %v", f, err)
		}
	}
}
