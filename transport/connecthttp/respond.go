package connecthttp

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
)

// Buffers: request bodies are read into, and answers encoded into, byte
// slices taken from a pool and given back when the call is answered, so
// that a steady load allocates no buffer per call. A buffer that grew past
// maxPooledBytes (a large body or answer) is left to the garbage collector
// instead, so that one large call does not keep its memory in the pool.
const (
	initialBufferBytes = 8 << 10 // a products answer of a few products, a create body
	maxPooledBytes     = wire.DefaultMaxRequestBytes
)

// buffer is a pooled byte slice.
type buffer struct{ b []byte }

var buffers = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, initialBufferBytes)} }} //nolint:gochecknoglobals // the package's buffer pool

// getBuffer returns an empty buffer from the pool.
func getBuffer() *buffer {
	bf, ok := buffers.Get().(*buffer)
	if !ok {
		return &buffer{b: make([]byte, 0, initialBufferBytes)}
	}
	return bf
}

// release gives bf back to the pool, unless it grew too large; bf and
// every slice of its bytes must not be used afterwards.
func (bf *buffer) release() {
	if cap(bf.b) > maxPooledBytes {
		return
	}
	bf.b = bf.b[:0]
	buffers.Put(bf)
}

// writeBody writes a JSON answer: status, Content-Type, Content-Length
// (never chunked), Retry-After on a 503, and body. The header values are
// set as slices of one fresh array, never shared between answers.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	v := new([2]string)
	v[0], v[1] = "application/json", strconv.Itoa(len(body))
	h := w.Header()
	h["Content-Type"] = v[0:1:1]
	h["Content-Length"] = v[1:2:2]
	retryAfter(h, status)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeEncoded answers 200 with the JSON encode appends to a pooled
// buffer.
func writeEncoded(w http.ResponseWriter, encode func([]byte) []byte) {
	bf := getBuffer()
	defer bf.release()
	bf.b = encode(bf.b)
	writeBody(w, http.StatusOK, bf.b)
}

// writeJSON answers status with v as JSON, by reflection: for the
// extensions of our own (decrypt, explain), which are not on the hot path.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// The wire package's types always marshal; this is a bug.
		writeError(w, sderrors.ErrInternal.WithCause(err))
		return
	}
	writeBody(w, status, body)
}

// writeAnswer writes a JSON answer.
func writeAnswer(w http.ResponseWriter, a session.Answer) {
	writeBody(w, a.Status, a.Body)
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
// package answers for every error, with Content-Type application/json,
// Content-Length and Cache-Control: no-store. A gateway uses it for the
// routes it adds next to the handler, so that all its answers look alike.
func WriteError(w http.ResponseWriter, err error) { writeError(w, err) }

func writeError(w http.ResponseWriter, err error) {
	recordError(w, err)
	resp := sderrors.ToResponse(err)
	bf := getBuffer()
	defer bf.release()
	bf.b = wire.AppendErrorResponse(bf.b, resp)
	if h := w.Header(); len(h["Cache-Control"]) != 1 || h["Cache-Control"][0] != "no-store" {
		h["Cache-Control"] = []string{"no-store"}
	}
	writeBody(w, resp.HTTPStatus(), bf.b)
}

// ErrorRecorder is implemented by a ResponseWriter that wants to know the
// error behind an error answer, e.g. a gateway's access log middleware,
// which wraps the ResponseWriter to learn the status and can learn the
// cause the same way: which check of a refused signature failed
// (auth.RefusalReason), the internal cause of a 503. The handler calls
// RecordError with the error, before it writes the answer, on every error
// answer it writes (WriteError included); w is searched through Unwrap
// methods, as http.ResponseController does. The error is internal detail:
// log what it says on the server side, never send it to the caller (the
// answer on the wire is the same whether or not w records it).
type ErrorRecorder interface {
	RecordError(err error)
}

// recordError gives err to the first ErrorRecorder in w's Unwrap chain.
func recordError(w http.ResponseWriter, err error) {
	for range 16 { // a bound on the chain, against a cycle of wrappers
		switch v := w.(type) {
		case ErrorRecorder:
			v.RecordError(err)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return
		}
	}
}

// errBodyTooLarge: a body longer than its announced Content-Length went
// past the limit (a request not made by net/http's server, which never
// reads past Content-Length).
var errBodyTooLarge = errors.New("connecthttp: body over the limit")

// readBody reads r's body, up to the handler's limit, into a pooled
// buffer; the caller releases it once done with the body (nothing the
// engine returns refers to those bytes). A larger body is ErrBodyTooLarge;
// a body that stops arriving before the server's read deadline is
// ErrRequestTimeout (408); a body cut short, or unreadable otherwise, is
// ErrInvalidJSON. Each answer is written while the connection is still
// open when the server's write timeout is longer than its read timeout
// (see NewServer).
//
// A body announced with a Content-Length within the limit is read as it
// is (net/http's server reads no byte past Content-Length); any other goes
// through http.MaxBytesReader, which also closes the connection after the
// answer when the limit is hit.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (*buffer, error) {
	limit := h.cfg.maxBodyBytes
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	var src io.Reader = body
	if r.ContentLength < 0 || r.ContentLength > limit {
		src = http.MaxBytesReader(w, body, limit)
	}
	bf := getBuffer()
	var err error
	bf.b, err = readAll(bf.b, src, limit)
	if err == nil {
		return bf, nil
	}
	bf.release()
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge) || errors.Is(err, errBodyTooLarge):
		return nil, sderrors.ErrBodyTooLarge.WithMessage("the body is larger than " + size(int(limit)))
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

// readAll appends what r gives until io.EOF to b; more than limit bytes is
// errBodyTooLarge.
func readAll(b []byte, r io.Reader, limit int64) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return b, errBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
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
