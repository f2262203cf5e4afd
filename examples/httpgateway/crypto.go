package main

import (
	"net/http"

	sderrors "github.com/clientsession/engine/errors"
)

// publicKey is GET /client/v1/{customerId}/crypto/publickey.
func (s *server) publicKey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clientAuth(w, r); !ok {
		return
	}
	writeError(w, sderrors.ErrUnavailable.WithMessage("client-side encryption is not wired yet"))
}

// decrypt is POST /v1/{merchantId}/sessions/{clientSessionId}/decrypt.
func (s *server) decrypt(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.serverAuth(w, r); !ok {
		return
	}
	writeError(w, sderrors.ErrUnavailable.WithMessage("client-side encryption is not wired yet"))
}
