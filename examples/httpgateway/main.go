// Command httpgateway is the reference HTTP gateway of the client-session
// engine: flags, a data file, a choice of stores and keys, wired to
// transport/connecthttp, which serves the Connect Server API (v1HMAC) and
// the Client API the official SDKs use, and with -grpc-addr to
// transport/connectgrpc, which serves the same engine over gRPC. It holds
// no protocol code of its own. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
)

func main() {
	// go-redis logs through a global logger (its connection pool's dial
	// failures, on stderr): the gateway's own message about an unreachable
	// Redis must come first and alone, so go-redis's lines are dropped until
	// the stores answered at start, then written to stderr.
	redisLog.w = os.Stderr
	redis.SetLogger(redisLog)
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "httpgateway:", err)
		os.Exit(1)
	}
}

// run parses args, serves until SIGINT or SIGTERM, then shuts down
// gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("httpgateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (loopback by default)")
	dataPath := fs.String("data", "", "data file (JSON, see README.md); default: the built-in demo data")
	publicURL := fs.String("public-url", "", "origin clients reach this server at; default http://{addr}")
	keysPath := fs.String("keys", "", "encryption key file (PEM or JWK, see README.md); default: an ephemeral key")
	var sf storeFlags
	fs.StringVar(&sf.Redis, "redis", "", "Redis URL for sessions and nonces, one node (redis://host:port/db) or Sentinel (redis://sentinel:port?master_name=NAME&addr=sentinel2:port); default: in memory")
	fs.StringVar(&sf.RedisCluster, "redis-cluster", "", "Redis Cluster URL for sessions and nonces (redis://node:port?addr=node2:port)")
	fs.IntVar(&sf.ReplicaAcks, "redis-replica-acks", 0, "replicas that must acknowledge every session, nonce and idempotency write (WAIT) before it counts; 0: none")
	fs.DurationVar(&sf.AckTimeout, "redis-replica-ack-timeout", defaultAckTimeout, "how long a write waits for -redis-replica-acks; fewer acknowledgements fail it with a 503")
	fs.StringVar(&sf.Postgres, "postgres", "", "PostgreSQL DSN for tokens and sessions, multi-host accepted (host=a,b target_session_attrs=read-write); default: the data file")
	lifetime := fs.Duration("session-lifetime", session.DefaultLifetime, "lifetime of new sessions (at most 2h)")
	sweepEvery := fs.Duration("sweep-every", time.Minute, "interval of the sweep that removes expired sessions and nonces from memory or PostgreSQL")
	createRate := fs.Float64("create-rate", 0, "session creates a second each merchant may make on average (429 beyond); 0: no limit")
	createBurst := fs.Int("create-burst", 20, "session creates a merchant may make at once, with -create-rate")
	idemLease := fs.Duration("idempotence-lease", session.DefaultIdempotenceLease,
		"how long a running idempotent create holds its key: a repeat after it, when the attempt never finished (e.g. the process died), runs again; above the longest a create can take (the write timeout is 20s)")
	maxStoreBytes := fs.Int64("max-store-bytes", defaultMaxStoreBytes, "bound of the in-memory store's sessions, nonces and idempotent answers, in bytes (503 STORE_FULL beyond); 0: no bound")
	opsAddr := fs.String("ops-addr", "", "listen address of /metrics, /healthz and /readyz, which then leave -addr; default: served on -addr")
	grpcAddr := fs.String("grpc-addr", "", "listen address of the gRPC services (same engine, stores, API keys and limits; merchants sign with v1HMAC, see README.md); default: no gRPC")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *lifetime == 0 { // 0 in config means the default; the engine checks the rest
		return errors.New("-session-lifetime: the lifetime must be more than 0")
	}
	if *createRate < 0 || *createBurst < 1 {
		return fmt.Errorf("-create-rate must be at least 0 and -create-burst at least 1, got %g and %d", *createRate, *createBurst)
	}
	if *idemLease <= 0 { // 0 in config means the default; the engine checks the rest
		return fmt.Errorf("-idempotence-lease: the lease must be more than 0, got %s", *idemLease)
	}
	if *sweepEvery <= 0 {
		return fmt.Errorf("-sweep-every: the interval must be positive, got %s", *sweepEvery)
	}
	var memOpts []memstore.Option
	switch inMemory := sf.Redis == "" && sf.RedisCluster == "" && sf.Postgres == ""; {
	case *maxStoreBytes < 0:
		return fmt.Errorf("-max-store-bytes: the bound must be at least 0 (0: none), got %d", *maxStoreBytes)
	case !inMemory && flagSet(fs, "max-store-bytes"):
		return errors.New("-max-store-bytes bounds the in-memory store; with -redis, -redis-cluster or -postgres the sessions are not in memory")
	case inMemory && *maxStoreBytes > 0:
		memOpts = append(memOpts, memstore.WithMaxBytes(*maxStoreBytes))
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	keys, err := loadKeys(*keysPath)
	if err != nil {
		return err
	}
	st, err := openStoresWith(ctx, sf, data, memOpts...)
	if err != nil {
		return err // the one line a failing store prints (see main)
	}
	defer func() { _ = st.Close() }()
	redisLog.open()
	if keys.Ephemeral {
		_, _ = fmt.Fprintf(stderr, "httpgateway: no -keys file: using an ephemeral RSA-2048 key (id %s); blobs encrypted for it cannot be opened after a restart or by other instances\n", keys.Keys[0].ID)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *publicURL == "" {
		*publicURL = "http://" + ln.Addr().String()
	}
	// The access log goes to stderr through a buffer: no write system call
	// per request; flushed every flushInterval and at shutdown. Its lines
	// are slog's JSON lines, formatted by jsonLineHandler.
	accessLog := newLineBuffer(stderr, 32<<10)
	handler, err := buildGateway(config{PublicURL: *publicURL, Data: data, Stores: st, Keys: keys, Lifetime: *lifetime,
		CreateRate: *createRate, CreateBurst: *createBurst, IdempotenceLease: *idemLease, SeparateOps: *opsAddr != "",
		GRPC: *grpcAddr != "", Log: slog.New(newJSONLineHandler(accessLog))})
	if err != nil {
		_ = ln.Close()
		return err
	}
	flushDone := make(chan struct{})
	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	go func() { defer close(flushDone); accessLog.flushEvery(flushCtx, flushInterval) }()
	defer func() { stopFlush(); <-flushDone }()
	// Read timeout < write timeout: a slow body still gets its JSON 408.
	servers := []listener{httpServer(connecthttp.NewServer("", handler), ln)}
	banners := []string{fmt.Sprintf("listening on http://%s (public URL %s)", ln.Addr(), *publicURL)}
	if *opsAddr != "" {
		opsLn, err := net.Listen("tcp", *opsAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("-ops-addr: %w", err)
		}
		servers = append(servers, httpServer(connecthttp.NewServer("", handler.Ops), opsLn))
		banners = append(banners, fmt.Sprintf("operations endpoints on http://%s", opsLn.Addr()))
	}
	if *grpcAddr != "" {
		grpcLn, err := net.Listen("tcp", *grpcAddr)
		if err != nil {
			for _, s := range servers {
				_ = s.ln.Close()
			}
			return fmt.Errorf("-grpc-addr: %w", err)
		}
		servers = append(servers, grpcServer(handler.GRPC, handler.health, grpcLn))
		banners = append(banners, fmt.Sprintf("gRPC on %s", grpcLn.Addr()))
	}
	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	background.Go(func() { handler.sweep(bgCtx, *sweepEvery, stderr) })
	background.Go(func() { handler.watchHealth(bgCtx, healthEvery) })
	defer func() { stopBackground(); background.Wait() }()
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.serve() }()
	}
	for _, b := range banners {
		_, _ = fmt.Fprintln(stderr, "httpgateway: "+b)
	}

	var errs []error
	running := len(servers)
	select {
	case err := <-errc: // a listener failed: stop the others
		errs = append(errs, err)
		running--
	case <-ctx.Done():
	}
	_, _ = fmt.Fprintln(stderr, "httpgateway: shutting down")
	// Every server stops at once (the gRPC health turns NOT_SERVING while
	// HTTP drains), all within one timeout.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	stopped := make(chan error, len(servers))
	for _, s := range servers {
		go func() { stopped <- s.shutdown(shutdownCtx) }()
	}
	for range servers {
		errs = append(errs, <-stopped)
	}
	for range running {
		errs = append(errs, <-errc)
	}
	return errors.Join(errs...)
}

