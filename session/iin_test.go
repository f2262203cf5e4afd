package session_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/proptest"
	"github.com/clientsession/engine/session"
)

// iinProducts are the test products plus cards whose default IIN ranges
// overlap: Visa Electron inside VISA, Discover (USD only) inside UnionPay
// (no recurring).
func iinProducts() []filter.Product {
	return append(testProducts(),
		filter.Product{ID: 122, Group: "cards", DisplayOrder: 15, Label: "Visa Electron", PaymentMethod: "card", AllowsRecurring: true},
		filter.Product{ID: 128, Group: "cards", DisplayOrder: 60, Label: "Discover", PaymentMethod: "card", Currencies: []string{"USD"}, AllowsRecurring: true},
		filter.Product{ID: 56, Group: "cards", DisplayOrder: 70, Label: "UnionPay", PaymentMethod: "card"},
	)
}

func newIINFixture(tb testing.TB) *fixture {
	tb.Helper()
	c, err := filter.NewCatalog(iinProducts())
	if err != nil {
		tb.Fatal(err)
	}
	return newFixture(tb, session.WithCatalog(c))
}

// showIIN renders details as "id:allowed [id:allowed ...]".
func showIIN(d session.IINDetails) string {
	s := fmt.Sprintf("%d:%v", d.PaymentProductID, d.IsAllowedInContext)
	if d.CoBrands != nil {
		var parts []string
		for _, c := range d.CoBrands {
			parts = append(parts, fmt.Sprintf("%d:%v", c.PaymentProductID, c.IsAllowedInContext))
		}
		s += " [" + strings.Join(parts, " ") + "]"
	}
	return s
}

func TestIINDetails(t *testing.T) {
	t.Parallel()
	f := newIINFixture(t)
	recurring := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000, IsRecurring: true}
	tests := []struct {
		name    string
		filters string
		pc      filter.Context
		bin     string
		want    string
	}{
		{"visa", `{}`, nlEUR, "411111", "1:true"},
		{"visa, 19 digits", `{}`, nlEUR, "4111111111111111111", "1:true"},
		{"amex", `{}`, nlEUR, "371449", "2:true"},
		{"mastercard 2-series", `{}`, nlEUR, "222100", "3:true"},
		{"co-brands: the more specific first", `{}`, nlEUR, "402600", "122:true [122:true 1:true]"},
		{"excluded product exists, not allowed", `{"exclude":{"products":[1]}}`, nlEUR, "411111", "1:false"},
		{"excluded co-brand: the allowed one answers", `{"exclude":{"products":[122]}}`, nlEUR, "402600", "1:true [122:false 1:true]"},
		{"excluded group", `{"exclude":{"groups":["cards"]}}`, nlEUR, "402600", "122:false [122:false 1:false]"},
		{"exclude wins over restrictTo", `{"restrictTo":{"products":[1]},"exclude":{"groups":["cards"]}}`, nlEUR, "411111", "1:false"},
		{"not in restrictTo", `{"restrictTo":{"products":[840]}}`, nlEUR, "510000", "3:false"},
		{"in restrictTo by group", `{"restrictTo":{"groups":["cards"]}}`, nlEUR, "510000", "3:true"},
		{"currency not accepted", `{}`, nlEUR, "601100", "128:false"},
		{"currency accepted", `{}`, usUSD, "601100", "128:true"},
		{"co-brand by currency", `{}`, nlEUR, "622126", "56:true [128:false 56:true]"},
		{"co-brand by currency, USD", `{}`, usUSD, "622126", "128:true [128:true 56:true]"},
		{"recurring not supported", `{}`, recurring, "620000", "56:false"},
		{"recurring supported", `{}`, recurring, "411111", "1:true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := f.auth(t, f.create(t, `{"paymentProductFilters":`+tt.filters+`}`))
			got, err := f.engine.IINDetails(context.Background(), s, tt.bin, tt.pc)
			if err != nil {
				t.Fatalf("IINDetails(%s): %v", tt.bin, err)
			}
			if showIIN(got) != tt.want {
				t.Errorf("IINDetails(%s, %s, %+v) = %s; want %s", tt.bin, tt.filters, tt.pc, showIIN(got), tt.want)
			}
		})
	}
}

