package session_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

var (
	nlEUR = filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	usUSD = filter.Context{CountryCode: "US", CurrencyCode: "USD", Amount: 1000}
)

// summary renders products as "id[aof:token-suffix,...]".
func summary(ps []session.AvailableProduct) string {
	var parts []string
	for _, p := range ps {
		s := fmt.Sprint(p.ID)
		for _, a := range p.AccountsOnFile {
			s += fmt.Sprintf(" %d:%s", a.ID, a.Token.ID[len(a.Token.ID)-2:])
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func TestProducts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tokens := `"tokens":["` + tokMaster + `","` + tokVisa + `","` + tokExpired + `","` + tokPayPal + `","` + tokVisa2 + `","` + tokAmex + `"]`
	tests := []struct {
		name    string
		filters string
		pc      filter.Context
		want    string
	}{
		{"no filters", `{}`, nlEUR, "1 2:01 4:02, 2 5:03, 3 1:04, 840 3:34, 809"},
		{"no filters outside NL", `{}`, usUSD, "1 2:01 4:02, 2 5:03, 3 1:04, 840 3:34"},
		{"restrictTo and exclude", `{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}}`, nlEUR,
			"1 2:01 4:02, 2 5:03, 840 3:34"},
		{"exclude the group wins over restrictTo", `{"restrictTo":{"products":[1,840]},"exclude":{"groups":["cards"]}}`, nlEUR,
			"840 3:34"},
		{"restrictTo empty is no bound", `{"restrictTo":{"groups":[],"products":[]}}`, nlEUR, "1 2:01 4:02, 2 5:03, 3 1:04, 840 3:34, 809"},
		{"restrictTo unknown id only", `{"restrictTo":{"products":[4242]}}`, nlEUR, ""},
		{"recurring", `{}`, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", IsRecurring: true}, "1 2:01 4:02, 2 5:03, 3 1:04, 840 3:34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"paymentProductFilters":` + tt.filters + `,` + tokens + `}`
			resp := f.create(t, body)
			if want := []string{tokExpired}; !slices.Equal(resp.InvalidTokens, want) {
				t.Fatalf("invalidTokens = %v; want %v", resp.InvalidTokens, want)
			}
			s := f.auth(t, resp)
			got, err := f.engine.Products(context.Background(), s, tt.pc)
			if err != nil {
				t.Fatalf("Products: %v", err)
			}
			if summary(got) != tt.want {
				t.Errorf("Products(%s, %+v) = %q; want %q", tt.filters, tt.pc, summary(got), tt.want)
			}
			if got == nil {
				t.Errorf("Products returned nil; want a non-nil slice")
			}
			for _, p := range got {
				if p.Label == "" {
					t.Errorf("product %d has no label", p.ID)
				}
			}
		})
	}
}

// TestAccountOnFile: ids are 1-based positions among the session's valid
// tokens and map back to the token.
func TestAccountOnFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp := f.create(t, `{"tokens":["`+tokUnknown+`","`+tokAmex+`","`+tokVisa+`"]}`)
	s := f.auth(t, resp)
	for id, want := range map[int]string{1: tokAmex, 2: tokVisa} {
		tok, err := s.AccountOnFile(id)
		if err != nil || tok.ID != want || tok.MerchantID != merchant {
			t.Errorf("AccountOnFile(%d) = %s %s, %v; want %s", id, tok.ID, tok.MerchantID, err, want)
		}
	}
	for _, id := range []int{0, -1, 3} {
		_, err := s.AccountOnFile(id)
		wantError(t, fmt.Sprintf("AccountOnFile(%d)", id), err, sderrors.ErrUnknownAccountOnFile.Code(), "accountOnFileId")
	}
	// Stable for the session's life: a second Authenticate gives the same ids.
	ps, err := f.engine.Products(context.Background(), f.auth(t, resp), nlEUR)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(ps), "1 2:01, 2 1:03, 3, 840, 809"; got != want {
		t.Errorf("Products = %q; want %q", got, want)
	}
}

func TestProduct(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.auth(t, f.create(t, `{"paymentProductFilters":{"exclude":{"products":[3]}},"tokens":["`+tokVisa+`"]}`))
	ctx := context.Background()
	p, err := f.engine.Product(ctx, s, nlEUR, 1)
	if err != nil || p.ID != 1 || len(p.AccountsOnFile) != 1 || p.AccountsOnFile[0].ID != 1 {
		t.Errorf("Product(1) = %+v, %v; want VISA with account on file 1", p, err)
	}
	for _, id := range []int32{3, 809, 4242, 0} {
		pc := usUSD
		_, err := f.engine.Product(ctx, s, pc, id)
		wantError(t, fmt.Sprintf("Product(%d)", id), err, sderrors.ErrUnknownProduct.Code(), "productId")
	}
}

func TestProductsRejectsBadPaymentContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.auth(t, f.create(t, `{}`))
	ctx := context.Background()
	tests := []struct {
		pc       filter.Context
		code     sderrors.Code
		property string
	}{
		{filter.Context{CurrencyCode: "EUR"}, sderrors.ErrParameterNotFound.Code(), "countryCode"},
		{filter.Context{CountryCode: "nl", CurrencyCode: "EUR"}, sderrors.ErrInvalidPaymentContext.Code(), "countryCode"},
		{filter.Context{CountryCode: "NL"}, sderrors.ErrParameterNotFound.Code(), "currencyCode"},
		{filter.Context{CountryCode: "NL", CurrencyCode: "EURO"}, sderrors.ErrInvalidPaymentContext.Code(), "currencyCode"},
		{filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: -1}, sderrors.ErrInvalidPaymentContext.Code(), "amount"},
	}
	for _, tt := range tests {
		_, err := f.engine.Products(ctx, s, tt.pc)
		wantError(t, fmt.Sprintf("Products(%+v)", tt.pc), err, tt.code, tt.property)
		_, err = f.engine.Explain(ctx, s, tt.pc)
		wantError(t, fmt.Sprintf("Explain(%+v)", tt.pc), err, tt.code, tt.property)
		_, err = f.engine.Product(ctx, s, tt.pc, 1)
		wantError(t, fmt.Sprintf("Product(%+v)", tt.pc), err, tt.code, tt.property)
	}
	if _, err := f.engine.Products(ctx, session.Session{}, nlEUR); !errors.Is(err, sderrors.ErrUnauthorized) {
		t.Errorf("Products(zero Session) = %v; want ErrUnauthorized", err)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := `{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840,809]},"exclude":{"products":[3,4242]}},` +
		`"tokens":["` + tokVisa + `","` + tokMaster + `","` + tokPayPal + `","` + tokGone + `"]}`
	s := f.auth(t, f.create(t, body))
	got, err := f.engine.Explain(context.Background(), s, usUSD)
	if err != nil {
		t.Fatal(err)
	}
	var products []string
	for _, p := range got.Products {
		products = append(products, fmt.Sprintf("%d %v %s", p.ProductID, p.Available, p.Reason))
	}
	wantProducts := []string{
		"1 true available",
		"2 true available",
		"3 false excluded: exclude.products contains 3",
		"840 true available",
		"809 false country US not accepted",
		"4242 false unknown product id",
	}
	if !slices.Equal(products, wantProducts) {
		t.Errorf("Explain products =\n%s\nwant\n%s", strings.Join(products, "\n"), strings.Join(wantProducts, "\n"))
	}
	var tokens []string
	for _, tok := range got.Tokens {
		tokens = append(tokens, fmt.Sprintf("%d %s %v %s", tok.AccountOnFileID, tok.ID[len(tok.ID)-2:], tok.Shown, tok.Reason))
	}
	wantTokens := []string{
		"1 01 true shown",
		"2 04 false product 3 excluded: exclude.products contains 3",
		"3 34 true shown",
	}
	if !slices.Equal(tokens, wantTokens) {
		t.Errorf("Explain tokens =\n%s\nwant\n%s", strings.Join(tokens, "\n"), strings.Join(wantTokens, "\n"))
	}
}

// TestExplainTokenOfUnavailableProduct: a token hidden by the payment
// context or by a catalog change says so.
func TestExplainTokenOfUnavailableProduct(t *testing.T) {
	t.Parallel()
	full := testCatalog(t)
	without2, err := filter.NewCatalog(slices.DeleteFunc(testProducts(), func(p filter.Product) bool { return p.ID == 2 }))
	if err != nil {
		t.Fatal(err)
	}
	current := full
	source := session.CatalogFunc(func(context.Context, string) (*filter.Catalog, error) { return current, nil })
	f := newFixture(t, session.WithCatalogs(source))
	s := f.auth(t, f.create(t, `{"tokens":["`+tokVisa+`","`+tokAmex+`"]}`))
	ctx := context.Background()
	got, err := f.engine.Explain(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", IsRecurring: true})
	if err != nil || len(got.Tokens) != 2 || !got.Tokens[0].Shown || !got.Tokens[1].Shown {
		t.Fatalf("Explain = %+v, %v; want both shown", got, err)
	}
	recurringless, err := filter.NewCatalog([]filter.Product{{ID: 1, Group: "cards", Label: "VISA"}, {ID: 2, Group: "cards", Label: "Amex", AllowsRecurring: true}})
	if err != nil {
		t.Fatal(err)
	}
	current = recurringless
	got, err = f.engine.Explain(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", IsRecurring: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "product 1 not available in this payment context: recurring not supported"; got.Tokens[0].Reason != want || got.Tokens[0].Shown {
		t.Errorf("token 1 = %+v; want hidden: %s", got.Tokens[0], want)
	}
	current = without2
	got, err = f.engine.Explain(ctx, s, nlEUR)
	if err != nil {
		t.Fatal(err)
	}
	if want := "product 2 is no longer in the catalog"; got.Tokens[1].Reason != want || got.Tokens[1].Shown {
		t.Errorf("token 2 = %+v; want hidden: %s", got.Tokens[1], want)
	}
}
