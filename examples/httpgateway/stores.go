package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/storage/redisstore"
	"github.com/clientsession/engine/token"
)

// stores are where the gateway keeps sessions (with their encryption
// nonces) and reads tokens.
type stores struct {
	Sessions storage.Repository
	Tokens   token.Repository
	// Mem is the memstore when it holds the sessions (no -redis, no
	// -postgres), for its account; nil otherwise.
	Mem *memstore.Store
	// Close releases connections; never nil.
	Close func() error
}

// storeFlags are the flags that choose the stores.
type storeFlags struct {
	Redis        string        // -redis: one node, or Sentinel when the URL names master_name
	RedisCluster string        // -redis-cluster
	ReplicaAcks  int           // -redis-replica-acks: 0 for none
	AckTimeout   time.Duration // -redis-replica-ack-timeout
	Postgres     string        // -postgres: a DSN, possibly multi-host
}

// openStores opens the stores of -redis redisURL and -postgres postgresDSN
// with the other Redis flags' defaults; memOpts configure the memstore.
func openStores(ctx context.Context, redisURL, postgresDSN string, data *gatewayData, memOpts ...memstore.Option) (stores, error) {
	return openStoresWith(ctx, storeFlags{Redis: redisURL, Postgres: postgresDSN, AckTimeout: defaultAckTimeout}, data, memOpts...)
}

// openStoresWith opens the stores the flags name:
//
//   - no flag: everything in memstore (sessions, nonces, the data file's
//     tokens): one process only;
//   - -postgres DSN: tokens in PostgreSQL (the data file's tokens are
//     upserted at start) and, without -redis, sessions and nonces too;
//   - -redis URL or -redis-cluster URL: sessions and nonces in Redis, so
//     that several gateway processes serve each other's sessions; tokens
//     from PostgreSQL when -postgres is given, else from the data file in
//     memory.
//
// memOpts configure the memstore (e.g. its memory bound).
func openStoresWith(ctx context.Context, f storeFlags, data *gatewayData, memOpts ...memstore.Option) (stores, error) {
	st := stores{Close: func() error { return nil }}
	var closers []func() error
	st.Close = func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	if f.Postgres != "" {
		pg, closePG, err := openPostgres(ctx, f.Postgres, data)
		if err != nil {
			return stores{}, err
		}
		closers = append(closers, closePG)
		st.Sessions, st.Tokens = pg, pg
	} else {
		mem, err := memstore.New(memOpts...)
		if err != nil {
			return stores{}, err
		}
		mem.PutTokens(data.tokens...)
		st.Sessions, st.Tokens, st.Mem = mem, mem, mem
	}
	if f.Redis != "" || f.RedisCluster != "" || f.ReplicaAcks != 0 {
		rs, closeRedis, err := openRedis(ctx, f)
		if err != nil {
			_ = st.Close()
			return stores{}, err
		}
		closers = append(closers, closeRedis)
		st.Sessions, st.Mem = rs, nil
	}
	return st, nil
}

// The Redis client's timeouts unless the URL sets them (dial_timeout,
// read_timeout, write_timeout, pool_timeout, max_retries,
// context_timeout_enabled): no call waits for a dead or stalled node
// longer than about a second, so that a failover costs retryable errors
// for seconds, not minutes, and a stalled Cluster shard does not hold up
// the requests that need only the other shards.
const (
	redisDialTimeout = time.Second
	// redisReadTimeout is also the write timeout and the pool timeout;
	// with replica acknowledgements the acknowledgement timeout is added
	// (a WAIT reads with it).
	redisReadTimeout = time.Second
	// redisMaxRetries: one resend after a network error (a dead
	// primary's pooled connection), not go-redis's 3.
	redisMaxRetries = 1
	// defaultAckTimeout is -redis-replica-ack-timeout's default.
	defaultAckTimeout = 500 * time.Millisecond
)