func TestIINDetailsErrors(t *testing.T) {
	t.Parallel()
	f := newIINFixture(t)
	s := f.auth(t, f.create(t, `{}`))
	tests := []struct {
		name     string
		bin      string
		pc       filter.Context
		code     sderrors.Code
		property string
		status   int
	}{
		{"unknown card", "123456", nlEUR, sderrors.ErrIINNotFound.Code(), "bin", 404},
		{"unknown card, long", "0000000000000000", nlEUR, sderrors.ErrIINNotFound.Code(), "bin", 404},
		{"a product the catalog lacks", "360000", nlEUR, sderrors.ErrIINNotFound.Code(), "bin", 404}, // Diners
		{"empty bin", "", nlEUR, sderrors.ErrParameterNotFound.Code(), "bin", 400},
		{"5 digits", "41111", nlEUR, sderrors.ErrInvalidValue.Code(), "bin", 400},
		{"20 digits", "41111111111111111111", nlEUR, sderrors.ErrInvalidValue.Code(), "bin", 400},
		{"spaces", "4111 1111", nlEUR, sderrors.ErrInvalidValue.Code(), "bin", 400},
		{"bin before context", "4111x1", filter.Context{}, sderrors.ErrInvalidValue.Code(), "bin", 400},
		{"missing country", "411111", filter.Context{CurrencyCode: "EUR"}, sderrors.ErrParameterNotFound.Code(), "countryCode", 400},
		{"bad currency", "411111", filter.Context{CountryCode: "NL", CurrencyCode: "eur"}, sderrors.ErrInvalidPaymentContext.Code(), "currencyCode", 400},
		{"negative amount", "411111", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: -1}, sderrors.ErrInvalidPaymentContext.Code(), "amount", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := f.engine.IINDetails(context.Background(), s, tt.bin, tt.pc)
			wantError(t, tt.name, err, tt.code, tt.property)
			if got := sderrors.KindOf(err).HTTPStatus(); got != tt.status {
				t.Errorf("status = %d; want %d", got, tt.status)
			}
			if len(tt.bin) >= 6 && strings.Contains(err.Error(), tt.bin) {
				t.Errorf("error %q repeats the digits", err)
			}
			resp := sderrors.ToResponse(err)
			if wire := mustJSON(t, resp); len(tt.bin) >= 6 && strings.Contains(wire, tt.bin) {
				t.Errorf("wire error %s repeats the digits", wire)
			}
		})
	}
}

func TestIINDetailsCatalogFailure(t *testing.T) {
	t.Parallel()
	f := newIINFixture(t)
	s := f.auth(t, f.create(t, `{}`))
	broken := newFixture(t, session.WithCatalogs(session.CatalogFunc(func(context.Context, string) (*filter.Catalog, error) {
		return nil, errBroken
	})))
	_, err := broken.engine.IINDetails(context.Background(), s, "411111", nlEUR)
	if !sderrors.IsRetryable(err) || sderrors.CodeOf(err) != sderrors.ErrUnavailable.Code() {
		t.Fatalf("IINDetails with a failing catalog source = %v; want retryable %s", err, sderrors.ErrUnavailable.Code())
	}
}

// iinCase is one generated case of the property: filters, a payment
// context and bins.
type iinCase struct {
	filters string
	pc      filter.Context
	bins    []string
}

func genIINCase() gopter.Gen {
	ids := []int32{1, 2, 3, 122, 128, 56, 840, 809, 4242}
	selection := gopter.CombineGens(gen.Bool(), gen.SliceOfN(len(ids), gen.Bool())).Map(func(v []any) string {
		var parts []string
		if v[0].(bool) {
			parts = append(parts, `"groups":["cards"]`)
		}
		var picked []string
		for i, on := range v[1].([]bool) {
			if on {
				picked = append(picked, fmt.Sprint(ids[i]))
			}
		}
		if picked != nil {
			parts = append(parts, `"products":[`+strings.Join(picked, ",")+`]`)
		}
		return "{" + strings.Join(parts, ",") + "}"
	})
	bins := []string{"411111", "402600", "417500", "371449", "340000", "510000", "222100", "601100", "622126", "620000", "123456", "360000", "4026001", "41750012"}
	return gopter.CombineGens(
		gen.IntRange(0, 3), selection, selection,
		gen.OneConstOf("NL", "US", "DE"), gen.OneConstOf("EUR", "USD"), gen.OneConstOf(int64(0), int64(1000), int64(600000)), gen.Bool(),
		gen.SliceOfN(4, gen.IntRange(0, len(bins)-1).Map(func(i int) string { return bins[i] })),
	).Map(func(v []any) iinCase {
		var filters string
		switch v[0].(int) {
		case 0:
			filters = `{}`
		case 1:
			filters = `{"restrictTo":` + v[1].(string) + `}`
		case 2:
			filters = `{"exclude":` + v[2].(string) + `}`
		default:
			filters = `{"restrictTo":` + v[1].(string) + `,"exclude":` + v[2].(string) + `}`
		}
		return iinCase{
			filters: filters,
			pc:      filter.Context{CountryCode: v[3].(string), CurrencyCode: v[4].(string), Amount: v[5].(int64), IsRecurring: v[6].(bool)},
			bins:    v[7].([]string),
		}
	})
}

