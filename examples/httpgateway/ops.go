package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire/auth"
)

// The closed label sets of the gateway's metrics. No label ever holds a
// value a caller chose: an id, token, key or card data, a raw method or
// path, a merchant the data file does not name.
const (
	// other stands for every value outside a label's closed set.
	other = "other"
	// unmatched is the route of a request refused before routing (a path
	// not in canonical form, headers over the limit).
	unmatched = "unmatched"
	// logoRoute is the route of the logos withAssets serves.
	logoRoute = "/{logo}.png"
	// notFoundRoute is the route connecthttp answers unknown paths on.
	notFoundRoute = "/"
)

// opsRoutes are the operations endpoints.
var opsRoutes = []string{"/metrics", "/healthz", "/readyz"}

// storeOps are the operations session.Observer.StoreCall names.
var storeOps = []string{"save", "load", "delete", "record_nonce", "claim_idempotency", "finish_idempotency", "release_idempotency", "sweep"}

// storeResults are the results of a store call: a success, a failure, a
// refusal at the memory bound (storage.ErrFull).
var storeResults = []string{"ok", "error", "full"}

// outcomes are the outcomes session.Observer.Idempotent names.
var outcomes = []string{"first", "replayed", "conflict"}

// statuses are the statuses the gateway answers with (connecthttp's error
// kinds, 200 and 204, the logos' 206, 304 and 416); any other is counted
// by its class ("1xx" to "5xx", else "other").
var statuses = []int{200, 204, 206, 304, 400, 401, 403, 404, 405, 408, 409, 415, 416, 429, 499, 500, 503}

// labelSet is a closed set of label values indexed by small integers; the
// last one is "other".
type labelSet struct {
	names []string
	index map[string]int
}

func newLabelSet(names ...string) labelSet {
	s := labelSet{names: append(slices.Clone(names), other), index: map[string]int{}}
	for i, n := range names {
		s.index[n] = i
	}
	return s
}

// of is the index of v, or of "other".
func (s labelSet) of(v string) int {
	if i, ok := s.index[v]; ok {
		return i
	}
	return len(s.names) - 1
}

// lazy is a table of the children of a metric vector over closed label
// sets, indexed by small integers: cell i is made (WithLabelValues) the
// first time it is used and kept, so that an event costs an index and an
// atomic load, never a label lookup or a label string, and only the
// combinations that occurred are exported.
type lazy[T any] struct {
	cells []atomic.Pointer[T]
	mk    func(i int) T
}

func newLazy[T any](n int, mk func(i int) T) *lazy[T] {
	return &lazy[T]{cells: make([]atomic.Pointer[T], n), mk: mk}
}

func (l *lazy[T]) at(i int) T {
	if p := l.cells[i].Load(); p != nil {
		return *p
	}
	v := l.mk(i)
	l.cells[i].CompareAndSwap(nil, &v) // a racing maker got the same child
	return *l.cells[i].Load()
}

// metrics are the gateway's Prometheus metrics: the engine's events
// (through session.Observer), the HTTP answers and, on memstore, the
// store's account. Every label comes from a closed set (see the
// constants above and docs/operations.md), and each event's children
// are pre-resolved (lazy): no WithLabelValues per request.
type metrics struct {
	reg *prometheus.Registry

	merchants labelSet // the data file's merchants
	methods   labelSet // the methods the routes serve, OPTIONS, HEAD
	routes    labelSet // route templates
	statusIdx map[int]int
	statusLbl []string // statuses, then 1xx..5xx, then other
	ops       labelSet
	outcomes  labelSet

	created        *lazy[prometheus.Counter] // by merchant
	tokensInvalid  *lazy[prometheus.Counter] // by token.Reason
	authRefused    prometheus.Counter
	storeCalls     *lazy[prometheus.Counter]  // by op, result
	storeSeconds   *lazy[prometheus.Observer] // by op
	nonceReplays   prometheus.Counter
	idempotent     *lazy[prometheus.Counter]  // by outcome
	requests       *lazy[prometheus.Counter]  // by method, route, status
	requestSeconds *lazy[prometheus.Observer] // by route
}

// maxReason bounds the table of token reasons (token.Reason is a uint8):
// a reason at or past it shares the last cell. token.Reason.String names
// every reason past the known ones "invalid", a closed set too.
const maxReason = 16

