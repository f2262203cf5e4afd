package memstore

import (
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
)

// An Option configures a Store built by New. The set of options is
// closed: only this package defines them. New validates every option.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	shards   int
	maxBytes int64
	sderrors.ConfigProblems
}

// WithShards sets the number of independently locked parts the session
// key space is split into, so that parallel calls on different sessions
// rarely wait for each other: a power of two from 1 to 256 (New refuses
// any other number). The default is DefaultShards. One shard gives a
// single RWMutex, the simplest store to reason about.
func WithShards(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 || n > maxShards || n&(n-1) != 0 {
			c.Fail("shards", "the shard count must be a power of two from 1 to "+strconv.Itoa(maxShards)+", got "+strconv.Itoa(n))
			return
		}
		c.shards = n
	})
}

// WithMaxBytes bounds the bytes the store's sessions, nonces and
// idempotency records are charged (Store.Bytes; the package documentation
// says what a byte covers) to n, more than 0 (New refuses any other
// number). Without it the store has no bound. A write that would take the
// store past n first removes what expired (the lazy sweep of its shard,
// then, at most once per second of caller time, every expired record)
// and, when that did not make room, is refused with an error wrapping
// storage.ErrFull: nothing is stored, and no live session is ever evicted
// to make room. Room comes back as sessions expire or are revoked.
func WithMaxBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n <= 0 {
			c.Fail("maxBytes", "the byte bound must be more than 0, got "+strconv.FormatInt(n, 10))
			return
		}
		c.maxBytes = n
	})
}
