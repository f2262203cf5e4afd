package main

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
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
	// Keys are the encryption keys (nil: the engine's default).
	Keys *keyFile
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// server holds the handlers' dependencies.
type server struct {
	engine  *session.Engine
	apiKeys map[string]apiKey
	now     func() time.Time
}

// newServer builds the engine from cfg and returns the gateway's handler.
func newServer(cfg config) (http.Handler, error) {
	if cfg.Data == nil {
		return nil, errors.New("httpgateway: no data")
	}
	if !session.ValidOrigin(cfg.PublicURL) {
		return nil, fmt.Errorf("httpgateway: -public-url: %q is not an origin such as https://gateway.example (http or https, host, optional port, no path or trailing slash)", cfg.PublicURL)
	}
	engine, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &server{engine: engine, apiKeys: cfg.Data.apiKeys, now: now}
	return s.routes(), nil
}

// route is one served method and path pattern.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

func (s *server) routes() http.Handler {
	const client = "/client/v1/{customerId}/"
	table := []route{
		{http.MethodPost, "/v1/{merchantId}/sessions", s.createSession},
		{http.MethodDelete, "/v1/{merchantId}/sessions/{clientSessionId}", s.revokeSession},
		{http.MethodPost, "/v1/{merchantId}/sessions/{clientSessionId}/decrypt", s.decrypt},
		{http.MethodGet, client + "products", s.products},
		{http.MethodGet, client + "products/{paymentProductId}", s.product},
		{http.MethodGet, client + "productgroups", s.productGroups},
		{http.MethodGet, client + "productgroups/{paymentProductGroupId}", s.productGroup},
		{http.MethodGet, client + "crypto/publickey", s.publicKey},
	}
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
		if strings.HasPrefix(p, "/client/") {
			allowed = append(slices.Clone(allowed), http.MethodOptions)
		}
		mux.Handle(p, methodNotAllowed(allowed))
	}
	mux.HandleFunc("/", notFound)
	return recoverJSON(headers(cors(mux)))
}

// recoverJSON turns a panic in a handler into a 500 ErrorResponse instead
// of a dropped connection. It never carries the panic value to the wire.
func recoverJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value, compared as net/http does
					panic(v)
				}
				writeError(w, sderrors.ErrInternal)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// headers sets the headers every answer carries: nothing is cached, and
// nothing is sniffed. A path that is not in canonical form ("//", "/./",
// "/../", a trailing "/") is a JSON 404 here, where ServeMux would answer
// an HTML redirect.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if p := r.URL.Path; p != "/" && p != path.Clean(p) {
			notFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CORS values of the Client API (wire-contract §2.4): the client SDK's
// GETs carry Authorization, Content-Type and X-GCS-ClientMetaInfo, so
// browsers preflight them.
const (
	corsAllowHeaders = "Authorization, Content-Type, X-GCS-ClientMetaInfo"
	corsAllowMethods = "GET, OPTIONS"
	corsMaxAge       = "600"
)

// cors answers preflight requests of the Client API and lets browsers read
// its answers. The Server API is for merchants' servers and gets no CORS.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/client/") {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		origin := r.Header.Get("Origin")
		if origin == "" {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ---- Server API ----

// serverAuth authenticates a Server API call for the path's merchant.
func (s *server) serverAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	merchantID := r.PathValue("merchantId")
	if err := authenticateServer(r, s.apiKeys, merchantID, s.now()); err != nil {
		writeError(w, err)
		return "", false
	}
	return merchantID, true
}

