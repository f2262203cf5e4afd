package auth

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// ReplayGuard remembers the signatures a Verifier accepted (see
// WithReplayGuard).
//
// FirstUse records id until expiresAt and reports whether it was not
// recorded before (or its record expired at now). Of two concurrent calls
// with the same id exactly one reports true. A non-nil error means the
// guard could not answer; the call is then refused as retryable.
// Implementations must be safe for concurrent use.
type ReplayGuard interface {
	FirstUse(ctx context.Context, id string, expiresAt, now time.Time) (bool, error)
}

// MemoryReplayGuard is a ReplayGuard in this process's memory, bounded: it
// holds at most its limit of signatures, forgetting expired ones first.
// When it is full of live signatures it refuses new ones (fail closed, as
// retryable errors) rather than forget a live one. One process only: a
// gateway of several instances needs a shared guard.
type MemoryReplayGuard struct {
	mu    sync.Mutex
	limit int
	seen  map[[32]byte]time.Time
}

// DefaultReplayLimit is the number of signatures a MemoryReplayGuard holds
// when NewMemoryReplayGuard is given no limit.
const DefaultReplayLimit = 1 << 20

// NewMemoryReplayGuard returns an empty guard holding at most limit
// signatures (DefaultReplayLimit when limit <= 0).
func NewMemoryReplayGuard(limit int) *MemoryReplayGuard {
	if limit <= 0 {
		limit = DefaultReplayLimit
	}
	return &MemoryReplayGuard{limit: limit, seen: make(map[[32]byte]time.Time)}
}

var errReplayGuardFull = sderrors.ErrUnavailable.WithMessage("too many signed requests in the Date window; try again later")

// FirstUse implements ReplayGuard. Ids are kept as their SHA-256.
func (g *MemoryReplayGuard) FirstUse(_ context.Context, id string, expiresAt, now time.Time) (bool, error) {
	k := sha256.Sum256([]byte(id))
	g.mu.Lock()
	defer g.mu.Unlock()
	if exp, ok := g.seen[k]; ok && now.Before(exp) {
		return false, nil
	}
	if len(g.seen) >= g.limit {
		for s, exp := range g.seen {
			if !now.Before(exp) {
				delete(g.seen, s)
			}
		}
		if len(g.seen) >= g.limit {
			return false, errReplayGuardFull
		}
	}
	g.seen[k] = expiresAt
	return true, nil
}

// Len returns the number of signatures held, expired ones included.
func (g *MemoryReplayGuard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.seen)
}
