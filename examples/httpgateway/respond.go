package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
)

// maxBodyBytes bounds every request body: 100 tokens of 128 characters and
// the filters, or one encrypted customer input, fit many times over.
const maxBodyBytes = 64 << 10

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Our own response types always marshal; this is a bug.
		writeError(w, sderrors.ErrInternal.WithCause(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers err as an ErrorResponse. The status is the one the
// errors package assigns to the error's kind (Kind.HTTPStatus): there is no
// other kind-to-status table.
func writeError(w http.ResponseWriter, err error) {
	resp := sderrors.ToResponse(err)
	body, _ := json.Marshal(resp) // strings and ints only: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(resp.HTTPStatus())
	_, _ = w.Write(body)
}

// readBody reads r's body up to maxBodyBytes. A larger body is
// ErrBodyTooLarge; a body that cannot be read is ErrInvalidJSON.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, sderrors.ErrBodyTooLarge.WithMessage("the body is larger than 64 KiB")
		}
		return nil, sderrors.ErrInvalidJSON.WithMessage("the body could not be read").WithCause(err)
	}
	return body, nil
}

// Transport errors of this gateway. Their codes are in the range 7008xx,
// which the errors package leaves to transports (see the report to the
// lead: to be listed in errors/doc.go).
var (
	// errNoRoute: the path is not served (404).
	errNoRoute = sderrors.Define("700800", sderrors.KindNotFound, "UNKNOWN_RESOURCE",
		"no such resource")
	// errMethodNotAllowed: the path is served, not with this method (405;
	// the kind is only a placeholder, the status is set by methodNotAllowed).
	errMethodNotAllowed = sderrors.Define("700801", sderrors.KindInvalidArgument, "METHOD_NOT_ALLOWED",
		"method not allowed")
)

// notFound answers any path the gateway does not serve.
func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, errNoRoute)
}

// methodNotAllowed answers a known path with a method it does not serve.
// 405 is a transport matter that no error kind has, so this one answer
// sets its status itself, with the usual ErrorResponse body.
func methodNotAllowed(methods []string) http.HandlerFunc {
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, _ *http.Request) {
		resp := sderrors.ToResponse(errMethodNotAllowed.WithMessage("method not allowed; allowed: " + allow))
		for i := range resp.Errors {
			resp.Errors[i].HTTPStatusCode = http.StatusMethodNotAllowed
		}
		w.Header().Set("Allow", allow)
		writeJSON(w, http.StatusMethodNotAllowed, resp)
	}
}
