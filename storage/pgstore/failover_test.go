package pgstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/session/sessiontest"
	"github.com/clientsession/engine/storage/pgstore"
	"github.com/clientsession/engine/storage/storagetest"
)

// The failover tests start a PostgreSQL primary and a streaming standby of
// their own (initdb and pg_basebackup as the postgres OS user, since tests
// run as root; data directories in a temporary directory owned by
// postgres; ports picked at run time). The standby streams from the
// primary through a sessiontest.LagProxy of 10 ms, as across hosts. The
// load (sessiontest.Failover) connects with a multi-host DSN,
// host=primary,standby target_session_attrs=read-write, so that it finds
// whichever is the primary; the test promotes the standby (pg_ctl
// promote) a second after it broke the primary, as a failover manager
// would after its detection delay.
//
// Durable mode is synchronous replication: the primary runs with
// synchronous_standby_names = '*' and synchronous_commit = on, so a commit
// returns once the standby has flushed its WAL. The standby is started
// without it: once promoted it accepts writes alone (as a failover
// manager's non-strict synchronous mode does) instead of waiting for a
// standby that is not there.

const (
	pgReplicationLag = 10 * time.Millisecond
	pgDetectionDelay = time.Second // from the fault to pg_ctl promote
	pgRecoveryBound  = 2 * time.Second
)

// pgNode is one PostgreSQL server of a topology. It runs in a process
// group of its own, so that a fault reaches the postmaster and every
// backend at once, as the loss or the pause of its host does.
type pgNode struct {
	t    testing.TB
	bin  string
	dir  string // its data directory
	port int
	opts []string // -c settings
	cmd  *exec.Cmd
}

func (n *pgNode) run(tool string, args ...string) string {
	n.t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(n.bin, tool)}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		n.t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return string(out)
}