// TestIINDetailsProperties: a product of the answer is allowed in context
// exactly when Products lists it for the same session and context; the
// answer's product is allowed when any match is; the answer holds exactly
// the catalog's matches.
func TestIINDetailsProperties(t *testing.T) {
	f := newIINFixture(t)
	catalog, err := filter.NewCatalog(iinProducts())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	props := gopter.NewProperties(proptest.Parameters(t))
	props.Property("allowed ⇔ in Products; answer = matches", prop.ForAll(func(c iinCase) string {
		resp, err := f.tryCreate(merchant, `{"paymentProductFilters":`+c.filters+`}`)
		if err != nil {
			return "Create: " + err.Error()
		}
		s, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
		if err != nil {
			return "Authenticate: " + err.Error()
		}
		products, err := f.engine.Products(ctx, s, c.pc)
		if err != nil {
			return "Products: " + err.Error()
		}
		listed := func(id int32) bool {
			return slices.ContainsFunc(products, func(p session.AvailableProduct) bool { return p.ID == id })
		}
		for _, bin := range c.bins {
			b, _ := filter.ParseBIN(bin)
			matches := catalog.MatchIIN(b)
			d, err := f.engine.IINDetails(ctx, s, bin, c.pc)
			if len(matches) == 0 {
				if sderrors.CodeOf(err) != sderrors.ErrIINNotFound.Code() {
					return fmt.Sprintf("%s: no match, err = %v", bin, err)
				}
				continue
			}
			if err != nil {
				return fmt.Sprintf("%s: %v", bin, err)
			}
			if d.IsAllowedInContext != listed(d.PaymentProductID) {
				return fmt.Sprintf("%s %s %+v: %s, Products %s", bin, c.filters, c.pc, showIIN(d), summary(products))
			}
			all := d.CoBrands
			if all == nil {
				all = []session.IINCoBrand{{PaymentProductID: d.PaymentProductID, IsAllowedInContext: d.IsAllowedInContext}}
			}
			if len(all) != len(matches) || (len(matches) == 1) != (d.CoBrands == nil) {
				return fmt.Sprintf("%s: %s; matches %v", bin, showIIN(d), matches)
			}
			anyAllowed := false
			for i, cb := range all {
				if cb.PaymentProductID != matches[i].ProductID || cb.IsAllowedInContext != listed(cb.PaymentProductID) {
					return fmt.Sprintf("%s %s %+v: %s, Products %s", bin, c.filters, c.pc, showIIN(d), summary(products))
				}
				anyAllowed = anyAllowed || cb.IsAllowedInContext
			}
			if d.IsAllowedInContext != anyAllowed || !slices.ContainsFunc(all, func(cb session.IINCoBrand) bool { return cb.PaymentProductID == d.PaymentProductID }) {
				return fmt.Sprintf("%s: %s: the answer's product is not the allowed one", bin, showIIN(d))
			}
		}
		return ""
	}, genIINCase()))
	props.TestingRun(t)
}

func ExampleEngine_IINDetails() {
	e := exampleEngine() // VISA (1), MasterCard (3), PayPal (840); cards take their default IIN ranges
	ctx := context.Background()
	resp, err := e.Create(ctx, "1234", session.CreateRequest{
		PaymentProductFilters: &filter.Filters{Exclude: &filter.Selection{Products: []int32{3}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := e.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
	if err != nil {
		fmt.Println(err)
		return
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	for _, bin := range []string{"411111", "51051051", "123456", "4111"} {
		d, err := e.IINDetails(ctx, s, bin, pc)
		if err != nil {
			e := sderrors.Find(err)
			fmt.Println(bin, e.Kind().HTTPStatus(), e.Code(), e.ID(), "at", e.Property())
			continue
		}
		fmt.Println(bin, "product", d.PaymentProductID, "allowed in context:", d.IsAllowedInContext)
	}
	// Output:
	// 411111 product 1 allowed in context: true
	// 51051051 product 3 allowed in context: false
	// 123456 404 701000 IIN_NOT_FOUND at bin
	// 4111 400 700105 INVALID_VALUE at bin
}

// With the default ranges, Visa Debit (114) shares VISA's "4": excluding
// VISA alone leaves a Visa card allowed as Visa Debit; excluding both makes
// it existing but not allowed (filter package doc, # IIN ranges).
func TestIINDetailsDebitCoBrand(t *testing.T) {
	t.Parallel()
	c, err := filter.NewCatalog(append(testProducts(),
		filter.Product{ID: 114, Group: "cards", DisplayOrder: 12, Label: "Visa Debit", PaymentMethod: "card"}))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, session.WithCatalog(c))
	for _, tt := range []struct{ filters, want string }{
		{`{}`, "1:true [1:true 114:true]"},
		{`{"exclude":{"products":[1]}}`, "114:true [1:false 114:true]"},
		{`{"exclude":{"products":[1,114]}}`, "1:false [1:false 114:false]"},
	} {
		s := f.auth(t, f.create(t, `{"paymentProductFilters":`+tt.filters+`}`))
		d, err := f.engine.IINDetails(context.Background(), s, "411111", nlEUR)
		if err != nil || showIIN(d) != tt.want {
			t.Errorf("IINDetails(411111, %s) = %s, %v; want %s", tt.filters, showIIN(d), err, tt.want)
		}
	}
}
