package storage

import (
	"context"
	"time"
)

// Attempt is the random id of one attempt of an idempotent request: the
// store keeps the attempt that claimed a key, so that only that attempt
// finishes or releases it.
type Attempt [16]byte

// IdempotencyRecord is what a store keeps under an idempotence key: the
// attempt that claimed it and, once that attempt finished, its answer.
type IdempotencyRecord struct {
	Attempt   Attempt
	StartedAt time.Time // the first attempt's time (the caller's clock)
	ExpiresAt time.Time // kept until then
	// Fingerprint is the SHA-256 of the first attempt's request, so that
	// a repeat with another request can be told apart.
	Fingerprint [32]byte
	Done        bool   // the attempt finished: Status and Body are its answer
	Status      int    // e.g. an HTTP status
	Body        []byte // the answer's body, opaque to the store
}

// Idempotency is the optional capability of a store to keep the answers
// of idempotent requests (session creates with an idempotence key). Keys
// are the SHA-256 of the merchant and the caller's key (a store never sees
// either). Each method is one round trip (one statement, one script).
type Idempotency interface {
	// ClaimIdempotency stores rec under key, as a running attempt, unless
	// a record that is still live (ExpiresAt after rec.StartedAt) is
	// there; it returns the record stored under key afterwards: rec itself
	// when rec claimed the key (compare Attempt), else the earlier one,
	// running or done. Of concurrent claims of one key exactly one gets
	// its own record back.
	ClaimIdempotency(ctx context.Context, key Key, rec IdempotencyRecord) (IdempotencyRecord, error)
	// FinishIdempotency stores the answer of attempt under key, keeping
	// its expiry, when the record under key is still attempt's; otherwise
	// it does nothing (and returns nil).
	FinishIdempotency(ctx context.Context, key Key, attempt Attempt, status int, body []byte) error
	// ReleaseIdempotency removes the record under key when it is attempt's
	// and not done, so that a retry runs again (the attempt failed in a
	// way worth retrying); otherwise it does nothing.
	ReleaseIdempotency(ctx context.Context, key Key, attempt Attempt) error
}
