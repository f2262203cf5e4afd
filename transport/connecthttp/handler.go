package connecthttp

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// The headers of idempotent creates, as the Connect platform documents
// them (see the package documentation).
const (
	// IdempotenceKeyHeader is the request header that carries the key of
	// an idempotent create (session.ValidIdempotenceKey), and the
	// propertyName of the errors about it.
	IdempotenceKeyHeader = "X-GCS-Idempotence-Key"
	// IdempotenceTimestampHeader is the response header of every repeat:
	// the first attempt's time in milliseconds since the epoch.
	IdempotenceTimestampHeader = "X-GCS-Idempotence-Request-Timestamp"
)

// DefaultMaxHeaderBytes bounds the request headers the handler accepts
// (names and values, summed) unless WithMaxHeaderBytes says otherwise.
// Larger headers get a JSON 400; set http.Server.MaxHeaderBytes above it
// (NewServer does), or net/http answers first, in plain text.
const DefaultMaxHeaderBytes = 8 << 10

// An Option configures New.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	sderrors.ConfigProblems
	origins        []string // nil: any origin
	maxBodyBytes   int64
	maxHeaderBytes int
	verifierOpts   []auth.VerifierOption
	createLimiter  CreateLimiter
}

// CreateLimiter is session.CreateLimiter, the one limiter interface of
// both transports: one limiter can serve connecthttp and connectgrpc, so a
// merchant has one budget over both. This package asks it once per
// authenticated create that runs: for a create without an idempotence key,
// before its body is read; for an idempotent create, when its attempt runs
// (after the engine's claim), so that a replay of a finished attempt, or a
// 409 while it runs, is never charged.
type CreateLimiter = session.CreateLimiter

// WithCreateLimiter refuses the creates l does not allow with a 429
// TOO_MANY_REQUESTS ErrorResponse and a Retry-After header (whole
// seconds, at least 1). The call is authenticated first, so that a caller
// without the merchant's key cannot use up its budget. A create that runs
// is charged whatever it answers, a 400 included (its body was read and
// checked); a replayed idempotent answer, a 400 replayed too, is not; a
// refused idempotent attempt is not kept, so its retry runs. Off by
// default.
func WithCreateLimiter(l CreateLimiter) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.Fail("createLimiter", "the create limiter must not be nil")
			return
		}
		c.createLimiter = l
	})
}

// WithAllowedOrigins limits the browser origins (scheme://host[:port])
// allowed to read Client API answers. By default any origin may, without
// credentials, as on the Connect platform: the Client API authenticates by
// its Authorization header, never by cookies.
func WithAllowedOrigins(origins ...string) Option {
	return optionFunc(func(c *config) {
		for i, o := range origins {
			if !session.ValidOrigin(o) {
				c.Fail("origins["+strconv.Itoa(i)+"]",
					"an allowed origin is scheme://host[:port] with scheme http or https, without path or trailing slash")
			}
		}
		c.origins = append([]string{}, origins...)
	})
}

// WithMaxBodyBytes bounds the body of every route (default
// wire.DefaultMaxRequestBytes, 64 KiB; at least 1024): a larger body is a
// 400 BODY_TOO_LARGE, refused while it is read, before anything decodes
// it. It is the one limit of a body's size: the engine's decoders take
// the bytes this handler read.
func WithMaxBodyBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n < 1024 {
			c.Fail("maxBodyBytes", "the body limit must be at least 1024 bytes")
			return
		}
		c.maxBodyBytes = n
	})
}

// WithMaxHeaderBytes bounds the request headers (default
// DefaultMaxHeaderBytes); larger headers are a 400.
func WithMaxHeaderBytes(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1024 {
			c.Fail("maxHeaderBytes", "the header limit must be at least 1024 bytes")
			return
		}
		c.maxHeaderBytes = n
	})
}

// WithVerifierOptions configures the v1HMAC verification of the Server API:
// auth.WithClockSkew, auth.WithReplayGuard, and auth.WithClock (by default
// the verifier dates requests with the engine's clock, session.Engine.Now,
// so that a gateway gives its clock once, to the engine).
func WithVerifierOptions(opts ...auth.VerifierOption) Option {
	return optionFunc(func(c *config) {
		c.verifierOpts = append(c.verifierOpts, opts...)
	})
}

// Handler serves the Connect Server API and Client API of one engine. Build
// it with New. It is safe for concurrent use.
type Handler struct {
	engine   *session.Engine
	verifier *auth.Verifier
	cfg      config
	mux      *http.ServeMux
}

