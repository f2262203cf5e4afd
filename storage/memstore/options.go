package memstore

// An Option configures a Store built by New.
type Option interface{ apply(*config) }

type config struct {
	shards int
}

type shardsOption int

func (o shardsOption) apply(c *config) { c.shards = int(o) }

// WithShards sets the number of independently locked parts the session
// key space is split into, so that parallel calls on different sessions
// rarely wait for each other. n is rounded up to a power of two between 1
// and 256; the default is DefaultShards. One shard gives a single
// RWMutex, the simplest store to reason about.
func WithShards(n int) Option { return shardsOption(n) }
