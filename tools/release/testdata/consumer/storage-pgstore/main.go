// Consumer program of github.com/clientsession/engine/storage/pgstore (see
// ../root): a store over a pgx pool, its option checks, and, when
// SD_TEST_POSTGRES_DSN names a database, the schema migrated and a session
// created and authenticated through it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/pgstore"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "pgstore consumer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	dsn := os.Getenv("SD_TEST_POSTGRES_DSN")
	live := dsn != ""
	if !live {
		dsn = "postgres://consumer@127.0.0.1:1/none" // never dialled: the pool connects lazily
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pgstore.New(pool, pgstore.WithTables(pgstore.Tables{Sessions: "a; b", Nonces: "n", Tokens: "t"})); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		return fmt.Errorf("a bad table name: got %v, want ErrInvalidConfiguration", err)
	}
	store, err := pgstore.New(pool)
	if err != nil {
		return err
	}
	if !live {
		fmt.Println("pgstore: constructed (SD_TEST_POSTGRES_DSN is not set: no database used)")
		return nil
	}
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	if err != nil {
		return err
	}
	engine, err := session.New(store, store,
		session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://pay.example.com", Region: "EU"}))
	if err != nil {
		return err
	}
	req, err := engine.DecodeCreateRequest([]byte(`{}`))
	if err != nil {
		return err
	}
	resp, err := engine.Create(ctx, "1234", req)
	if err != nil {
		return err
	}
	if _, err := engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
		return err
	}
	if err := engine.Revoke(ctx, "1234", resp.ClientSessionID); err != nil {
		return err
	}
	fmt.Println("pgstore: migrated, created, authenticated and revoked a session")
	return nil
}