// redisTimeouts are the client settings openRedis defaults.
type redisTimeouts struct {
	Dial, Read, Write, Pool *time.Duration
	MaxRetries              *int
	ContextTimeout          *bool
}

// setDefaults sets every setting the URL's query leaves out.
func (r redisTimeouts) setDefaults(query url.Values, acks int, ackTimeout time.Duration) {
	read := redisReadTimeout
	if acks > 0 {
		read += ackTimeout
	}
	for name, set := range map[string]func(){
		"dial_timeout":            func() { *r.Dial = redisDialTimeout },
		"read_timeout":            func() { *r.Read = read },
		"write_timeout":           func() { *r.Write = redisReadTimeout },
		"pool_timeout":            func() { *r.Pool = read },
		"max_retries":             func() { *r.MaxRetries = redisMaxRetries },
		"context_timeout_enabled": func() { *r.ContextTimeout = true },
	} {
		if !query.Has(name) {
			set()
		}
	}
}

// redisClient builds the client the Redis flags name, without connecting:
// -redis with master_name in its query is Sentinel (go-redis
// ParseFailoverURL: the URL's host and every addr parameter are sentinels),
// -redis without it one node (ParseURL), -redis-cluster a Cluster
// (ParseClusterURL: the host and every addr parameter are seed nodes). It
// returns the flag the error names.
func redisClient(f storeFlags) (redis.UniversalClient, string, error) {
	switch {
	case f.Redis != "" && f.RedisCluster != "":
		return nil, "-redis-cluster", errors.New("give -redis (one node or Sentinel) or -redis-cluster, not both")
	case f.ReplicaAcks < 0:
		return nil, "-redis-replica-acks", fmt.Errorf("the number of replica acknowledgements must be at least 0, got %d", f.ReplicaAcks)
	case f.ReplicaAcks > 0 && f.Redis == "" && f.RedisCluster == "":
		return nil, "-redis-replica-acks", errors.New("replica acknowledgements need -redis or -redis-cluster")
	}
	flag, value := "-redis", f.Redis
	if f.RedisCluster != "" {
		flag, value = "-redis-cluster", f.RedisCluster
	}
	u, err := url.Parse(value)
	if err != nil {
		return nil, flag, err
	}
	query := u.Query()
	switch {
	case f.RedisCluster != "":
		o, err := redis.ParseClusterURL(value)
		if err != nil {
			return nil, flag, err
		}
		redisTimeouts{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled}.
			setDefaults(query, f.ReplicaAcks, f.AckTimeout)
		return redis.NewClusterClient(o), flag, nil
	case query.Has("master_name"):
		o, err := redis.ParseFailoverURL(value)
		if err != nil {
			return nil, flag, err
		}
		redisTimeouts{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled}.
			setDefaults(query, f.ReplicaAcks, f.AckTimeout)
		return redis.NewFailoverClient(o), flag, nil
	default:
		o, err := redis.ParseURL(value)
		if err != nil {
			return nil, flag, err
		}
		redisTimeouts{&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled}.
			setDefaults(query, f.ReplicaAcks, f.AckTimeout)
		return redis.NewClient(o), flag, nil
	}
}

// openRedis connects to the Redis the flags name and checks that it
// answers.
func openRedis(ctx context.Context, f storeFlags) (*redisstore.Store, func() error, error) {
	client, flag, err := redisClient(f)
	value := f.Redis + f.RedisCluster
	if err != nil {
		return nil, nil, flagError(flag, value, err)
	}
	var opts []redisstore.Option
	if f.ReplicaAcks > 0 {
		opts = append(opts, redisstore.WithReplicaAcks(f.ReplicaAcks, f.AckTimeout))
	}
	s, err := redisstore.New(client, opts...)
	if err != nil {
		_ = client.Close()
		return nil, nil, flagError(flag, value, err)
	}
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, nil, flagError(flag, value, err)
	}
	return s, client.Close, nil
}
