package connecthttp

import (
	"net/http"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// The limits NewServer sets. A body that stops arriving is cut at
// ReadTimeout; WriteTimeout is longer, so that the handler can still write
// its JSON 408 (or 400) before the connection closes. With equal timeouts
// that answer could never be written and the client would see a reset.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 20 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	// DefaultServerMaxHeaderBytes is above DefaultMaxHeaderBytes, so that
	// headers between the two get the handler's JSON 400 rather than
	// net/http's plain-text 431.
	DefaultServerMaxHeaderBytes = 16 << 10
)

// NewServer returns an *http.Server for h with the package's timeouts and
// header limit. Serve it with ListenAndServe or Serve, and stop it with
// Shutdown.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultServerMaxHeaderBytes,
	}
}

// CheckServer reports whether s's limits let the handler answer every
// request in JSON: ReadHeaderTimeout, ReadTimeout and WriteTimeout are all
// set, ReadTimeout is shorter than WriteTimeout (else the 408 of a slow
// body is never written), and MaxHeaderBytes is set. A gateway that builds
// its own http.Server calls it at start.
func CheckServer(s *http.Server) error {
	switch {
	case s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0:
		return sderrors.ErrInvalidConfiguration.WithMessage("connecthttp: set ReadHeaderTimeout, ReadTimeout and WriteTimeout; a slow client holds a connection forever otherwise")
	case s.ReadTimeout >= s.WriteTimeout:
		return sderrors.ErrInvalidConfiguration.WithMessage("connecthttp: ReadTimeout must be shorter than WriteTimeout, or the answer to a slow body can never be written")
	case s.MaxHeaderBytes <= 0:
		return sderrors.ErrInvalidConfiguration.WithMessage("connecthttp: set MaxHeaderBytes")
	}
	return nil
}