func newMetrics(merchantIDs []string) *metrics {
	sort.Strings(merchantIDs)
	methodSet := map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodOptions: true}
	routeNames := append(slices.Clone(opsRoutes), logoRoute, notFoundRoute, unmatched)
	for _, rt := range connecthttp.Routes() {
		methodSet[rt.Method] = true
		if !slices.Contains(routeNames, rt.Pattern) {
			routeNames = append(routeNames, rt.Pattern)
		}
	}
	methods := make([]string, 0, len(methodSet))
	for m := range methodSet {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	m := &metrics{
		reg:       prometheus.NewRegistry(),
		merchants: newLabelSet(merchantIDs...),
		methods:   newLabelSet(methods...),
		routes:    newLabelSet(routeNames...),
		statusIdx: map[int]int{},
		ops:       newLabelSet(storeOps...),
		outcomes:  newLabelSet(outcomes...),
	}
	for i, s := range statuses {
		m.statusIdx[s] = i
		m.statusLbl = append(m.statusLbl, strconv.Itoa(s))
	}
	m.statusLbl = append(m.statusLbl, "1xx", "2xx", "3xx", "4xx", "5xx", other)

	created := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_sessions_created_total",
		Help: "Client sessions created, by merchant (of the data file)."}, []string{"merchant"})
	tokensInvalid := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_tokens_invalid_total",
		Help: "Tokens found invalid at create, by reason."}, []string{"reason"})
	m.authRefused = prometheus.NewCounter(prometheus.CounterOpts{Name: "clientsession_client_auth_refused_total",
		Help: "Client API calls whose session credentials were refused."})
	storeCalls := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_store_calls_total",
		Help: "Calls of the session and idempotency stores, by operation and result (ok, error, full: refused at the memory bound)."}, []string{"op", "result"})
	storeSeconds := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clientsession_store_call_seconds",
		Help: "Latency of the session and idempotency stores.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"op"})
	m.nonceReplays = prometheus.NewCounter(prometheus.CounterOpts{Name: "clientsession_nonce_replays_refused_total",
		Help: "Encrypted payloads refused because their nonce was used before."})
	idempotent := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_idempotent_requests_total",
		Help: "Idempotent creates, by outcome (first, replayed, conflict)."}, []string{"outcome"})
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_http_requests_total",
		Help: "HTTP requests, by method, route template and status (closed sets; other for the rest)."}, []string{"method", "route", "status"})
	requestSeconds := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clientsession_http_request_seconds",
		Help: "HTTP request duration, by route template.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.reg.MustRegister(created, tokensInvalid, m.authRefused, storeCalls, storeSeconds, m.nonceReplays,
		idempotent, requests, requestSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	m.created = newLazy(len(m.merchants.names), func(i int) prometheus.Counter {
		return created.WithLabelValues(m.merchants.names[i])
	})
	m.tokensInvalid = newLazy(maxReason, func(i int) prometheus.Counter {
		return tokensInvalid.WithLabelValues(token.Reason(i).String()) //nolint:gosec // i < maxReason
	})
	nr := len(storeResults)
	m.storeCalls = newLazy(len(m.ops.names)*nr, func(i int) prometheus.Counter {
		return storeCalls.WithLabelValues(m.ops.names[i/nr], storeResults[i%nr])
	})
	m.storeSeconds = newLazy(len(m.ops.names), func(i int) prometheus.Observer {
		return storeSeconds.WithLabelValues(m.ops.names[i])
	})
	m.idempotent = newLazy(len(m.outcomes.names), func(i int) prometheus.Counter {
		return idempotent.WithLabelValues(m.outcomes.names[i])
	})
	nRoutes, nStatus := len(m.routes.names), len(m.statusLbl)
	m.requests = newLazy(len(m.methods.names)*nRoutes*nStatus, func(i int) prometheus.Counter {
		return requests.WithLabelValues(m.methods.names[i/(nRoutes*nStatus)], m.routes.names[i/nStatus%nRoutes], m.statusLbl[i%nStatus])
	})
	m.requestSeconds = newLazy(nRoutes, func(i int) prometheus.Observer {
		return requestSeconds.WithLabelValues(m.routes.names[i])
	})
	return m
}

