package main

import (
	"context"
	"errors"

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

// openStores opens the stores the flags name:
//
//   - no flag: everything in memstore (sessions, nonces, the data file's
//     tokens): one process only;
//   - -postgres DSN: tokens in PostgreSQL (the data file's tokens are
//     upserted at start) and, without -redis, sessions and nonces too;
//   - -redis URL: sessions and nonces in Redis, so that several gateway
//     processes serve each other's sessions; tokens from PostgreSQL when
//     -postgres is given, else from the data file in memory.
//
// memOpts configure the memstore (e.g. its memory bound).
func openStores(ctx context.Context, redisURL, postgresDSN string, data *gatewayData, memOpts ...memstore.Option) (stores, error) {
	st := stores{Close: func() error { return nil }}
	var closers []func() error
	st.Close = func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	if postgresDSN != "" {
		pg, closePG, err := openPostgres(ctx, postgresDSN, data)
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
	if redisURL != "" {
		rs, closeRedis, err := openRedis(ctx, redisURL)
		if err != nil {
			_ = st.Close()
			return stores{}, err
		}
		closers = append(closers, closeRedis)
		st.Sessions, st.Mem = rs, nil
	}
	return st, nil
}

// openRedis connects to the Redis at url (redis://[user:pass@]host:port/db).
func openRedis(ctx context.Context, url string) (*redisstore.Store, func() error, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, flagError("-redis", url, err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, nil, flagError("-redis", url, err)
	}
	s, err := redisstore.New(client)
	if err != nil {
		_ = client.Close()
		return nil, nil, flagError("-redis", url, err)
	}
	return s, client.Close, nil
}
