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

// NonceRecorder is the optional capability of a session store to remember
// the encryption nonces used within a session, for the session's lifetime.
type NonceRecorder interface {
	// RecordNonce atomically records nonce for session key, until expiresAt.
	// It returns an error wrapping ErrAlreadyExists when the nonce was
	// recorded before for that session: of two concurrent calls with the
	// same arguments exactly one succeeds.
	RecordNonce(ctx context.Context, key Key, nonce string, expiresAt time.Time) error
}
