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
	shards int
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
