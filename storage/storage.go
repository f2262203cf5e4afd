package storage

import (
	"context"
	"errors"
	"time"
)

// Sentinels shared by every adapter. Adapters may wrap them with %w; callers
// test with errors.Is.
var (
	// ErrNotFound: no such record, or it has expired.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: a record with this key exists (e.g. a nonce seen before).
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrFull: the store holds as much as it is allowed to (a memory bound
	// such as memstore.WithMaxBytes), so the write was refused and nothing
	// was stored or removed. It is retryable: room comes back as records
	// expire or are deleted. A store never makes room by evicting a live
	// record.
	ErrFull = errors.New("storage: full")
)

// Key is the SHA-256 of a clientSessionId: sessions are stored under it, so
// that a dump of a store holds no usable credentials.
type Key [32]byte

// Sweeper is an optional capability of a store that keeps expired records
// until told to remove them.
type Sweeper interface {
	// DeleteExpired removes every record that expired at or before now and
	// reports how many it removed.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// SweeperFunc adapts a function to Sweeper.
type SweeperFunc func(ctx context.Context, now time.Time) (int, error)

// DeleteExpired calls f.
func (f SweeperFunc) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	return f(ctx, now)
}

// TimeObserver is the optional capability of a store that reclaims
// expired records lazily, judged by the latest caller time it was given
// (it has no clock of its own). The engine gives it its time before every
// write, so that a store under write-only traffic (creates and no client
// calls) still reclaims what expired. ObserveTime must be cheap (an atomic
// store) and never fail; a time earlier than one seen before is ignored.
type TimeObserver interface {
	ObserveTime(now time.Time)
}

// NonceRecorder is the optional capability of a session store to remember
// the encryption nonces used within a session, for the session's lifetime.
type NonceRecorder interface {
	// RecordNonce atomically records nonce for session key, until expiresAt.
	// It returns an error wrapping ErrAlreadyExists when the nonce was
	// recorded before for that session: of two concurrent calls with the
	// same arguments exactly one succeeds.
	RecordNonce(ctx context.Context, key Key, nonce string, expiresAt time.Time) error
}

// Record is a session as stores keep it. Payload is the engine's own
// encoding of the session's normalized filters and valid tokens; stores
// treat it as opaque bytes. It is a string: immutable, so a store may keep
// the string it is given and hand out the one it keeps (memstore's Load
// allocates nothing), and no caller can change a stored payload.
type Record struct {
	Key        Key // SHA-256 of the clientSessionId
	MerchantID string
	CustomerID string
	ExpiresAt  time.Time
	Payload    string
}

// Repository stores sessions. Implementations must be safe for concurrent
// use. Records are values; their strings are immutable, so sharing them
// is not aliasing.
type Repository interface {
	// Save stores r until r.ExpiresAt. Saving a key that exists replaces it
	// (keys are random 128-bit hashes; a collision is not a case to handle).
	Save(ctx context.Context, r Record) error
	// Load returns the record stored under key. When there is none, or it
	// expired at or before now, the error wraps ErrNotFound.
	Load(ctx context.Context, key Key, now time.Time) (Record, error)
	// Delete removes the record under key if it belongs to merchantID. When
	// there is none, or it belongs to another merchant, the error wraps
	// ErrNotFound and nothing is removed.
	Delete(ctx context.Context, key Key, merchantID string) error
}
