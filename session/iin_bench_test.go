package session_test

import (
	"context"
	"testing"

	"github.com/clientsession/engine/filter"
)

// BenchmarkIINDetails is a getIINdetails call on an authenticated session
// (filters decoded, catalog resolved, bin looked up), next to Products on
// the same session: the lookup's cost is the difference.
func BenchmarkIINDetails(b *testing.B) {
	e, _, resps := benchEngine(b, 1024)
	ctx := context.Background()
	s, err := e.Authenticate(ctx, resps[0].CustomerID, resps[0].ClientSessionID)
	if err != nil {
		b.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	b.Run("IINDetails", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := e.IINDetails(ctx, s, "41111111", pc)
			if err != nil || d.PaymentProductID != 1 {
				b.Fatal(d, err)
			}
		}
	})
	b.Run("Products", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Products(ctx, s, pc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
