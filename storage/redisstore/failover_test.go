package redisstore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/storage/storagetest"
)

// The failover tests start real topologies of their own (a primary, a
// replica and three sentinels; a three-shard Cluster with a replica each),
// run sessiontest.Failover through the engine, break the primary and
// count what the store lost of what it acknowledged. The replicas connect
// to their primary through a sessiontest.LagProxy of 10 ms, as across
// hosts, so that a replica is behind its primary's answers: without
// replica acknowledgements the loss of the primary's host loses
// acknowledged writes; with them (WithReplicaAcks(1, …)) nothing
// acknowledged is lost.

// Timeouts of the failover clients: what the reference gateway uses (see
// the package documentation): no call waits for a dead or stalled node
// longer than this, whatever the request's context allows.
const (
	foDialTimeout  = 500 * time.Millisecond
	foReadTimeout  = time.Second
	foWriteTimeout = time.Second
	foAckTimeout   = 500 * time.Millisecond
	replicationLag = 10 * time.Millisecond
	// recoveryBound is how soon after a promotion the store must serve
	// again (without replica acknowledgements, which need a replica).
	recoveryBound = 2 * time.Second
)

// freePort returns a port that was free on host a moment ago.
func freePort(t *testing.T, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

// signal sends sig to the server's process.
func (s *ownServer) signal(sig syscall.Signal) {
	s.t.Helper()
	if s.cmd == nil || s.cmd.Process == nil {
		s.t.Fatalf("signal %v: the server on port %s is not running", sig, s.port)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signal %v to the server on port %s: %v", sig, s.port, err)
	}
}

func (s *ownServer) addr() string { return "127.0.0.1:" + s.port }

// failoverFault is how a test breaks the primary.
type failoverFault int

const (
	// faultKill: SIGKILL of the primary with its replication link lagging,
	// which drops what was on the wire: the loss of its host.
	faultKill failoverFault = iota
	// faultPause: SIGSTOP of the primary until a replica took over, then
	// SIGCONT: a stalled primary, then a stale old primary that returns.
	faultPause
)

func (f failoverFault) String() string {
	if f == faultKill {
		return "host loss (SIGKILL, 10 ms replication lag)"
	}
	return "pause (SIGSTOP until promoted), then the stale primary returns"
}

// topology is a Redis deployment of a failover test.
type topology interface {
	client(t *testing.T) redis.UniversalClient
	setLag(d time.Duration)
	// fault breaks the primary of the shard that owns no particular key.
	fault(f failoverFault)
	// promoted reports whether a replica has taken over the broken primary.
	promoted(ctx context.Context) bool
	// resume ends a pause (SIGCONT): the stale primary returns.
	resume()
	// rejoin restarts the killed primary as a replica of the new one, as
	// an operator would: without it a shard that had one replica has none.
	rejoin()
}

// runFailover runs the load on top, breaks it and verifies the result.
func runFailover(t *testing.T, top topology, fault failoverFault, durable bool) sessiontest.FailoverReport {
	t.Helper()
	var opts []redisstore.Option
	if durable {
		opts = append(opts, redisstore.WithReplicaAcks(1, foAckTimeout))
	}
	store, err := redisstore.New(top.client(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	load := sessiontest.NewFailover(t, storagetest.Stores{Sessions: store}, sessiontest.FailoverOptions{})
	load.Start()
	load.WaitSuccesses(200, 20*time.Second)
	top.setLag(replicationLag)
	load.WaitSuccesses(200, 20*time.Second)

	load.MarkFault()
	top.fault(fault)
	if sh, ok := top.(sharded); ok && fault == faultPause {
		probeOtherShards(t, store, sh.otherShardKeys(t))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for !top.promoted(ctx) {
		if ctx.Err() != nil {
			t.Fatal("no replica took over within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	load.MarkPromoted()
	switch {
	case fault == faultPause:
		time.Sleep(500 * time.Millisecond) // clients moved over; now the old primary returns
		top.resume()
	case durable:
		// With one replica, and it promoted, no write can be acknowledged:
		// the writes fail until the old primary is back, as a replica.
		if load.WaitServing(time.Second, 2*time.Second) {
			t.Error("with replica acknowledgements and no replica left, writes still succeeded")
		}
		top.rejoin()
	}
	if !load.WaitServing(time.Second, 30*time.Second) {
		t.Error("the store did not serve again within 30 s")
	}
	load.WaitSuccesses(200, 20*time.Second)
	r := load.Verify()
	r.AssertSafe(t)
	if durable {
		r.AssertDurable(t)
	} else if r.RecoveredAfterPromotion > recoveryBound {
		t.Errorf("the store failed calls until %s after the promotion; want at most %s", r.RecoveredAfterPromotion, recoveryBound)
	}
	return r
}

// sharded is a topology whose keys live on several primaries.
type sharded interface {
	// otherShardKeys returns session keys that the broken primary does
	// not own.
	otherShardKeys(t *testing.T) []storage.Key
}

// probeOtherShards loads keys of the shards that are up, for a second,
// while a primary is stalled: every call answers (not found: the keys were
// never saved) without waiting for the stalled node.
func probeOtherShards(t *testing.T, store *redisstore.Store, keys []storage.Key) {
	t.Helper()
	var slowest time.Duration
	n := 0
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		for _, k := range keys {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			start := time.Now()
			_, err := store.Load(ctx, k, time.Now())
			took := time.Since(start)
			cancel()
			n++
			slowest = max(slowest, took)
			if !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("a key of a shard that is up, with another shard stalled: %v after %s; want not found", err, took)
			}
		}
	}
	t.Logf("SUMMARY with one primary stalled: %d loads of keys of the other shards, the slowest %s", n, slowest.Round(time.Millisecond))
	if slowest > foReadTimeout/2 {
		t.Errorf("a call to a shard that is up took %s with another shard stalled; want well under the %s read timeout", slowest, foReadTimeout)
	}
}

// sentinelTopology is a primary, one replica (through a lag proxy) and
// three sentinels, quorum 2.
type sentinelTopology struct {
	t                 *testing.T
	primary, replica  *ownServer
	proxy             *sessiontest.LagProxy
	sentinels         []string
	first             string // the primary's address at the start
	sentinel          *redis.SentinelClient
	downAfterMillis   int
	failoverTimeoutMs int
}

const masterName = "fo"

func startSentinelTopology(t *testing.T) *sentinelTopology {
	t.Helper()
	top := &sentinelTopology{t: t, downAfterMillis: 1000, failoverTimeoutMs: 60000}
	top.primary = startOwnServer(t)
	top.proxy = sessiontest.NewLagProxy(t, "127.0.0.1:0", top.primary.addr())
	top.replica = startOwnServer(t, "--replicaof", "127.0.0.1", strconv.Itoa(top.proxy.Port()))
	top.first = top.primary.addr()
	waitReplicaLink(t, top.replica.addr())
	for range 3 {
		port := freePort(t, "127.0.0.1")
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		// failover-timeout is long: a sentinel "fixes" a replica whose
		// master address differs from its own view (ours goes through the
		// proxy) only after that long, and the test is over by then.
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %s 2\n"+
			"sentinel down-after-milliseconds %s %d\nsentinel failover-timeout %s %d\n",
			port, dir, masterName, top.primary.port, masterName, top.downAfterMillis, masterName, top.failoverTimeoutMs)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		s := &ownServer{t: t, port: strconv.Itoa(port), dir: dir, conf: conf, extra: []string{"--sentinel"}}
		s.start()
		t.Cleanup(s.stop)
		top.sentinels = append(top.sentinels, s.addr())
	}
	top.sentinel = redis.NewSentinelClient(&redis.Options{Addr: top.sentinels[0], DialTimeout: time.Second, ReadTimeout: time.Second})
	t.Cleanup(func() { _ = top.sentinel.Close() })
	// The sentinels must know the replica (from the primary's INFO) and
	// each other before a failover can happen.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok := true
		for _, a := range top.sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: a})
			replicas, err1 := c.Replicas(t.Context(), masterName).Result()
			peers, err2 := c.Sentinels(t.Context(), masterName).Result()
			_ = c.Close()
			ok = ok && err1 == nil && err2 == nil && len(replicas) == 1 && len(peers) == 2
		}
		if ok {
			return top
		}
		if time.Now().After(deadline) {
			t.Fatal("the sentinels did not discover the replica and each other within 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitReplicaLink waits until the replica at addr is in sync with its
// primary.
func waitReplicaLink(tb testing.TB, addr string) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		info, err := c.Info(tb.Context(), "replication").Result()
		if err == nil && strings.Contains(info, "master_link_status:up") {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the replica %s did not sync within 20 s: %v %s", addr, err, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (top *sentinelTopology) client(t *testing.T) redis.UniversalClient {
	t.Helper()
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: masterName, SentinelAddrs: top.sentinels,
		DialTimeout: foDialTimeout, ReadTimeout: foReadTimeout, WriteTimeout: foWriteTimeout, PoolTimeout: foReadTimeout,
		ContextTimeoutEnabled: true, PoolSize: 32})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (top *sentinelTopology) setLag(d time.Duration) { top.proxy.SetLag(d) }

func (top *sentinelTopology) fault(f failoverFault) {
	if f == faultKill {
		top.primary.signal(syscall.SIGKILL)
		top.proxy.Cut() // the host is gone: so is what was on its wire
		return
	}
	top.primary.signal(syscall.SIGSTOP)
}

func (top *sentinelTopology) promoted(ctx context.Context) bool {
	addr, err := top.sentinel.GetMasterAddrByName(ctx, masterName).Result()
	return err == nil && len(addr) == 2 && net.JoinHostPort(addr[0], addr[1]) != top.first
}

func (top *sentinelTopology) resume() { top.primary.signal(syscall.SIGCONT) }

func (top *sentinelTopology) rejoin() {
	top.t.Helper()
	_ = top.primary.cmd.Wait()
	top.primary.cmd = nil
	top.primary.extra = []string{"--replicaof", "127.0.0.1", top.replica.port}
	top.primary.start()
}

func TestFailoverSentinel(t *testing.T) {
	addr(t) // the same switch as the other tests: CI sets it
	for _, tc := range []struct {
		fault   failoverFault
		durable bool
	}{
		{faultKill, false}, {faultKill, true}, {faultPause, false}, {faultPause, true},
	} {
		name := fmt.Sprintf("%s/durable=%v", map[failoverFault]string{faultKill: "kill", faultPause: "pause"}[tc.fault], tc.durable)
		t.Run(name, func(t *testing.T) {
			top := startSentinelTopology(t)
			r := runFailover(t, top, tc.fault, tc.durable)
			t.Logf("SUMMARY Sentinel, %s, replica acks %v: %s", tc.fault, tc.durable, r)
		})
	}
}

// clusterTopology is a Redis Cluster of three primaries with one replica
// each. Every node listens on 127.0.0.1 and announces 127.0.0.2, where a
// proxy of the test forwards to it: a replica reaches its primary (and the
// nodes their cluster bus) at the announced address, through a
// LagProxy, while clients, given the hostname 127.0.0.1 as the preferred
// endpoint, connect directly. Nodes detect a failure after 1 s
// (cluster-node-timeout) and the shards that are up keep serving while one
// is down (cluster-require-full-coverage no).
type clusterTopology struct {
	t       *testing.T
	nodes   []*ownServer
	ids     []string
	proxies []*sessiontest.LagProxy // per node: the replication link (lagged) and the bus
	broken  int                     // the primary a fault breaks: node 0
}

// clusterPort returns a port P such that P and P+10000 (its bus) are free
// on 127.0.0.1 and 127.0.0.2.
func clusterPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		p := freePort(t, "127.0.0.1")
		if p > 55000 {
			continue
		}
		ok := true
		for _, a := range []string{"127.0.0.1", "127.0.0.2"} {
			for _, q := range []int{p, p + 10000} {
				l, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(q)))
				if err != nil {
					ok = false
					continue
				}
				_ = l.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free port pair for a cluster node")
	return 0
}

func startClusterTopology(t *testing.T) *clusterTopology {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	top := &clusterTopology{t: t}
	for range 6 {
		port := clusterPort(t)
		p := strconv.Itoa(port)
		lag := sessiontest.NewLagProxy(t, "127.0.0.2:"+p, "127.0.0.1:"+p)
		bus := sessiontest.NewLagProxy(t, "127.0.0.2:"+strconv.Itoa(port+10000), "127.0.0.1:"+strconv.Itoa(port+10000))
		s := &ownServer{t: t, port: p, dir: t.TempDir(), extra: []string{
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
			"--cluster-announce-ip", "127.0.0.2", "--cluster-announce-hostname", "127.0.0.1",
			"--cluster-preferred-endpoint-type", "hostname", "--cluster-replica-validity-factor", "0",
			"--cluster-require-full-coverage", "no"}}
		s.start()
		t.Cleanup(s.stop)
		top.nodes = append(top.nodes, s)
		top.proxies = append(top.proxies, lag, bus)
	}
	ctx := t.Context()
	for _, n := range top.nodes {
		c := top.node(n)
		id, err := c.Do(ctx, "CLUSTER", "MYID").Text()
		if err != nil {
			t.Fatal(err)
		}
		top.ids = append(top.ids, id)
	}
	first := top.node(top.nodes[0])
	for _, n := range top.nodes[1:] {
		if err := first.ClusterMeet(ctx, "127.0.0.2", n.port).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range [][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}} {
		if err := top.node(top.nodes[i]).Do(ctx, "CLUSTER", "ADDSLOTSRANGE", r[0], r[1]).Err(); err != nil {
			t.Fatal(err)
		}
	}
	top.waitFor("every node to know the six", func(c *redis.Client) bool {
		nodes, err := c.ClusterNodes(ctx).Result()
		return err == nil && strings.Count(nodes, "\n") >= 6 && !strings.Contains(nodes, "handshake")
	})
	for i := range 3 {
		if err := top.node(top.nodes[3+i]).Do(ctx, "CLUSTER", "REPLICATE", top.ids[i]).Err(); err != nil {
			t.Fatal(err)
		}
	}
	top.waitFor("cluster_state:ok", func(c *redis.Client) bool {
		info, err := c.ClusterInfo(ctx).Result()
		return err == nil && strings.Contains(info, "cluster_state:ok")
	})
	for _, r := range top.nodes[3:] {
		waitReplicaLink(t, r.addr())
	}
	return top
}

// node returns a client of one node, closed when the test ends.
func (top *clusterTopology) node(s *ownServer) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: time.Second, ReadTimeout: time.Second})
	top.t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitFor waits until ok holds on every running node, for at most 20 s.
