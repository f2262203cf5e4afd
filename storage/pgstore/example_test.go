package pgstore_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/pgstore"
)

// A gateway opens a pool and runs the engine on one store for sessions,
// nonces and tokens. New touches no database; at start the gateway calls
// store.Migrate(ctx) once (idempotent) and store.PutTokens(ctx, ...) for
// tokens it loads from elsewhere.
func ExampleNew() {
	pool, err := pgxpool.New(context.Background(), "postgres://gateway@db.internal:5432/payments")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	store, err := pgstore.New(pool)
	if err != nil {
		panic(err)
	}
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	if err != nil {
		panic(err)
	}
	engine, err := session.New(store, store, session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://pay.example.com", Region: "EU"}))
	fmt.Println(engine != nil, err, store.Tables().Sessions)
	// Output:
	// true <nil> client_sessions
}

// Table names are identifiers only; New checks them and touches no
// database (the pool connects lazily).
func ExampleWithTables() {
	pool, err := pgxpool.New(context.Background(), "postgres://gateway@db.internal:5432/payments")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	_, err = pgstore.New(pool, pgstore.WithTables(pgstore.Tables{Sessions: "gw_sessions", Nonces: "gw_nonces", Tokens: "gw_tokens"}))
	fmt.Println(err)
	_, err = pgstore.New(pool, pgstore.WithTables(pgstore.Tables{Sessions: "sessions; DROP TABLE x", Nonces: "n", Tokens: "t"}))
	fmt.Println(err)
	// Output:
	// <nil>
	// tables.sessions: pgstore: "sessions; DROP TABLE x" is not a table name: use [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes
}
