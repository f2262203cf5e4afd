package session

import (
	"context"
	"time"

	"github.com/clientsession/engine/storage"
)

// Record is a session as stores keep it. Payload is the engine's own
// encoding of the session's normalized filters and valid tokens; stores
// treat it as opaque bytes.
type Record struct {
	Key        storage.Key // SHA-256 of the clientSessionId
	MerchantID string
	CustomerID string
	ExpiresAt  time.Time
	Payload    []byte
}

// Repository stores sessions. Implementations must be safe for concurrent
// use; values passed in and returned are copies (a store never keeps or
// hands out the caller's Payload slice).
type Repository interface {
	// Save stores r until r.ExpiresAt. Saving a key that exists replaces it
	// (keys are random 128-bit hashes; a collision is not a case to handle).
	Save(ctx context.Context, r Record) error
	// Load returns the record stored under key. When there is none, or it
	// expired at or before now, the error wraps storage.ErrNotFound.
	Load(ctx context.Context, key storage.Key, now time.Time) (Record, error)
	// Delete removes the record under key if it belongs to merchantID. When
	// there is none, or it belongs to another merchant, the error wraps
	// storage.ErrNotFound and nothing is removed.
	Delete(ctx context.Context, key storage.Key, merchantID string) error
}
