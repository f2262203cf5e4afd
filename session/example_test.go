package session_test

import (
	"context"
	"fmt"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

// exampleEngine returns an engine over a memstore with two tokens, a fixed
// clock and deterministic ids (tests only: production ids come from
// crypto/rand).
func exampleEngine() *session.Engine {
	catalog, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 1, Label: "VISA", PaymentMethod: "card"},
		{ID: 3, Group: "cards", DisplayOrder: 3, Label: "MasterCard", PaymentMethod: "card"},
		{ID: 840, DisplayOrder: 4, Label: "PayPal", PaymentMethod: "redirect"},
	})
	if err != nil {
		panic(err)
	}
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	store.PutTokens(
		token.Token{ID: "visa-token", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "************1111"},
		token.Token{ID: "expired-token", MerchantID: "1234", PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.June, Year: 2021}, Alias: "************0005"},
	)
	e, err := session.New(store, store,
		session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://payment.example.com", Region: "EU"}),
		session.WithClock(func() time.Time { return time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) }),
		session.WithRandom(&counter{}),
	)
	if err != nil {
		panic(err)
	}
	return e
}

func ExampleEngine_Create() {
	e := exampleEngine()
	body := []byte(`{"paymentProductFilters":{"exclude":{"products":[3]}},"tokens":["visa-token","expired-token","unknown-token"]}`)
	req, err := e.DecodeCreateRequest(body)
	if err != nil {
		fmt.Println(sderrors.ToResponse(err))
		return
	}
	resp, err := e.Create(context.Background(), "1234", req)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The wire JSON of resp is wire.NewSessionResponse's.
	fmt.Println(resp.ClientSessionID, resp.CustomerID)
	fmt.Println(resp.ClientAPIURL, resp.AssetURL, resp.Region)
	fmt.Println("invalidTokens:", resp.InvalidTokens)
	for _, inv := range resp.Invalid {
		fmt.Println(inv.ID, inv.Reason)
	}
	// Output:
	// 000102030405060708090a0b0c0d0e0f 1234-101112131415161718191a1b1c1d1e1f
	// https://payment.example.com/client https://payment.example.com/ EU
	// invalidTokens: [expired-token unknown-token]
	// expired-token card_expired
	// unknown-token unknown
}

func ExampleEngine_DecodeCreateRequest() {
	e := exampleEngine()
	_, err := e.DecodeCreateRequest([]byte(`{"paymentProductFilters":{"restrictTo":{"products":[1,0]}}}`))
	fmt.Println(sderrors.CodeOf(err), sderrors.Find(err).Property())
	// Output:
	// 700201 paymentProductFilters.restrictTo.products[1]
}

func ExampleEngine_Authenticate() {
	e := exampleEngine()
	ctx := context.Background()
	resp, err := e.Create(ctx, "1234", session.CreateRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	fmt.Println(s.MerchantID(), s.CustomerID(), s.ExpiresAt().Format(time.RFC3339), err)

	_, err = e.Authenticate(ctx, "1234-00000000000000000000000000000000", resp.ClientSessionID)
	fmt.Println(sderrors.CodeOf(err), err)
	// Output:
	// 1234 1234-101112131415161718191a1b1c1d1e1f 2026-01-15T12:00:00Z <nil>
	// 9002 missing or invalid authorization
}

func ExampleEngine_Products() {
	e := exampleEngine()
	ctx := context.Background()
	req := session.CreateRequest{
		PaymentProductFilters: &filter.Filters{Exclude: &filter.Selection{Products: []int32{3}}},
		Tokens:                []string{"visa-token"},
	}
	resp, err := e.Create(ctx, "1234", req)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		fmt.Println(err)
		return
	}
	products, err := e.Products(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range products {
		fmt.Println(p.ID, p.Label)
		for _, a := range p.AccountsOnFile {
			fmt.Println("  account on file", a.ID, a.Token.Alias)
		}
	}
	// Output:
	// 1 VISA
	//   account on file 1 ************1111
	// 840 PayPal
}

func ExampleEngine_Explain() {
	e := exampleEngine()
	ctx := context.Background()
	req := session.CreateRequest{
		PaymentProductFilters: &filter.Filters{RestrictTo: &filter.Selection{Groups: []string{"cards"}}},
		Tokens:                []string{"visa-token"},
	}
	resp, err := e.Create(ctx, "1234", req)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		fmt.Println(err)
		return
	}
	ex, err := e.Explain(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ex.Products {
		fmt.Println(p.ProductID, p.Reason)
	}
	for _, t := range ex.Tokens {
		fmt.Println(t.AccountOnFileID, t.ID, t.Reason)
	}
	// Output:
	// 1 available
	// 3 available
	// 840 not in restrictTo
	// 1 visa-token shown
}

func ExampleEngine_Revoke() {
	e := exampleEngine()
	ctx := context.Background()
	resp, err := e.Create(ctx, "1234", session.CreateRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Revoke(ctx, "5678", resp.ClientSessionID)) // another merchant
	fmt.Println(e.Revoke(ctx, "1234", resp.ClientSessionID))
	_, err = e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	fmt.Println(sderrors.CodeOf(err))
	// Output:
	// unknown client session
	// <nil>
	// 9002
}

func ExampleMerchantOfCustomerID() {
	for _, id := range []string{"1234-101112131415161718191a1b1c1d1e1f", "1234-not-a-customer-id"} {
		m, ok := session.MerchantOfCustomerID(id)
		fmt.Printf("%q %t\n", m, ok)
	}
	// Output:
	// "1234" true
	// "" false
}
