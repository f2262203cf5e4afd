// Consumer program of github.com/clientsession/engine/storage/redisstore
// (see ../root): a store over a go-redis client, its option checks, and,
// when SD_TEST_REDIS_ADDR names a server, a session created and
// authenticated through it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/storage/redisstore"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "redisstore consumer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	addr := os.Getenv("SD_TEST_REDIS_ADDR")
	live := addr != ""
	if !live {
		addr = "127.0.0.1:1" // never dialled: go-redis connects lazily
	}
	client := redis.NewClient(&redis.Options{Addr: addr})
	defer client.Close()
	if _, err := redisstore.New(client, redisstore.WithPrefix("bad{prefix}")); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		return fmt.Errorf("a bad prefix: got %v, want ErrInvalidConfiguration", err)
	}
	prefix := "consumer-check:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	store, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		return err
	}
	if !live {
		fmt.Println("redisstore: constructed (SD_TEST_REDIS_ADDR is not set: no server used)")
		return nil
	}
	tokens, err := memstore.New()
	if err != nil {
		return err
	}
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	if err != nil {
		return err
	}
	engine, err := session.New(store, tokens,
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
	fmt.Println("redisstore: created, authenticated and revoked a session on", addr)
	return nil
}