// createSession is POST /v1/{merchantId}/sessions.
func (s *server) createSession(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := s.serverAuth(w, r)
	if !ok {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := s.engine.DecodeCreateRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := s.engine.Create(r.Context(), merchantID, req)
	if err != nil {
		writeError(w, err)
		return
	}
	if resp.InvalidTokens == nil {
		resp.InvalidTokens = []string{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// revokeSession is DELETE /v1/{merchantId}/sessions/{clientSessionId}.
func (s *server) revokeSession(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := s.serverAuth(w, r)
	if !ok {
		return
	}
	if err := s.engine.Revoke(r.Context(), merchantID, r.PathValue("clientSessionId")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- Client API ----

const v1ClientPrefix = "GCS v1Client:"

// clientAuth authenticates a Client API call: the session named in the
// Authorization header must be the path's customer's.
func (s *server) clientAuth(w http.ResponseWriter, r *http.Request) (session.Session, bool) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), v1ClientPrefix)
	if !ok || id == "" {
		writeError(w, sderrors.ErrUnauthorized)
		return session.Session{}, false
	}
	sess, err := s.engine.Authenticate(r.Context(), r.PathValue("customerId"), id)
	if err != nil {
		writeError(w, err)
		return session.Session{}, false
	}
	return sess, true
}

// paymentContext reads the payment context of a Client API query:
// countryCode, currencyCode, amount (minor units) and isRecurring; locale
// and cacheBust are accepted and ignored. The result is validated.
func paymentContext(r *http.Request) (filter.Context, error) {
	q := r.URL.Query()
	pc := filter.Context{CountryCode: q.Get("countryCode"), CurrencyCode: q.Get("currencyCode")}
	if a := q.Get("amount"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return filter.Context{}, sderrors.ErrInvalidPaymentContext.WithProperty("amount").
				WithMessage("amount must be an integer number of minor units")
		}
		pc.Amount = n
	}
	switch q.Get("isRecurring") {
	case "", "false":
	case "true":
		pc.IsRecurring = true
	default:
		return filter.Context{}, sderrors.ErrInvalidPaymentContext.WithProperty("isRecurring").
			WithMessage("isRecurring must be true or false")
	}
	if err := pc.Validate(); err != nil {
		return filter.Context{}, err
	}
	return pc, nil
}

// hideFields reports whether the query asks to leave fields out (hide=fields).
func hideFields(r *http.Request) bool {
	return slices.Contains(r.URL.Query()["hide"], "fields")
}

// available authenticates the call, reads its payment context and returns
// the products the session may show in it.
func (s *server) available(w http.ResponseWriter, r *http.Request) ([]session.AvailableProduct, bool) {
	sess, ok := s.clientAuth(w, r)
	if !ok {
		return nil, false
	}
	pc, err := paymentContext(r)
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	products, err := s.engine.Products(r.Context(), sess, pc)
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	return products, true
}

// products is GET /client/v1/{customerId}/products.
func (s *server) products(w http.ResponseWriter, r *http.Request) {
	products, ok := s.available(w, r)
	if !ok {
		return
	}
	withFields := !hideFields(r)
	out := paymentProductsJSON{PaymentProducts: make([]paymentProductJSON, 0, len(products))}
	for _, p := range products {
		out.PaymentProducts = append(out.PaymentProducts, productJSON(p, withFields))
	}
	writeJSON(w, http.StatusOK, out)
}

// unknownProduct is the 404 for a product this session may not show. As in
// the client SDK's own UNKNOWN_PRODUCT_ID error, the message is the id.
func unknownProduct(raw string) error {
	if len(raw) > 10 || !isDigits(raw) {
		return sderrors.ErrUnknownProduct.WithProperty("productId")
	}
	return sderrors.ErrUnknownProduct.WithProperty("productId").WithMessage(raw)
}

// product is GET /client/v1/{customerId}/products/{paymentProductId}.
func (s *server) product(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.clientAuth(w, r)
	if !ok {
		return
	}
	pc, err := paymentContext(r)
	if err != nil {
		writeError(w, err)
		return
	}
	raw := r.PathValue("paymentProductId")
	id, err := strconv.ParseInt(raw, 10, 32)
	if err != nil || id <= 0 {
		writeError(w, unknownProduct(raw))
		return
	}
	p, err := s.engine.Product(r.Context(), sess, pc, int32(id))
	if errors.Is(err, sderrors.ErrUnknownProduct) {
		err = unknownProduct(raw)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, productJSON(p, !hideFields(r)))
}

// groupsOf returns the groups of products with their members, in the
// display order of each group's first member.
func groupsOf(products []session.AvailableProduct) ([]string, map[string][]session.AvailableProduct) {
	var ids []string
	members := map[string][]session.AvailableProduct{}
	for _, p := range products {
		if p.Group == "" {
			continue
		}
		if _, ok := members[p.Group]; !ok {
			ids = append(ids, p.Group)
		}
		members[p.Group] = append(members[p.Group], p)
	}
	return ids, members
}

// productGroups is GET /client/v1/{customerId}/productgroups.
func (s *server) productGroups(w http.ResponseWriter, r *http.Request) {
	products, ok := s.available(w, r)
	if !ok {
		return
	}
	ids, members := groupsOf(products)
	withFields := !hideFields(r)
	out := paymentProductGroupsJSON{PaymentProductGroups: make([]paymentProductGroupJSON, 0, len(ids))}
	for _, id := range ids {
		out.PaymentProductGroups = append(out.PaymentProductGroups, groupJSON(id, members[id], withFields))
	}
	writeJSON(w, http.StatusOK, out)
}

// productGroup is GET /client/v1/{customerId}/productgroups/{paymentProductGroupId}.
func (s *server) productGroup(w http.ResponseWriter, r *http.Request) {
	products, ok := s.available(w, r)
	if !ok {
		return
	}
	id := r.PathValue("paymentProductGroupId")
	_, members := groupsOf(products)
	if len(members[id]) == 0 {
		writeError(w, sderrors.ErrUnknownProduct.WithProperty("paymentProductGroupId").
			WithMessage("unknown payment product group"))
		return
	}
	writeJSON(w, http.StatusOK, groupJSON(id, members[id], !hideFields(r)))
}
