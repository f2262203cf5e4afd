package connecthttp

import (
	"net/http"
	"slices"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
)

// CORS values of the Client API: every call of the client SDK (GETs and
// the POST of getIINdetails) carries Authorization, Content-Type
// application/json and X-GCS-ClientMetaInfo, so browsers preflight them.
const (
	// CORSAllowHeaders is the Access-Control-Allow-Headers of a preflight.
	CORSAllowHeaders = "Authorization, Content-Type, X-GCS-ClientMetaInfo"
	corsMaxAge       = "600"
)

// allowedOrigin returns the Access-Control-Allow-Origin value for origin,
// or "" when that origin may not read answers. Without an allowed-origins
// list any origin may; credentials are never allowed.
func (h *Handler) allowedOrigin(origin string) string {
	switch {
	case h.cfg.origins == nil && origin == "":
		return "*"
	case h.cfg.origins == nil:
		return origin
	case slices.Contains(h.cfg.origins, origin):
		return origin
	}
	return ""
}

// corsHeaders lets browsers read Client API answers, errors included. The
// Server API is for merchants' servers and gets no CORS. The values are
// set as slices of v, the caller's array for this answer.
func (h *Handler) corsHeaders(hd http.Header, r *http.Request, v *[2]string) {
	origin := r.Header.Get("Origin")
	if origin != "" || h.cfg.origins != nil {
		if _, ok := hd["Vary"]; ok {
			hd.Add("Vary", "Origin")
		} else {
			v[0] = "Origin"
			hd["Vary"] = v[0:1:1]
		}
	}
	if allow := h.allowedOrigin(origin); allow != "" {
		v[1] = allow
		hd["Access-Control-Allow-Origin"] = v[1:2:2]
	}
}

// preflight answers OPTIONS on a Client API route that serves methods: 204
// with the allowed methods and headers, or a JSON 405 when the browser asks
// for a method the route does not serve. An origin that is not allowed
// gets the 204 without any Access-Control-Allow-* header, which browsers
// treat as a refusal.
func (h *Handler) preflight(methods []string) http.HandlerFunc {
	allow := strings.Join(append(slices.Clone(methods), http.MethodOptions), ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		if m := r.Header.Get("Access-Control-Request-Method"); m != "" && !slices.Contains(methods, m) {
			w.Header().Set("Allow", allow)
			writeError(w, sderrors.ErrMethodNotAllowed.WithMessage("method not allowed; allowed: "+allow))
			return
		}
		hd := w.Header()
		if hd.Get("Access-Control-Allow-Origin") != "" {
			hd.Set("Access-Control-Allow-Methods", allow)
			hd.Set("Access-Control-Allow-Headers", CORSAllowHeaders)
			hd.Set("Access-Control-Max-Age", corsMaxAge)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
