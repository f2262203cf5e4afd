package wire_test

import (
	"testing"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire"
)

// BenchmarkNewPaymentProducts maps a list of five products, one with an
// account on file, with fields (the Client API's products call).
func BenchmarkNewPaymentProducts(b *testing.B) {
	var ps []session.AvailableProduct
	for i := range 5 {
		p := session.AvailableProduct{Product: filter.Product{ID: int32(i + 1), Group: "cards", Label: "VISA", Logo: "l.png", PaymentMethod: "card"}}
		if i == 0 {
			p.AccountsOnFile = []session.AccountOnFile{{ID: 1, Token: token.Token{ID: "t", PaymentProductID: 1, Alias: "************0026",
				CardExpiry: token.Expiry{Month: 12, Year: 2030}}}}
		}
		ps = append(ps, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = wire.NewPaymentProducts(ps, true)
	}
}
