package session

import (
	"crypto/subtle"
	"strconv"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/sessionpayload"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// Session is an authenticated client session: a copy of its stored
// record. The zero Session is no session.
type Session struct {
	rec storage.Record
}

// MerchantID returns the merchant the session belongs to.
func (s Session) MerchantID() string { return s.rec.MerchantID }

// CustomerID returns the session's customerId.
func (s Session) CustomerID() string { return s.rec.CustomerID }

// ExpiresAt returns the end of the session's life (exclusive).
func (s Session) ExpiresAt() time.Time { return s.rec.ExpiresAt }

// Key returns the storage key of the session: the SHA-256 of its
// clientSessionId (e.g. for storage.NonceRecorder).
func (s Session) Key() storage.Key { return s.rec.Key }

// Matches reports, in constant time, whether clientSessionID is this
// session's id.
func (s Session) Matches(clientSessionID string) bool {
	k := KeyOf(clientSessionID)
	return subtle.ConstantTimeCompare(k[:], s.rec.Key[:]) == 1
}

// Filters returns the session's normalized paymentProductFilters.
func (s Session) Filters() (filter.Filters, error) {
	f, _, err := s.decode()
	return f, err
}

// Tokens returns the session's valid tokens in request order; the token at
// index i is account on file i+1. MerchantID is the session's merchant and
// Status StatusActive (their state at creation).
func (s Session) Tokens() ([]token.Token, error) {
	_, toks, err := s.decode()
	return toks, err
}

// AccountOnFile returns the token behind accountOnFileId id, or
// sderrors.ErrUnknownAccountOnFile at "accountOnFileId". It does not say
// whether the token's product is available in a payment context; use
// Engine.Product for that.
func (s Session) AccountOnFile(id int) (token.Token, error) {
	toks, err := s.Tokens()
	if err != nil {
		return token.Token{}, err
	}
	if id < 1 || id > len(toks) {
		return token.Token{}, sderrors.ErrUnknownAccountOnFile.WithProperty("accountOnFileId").
			WithMessage("account on file " + strconv.Itoa(id) + " is not one of this session's")
	}
	return toks[id-1], nil
}

func (s Session) decode() (filter.Filters, []token.Token, error) {
	if s.rec.MerchantID == "" { // the zero Session
		return filter.Filters{}, nil, sderrors.ErrUnauthorized
	}
	return sessionpayload.Decode(s.rec.Payload, s.rec.MerchantID)
}
