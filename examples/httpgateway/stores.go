package main

import (
	"context"
	"errors"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

// stores are where the gateway keeps sessions (with their encryption
// nonces) and reads tokens.
type stores struct {
	Sessions session.Repository
	Tokens   token.Repository
	// Close releases connections; never nil.
	Close func() error
}

// openStores opens the stores the flags name. Without -redis and -postgres
// everything lives in memstore: the sessions, their nonces, and the data
// file's tokens. The Redis and PostgreSQL adapters (issue 6) replace this file.
func openStores(_ context.Context, redisURL, postgresDSN string, data *gatewayData) (stores, error) {
	if redisURL != "" {
		return stores{}, errors.New("-redis: this build of the gateway has no Redis adapter yet; omit the flag to keep sessions in memory")
	}
	if postgresDSN != "" {
		return stores{}, errors.New("-postgres: this build of the gateway has no PostgreSQL adapter yet; omit the flag to read tokens from the data file")
	}
	mem := memstore.New()
	mem.PutTokens(data.tokens...)
	return stores{Sessions: mem, Tokens: mem, Close: func() error { return nil }}, nil
}