// storeGauges export a memstore's account and bound.
func (m *metrics) storeGauges(bytes func() int64, maxBytes int64) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "clientsession_store_bytes",
			Help: "Bytes the in-memory store's sessions, nonces and idempotent answers are charged (memstore.Store.Bytes)."},
			func() float64 { return float64(bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "clientsession_store_max_bytes",
			Help: "The in-memory store's bound (-max-store-bytes); 0: none."},
			func() float64 { return float64(maxBytes) }))
}

// status is the index of a status's label.
func (m *metrics) status(code int) int {
	if i, ok := m.statusIdx[code]; ok {
		return i
	}
	if code >= 100 && code < 600 {
		return len(statuses) + code/100 - 1
	}
	return len(m.statusLbl) - 1
}

// observer feeds the engine's events into the metrics.
func (m *metrics) observer() session.Observer {
	full := slices.Index(storeResults, "full")
	return session.Observer{
		SessionCreated: func(merchantID string) { m.created.at(m.merchants.of(merchantID)).Inc() },
		TokenInvalid:   func(r token.Reason) { m.tokensInvalid.at(min(int(r), maxReason-1)).Inc() },
		AuthRefused:    m.authRefused.Inc,
		StoreCall: func(op string, took time.Duration, err error) {
			o, result := m.ops.of(op), 0
			switch {
			case errors.Is(err, storage.ErrFull):
				result = full
			case err != nil:
				result = 1
			}
			m.storeCalls.at(o*len(storeResults) + result).Inc()
			m.storeSeconds.at(o).Observe(took.Seconds())
		},
		NonceReplayRefused: m.nonceReplays.Inc,
		Idempotent:         func(outcome string) { m.idempotent.at(m.outcomes.of(outcome)).Inc() },
	}
}

// statusWriter records the status a handler wrote and, for an error
// answer of connecthttp, the error behind it (connecthttp.ErrorRecorder):
// the access log says which check of a refused signature failed.
type statusWriter struct {
	http.ResponseWriter
	status int
	err    error
}

// RecordError implements connecthttp.ErrorRecorder.
func (w *statusWriter) RecordError(err error) { w.err = err }

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

// opsHandler serves /metrics, /healthz and /readyz.
func opsHandler(m *metrics, st stores) http.Handler {
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
	ops.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		connecthttp.WriteError(w, sderrors.ErrUnknownResource)
	})
	return ops
}

// withOps serves ops (the operations endpoints, nil: none) next to api,
// and counts and logs every request: one access log line (log/slog) with
// the method and route template (closed sets: never the raw method or the
// path, which holds ids), the status, the duration and the merchant (one
// of the data file, else empty), and the reason of a refused credential
// (auth.RefusalReason: date_skew, signature_mismatch, ...; a closed set,
// never a header value), which the caller's 401 does not tell. log may be
// nil: no access log.
func withOps(api, ops http.Handler, m *metrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		if ops != nil && slices.Contains(opsRoutes, r.URL.Path) {
			ops.ServeHTTP(sw, r)
			r.Pattern = r.URL.Path
		} else {
			api.ServeHTTP(sw, r)
		}
		route := r.Pattern // set by the mux that served r: a template, never ids
		if _, rest, ok := strings.Cut(route, " "); ok {
			route = rest
		}
		if route == "" {
			route = unmatched
		}
		took := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		meth, rt := m.methods.of(r.Method), m.routes.of(route)
		nRoutes, nStatus := len(m.routes.names), len(m.statusLbl)
		m.requests.at((meth*nRoutes+rt)*nStatus + m.status(status)).Inc()
		m.requestSeconds.at(rt).Observe(took.Seconds())
		if log != nil {
			accessLog(r.Context(), log, start.Add(took), m.methods.names[meth], m.routes.names[rt], status, took, m.merchantOf(r), auth.RefusalReason(sw.err))
		}
	})
}

// merchantOf is the merchant a request is for, when the data file names
// it: the merchantId of a Server API path, or the merchant part of a
// well-formed Client API customerId (session.MerchantOfCustomerID; the
// random part, a credential, is dropped). Empty when none.
func (m *metrics) merchantOf(r *http.Request) string {
	id := r.PathValue("merchantId")
	if id == "" {
		id, _ = session.MerchantOfCustomerID(r.PathValue("customerId"))
	}
	if i, ok := m.merchants.index[id]; ok {
		return m.merchants.names[i]
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
