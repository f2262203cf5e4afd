package connecthttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// ---- Server API ----

// serverAuth verifies the v1HMAC signature of a Server API call for the
// path's merchant.
func (h *Handler) serverAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	merchantID := r.PathValue("merchantId")
	_, err := h.verifier.Verify(r.Context(), merchantID, r.Header.Get("Authorization"), auth.Request{
		Method:      r.Method,
		ContentType: r.Header.Get("Content-Type"),
		Date:        r.Header.Get("Date"),
		Header:      r.Header,
		Target:      r.RequestURI,
	})
	if err != nil {
		writeError(w, err)
		return "", false
	}
	return merchantID, true
}

// createSession is POST /v1/{merchantId}/sessions.
func (h *Handler) createSession(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok {
		return
	}
	if h.cfg.createLimiter != nil {
		if ok, wait := h.cfg.createLimiter.AllowCreate(merchantID); !ok {
			w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((wait+time.Second-1)/time.Second)), 10))
			writeError(w, sderrors.ErrTooManyRequests.WithMessage("too many session creates for this merchant; retry after the time in Retry-After"))
			return
		}
	}
	body, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	keys := r.Header.Values(IdempotenceKeyHeader)
	if len(keys) == 0 || !h.engine.SupportsIdempotence() {
		a := h.create(r.Context(), merchantID, body)
		writeAnswer(w, a)
		return
	}
	key := keys[0]
	if len(keys) > 1 {
		key = "" // two keys: refused as malformed
	}
	res, err := h.engine.Idempotent(r.Context(), merchantID, key, body, func(ctx context.Context) session.Answer {
		return h.create(ctx, merchantID, body)
	})
	if !res.FirstAttemptAt.IsZero() {
		w.Header().Set(IdempotenceTimestampHeader, strconv.FormatInt(res.FirstAttemptAt.UnixMilli(), 10))
	}
	if err != nil {
		writeError(w, atKeyHeader(err))
		return
	}
	writeAnswer(w, res.Answer)
}

// atKeyHeader names the idempotence header as the property of the
// engine's errors about the key: Idempotent returns them without one (the
// engine knows no header), as the only InvalidArgument and Conflict errors
// without a property.
func atKeyHeader(err error) error {
	e := sderrors.Find(err)
	if e == nil || e.Property() != "" {
		return err
	}
	switch e.Kind() {
	case sderrors.KindInvalidArgument, sderrors.KindConflict:
		return e.WithProperty(IdempotenceKeyHeader)
	default:
		return err
	}
}

// create runs one create and returns its answer as it goes on the wire,
// with its outcome for the idempotence of the engine: wire.CreateAnswer,
// the form every transport keeps, so that a key used over gRPC too
// replays the same answer.
func (h *Handler) create(ctx context.Context, merchantID string, body []byte) session.Answer {
	req, err := h.engine.DecodeCreateRequest(body)
	if err != nil {
		return wire.CreateAnswer(session.CreateResponse{}, err)
	}
	return wire.CreateAnswer(h.engine.Create(ctx, merchantID, req))
}

// revokeSession is DELETE /v1/{merchantId}/sessions/{clientSessionId}.
func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok {
		return
	}
	if err := h.engine.Revoke(r.Context(), merchantID, r.PathValue("clientSessionId")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decrypt is POST /v1/{merchantId}/sessions/{clientSessionId}/decrypt, our
// own extension: it opens an encryptedCustomerInput made in that session,
// once, and answers it masked.
func (h *Handler) decrypt(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok {
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := wire.DecodeDecryptRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	in, err := h.engine.OpenCustomerInput(r.Context(), merchantID, r.PathValue("clientSessionId"), req.EncryptedCustomerInput)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.NewDecryptResponse(in))
}

// explain is GET /v1/{merchantId}/sessions/{clientSessionId}/explain, our
// own extension: why each product and token is shown or not in the query's
// payment context.
func (h *Handler) explain(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok {
		return
	}
	pc, err := wire.ParsePaymentContext(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	s, err := h.engine.Lookup(r.Context(), merchantID, r.PathValue("clientSessionId"))
	if err != nil {
		writeError(w, err)
		return
	}
	e, err := h.engine.Explain(r.Context(), s, pc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.NewExplainResponse(pc, e))
}

// ---- Client API ----

// clientAuth authenticates a Client API call: the session named in the
// Authorization header must be the path's customer's.
func (h *Handler) clientAuth(w http.ResponseWriter, r *http.Request) (session.Session, bool) {
	id, err := auth.ParseClientAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		writeError(w, err)
		return session.Session{}, false
	}
	s, err := h.engine.Authenticate(r.Context(), r.PathValue("customerId"), id)
	if err != nil {
		writeError(w, err)
		return session.Session{}, false
	}
	return s, true
}

// available authenticates the call, reads its payment context and returns
// the products the session may show in it.
func (h *Handler) available(w http.ResponseWriter, r *http.Request) ([]session.AvailableProduct, bool) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return nil, false
	}
	pc, err := wire.ParsePaymentContext(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	products, err := h.engine.Products(r.Context(), s, pc)
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	return products, true
}

