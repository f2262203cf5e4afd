package connecthttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// ---- Server API ----

// idempotenceKeyField is the idempotence key header's name as net/http
// keys it (http.CanonicalHeaderKey): looked up directly, it costs no
// allocation per create.
const idempotenceKeyField = "X-Gcs-Idempotence-Key"

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

// ContentTypeHeader is the header a POST body's media type is read from,
// and the propertyName of the 415 that refuses it.
const ContentTypeHeader = "Content-Type"

// errNotJSON is the answer to a POST body that is not application/json.
var errNotJSON = sderrors.ErrUnsupportedMediaType.WithProperty(ContentTypeHeader).
	WithMessage("the request body must be sent with Content-Type: application/json")

// IsJSONContentType reports whether a Content-Type header value is
// application/json: the media type compared without case, any parameters
// (charset=utf-8, ...) allowed, white space around them ignored. The
// Connect SDKs send exactly "application/json" (the Node server SDK) or
// that with a charset.
func IsJSONContentType(v string) bool {
	mediaType, _, _ := strings.Cut(v, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/json")
}

// jsonBody answers a POST whose Content-Type is not application/json with
// a 415 UNSUPPORTED_MEDIA_TYPE at Content-Type, and reports whether the
// call may go on. It runs after authentication (an unauthenticated caller
// learns nothing more than its 401) and before the body is read, the
// create limiter asked or an idempotence key claimed: a refused body is
// charged nothing and kept nowhere.
func jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if IsJSONContentType(r.Header.Get(ContentTypeHeader)) {
		return true
	}
	writeError(w, errNotJSON)
	return false
}

