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
//
// Every record has a release. A running record (not Done) is live until
// its LeaseUntil: when its attempt never finishes (the process died, the
// finish was lost), the next claim after the lease takes the key over for
// a new attempt. A done record is live until ExpiresAt, and a claim after
// it starts afresh. A store also drops records past their time on its own
// (lazily, by a Sweeper, or by its server's expiry).
type IdempotencyRecord struct {
	Attempt   Attempt
	StartedAt time.Time // the attempt's time (the caller's clock)
	// LeaseUntil ends the claim of a running attempt: at or after it a
	// claim takes the key over. It is at most ExpiresAt; the zero time
	// means no lease (a running record lives until ExpiresAt). It does not
	// bound a done record.
	LeaseUntil time.Time
	ExpiresAt  time.Time // the record, and a finished answer, kept until then
	// Fingerprint is the SHA-256 of the first attempt's request, so that
	// a repeat with another request can be told apart.
	Fingerprint [32]byte
	Done        bool   // the attempt finished: Status and Body are its answer
	Status      int    // e.g. an HTTP status
	Body        []byte // the answer's body, opaque to the store
}

// LiveUntil is when the record stops holding its key: ExpiresAt when it is
// done, else its LeaseUntil when that is set and earlier than ExpiresAt.
// It is the one reading of the lease that every store applies.
func (r IdempotencyRecord) LiveUntil() time.Time {
	if r.Done || r.LeaseUntil.IsZero() || !r.LeaseUntil.Before(r.ExpiresAt) {
		return r.ExpiresAt
	}
	return r.LeaseUntil
}

// Idempotency is the optional capability of a store to keep the answers
// of idempotent requests (session creates with an idempotence key). Keys
// are the SHA-256 of the merchant and the caller's key (a store never sees
// either). Each method is one round trip (one statement, one script).
type Idempotency interface {
	// ClaimIdempotency stores rec under key, as a running attempt, unless
	// a record that is still live is there (its LiveUntil after
	// rec.StartedAt: a done record before its ExpiresAt, a running one
	// before its LeaseUntil); it returns the record stored under key
	// afterwards: rec itself when rec claimed the key (compare Attempt),
	// else the earlier one, running or done. A running record whose lease
	// ended is replaced, so that its attempt can no longer finish or
	// release the key. Of concurrent claims of one key exactly one gets its
	// own record back.
	ClaimIdempotency(ctx context.Context, key Key, rec IdempotencyRecord) (IdempotencyRecord, error)
	// FinishIdempotency stores the answer of attempt under key, as done,
	// kept until the record's ExpiresAt (past its lease), when the record
	// under key is still attempt's. Otherwise — another attempt took the
	// key over after attempt's lease, or the record is gone (a store may
	// drop a running record once its lease ended by the store's own clock)
	// — it changes nothing and returns an error wrapping ErrNotFound, so
	// that the caller knows its answer is not the key's.
	FinishIdempotency(ctx context.Context, key Key, attempt Attempt, status int, body []byte) error
	// ReleaseIdempotency removes the record under key when it is attempt's
	// and not done, so that a retry runs again (the attempt failed in a
	// way worth retrying); otherwise it does nothing (and returns nil): a
	// late release cannot remove another attempt's claim.
	ReleaseIdempotency(ctx context.Context, key Key, attempt Attempt) error
}