// products is GET /client/v1/{customerId}/products.
func (h *Handler) products(w http.ResponseWriter, r *http.Request) {
	products, ok := h.available(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, wire.NewPaymentProducts(products, !wire.HideFields(r.URL.Query())))
}

// product is GET /client/v1/{customerId}/products/{paymentProductId}.
func (h *Handler) product(w http.ResponseWriter, r *http.Request) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	pc, err := wire.ParsePaymentContext(q)
	if err != nil {
		writeError(w, err)
		return
	}
	raw := r.PathValue("paymentProductId")
	id, err := wire.ParseProductID(raw)
	if err != nil {
		writeError(w, err)
		return
	}
	p, err := h.engine.Product(r.Context(), s, pc, id)
	if errors.Is(err, sderrors.ErrUnknownProduct) {
		err = wire.UnknownProduct(raw)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.NewPaymentProduct(p, !wire.HideFields(q)))
}

// productGroups is GET /client/v1/{customerId}/productgroups.
func (h *Handler) productGroups(w http.ResponseWriter, r *http.Request) {
	products, ok := h.available(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, wire.NewPaymentProductGroups(products, !wire.HideFields(r.URL.Query())))
}

// productGroup is GET /client/v1/{customerId}/productgroups/{paymentProductGroupId}.
func (h *Handler) productGroup(w http.ResponseWriter, r *http.Request) {
	products, ok := h.available(w, r)
	if !ok {
		return
	}
	g, err := wire.NewPaymentProductGroup(products, r.PathValue("paymentProductGroupId"), !wire.HideFields(r.URL.Query()))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// publicKey is GET /client/v1/{customerId}/crypto/publickey.
func (h *Handler) publicKey(w http.ResponseWriter, r *http.Request) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return
	}
	pub, err := h.engine.PublicKey(s)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.NewPublicKey(pub))
}

// iinDetails is POST /client/v1/{customerId}/services/getIINdetails: the
// card product of a card number's first digits, and whether the session
// may use it in the body's payment context. Unknown digits are a 404
// IIN_NOT_FOUND, which the client SDK reports as its UNKNOWN status.
func (h *Handler) iinDetails(w http.ResponseWriter, r *http.Request) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := wire.DecodeIINDetailsRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := h.engine.IINDetails(r.Context(), s, req.BIN, req.PaymentContext)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.NewIINDetailsResponse(d))
}

// UnservedCall is a Client API call of the official client SDK that the
// handler answers with a JSON error rather than data.
type UnservedCall struct {
	Method string
	Path   string // under /client, e.g. "/v1/{customerId}/services/privacypolicy"
	Name   string // the service, as the error message names it
}

// NotServed returns the Client API calls connect-sdk-client-js 6.0.6 can make
// that the engine has no data for (issuer directories, wallet networks and
// sessions, currency conversion, third-party payment status, privacy
// policies). Each is a real route: the browser's preflight succeeds, and
// after the session is authenticated the call is answered with a 404
// UNKNOWN_RESOURCE (700800) naming the service, with the CORS headers, so
// that the SDK rejects with its ResponseError (status 404) rather than a
// network error.
func NotServed() []UnservedCall {
	return []UnservedCall{
		{http.MethodGet, "/v1/{customerId}/products/{paymentProductId}/directory", "payment product directories"},
		{http.MethodGet, "/v1/{customerId}/products/{paymentProductId}/networks", "payment product networks"},
		{http.MethodPost, "/v1/{customerId}/products/{paymentProductId}/sessions", "payment product sessions"},
		{http.MethodGet, "/v1/{customerId}/services/convert/amount", "amount conversion"},
		{http.MethodGet, "/v1/{customerId}/payments/{paymentId}/thirdpartystatus", "third party payment status"},
		{http.MethodGet, "/v1/{customerId}/services/privacypolicy", "privacy policies"},
	}
}

// notServed answers a call of NotServed: 401 for a bad session as on every
// Client API route, else a 404 naming the service.
func (h *Handler) notServed(name string) http.HandlerFunc {
	err := sderrors.ErrUnknownResource.WithMessage("this gateway does not serve " + name)
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := h.clientAuth(w, r); !ok {
			return
		}
		writeError(w, err)
	}
}
