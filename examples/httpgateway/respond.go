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

// notFound answers any path the gateway does not serve.
func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, sderrors.ErrUnknownResource)
}

// methodNotAllowed answers a known path with a method it does not serve:
// 405 (sderrors.KindUnimplemented) with the Allow header.
func methodNotAllowed(methods []string) http.HandlerFunc {
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, sderrors.ErrMethodNotAllowed.WithMessage("method not allowed; allowed: "+allow))
	}
}
