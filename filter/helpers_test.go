package filter_test

import (
	"fmt"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

func amount(v int64) *int64 { return &v }

// demoProducts is the catalog of the examples, the table tests and the fuzz
// target: one group (cards), country, currency, amount and recurring limits.
func demoProducts() []filter.Product {
	return []filter.Product{
		{ID: 809, Label: "iDEAL", DisplayOrder: 40, PaymentMethod: "redirect",
			Countries: []string{"NL"}, Currencies: []string{"EUR"}, MaxAmount: amount(500000)},
		{ID: 1, Group: "cards", Label: "VISA", DisplayOrder: 10, PaymentMethod: "card",
			AllowsRecurring: true, AllowsTokenization: true},
		{ID: 3, Group: "cards", Label: "MasterCard", DisplayOrder: 20, PaymentMethod: "card",
			AllowsRecurring: true, AllowsTokenization: true},
		{ID: 2, Group: "cards", Label: "American Express", DisplayOrder: 30, PaymentMethod: "card",
			Currencies: []string{"EUR", "USD"}, MinAmount: amount(100), AllowsRecurring: true},
		{ID: 840, Label: "PayPal", DisplayOrder: 50, PaymentMethod: "redirect"},
	}
}

func demoCatalog(tb testing.TB) *filter.Catalog {
	tb.Helper()
	c, err := filter.NewCatalog(demoProducts())
	if err != nil {
		tb.Fatalf("NewCatalog(demo) = %v", err)
	}
	return c
}

// checkErr fails unless err is an *sderrors.Error with want's code and the
// property path wantPath; a nil want means no error.
func checkErr(t *testing.T, err error, want *sderrors.Error, wantPath string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	e := sderrors.Find(err)
	if e == nil {
		t.Fatalf("err = %v (%T), want %s at %q", err, err, want.ID(), wantPath)
	}
	if e.Code() != want.Code() || e.Property() != wantPath {
		t.Fatalf("err = %s at %q (%v), want %s at %q", e.ID(), e.Property(), e, want.ID(), wantPath)
	}
}

func sel(groups []string, products ...int32) *filter.Selection {
	return &filter.Selection{Groups: groups, Products: products}
}

// show renders filters with the nil/empty distinction visible.
func show(f filter.Filters) string {
	side := func(s *filter.Selection) string {
		if s == nil {
			return "absent"
		}
		return fmt.Sprintf("{groups:%s products:%s}", list(s.Groups), list(s.Products))
	}
	return "{restrictTo:" + side(f.RestrictTo) + " exclude:" + side(f.Exclude) + "}"
}

func list[T any](xs []T) string {
	if xs == nil {
		return "nil"
	}
	return fmt.Sprint(xs)
}
