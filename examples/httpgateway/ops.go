package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// metrics are the gateway's Prometheus metrics: the engine's events
// (through session.Observer) and the HTTP answers. No label ever holds an
// id, token, key or card data: merchant ids, reasons, operations, routes
// and statuses only.
type metrics struct {
	reg            *prometheus.Registry
	created        *prometheus.CounterVec
	tokensInvalid  *prometheus.CounterVec
	authRefused    prometheus.Counter
	storeCalls     *prometheus.CounterVec
	storeSeconds   *prometheus.HistogramVec
	nonceReplays   prometheus.Counter
	idempotent     *prometheus.CounterVec
	requests       *prometheus.CounterVec
	requestSeconds *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_sessions_created_total",
			Help: "Client sessions created, by merchant."}, []string{"merchant"}),
		tokensInvalid: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_tokens_invalid_total",
			Help: "Tokens found invalid at create, by reason."}, []string{"reason"}),
		authRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "clientsession_client_auth_refused_total",
			Help: "Client API calls whose session credentials were refused."}),
		storeCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_store_calls_total",
			Help: "Calls of the session and idempotency stores, by operation and result (ok, error)."}, []string{"op", "result"}),
		storeSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clientsession_store_call_seconds",
			Help: "Latency of the session and idempotency stores.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"op"}),
		nonceReplays: prometheus.NewCounter(prometheus.CounterOpts{Name: "clientsession_nonce_replays_refused_total",
			Help: "Encrypted payloads refused because their nonce was used before."}),
		idempotent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_idempotent_requests_total",
			Help: "Idempotent creates, by outcome (first, replayed, conflict)."}, []string{"outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_http_requests_total",
			Help: "HTTP requests, by method, route template and status."}, []string{"method", "route", "status"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clientsession_http_request_seconds",
			Help: "HTTP request duration, by route template.", Buckets: prometheus.DefBuckets}, []string{"route"}),
	}
	m.reg.MustRegister(m.created, m.tokensInvalid, m.authRefused, m.storeCalls, m.storeSeconds, m.nonceReplays,
		m.idempotent, m.requests, m.requestSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observer feeds the engine's events into the metrics.
func (m *metrics) observer() session.Observer {
	return session.Observer{
		SessionCreated: func(merchantID string) { m.created.WithLabelValues(merchantID).Inc() },
		TokenInvalid:   func(r token.Reason) { m.tokensInvalid.WithLabelValues(r.String()).Inc() },
		AuthRefused:    m.authRefused.Inc,
		StoreCall: func(op string, took time.Duration, err error) {
			result := "ok"
			if err != nil {
				result = "error"
			}
			m.storeCalls.WithLabelValues(op, result).Inc()
			m.storeSeconds.WithLabelValues(op).Observe(took.Seconds())
		},
		NonceReplayRefused: m.nonceReplays.Inc,
		Idempotent:         func(outcome string) { m.idempotent.WithLabelValues(outcome).Inc() },
	}
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withOps serves /metrics, /healthz and /readyz next to api, and counts and
// logs every request: one access log line (log/slog) with the method, the
// route template (never the path, which holds ids), the status, the
// duration and the merchant. log may be nil: no access log.
func withOps(api http.Handler, m *metrics, st stores, log *slog.Logger) http.Handler {
	ops := http.NewServeMux()
	ops.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	ops.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	})
	ops.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(r.Context(), st); err != nil {
			writeStatus(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		switch r.URL.Path {
		case "/metrics", "/healthz", "/readyz":
			ops.ServeHTTP(sw, r)
			r.Pattern = r.URL.Path
		default:
			api.ServeHTTP(sw, r)
		}
		route := r.Pattern // set by the mux that served r: a template, never ids
		if _, rest, ok := strings.Cut(route, " "); ok {
			route = rest
		}
		if route == "" {
			route = "unmatched"
			if _, ok := asset(r.URL.Path); ok {
				route = "/{logo}.png" // served by withAssets, before any mux
			}
		}
		took := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
		m.requestSeconds.WithLabelValues(route).Observe(took.Seconds())
		if log != nil {
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", took),
				slog.String("merchant", merchantOf(r)))
		}
	})
}

// merchantOf is the merchant a request is for: the merchantId of a Server
// API path, or the merchant part of a well-formed Client API customerId
// (session.MerchantOfCustomerID; the random part, a credential, is
// dropped). Empty when none.
func merchantOf(r *http.Request) string {
	if m := r.PathValue("merchantId"); m != "" && session.ValidMerchantID(m) {
		return m
	}
	if m, ok := session.MerchantOfCustomerID(r.PathValue("customerId")); ok {
		return m
	}
	return ""
}

// ready reports whether the stores answer: a Load of a key no session has
// (not found is an answer) and a token lookup, within 2 seconds.
func ready(ctx context.Context, st stores) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := st.Sessions.Load(ctx, storage.Key{}, time.Now()); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	_, err := st.Tokens.Tokens(ctx, "", []string{"readyz"})
	return err
}

func writeStatus(w http.ResponseWriter, status int, s string) {
	body, _ := json.Marshal(map[string]string{"status": s})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
