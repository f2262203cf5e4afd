package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire/auth"
)

// config is everything newServer needs; main fills it from the flags.
type config struct {
	// PublicURL is this server's origin as clients reach it, e.g.
	// "http://127.0.0.1:8080"; used when a merchant's datacenter names no
	// origin.
	PublicURL string
	// Data is the validated data file.
	Data *gatewayData
	// Stores hold sessions (and nonces) and tokens.
	Stores stores
	// Keys are the encryption keys (nil: no client-side encryption).
	Keys *keyFile
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lifetime of new sessions; 0 means session.DefaultLifetime.
	Lifetime time.Duration
	// IdempotenceLease is how long a running idempotent create holds its
	// key; 0 means session.DefaultIdempotenceLease.
	IdempotenceLease time.Duration
	// CreateRate is the creates a second each merchant may make on
	// average, CreateBurst at once; 0 means no limit.
	CreateRate  float64
	CreateBurst int
	// Log receives one access log line per request; nil: none.
	Log *slog.Logger
	// SeparateOps serves /metrics, /healthz and /readyz on server.Ops
	// only (-ops-addr), not next to the API.
	SeparateOps bool
	// GRPC builds server.GRPC too (-grpc-addr): the gRPC services over
	// the same engine, stores, API keys and create limiter.
	GRPC bool
}

// server is the built gateway: its handler and the engine behind it.
type server struct {
	http.Handler
	// Ops serves /metrics, /healthz and /readyz on a listener of their own
	// (config.SeparateOps); nil when Handler serves them.
	Ops http.Handler
	// GRPC serves the gRPC services (config.GRPC), nil otherwise; health
	// is its health server, which watchHealth sets.
	GRPC    *grpc.Server
	health  *health.Server
	stores  stores
	engine  *session.Engine
	metrics *metrics
	now     func() time.Time
}

// sweep runs the engine's Sweep every interval until ctx is done, when
// one of its stores keeps expired records (memstore, PostgreSQL; Redis
// expires keys itself). Failures are written to errlog and retried at the
// next tick. It returns at once when no store needs it.
func (s *server) sweep(ctx context.Context, every time.Duration, errlog io.Writer) {
	if !s.engine.NeedsSweep() {
		return
	}
	_ = storage.SweepEvery(ctx, storage.SweeperFunc(s.engine.Sweep), every, s.now, func(_ int, err error) {
		if err != nil {
			_, _ = fmt.Fprintln(errlog, "httpgateway: sweep of expired sessions failed:", err)
		}
	})
}

// newServer builds the engine from cfg and returns the gateway's handler:
// connecthttp's, which serves the whole protocol, behind the logos of the
// assetUrl (withAssets).
func newServer(cfg config) (http.Handler, error) {
	s, err := buildGateway(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// buildGateway is newServer, keeping the engine for the sweep.
func buildGateway(cfg config) (*server, error) {
	if cfg.Data == nil {
		return nil, errors.New("httpgateway: no data")
	}
	if !session.ValidOrigin(cfg.PublicURL) {
		err := fmt.Errorf("%q is not an origin such as https://gateway.example (http or https, host, optional port, no path or trailing slash)", cfg.PublicURL)
		return nil, flagError("httpgateway: -public-url", cfg.PublicURL, err)
	}
	merchantIDs := make([]string, 0, len(cfg.Data.merchants))
	for id := range cfg.Data.merchants {
		merchantIDs = append(merchantIDs, id)
	}
	m := newMetrics(merchantIDs)
	if mem := cfg.Stores.Mem; mem != nil {
		m.storeGauges(mem.Bytes, mem.MaxBytes())
	}
	engine, err := newEngine(cfg, session.WithObserver(m.observer()))
	if err != nil {
		return nil, err
	}
	now := engine.Now // the one clock: cfg.Now went to the engine, connecthttp's verifier uses it too
	var opts []connecthttp.Option
	var limiter session.CreateLimiter // one budget per merchant, whichever transport it creates over
	if cfg.CreateRate > 0 {
		limiter = newMerchantLimiter(cfg.CreateRate, max(1, cfg.CreateBurst), now)
		opts = append(opts, connecthttp.WithCreateLimiter(limiter))
	}
	h, err := connecthttp.New(engine, dataKeys(cfg.Data.apiKeys), opts...)
	if err != nil {
		return nil, err
	}
	s := &server{engine: engine, metrics: m, now: now, stores: cfg.Stores}
	if cfg.GRPC {
		if s.GRPC, s.health, err = newGRPC(engine, dataKeys(cfg.Data.apiKeys), limiter, m.grpcMetrics(), cfg.Log); err != nil {
			return nil, err
		}
	}
	ops := opsHandler(m, cfg.Stores)
	if cfg.SeparateOps {
		s.Handler = withOps(withAssets(h), nil, m, cfg.Log)
		s.Ops = withOps(ops, nil, m, cfg.Log)
	} else {
		s.Handler = withOps(withAssets(h), ops, m, cfg.Log)
	}
	return s, nil
}

// dataKeys are the data file's API keys, as connecthttp looks them up.
type dataKeys map[string]apiKey

// APIKey implements auth.APIKeys.
func (d dataKeys) APIKey(_ context.Context, keyID, merchantID string) (auth.APIKey, error) {
	k, ok := d[keyID]
	if !ok {
		return auth.APIKey{}, nil
	}
	return auth.APIKey{Secret: k.secret, AllowsMerchant: k.merchants[merchantID]}, nil
}