// New returns the handler of engine, authenticating Server API calls with
// the gateway's API keys. It checks every option (a nil one included) and
// reports all problems at once as sderrors.ErrInvalidConfiguration.
func New(engine *session.Engine, keys auth.APIKeys, opts ...Option) (*Handler, error) {
	cfg := config{ConfigProblems: sderrors.ConfigProblems{Prefix: "connecthttp: "}, maxBodyBytes: wire.DefaultMaxRequestBytes, maxHeaderBytes: DefaultMaxHeaderBytes}
	if engine == nil {
		cfg.Fail("engine", "the engine must not be nil")
	}
	sderrors.ApplyOptions(&cfg.ConfigProblems, opts, func(o Option) { o.apply(&cfg) })
	verifierOpts := cfg.verifierOpts
	if engine != nil { // the engine's clock, unless an auth.WithClock of the options replaces it
		verifierOpts = append([]auth.VerifierOption{auth.WithClock(engine.Now)}, verifierOpts...)
	}
	v, err := auth.NewVerifier(keys, verifierOpts...)
	if err != nil {
		cfg.Add(err)
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	h := &Handler{engine: engine, verifier: v, cfg: cfg}
	h.mux = h.routes()
	return h, nil
}

// route is one served method and path pattern.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

// clientPrefix starts every Client API path.
const clientPrefix = "/client/"

// Route is a route a Handler serves: a method and a path pattern in the
// syntax of net/http.ServeMux, e.g. POST /v1/{merchantId}/sessions.
type Route struct{ Method, Pattern string }

// Routes returns every route a Handler serves, in the order of the
// package documentation (the Client API calls it answers with 404
// UNKNOWN_RESOURCE included). Client API patterns also answer OPTIONS
// (preflight); a known pattern with another method answers 405, any
// other path 404. A gateway uses the list to build closed label sets for
// its metrics: a request's http.Request.Pattern after the handler served
// it is "{Method} {Pattern}", "OPTIONS {Pattern}", "{Pattern}" (405), "/"
// (404) or empty (refused before routing: a path not in canonical form,
// headers over the limit).
func Routes() []Route {
	var h Handler // its methods are not called: the table's patterns only
	table := h.table()
	out := make([]Route, len(table))
	for i, rt := range table {
		out[i] = Route{Method: rt.method, Pattern: rt.pattern}
	}
	return out
}

// table is every route of the handler.
func (h *Handler) table() []route {
	const client = "/client/v1/{customerId}/"
	table := []route{
		{http.MethodPost, "/v1/{merchantId}/sessions", h.createSession},
		{http.MethodDelete, "/v1/{merchantId}/sessions/{clientSessionId}", h.revokeSession},
		{http.MethodPost, "/v1/{merchantId}/sessions/{clientSessionId}/decrypt", h.decrypt},
		{http.MethodGet, "/v1/{merchantId}/sessions/{clientSessionId}/explain", h.explain},
		{http.MethodGet, client + "products", h.products},
		{http.MethodGet, client + "products/{paymentProductId}", h.product},
		{http.MethodGet, client + "productgroups", h.productGroups},
		{http.MethodGet, client + "productgroups/{paymentProductGroupId}", h.productGroup},
		{http.MethodGet, client + "crypto/publickey", h.publicKey},
		{http.MethodPost, client + "services/getIINdetails", h.iinDetails},
	}
	// Client API calls the official client SDK can make that the engine
	// has no data for: real routes (so that browsers get a preflight and
	// can read the answer) answering a JSON 404 after authentication.
	for _, u := range NotServed() {
		table = append(table, route{u.Method, "/client" + u.Path, h.notServed(u.Name)})
	}
	return table
}

func (h *Handler) routes() *http.ServeMux {
	table := h.table()
	mux := http.NewServeMux()
	methods := map[string][]string{}
	var order []string
	for _, rt := range table {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.handler)
		if _, ok := methods[rt.pattern]; !ok {
			order = append(order, rt.pattern)
		}
		methods[rt.pattern] = append(methods[rt.pattern], rt.method)
	}
	for _, p := range order {
		allowed := methods[p]
		if strings.HasPrefix(p, clientPrefix) {
			// Browsers preflight the Client API: OPTIONS is served on its
			// real routes only, for the methods they serve.
			allowed = append(slices.Clone(allowed), http.MethodOptions)
			mux.Handle(http.MethodOptions+" "+p, h.preflight(methods[p]))
		}
		mux.Handle(p, methodNotAllowed(allowed))
	}
	mux.HandleFunc("/", notFound)
	return mux
}

// ServeHTTP serves the Server API under /v1/ and the Client API under
// /client/; any other path is a JSON 404. Every answer is JSON (or 204
// without a body), carries Cache-Control: no-store and
// X-Content-Type-Options: nosniff, and every error an errorId.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value, compared as net/http does
				panic(v)
			}
			// Never the panic value on the wire.
			writeError(w, sderrors.ErrInternal)
		}
	}()
	// The header values of every answer, in one array: set as slices of
	// it, never shared between answers.
	v := new([4]string)
	v[0], v[1] = "no-store", "nosniff"
	hd := w.Header()
	hd["Cache-Control"] = v[0:1:1]
	hd["X-Content-Type-Options"] = v[1:2:2]
	if strings.HasPrefix(r.URL.Path, clientPrefix) {
		h.corsHeaders(hd, r, (*[2]string)(v[2:4]))
	}
	// A path not in canonical form ("//", "/./", "/../", a trailing "/") is
	// a JSON 404 here, where ServeMux would answer an HTML redirect.
	if p := r.URL.Path; p != "/" && p != path.Clean(p) {
		notFound(w, r)
		return
	}
	if headerBytes(r) > h.cfg.maxHeaderBytes {
		writeError(w, sderrors.ErrInvalidValue.WithMessage("the request line and headers are larger than "+size(h.cfg.maxHeaderBytes)))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// headerBytes is the size of r's header names and values.
func headerBytes(r *http.Request) int {
	n := len(r.Host) + len(r.RequestURI)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // ": " and CRLF
		}
	}
	return n
}

// size formats a byte limit for a message: "64 KiB" or "1500 bytes".
func size(n int) string {
	if n%1024 == 0 {
		return strconv.Itoa(n/1024) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
