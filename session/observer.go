package session

import (
	"time"

	"github.com/clientsession/engine/token"
)

// Observer receives the events an operator counts, for metrics: the
// library does not log, and depends on no metrics package. Every field is
// optional (nil: not observed). Functions are called synchronously on the
// request's goroutine, so they must be fast and safe for concurrent use.
// They never receive an id, token, key or card data: only merchant ids,
// reasons, operation names, durations and errors of stores (whose text
// names no value).
type Observer struct {
	// SessionCreated is called after a session of merchantID was stored.
	SessionCreated func(merchantID string)
	// TokenInvalid is called once per token a create found invalid.
	TokenInvalid func(reason token.Reason)
	// AuthRefused is called when a Client API call's credentials were
	// refused (unknown, expired, revoked or mismatched session).
	AuthRefused func()
	// StoreCall is called after every call of a session or idempotency
	// store: op is "save", "load", "delete", "record_nonce",
	// "claim_idempotency", "finish_idempotency", "release_idempotency" or
	// "sweep"; err is nil on success and on the answers that are not
	// failures (not found, already exists).
	StoreCall func(op string, took time.Duration, err error)
	// NonceReplayRefused is called when an encrypted payload was refused
	// because its nonce was used before in its session.
	NonceReplayRefused func()
	// Idempotent is called once per idempotent attempt: outcome "first"
	// (it ran), "replayed" (the first attempt's answer was sent again) or
	// "conflict" (the first was still running: 409 code 1409).
	Idempotent func(outcome string)
}

// WithObserver sets the engine's observer (default: none).
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) { c.observer = o })
}

// observer calls the fields of an Observer that are set.
type observer Observer

func (o *observer) sessionCreated(merchantID string) {
	if o.SessionCreated != nil {
		o.SessionCreated(merchantID)
	}
}

func (o *observer) tokensInvalid(inv []token.Invalid) {
	if o.TokenInvalid != nil {
		for _, i := range inv {
			o.TokenInvalid(i.Reason)
		}
	}
}

func (o *observer) authRefused() {
	if o.AuthRefused != nil {
		o.AuthRefused()
	}
}

func (o *observer) storeCall(op string, start time.Time, err error) {
	if o.StoreCall != nil {
		o.StoreCall(op, time.Since(start), err)
	}
}

func (o *observer) nonceReplay() {
	if o.NonceReplayRefused != nil {
		o.NonceReplayRefused()
	}
}

func (o *observer) idempotent(outcome string) {
	if o.Idempotent != nil {
		o.Idempotent(outcome)
	}
}