func (n *pgNode) start() {
	n.t.Helper()
	args := []string{"-u", "postgres", "--", filepath.Join(n.bin, "postgres"), "-D", n.dir, "-p", strconv.Itoa(n.port),
		"-k", filepath.Dir(n.dir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"}
	for _, o := range n.opts {
		args = append(args, "-c", o)
	}
	n.cmd = exec.Command("runuser", args...)
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(n.dir + ".log")
	if err != nil {
		n.t.Fatal(err)
	}
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(n.t.Context(), n.dsn())
		if err == nil {
			_ = conn.Close(n.t.Context())
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(n.dir + ".log")
			n.t.Fatalf("PostgreSQL on port %d did not start: %v\n%s", n.port, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signal sends sig to the server's whole process group.
func (n *pgNode) signal(sig syscall.Signal) {
	n.t.Helper()
	if n.cmd == nil {
		n.t.Fatalf("signal %v: the server on port %d is not running", sig, n.port)
	}
	if err := syscall.Kill(-n.cmd.Process.Pid, sig); err != nil {
		n.t.Fatalf("signal %v to the server on port %d: %v", sig, n.port, err)
	}
}

// kill kills the server's process group and reaps it.
func (n *pgNode) kill() {
	if n.cmd == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGCONT) // a stopped group dies too
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	_ = n.cmd.Wait()
	n.cmd = nil
}

func (n *pgNode) dsn() string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable connect_timeout=2", n.port)
}

// pgTopology is a primary and a standby streaming from it through a lag
// proxy.
type pgTopology struct {
	t                testing.TB
	primary, standby *pgNode
	proxy            *sessiontest.LagProxy
}

func startPGTopology(tb testing.TB, durable bool) *pgTopology {
	tb.Helper()
	bin, root := postgresScratch(tb, "the failover test", "pgstore-failover-")
	top := &pgTopology{t: tb}
	top.primary = &pgNode{t: tb, bin: bin, dir: root + "/primary", port: freePGPort(tb),
		opts: []string{"wal_level=replica", "max_wal_senders=5", "wal_keep_size=256MB"}}
	if durable {
		top.primary.opts = append(top.primary.opts, "synchronous_standby_names=*", "synchronous_commit=on")
	}
	tb.Cleanup(func() {
		top.primary.kill()
		if top.standby != nil {
			top.standby.kill()
		}
		_ = os.RemoveAll(root)
	})
	top.primary.run("initdb", "-D", top.primary.dir, "-A", "trust", "-U", "postgres", "--no-sync")
	top.primary.start()
	top.proxy = sessiontest.NewLagProxy(tb, "127.0.0.1:0", "127.0.0.1:"+strconv.Itoa(top.primary.port))
	top.standby = &pgNode{t: tb, bin: bin, dir: root + "/standby", port: freePGPort(tb)}
	top.standby.run("pg_basebackup", "-d", fmt.Sprintf("host=127.0.0.1 port=%d user=postgres", top.proxy.Port()),
		"-D", top.standby.dir, "-R", "-X", "stream", "--no-sync", "-c", "fast")
	top.standby.start()
	// Streaming, and in durable mode the synchronous standby.
	want := "async"
	if durable {
		want = "sync"
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(tb.Context(), top.primary.dsn())
		if err == nil {
			var state string
			err = conn.QueryRow(tb.Context(), "SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'").Scan(&state)
			_ = conn.Close(tb.Context())
			if err == nil && state == want {
				return top
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the standby is not streaming (%s) within 30 s: %v", want, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// closePool closes pool, for at most 10 s: Close waits for every
// connection in use, and a test must not hang on one.
func closePool(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	done := make(chan struct{})
	go func() { pool.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("the pool did not close within 10 s: a connection is still in use")
	}
}

// postgresScratch finds this machine's PostgreSQL server binaries and
// makes a directory the postgres user owns, for a server of the test's own
// (purpose names the test in the skip messages); it skips the test when
// either cannot be had. The caller removes the directory.
func postgresScratch(tb testing.TB, purpose, prefix string) (bin, dir string) {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	pgUser, err := user.Lookup("postgres")
	if len(bins) == 0 || err != nil {
		tb.Skip("no PostgreSQL server binaries or postgres user: skipping " + purpose)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		tb.Skip("runuser is not installed: skipping " + purpose)
	}
	// Not tb.TempDir: its parent is private to root, and the postgres user must reach the directory.
	dir, err = os.MkdirTemp("", prefix) //nolint:usetesting // see above
	if err != nil {
		tb.Fatal(err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		_ = os.RemoveAll(dir)
		tb.Skipf("cannot hand a directory to the postgres user (%v): skipping %s", err, purpose)
	}
	return filepath.Dir(bins[len(bins)-1]), dir
}

func freePGPort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return n
}

// dsn is the multi-host DSN a gateway would be given.
func (top *pgTopology) dsn() string {
	return fmt.Sprintf("host=127.0.0.1,127.0.0.1 port=%d,%d user=postgres dbname=postgres sslmode=disable target_session_attrs=read-write connect_timeout=2",
		top.primary.port, top.standby.port)
}

// promoted reports whether the standby left recovery.
func (top *pgTopology) promoted(ctx context.Context) bool {
	conn, err := pgx.Connect(ctx, top.standby.dsn())
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close(ctx) }()
	var recovering bool
	return conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovering) == nil && !recovering
}

func runPGFailover(t *testing.T, fault string, durable bool) sessiontest.FailoverReport {
	t.Helper()
	top := startPGTopology(t, durable)
	cfg, err := pgxpool.ParseConfig(top.dsn())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closePool(t, pool) })
	store, err := pgstore.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	load := sessiontest.NewFailover(t, storagetest.Stores{Sessions: store, Tokens: store, PutTokens: store.PutTokens}, sessiontest.FailoverOptions{})
	load.Start()
	load.WaitSuccesses(200, 30*time.Second)
	top.proxy.SetLag(pgReplicationLag)
	load.WaitSuccesses(200, 30*time.Second)

	load.MarkFault()
	if fault == "kill" {
		top.primary.signal(syscall.SIGKILL)
		top.proxy.Cut() // the host is gone: so is what was on its wire
	} else {
		top.primary.signal(syscall.SIGSTOP)
	}
	time.Sleep(pgDetectionDelay)
	top.standby.run("pg_ctl", "promote", "-D", top.standby.dir, "-w")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for !top.promoted(ctx) {
		if ctx.Err() != nil {
			t.Fatal("the standby did not leave recovery within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	load.MarkPromoted()
	if fault == "pause" {
		time.Sleep(500 * time.Millisecond)
		// The stale primary returns, read-write, first in the DSN's host
		// list: new connections go to it, until it is fenced, as an
		// operator must.
		top.primary.signal(syscall.SIGCONT)
		time.Sleep(3 * time.Second)
		top.primary.kill()
	}
	if !load.WaitServing(time.Second, 30*time.Second) {
		t.Error("the store did not serve again within 30 s")
	}
	load.WaitSuccesses(200, 30*time.Second)
	r := load.Verify()
	r.AssertSafe(t)
	if durable {
		r.AssertDurable(t)
	}
	if fault == "kill" && r.RecoveredAfterPromotion > pgRecoveryBound {
		log, _ := os.ReadFile(top.standby.dir + ".log")
		if len(log) > 4000 {
			log = log[len(log)-4000:]
		}
		t.Errorf("the store failed calls until %s after the promotion; want at most %s; the new primary's log ends:\n%s",
			r.RecoveredAfterPromotion, pgRecoveryBound, log)
	}
	return r
}

func TestFailoverStandby(t *testing.T) {
	dsn(t) // the same switch as the other tests: CI sets it
	for _, tc := range []struct {
		fault   string
		durable bool
	}{
		{"kill", false}, {"kill", true}, {"pause", false}, {"pause", true},
	} {
		t.Run(fmt.Sprintf("%s/durable=%v", tc.fault, tc.durable), func(t *testing.T) {
			r := runPGFailover(t, tc.fault, tc.durable)
			what := map[string]string{"kill": "host loss (SIGKILL of the primary's processes, 10 ms replication lag)",
				"pause": "pause (SIGSTOP until promoted), then the stale primary returns read-write"}[tc.fault]
			t.Logf("SUMMARY PostgreSQL standby, %s, synchronous replication %v: %s", what, tc.durable, r)
		})
	}
}