// createSession is POST /v1/{merchantId}/sessions.
func (h *Handler) createSession(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok || !jsonBody(w, r) {
		return
	}
	keys := r.Header[idempotenceKeyField]
	if len(keys) == 0 || !h.engine.SupportsIdempotence() {
		// Charged before the body is read: a refusal costs nothing.
		if !h.allowCreate(w, merchantID) {
			writeError(w, errTooManyCreates)
			return
		}
		bf, err := h.readBody(w, r)
		if err != nil {
			writeError(w, err)
			return
		}
		defer bf.release()
		out := getBuffer()
		defer out.release()
		var status int
		status, out.b, _ = h.create(r.Context(), merchantID, bf.b, out.b)
		writeBody(w, status, out.b)
		return
	}
	bf, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	defer bf.release()
	body := bf.b
	key := keys[0]
	if len(keys) > 1 {
		key = "" // two keys: refused as malformed
	}
	res, err := h.engine.Idempotent(r.Context(), merchantID, key, body, func(ctx context.Context) session.Answer {
		// Charged only when the attempt runs: a replay or a 409 is not.
		// The 429 is not kept (resource exhausted), so a retry runs.
		if !h.allowCreate(w, merchantID) {
			return wire.CreateAnswer(session.CreateResponse{}, errTooManyCreates)
		}
		// The answer may be kept for replays: in bytes of its own.
		status, out, err := h.create(ctx, merchantID, body, nil)
		return session.Answer{Status: status, Body: out, Err: err}
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

// allowCreate asks the create limiter, if any, for one create of
// merchantID. When it refuses, allowCreate sets Retry-After (whole seconds,
// at least 1) and reports false: the caller answers errTooManyCreates.
func (h *Handler) allowCreate(w http.ResponseWriter, merchantID string) bool {
	if h.cfg.createLimiter == nil {
		return true
	}
	ok, wait := h.cfg.createLimiter.AllowCreate(merchantID)
	if !ok {
		w.Header().Set("Retry-After", strconv.FormatInt(max(1, int64((wait+time.Second-1)/time.Second)), 10))
	}
	return ok
}

var errTooManyCreates = sderrors.ErrTooManyRequests.WithMessage("too many session creates for this merchant; retry after the time in Retry-After")

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

// create runs one create and appends its answer, as it goes on the wire,
// to b (wire.AppendCreateAnswer, the form every transport keeps, so that a
// key used over gRPC too replays the same answer): the status, the body and
// the error it answers (nil for a success), the outcome the engine's
// idempotence keys on.
func (h *Handler) create(ctx context.Context, merchantID string, body, b []byte) (int, []byte, error) {
	req, err := h.engine.DecodeCreateRequest(body)
	var resp session.CreateResponse
	if err == nil {
		resp, err = h.engine.Create(ctx, merchantID, req)
	}
	status, b := wire.AppendCreateAnswer(b, resp, err)
	return status, b, err
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
// once, and answers it masked. At most once: a retry of a blob whose nonce
// was recorded, even if its first answer was lost, is a 409 (1409); the
// client encrypts again with a fresh nonce.
func (h *Handler) decrypt(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := h.serverAuth(w, r)
	if !ok || !jsonBody(w, r) {
		return
	}
	bf, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	defer bf.release()
	req, err := wire.DecodeDecryptRequest(bf.b)
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

// available authenticates the call, reads its query and returns the
// products the session may show in its payment context, and whether the
// answer has their fields (no hide=fields).
func (h *Handler) available(w http.ResponseWriter, r *http.Request) (products []session.AvailableProduct, withFields, ok bool) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return nil, false, false
	}
	pc, hide, err := wire.ParseClientQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, err)
		return nil, false, false
	}
	products, err = h.engine.Products(r.Context(), s, pc)
	if err != nil {
		writeError(w, err)
		return nil, false, false
	}
	return products, !hide, true
}

// products is GET /client/v1/{customerId}/products.
func (h *Handler) products(w http.ResponseWriter, r *http.Request) {
	products, withFields, ok := h.available(w, r)
	if !ok {
		return
	}
	writeEncoded(w, func(b []byte) []byte { return wire.AppendPaymentProducts(b, products, withFields) })
}

// product is GET /client/v1/{customerId}/products/{paymentProductId}.
func (h *Handler) product(w http.ResponseWriter, r *http.Request) {
	s, ok := h.clientAuth(w, r)
	if !ok {
		return
	}
	pc, hide, err := wire.ParseClientQuery(r.URL.RawQuery)
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
	writeEncoded(w, func(b []byte) []byte { return wire.AppendPaymentProduct(b, p, !hide) })
}

// productGroups is GET /client/v1/{customerId}/productgroups.
func (h *Handler) productGroups(w http.ResponseWriter, r *http.Request) {
	products, withFields, ok := h.available(w, r)
	if !ok {
		return
	}
	writeEncoded(w, func(b []byte) []byte { return wire.AppendPaymentProductGroups(b, products, withFields) })
}

// productGroup is GET /client/v1/{customerId}/productgroups/{paymentProductGroupId}.
func (h *Handler) productGroup(w http.ResponseWriter, r *http.Request) {
	products, withFields, ok := h.available(w, r)
	if !ok {
		return
	}
	bf := getBuffer()
	defer bf.release()
	var err error
	bf.b, err = wire.AppendPaymentProductGroup(bf.b, products, r.PathValue("paymentProductGroupId"), withFields)
	if err != nil {
		writeError(w, err)
		return
	}
	writeBody(w, http.StatusOK, bf.b)
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
	writeEncoded(w, wire.NewPublicKey(pub).AppendJSON)
}

// iinDetails is POST /client/v1/{customerId}/services/getIINdetails: the
// card product of a card number's first digits, and whether the session
// may use it in the body's payment context. Unknown digits are a 404
// IIN_NOT_FOUND, which the client SDK reports as its UNKNOWN status.
func (h *Handler) iinDetails(w http.ResponseWriter, r *http.Request) {
	s, ok := h.clientAuth(w, r)
	if !ok || !jsonBody(w, r) {
		return
	}
	bf, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	defer bf.release()
	req, err := wire.DecodeIINDetailsRequest(bf.b)
	if err != nil {
		writeError(w, err)
		return
	}
	d, err := h.engine.IINDetails(r.Context(), s, req.BIN, req.PaymentContext)
	if err != nil {
		writeError(w, err)
		return
	}
	bf.b = wire.NewIINDetailsResponse(d).AppendJSON(bf.b[:0])
	writeBody(w, http.StatusOK, bf.b)
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
