package connecthttp

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
)

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// The wire package's types always marshal; this is a bug.
		writeError(w, sderrors.ErrInternal.WithCause(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeAnswer writes a JSON answer.
func writeAnswer(w http.ResponseWriter, a session.Answer) {
	w.Header().Set("Content-Type", "application/json")
	retryAfter(w.Header(), a.Status)
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// RetryAfter is the Retry-After of every 503 the handler answers (a
// retryable failure of a dependency, a store at its memory bound): one
// second, the time after which a store at its bound looks for expired
// sessions again (memstore.WithMaxBytes).
const RetryAfter = "1"

// retryAfter sets Retry-After on a 503.
func retryAfter(h http.Header, status int) {
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", RetryAfter)
	}
}

// WriteError answers err as the wire ErrorResponse, with a fresh errorId
// and the status of the error's kind (sderrors.Kind.HTTPStatus): what this
// package answers for every error. A gateway uses it for the routes it
// adds next to the handler, so that all its answers look alike.
func WriteError(w http.ResponseWriter, err error) { writeError(w, err) }

func writeError(w http.ResponseWriter, err error) {
	resp := sderrors.ToResponse(err)
	body, _ := json.Marshal(resp) // strings and ints only: cannot fail
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	retryAfter(h, resp.HTTPStatus())
	w.WriteHeader(resp.HTTPStatus())
	_, _ = w.Write(body)
}

// readBody reads r's body up to the handler's limit. A larger body is
// ErrBodyTooLarge; a body that stops arriving before the server's read
// deadline is ErrRequestTimeout (408); a body cut short, or unreadable
// otherwise, is ErrInvalidJSON. Each answer is written while the
// connection is still open when the server's write timeout is longer than
// its read timeout (see NewServer).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBodyBytes))
	if err == nil {
		return body, nil
	}
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return nil, sderrors.ErrBodyTooLarge.WithMessage("the body is larger than " + size(int(h.cfg.maxBodyBytes)))
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		// The connection is past its read deadline: say so, then close it.
		w.Header().Set("Connection", "close")
		return nil, sderrors.ErrRequestTimeout.WithMessage("the body did not arrive in time").WithCause(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		w.Header().Set("Connection", "close")
		return nil, sderrors.ErrInvalidJSON.WithMessage("the body ended before its announced length").WithCause(err)
	}
	return nil, sderrors.ErrInvalidJSON.WithMessage("the body could not be read").WithCause(err)
}

// notFound answers any path the handler does not serve.
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