// healthEvery is how often the gRPC health statuses follow the stores'
// readiness (the check of /readyz).
const healthEvery = time.Second

// listener is one listener of the gateway and how it serves and stops.
type listener struct {
	ln       net.Listener
	serve    func() error // nil after a graceful stop
	shutdown func(context.Context) error
}

// httpServer serves srv on ln; Shutdown stops it gracefully.
func httpServer(srv *http.Server, ln net.Listener) listener {
	return listener{
		ln: ln,
		serve: func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		shutdown: srv.Shutdown,
	}
}

// grpcServer serves srv on ln. Its shutdown sets every health status to
// NOT_SERVING (so that load balancers stop sending calls), then lets the
// running calls finish (GracefulStop) until ctx ends, when it stops the
// rest.
func grpcServer(srv *grpc.Server, hs *health.Server, ln net.Listener) listener {
	return listener{
		ln:    ln,
		serve: func() error { return srv.Serve(ln) },
		shutdown: func(ctx context.Context) error {
			hs.Shutdown()
			stopped := make(chan struct{})
			go func() { srv.GracefulStop(); close(stopped) }()
			select {
			case <-stopped:
				return nil
			case <-ctx.Done():
				srv.Stop()
				<-stopped
				return fmt.Errorf("gRPC calls still running after the shutdown timeout were cut: %w", ctx.Err())
			}
		},
	}
}

// defaultMaxStoreBytes is the default -max-store-bytes, 256 MiB: about
// 750,000 sessions of the usual size (filters and a few tokens, about 350
// bytes each: two hours of 100 creates a second) or 10,000 of the largest
// the default caps allow (26 KiB), while the process stays under about
// 2 x 256 MiB + 64 MiB, which fits a 1 GiB container.
const defaultMaxStoreBytes = 256 << 20

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// redisLog is go-redis's logger in the gateway process (main sets it with
// redis.SetLogger; tests that call run keep go-redis's default).
var redisLog = &gatedLogger{}

// gatedLogger drops go-redis's log lines until open is called, then writes
// each to w as one line "httpgateway: " followed by go-redis's own text
// (which starts with "redis: "): at start, an unreachable Redis is said
// once, by the gateway, not first by four pool lines; once serving, a
// pool's dial failures show on stderr as before.
type gatedLogger struct {
	w      io.Writer // set before the logger is installed
	opened atomic.Bool
}

// open lets the lines through from now on.
func (l *gatedLogger) open() { l.opened.Store(true) }

// Printf implements go-redis's internal.Logging.
func (l *gatedLogger) Printf(_ context.Context, format string, v ...any) {
	if !l.opened.Load() || l.w == nil {
		return
	}
	line := fmt.Sprintf(format, v...)
	_, _ = io.WriteString(l.w, "httpgateway: "+strings.TrimSuffix(line, "\n")+"\n")
}
