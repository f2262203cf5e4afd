package main

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/storage/pgstore"
)

// openPostgres connects to the database at dsn, creates the tables when
// missing and upserts the data file's tokens.
func openPostgres(ctx context.Context, dsn string, data *gatewayData) (*pgstore.Store, func() error, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, nil, flagError("-postgres", dsn, err)
	}
	fail := func(err error) (*pgstore.Store, func() error, error) {
		pool.Close()
		return nil, nil, flagError("-postgres", dsn, err)
	}
	s, err := pgstore.New(pool)
	if err != nil {
		return fail(err)
	}
	if err := s.Migrate(ctx); err != nil {
		return fail(err)
	}
	if err := s.PutTokens(ctx, data.tokens...); err != nil {
		return fail(err)
	}
	return s, func() error { pool.Close(); return nil }, nil
}
