// Consumer program of github.com/clientsession/engine, built by
// .ci/consumer-check in a module outside the repository that requires the
// engine at the released version from a module proxy, with no replace:
// the embedded store, a session created and authenticated, its products.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/wire"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "root consumer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	store, err := memstore.New(memstore.WithMaxBytes(1 << 20))
	if err != nil {
		return err
	}
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	if err != nil {
		return err
	}
	engine, err := session.New(store, store, session.WithCatalog(catalog),
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
	s, err := engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		return err
	}
	products, err := engine.Products(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000})
	if err != nil {
		return err
	}
	if len(products) != 1 || s.MerchantID() != "1234" {
		return fmt.Errorf("got %d products for merchant %q, want 1 for 1234", len(products), s.MerchantID())
	}
	body := wire.NewSessionResponse(resp).AppendJSON(nil)
	fmt.Printf("root: created and authenticated a session on memstore (%d bytes of SessionResponse), %d product\n", len(body), len(products))
	return nil
}