func (top *clusterTopology) waitFor(what string, ok func(*redis.Client) bool) {
	top.t.Helper()
	clients := make([]*redis.Client, len(top.nodes))
	for i, n := range top.nodes {
		clients[i] = top.node(n)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		all := true
		for _, c := range clients {
			all = all && ok(c)
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			top.t.Fatalf("the cluster did not reach %s within 20 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (top *clusterTopology) client(t *testing.T) redis.UniversalClient {
	t.Helper()
	var addrs []string
	for _, n := range top.nodes {
		addrs = append(addrs, n.addr())
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs,
		DialTimeout: foDialTimeout, ReadTimeout: foReadTimeout, WriteTimeout: foWriteTimeout, PoolTimeout: foReadTimeout,
		ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (top *clusterTopology) setLag(d time.Duration) {
	for i, p := range top.proxies {
		if i%2 == 0 { // the replication links, not the bus
			p.SetLag(d)
		}
	}
}

func (top *clusterTopology) fault(f failoverFault) {
	n := top.nodes[top.broken]
	if f == faultKill {
		n.signal(syscall.SIGKILL)
		top.proxies[2*top.broken].Cut() // the host is gone: so is what was on its wire
		top.proxies[2*top.broken+1].Cut()
		top.proxies[2*top.broken].Restore()
		top.proxies[2*top.broken+1].Restore()
		return
	}
	n.signal(syscall.SIGSTOP)
}

// otherShardKeys returns keys whose slots (their hash tag's) are not in
// node 0's range, 0-5460.
func (top *clusterTopology) otherShardKeys(t *testing.T) []storage.Key {
	t.Helper()
	c := top.node(top.nodes[1])
	var out []storage.Key
	for i := 0; len(out) < 20; i++ {
		k := storage.Key{byte(i), byte(i >> 8), 0xfe}
		slot, err := c.ClusterKeySlot(t.Context(), "{"+hex.EncodeToString(k[:])+"}").Result()
		if err != nil {
			t.Fatal(err)
		}
		if slot > 5460 {
			out = append(out, k)
		}
	}
	return out
}

// promoted: a surviving primary sees the broken one's replica as a primary.
func (top *clusterTopology) promoted(ctx context.Context) bool {
	c := redis.NewClient(&redis.Options{Addr: top.nodes[1].addr(), DialTimeout: time.Second, ReadTimeout: time.Second})
	defer func() { _ = c.Close() }()
	nodes, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return false
	}
	for line := range strings.Lines(nodes) {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == top.ids[3+top.broken] {
			return strings.Contains(f[2], "master") && !strings.Contains(f[2], "fail")
		}
	}
	return false
}

func (top *clusterTopology) resume() { top.nodes[top.broken].signal(syscall.SIGCONT) }

// rejoin restarts the killed primary from its nodes.conf: it finds its
// slots served by its former replica, with a newer epoch, and becomes its
// replica.
func (top *clusterTopology) rejoin() {
	n := top.nodes[top.broken]
	_ = n.cmd.Wait()
	n.cmd = nil
	n.start()
}

func TestFailoverCluster(t *testing.T) {
	addr(t) // the same switch as the other tests: CI sets it
	for _, tc := range []struct {
		fault   failoverFault
		durable bool
	}{
		{faultKill, false}, {faultKill, true}, {faultPause, false}, {faultPause, true},
	} {
		name := fmt.Sprintf("%s/durable=%v", map[failoverFault]string{faultKill: "kill", faultPause: "pause"}[tc.fault], tc.durable)
		t.Run(name, func(t *testing.T) {
			top := startClusterTopology(t)
			r := runFailover(t, top, tc.fault, tc.durable)
			t.Logf("SUMMARY Cluster, %s, replica acks %v: %s", tc.fault, tc.durable, r)
		})
	}
}
