package filter_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want filter.Filters
	}{
		{"empty object", `{}`, filter.Filters{}},
		{"white space around", " \n{ } \t", filter.Filters{}},
		{"restrictTo {} is present with both lists absent", `{"restrictTo":{}}`,
			filter.Filters{RestrictTo: &filter.Selection{}}},
		{"empty lists stay present and empty", `{"exclude":{"groups":[],"products":[]}}`,
			filter.Filters{Exclude: &filter.Selection{Groups: []string{}, Products: []int32{}}}},
		{"full", `{"restrictTo":{"groups":["cards"],"products":[809,2147483647]},"exclude":{"products":[3],"groups":["x"]}}`,
			filter.Filters{
				RestrictTo: &filter.Selection{Groups: []string{"cards"}, Products: []int32{809, 2147483647}},
				Exclude:    &filter.Selection{Groups: []string{"x"}, Products: []int32{3}},
			}},
		{"duplicates and unknown groups are left to Validate", `{"restrictTo":{"groups":["a","a"],"products":[1,1]}}`,
			filter.Filters{RestrictTo: &filter.Selection{Groups: []string{"a", "a"}, Products: []int32{1, 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := filter.Decode([]byte(tt.json))
			if err != nil {
				t.Fatalf("Decode(%s) err = %v", tt.json, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%s) = %s, want %s", tt.json, show(got), show(tt.want))
			}
		})
	}
}

// TestDecodeAbsentVersusEmpty pins the nil / non-nil distinction that
// reflect.DeepEqual above already checks, in plain words.
func TestDecodeAbsentVersusEmpty(t *testing.T) {
	t.Parallel()
	absent, err := filter.Decode([]byte(`{"restrictTo":{"groups":["cards"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if absent.Exclude != nil || absent.RestrictTo.Products != nil {
		t.Errorf("absent members decoded as present: %s", show(absent))
	}
	empty, err := filter.Decode([]byte(`{"restrictTo":{"groups":["cards"],"products":[]},"exclude":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if empty.Exclude == nil || empty.RestrictTo.Products == nil || len(empty.RestrictTo.Products) != 0 {
		t.Errorf("present empty members decoded as absent: %s", show(empty))
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		json     string
		want     *sderrors.Error
		wantPath string
	}{
		{"empty body", ``, sderrors.ErrInvalidJSON, ""},
		{"null body", `null`, sderrors.ErrNullNotAllowed, ""},
		{"array body", `[]`, sderrors.ErrInvalidType, ""},
		{"truncated JSON", `{"restrictTo":`, sderrors.ErrInvalidJSON, "restrictTo"},
		{"trailing data", `{} {}`, sderrors.ErrInvalidJSON, ""},
		{"trailing garbage", `{}x`, sderrors.ErrInvalidJSON, ""},
		{"unknown property", `{"include":{}}`, sderrors.ErrUnknownProperty, "include"},
		{"unknown property inside", `{"exclude":{"group":["cards"]}}`, sderrors.ErrUnknownProperty, "exclude.group"},
		{"member twice", `{"exclude":{},"exclude":{}}`, sderrors.ErrInvalidJSON, "exclude"},
		{"null restrictTo", `{"restrictTo":null}`, sderrors.ErrNullNotAllowed, "restrictTo"},
		{"null groups", `{"restrictTo":{"groups":null}}`, sderrors.ErrNullNotAllowed, "restrictTo.groups"},
		{"null products", `{"exclude":{"products":null}}`, sderrors.ErrNullNotAllowed, "exclude.products"},
		{"null group element", `{"restrictTo":{"groups":["cards",null]}}`, sderrors.ErrNullNotAllowed, "restrictTo.groups[1]"},
		{"null product element", `{"exclude":{"products":[1,null]}}`, sderrors.ErrNullNotAllowed, "exclude.products[1]"},
		{"restrictTo is an array", `{"restrictTo":[]}`, sderrors.ErrInvalidType, "restrictTo"},
		{"exclude is a string", `{"exclude":"cards"}`, sderrors.ErrInvalidType, "exclude"},
		{"groups is a string", `{"restrictTo":{"groups":"cards"}}`, sderrors.ErrInvalidType, "restrictTo.groups"},
		{"group is a number", `{"restrictTo":{"groups":["cards",1]}}`, sderrors.ErrInvalidType, "restrictTo.groups[1]"},
		{"product is a string", `{"exclude":{"products":["1"]}}`, sderrors.ErrInvalidType, "exclude.products[0]"},
		{"product is an object", `{"exclude":{"products":[1,{}]}}`, sderrors.ErrInvalidType, "exclude.products[1]"},
		{"product 0", `{"exclude":{"products":[0]}}`, sderrors.ErrInvalidProductID, "exclude.products[0]"},
		{"product -1", `{"restrictTo":{"products":[1,-1]}}`, sderrors.ErrInvalidProductID, "restrictTo.products[1]"},
		{"product -0", `{"restrictTo":{"products":[-0]}}`, sderrors.ErrInvalidProductID, "restrictTo.products[0]"},
		{"product over int32", `{"restrictTo":{"products":[2147483648]}}`, sderrors.ErrInvalidProductID, "restrictTo.products[0]"},
		{"product far over int64", `{"restrictTo":{"products":[99999999999999999999999]}}`, sderrors.ErrInvalidProductID, "restrictTo.products[0]"},
		{"product 1.5", `{"exclude":{"products":[1,2,1.5]}}`, sderrors.ErrInvalidProductID, "exclude.products[2]"},
		{"product 1.0", `{"exclude":{"products":[1.0]}}`, sderrors.ErrInvalidProductID, "exclude.products[0]"},
		{"product 1e3", `{"exclude":{"products":[1e3]}}`, sderrors.ErrInvalidProductID, "exclude.products[0]"},
		{"product 1E3", `{"exclude":{"products":[1E3]}}`, sderrors.ErrInvalidProductID, "exclude.products[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := filter.Decode([]byte(tt.json))
			checkErr(t, err, tt.want, tt.wantPath)
			if !reflect.DeepEqual(got, filter.Filters{}) {
				t.Errorf("Decode(%s) returned %s with its error, want the zero Filters", tt.json, show(got))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	tests := []struct {
		name     string
		f        filter.Filters
		want     *sderrors.Error
		wantPath string
	}{
		{"none", filter.Filters{}, nil, ""},
		{"empty selections", filter.Filters{RestrictTo: sel(nil), Exclude: sel([]string{})}, nil, ""},
		{"known group, unknown but well-formed ids", filter.Filters{RestrictTo: sel([]string{"cards"}, 1, 999999), Exclude: sel(nil, 2147483647)}, nil, ""},
		{"same id in both lists", filter.Filters{RestrictTo: sel([]string{"cards"}, 1), Exclude: sel([]string{"cards"}, 1)}, nil, ""},
		{"unknown group in restrictTo", filter.Filters{RestrictTo: sel([]string{"cards", "wallets"})}, sderrors.ErrUnknownGroup, "restrictTo.groups[1]"},
		{"unknown group in exclude", filter.Filters{Exclude: sel([]string{"cards", "mobile"})}, sderrors.ErrUnknownGroup, "exclude.groups[1]"},
		{"empty group name", filter.Filters{Exclude: sel([]string{""})}, sderrors.ErrUnknownGroup, "exclude.groups[0]"},
		{"group names are case-sensitive", filter.Filters{Exclude: sel([]string{"Cards"})}, sderrors.ErrUnknownGroup, "exclude.groups[0]"},
		{"duplicate group", filter.Filters{RestrictTo: sel([]string{"cards", "cards"})}, sderrors.ErrDuplicateItem, "restrictTo.groups[1]"},
		{"duplicate product", filter.Filters{Exclude: sel(nil, 1, 2, 1)}, sderrors.ErrDuplicateItem, "exclude.products[2]"},
		{"duplicate unknown product", filter.Filters{RestrictTo: sel(nil, 77, 77)}, sderrors.ErrDuplicateItem, "restrictTo.products[1]"},
		{"duplicate in a long list", filter.Filters{RestrictTo: sel(nil, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 5)}, sderrors.ErrDuplicateItem, "restrictTo.products[18]"},
		{"product 0", filter.Filters{RestrictTo: sel(nil, 1, 0)}, sderrors.ErrInvalidProductID, "restrictTo.products[1]"},
		{"negative product", filter.Filters{Exclude: sel(nil, -5)}, sderrors.ErrInvalidProductID, "exclude.products[0]"},
		{"restrictTo is checked before exclude", filter.Filters{RestrictTo: sel(nil, 1, 1), Exclude: sel([]string{"x"})}, sderrors.ErrDuplicateItem, "restrictTo.products[1]"},
		// The rules that need no catalog (Filters.Validate, run when a request is
		// decoded) come before the one that does (KnownGroups).
		{"shape rules are checked before known groups", filter.Filters{Exclude: &filter.Selection{Products: []int32{0}, Groups: []string{"x"}}}, sderrors.ErrInvalidProductID, "exclude.products[0]"},
		{"a duplicate before an unknown group", filter.Filters{RestrictTo: sel([]string{"x"}), Exclude: sel(nil, 3, 3)}, sderrors.ErrDuplicateItem, "exclude.products[1]"},
		{"duplicate groups", filter.Filters{Exclude: sel([]string{"cards", "cards"})}, sderrors.ErrDuplicateItem, "exclude.groups[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, c.Validate(tt.f), tt.want, tt.wantPath)
		})
	}
}

// TestValidateWithinRefusesInvalidLimits: limits with a cap under 1 are a
// bug of the caller, never silently replaced by the defaults: every value
// of f, even an empty one, gives ErrInternal wrapping an
// ErrInvalidConfiguration at "limits".
func TestValidateWithinRefusesInvalidLimits(t *testing.T) {
	t.Parallel()
	one := &filter.Selection{Products: []int32{1}}
	for _, l := range []filter.Limits{{}, {Groups: 1}, {Products: 1}, {Groups: -1, Products: 5}} {
		for _, f := range []filter.Filters{{}, {RestrictTo: one}, {Exclude: one}} {
			err := f.ValidateWithin(l)
			if !errors.Is(err, sderrors.ErrInternal) || !errors.Is(err, sderrors.ErrInvalidConfiguration) {
				t.Errorf("ValidateWithin(%+v) of %+v = %v; want ErrInternal wrapping ErrInvalidConfiguration", l, f, err)
				continue
			}
			var cause *sderrors.Error
			if !errors.As(errors.Unwrap(err), &cause) || cause.Property() != "limits" {
				t.Errorf("ValidateWithin(%+v): cause %v; want the problem at limits", l, errors.Unwrap(err))
			}
			if resp := sderrors.ToResponse(err); resp.HTTPStatus() != 500 || resp.Errors[0].PropertyName != "" {
				t.Errorf("ValidateWithin(%+v) on the wire = %+v; want a 500 that names nothing of the request", l, resp)
			}
		}
	}
	if err := (filter.Filters{RestrictTo: one}).ValidateWithin(filter.Limits{Groups: 1, Products: 1}); err != nil {
		t.Errorf("the smallest valid limits: %v", err)
	}
}

// TestDecodeThenValidatePaths shows the whole wire path of a request error
// once prefixed the way the session decoder does.
func TestDecodeThenValidatePaths(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	f, err := filter.Decode([]byte(`{"exclude":{"groups":["cards","wallets"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	e := sderrors.Find(c.Validate(f))
	if e == nil {
		t.Fatal("Validate accepted an unknown group")
	}
	if got, want := e.Prefix("paymentProductFilters").Property(), "paymentProductFilters.exclude.groups[1]"; got != want {
		t.Errorf("property = %q, want %q", got, want)
	}
	if !strings.Contains(e.Message(), "cards") {
		t.Errorf("message %q does not list the known groups", e.Message())
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	nl := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	tests := []struct {
		name string
		pc   filter.Context
		f    filter.Filters
		want []int32
	}{
		{"no filters: the context, in display order", nl, filter.Filters{}, []int32{1, 3, 2, 809, 840}},
		{"empty restrictTo is no bound", nl, filter.Filters{RestrictTo: sel(nil)}, []int32{1, 3, 2, 809, 840}},
		{"restrictTo with empty lists is no bound", nl, filter.Filters{RestrictTo: &filter.Selection{Groups: []string{}, Products: []int32{}}}, []int32{1, 3, 2, 809, 840}},
		{"restrictTo a group", nl, filter.Filters{RestrictTo: sel([]string{"cards"})}, []int32{1, 3, 2}},
		{"restrictTo products, output in display order", nl, filter.Filters{RestrictTo: sel(nil, 840, 1)}, []int32{1, 840}},
		{"restrictTo group and product unite", nl, filter.Filters{RestrictTo: sel([]string{"cards"}, 809)}, []int32{1, 3, 2, 809}},
		{"restrictTo only unknown ids: nothing", nl, filter.Filters{RestrictTo: sel(nil, 12345)}, []int32{}},
		{"restrictTo never widens the context", filter.Context{CountryCode: "BE", CurrencyCode: "EUR", Amount: 1000}, filter.Filters{RestrictTo: sel(nil, 809, 1)}, []int32{1}},
		{"exclude a product", nl, filter.Filters{Exclude: sel(nil, 3)}, []int32{1, 2, 809, 840}},
		{"exclude a group", nl, filter.Filters{Exclude: sel([]string{"cards"})}, []int32{809, 840}},
		{"exclude a group beats restrictTo of its member", nl, filter.Filters{RestrictTo: sel(nil, 1, 809), Exclude: sel([]string{"cards"})}, []int32{809}},
		{"exclude a product beats restrictTo of its group", nl, filter.Filters{RestrictTo: sel([]string{"cards"}), Exclude: sel(nil, 1)}, []int32{3, 2}},
		{"exclude everything restricted: nothing", nl, filter.Filters{RestrictTo: sel([]string{"cards"}), Exclude: sel([]string{"cards"})}, []int32{}},
		{"exclude an unknown id changes nothing", nl, filter.Filters{Exclude: sel(nil, 4242)}, []int32{1, 3, 2, 809, 840}},
		{"country outside the list", filter.Context{CountryCode: "DE", CurrencyCode: "EUR", Amount: 1000}, filter.Filters{}, []int32{1, 3, 2, 840}},
		{"currency outside the list", filter.Context{CountryCode: "NL", CurrencyCode: "GBP", Amount: 1000}, filter.Filters{}, []int32{1, 3, 840}},
		{"amount below minimum", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 99}, filter.Filters{}, []int32{1, 3, 809, 840}},
		{"amount at minimum (inclusive)", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 100}, filter.Filters{}, []int32{1, 3, 2, 809, 840}},
		{"amount at maximum (inclusive)", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 500000}, filter.Filters{}, []int32{1, 3, 2, 809, 840}},
		{"amount above maximum", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 500001}, filter.Filters{}, []int32{1, 3, 2, 840}},
		{"recurring", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000, IsRecurring: true}, filter.Filters{}, []int32{1, 3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := c.Validate(tt.f); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got := c.Resolve(tt.pc, tt.f)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("Resolve(%+v, %s) = %#v, want %v", tt.pc, show(tt.f), got, tt.want)
			}
			if n := c.Resolve(tt.pc, tt.f.Normalize()); !slices.Equal(n, tt.want) {
				t.Errorf("Resolve of Normalize() = %v, want %v", n, tt.want)
			}
		})
	}
}

func TestResolveLargeCatalog(t *testing.T) {
	t.Parallel()
	// Over the stack bitsets (2,048 products): the heap path gives the same rule.
	products := make([]filter.Product, 3000)
	for i := range products {
		products[i] = filter.Product{ID: int32(3000 - i), DisplayOrder: i % 7}
		if i%2 == 0 {
			products[i].Group = "cards"
		}
	}
	c, err := filter.NewCatalog(products)
	if err != nil {
		t.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR"}
	got := c.Resolve(pc, filter.Filters{RestrictTo: sel([]string{"cards"}, 2999, 1), Exclude: sel(nil, 3000, 1)})
	// cards are the even positions i, ids 3000-i: even ids; plus 2999; minus 3000.
	if len(got) != 1500 {
		t.Errorf("len = %d, want 1500", len(got))
	}
	if slices.Contains(got, 3000) || slices.Contains(got, 1) || !slices.Contains(got, 2999) {
		t.Errorf("exclude or restrictTo ignored: 3000 %v, 1 %v, 2999 %v",
			slices.Contains(got, 3000), slices.Contains(got, 1), slices.Contains(got, 2999))
	}
	all := c.Products()
	want := make([]int32, 0, 1500)
	for _, p := range all {
		if (p.Group == "cards" || p.ID == 2999) && p.ID != 3000 && p.ID != 1 {
			want = append(want, p.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("result not in display order or wrong")
	}
}

func TestPermits(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	tests := []struct {
		name string
		f    filter.Filters
		id   int32
		want bool
	}{
		{"no filters", filter.Filters{}, 809, true},
		{"not in the catalog", filter.Filters{}, 4242, false},
		{"unknown id restricted to", filter.Filters{RestrictTo: sel(nil, 4242)}, 4242, false},
		{"in the bound by group", filter.Filters{RestrictTo: sel([]string{"cards"})}, 2, true},
		{"outside the bound", filter.Filters{RestrictTo: sel([]string{"cards"})}, 809, false},
		{"empty bound", filter.Filters{RestrictTo: sel([]string{})}, 809, true},
		{"excluded by id", filter.Filters{Exclude: sel(nil, 809)}, 809, false},
		{"excluded by group despite restrictTo", filter.Filters{RestrictTo: sel(nil, 1), Exclude: sel([]string{"cards"})}, 1, false},
		{"context is ignored", filter.Filters{RestrictTo: sel(nil, 809)}, 809, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.Permits(tt.f, tt.id); got != tt.want {
				t.Errorf("Permits(%s, %d) = %v, want %v", show(tt.f), tt.id, got, tt.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	reasonOf := func(ex []filter.Explanation, id int32) string {
		for _, e := range ex {
			if e.ProductID == id {
				return e.Reason
			}
		}
		return "<missing>"
	}
	nl := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	tests := []struct {
		name string
		pc   filter.Context
		f    filter.Filters
		id   int32
		want string
	}{
		{"available", nl, filter.Filters{}, 1, "available"},
		{"excluded product", nl, filter.Filters{Exclude: sel(nil, 1)}, 1, "excluded: exclude.products contains 1"},
		{"excluded group", nl, filter.Filters{Exclude: sel([]string{"cards"})}, 3, "excluded: exclude.groups contains cards"},
		{"product exclusion named before group exclusion", nl, filter.Filters{Exclude: sel([]string{"cards"}, 3)}, 3, "excluded: exclude.products contains 3"},
		{"exclude before restrictTo", nl, filter.Filters{RestrictTo: sel(nil, 840), Exclude: sel(nil, 1)}, 1, "excluded: exclude.products contains 1"},
		{"not in restrictTo", nl, filter.Filters{RestrictTo: sel([]string{"cards"})}, 840, "not in restrictTo"},
		{"restrictTo before context", filter.Context{CountryCode: "DE", CurrencyCode: "EUR"}, filter.Filters{RestrictTo: sel(nil, 1)}, 809, "not in restrictTo"},
		{"country", filter.Context{CountryCode: "DE", CurrencyCode: "EUR", Amount: 1000}, filter.Filters{}, 809, "country DE not accepted"},
		{"currency", filter.Context{CountryCode: "NL", CurrencyCode: "USD", Amount: 1000}, filter.Filters{}, 809, "currency USD not accepted"},
		{"country before currency", filter.Context{CountryCode: "US", CurrencyCode: "USD", Amount: 1000}, filter.Filters{}, 809, "country US not accepted"},
		{"below minimum", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 50}, filter.Filters{}, 2, "amount 50 below minimum 100"},
		{"above maximum", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 600000}, filter.Filters{}, 809, "amount 600000 above maximum 500000"},
		{"recurring", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000, IsRecurring: true}, filter.Filters{}, 840, "recurring not supported"},
		{"unknown id in restrictTo", nl, filter.Filters{RestrictTo: sel(nil, 4242)}, 4242, "unknown product id"},
		{"unknown id in exclude", nl, filter.Filters{Exclude: sel(nil, 4242)}, 4242, "unknown product id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ex := c.Explain(tt.pc, tt.f)
			if got := reasonOf(ex, tt.id); got != tt.want {
				t.Errorf("reason of %d = %q, want %q", tt.id, got, tt.want)
			}
			// Available agrees with Resolve for every product.
			res := c.Resolve(tt.pc, tt.f)
			for _, e := range ex {
				if e.Available != slices.Contains(res, e.ProductID) || e.Available != (e.Reason == "available") {
					t.Errorf("explanation %+v disagrees with Resolve %v", e, res)
				}
			}
		})
	}
}

func TestExplainOrderAndUnknownIDs(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	ex := c.Explain(filter.Context{CountryCode: "NL", CurrencyCode: "EUR"},
		filter.Filters{RestrictTo: sel(nil, 9000, 1, 7), Exclude: sel(nil, 7, 8)})
	var ids []int32
	for _, e := range ex {
		ids = append(ids, e.ProductID)
		if known := e.ProductID < 1000 && e.ProductID != 7 && e.ProductID != 8; e.Known != known {
			t.Errorf("%d: Known = %v, want %v", e.ProductID, e.Known, known)
		}
	}
	if want := []int32{1, 3, 2, 809, 840, 7, 8, 9000}; !slices.Equal(ids, want) {
		t.Errorf("explained ids = %v, want %v (display order, then unknown ascending, once each)", ids, want)
	}
}

func TestContextValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pc       filter.Context
		want     *sderrors.Error
		wantPath string
	}{
		{"valid", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 0}, nil, ""},
		{"valid recurring", filter.Context{CountryCode: "US", CurrencyCode: "USD", Amount: 1, IsRecurring: true}, nil, ""},
		{"missing country", filter.Context{CurrencyCode: "EUR"}, sderrors.ErrParameterNotFound, "countryCode"},
		{"missing currency", filter.Context{CountryCode: "NL"}, sderrors.ErrParameterNotFound, "currencyCode"},
		{"both missing: country first", filter.Context{}, sderrors.ErrParameterNotFound, "countryCode"},
		{"lower-case country", filter.Context{CountryCode: "nl", CurrencyCode: "EUR"}, sderrors.ErrInvalidPaymentContext, "countryCode"},
		{"three-letter country", filter.Context{CountryCode: "NLD", CurrencyCode: "EUR"}, sderrors.ErrInvalidPaymentContext, "countryCode"},
		{"non-ASCII country", filter.Context{CountryCode: "NÉ", CurrencyCode: "EUR"}, sderrors.ErrInvalidPaymentContext, "countryCode"},
		{"two-letter currency", filter.Context{CountryCode: "NL", CurrencyCode: "EU"}, sderrors.ErrInvalidPaymentContext, "currencyCode"},
		{"digits in currency", filter.Context{CountryCode: "NL", CurrencyCode: "978"}, sderrors.ErrInvalidPaymentContext, "currencyCode"},
		{"negative amount", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: -1}, sderrors.ErrInvalidPaymentContext, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkErr(t, tt.pc.Validate(), tt.want, tt.wantPath)
		})
	}
}

func TestNewCatalogErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		change   func(ps []filter.Product) []filter.Product
		wantPath string
	}{
		{"id 0", func(ps []filter.Product) []filter.Product { ps[3].ID = 0; return ps }, "products[3].id"},
		{"negative id", func(ps []filter.Product) []filter.Product { ps[1].ID = -2; return ps }, "products[1].id"},
		{"duplicate id", func(ps []filter.Product) []filter.Product { ps[4].ID = 809; return ps }, "products[4].id"},
		{"min above max", func(ps []filter.Product) []filter.Product {
			ps[3].MinAmount, ps[3].MaxAmount = amount(10), amount(9)
			return ps
		}, "products[3].maxAmount"},
		{"negative min", func(ps []filter.Product) []filter.Product { ps[0].MinAmount = amount(-1); return ps }, "products[0].minAmount"},
		{"negative max", func(ps []filter.Product) []filter.Product { ps[0].MaxAmount = amount(-1); return ps }, "products[0].maxAmount"},
		{"lower-case country", func(ps []filter.Product) []filter.Product { ps[0].Countries = []string{"NL", "be"}; return ps }, "products[0].countries[1]"},
		{"long country", func(ps []filter.Product) []filter.Product { ps[2].Countries = []string{"NLD"}; return ps }, "products[2].countries[0]"},
		{"bad currency", func(ps []filter.Product) []filter.Product { ps[2].Currencies = []string{"EURO"}; return ps }, "products[2].currencies[0]"},
		{"empty currency", func(ps []filter.Product) []filter.Product { ps[2].Currencies = []string{""}; return ps }, "products[2].currencies[0]"},
		{"blank group", func(ps []filter.Product) []filter.Product { ps[2].Group = " "; return ps }, "products[2].group"},
		{"group with spaces around", func(ps []filter.Product) []filter.Product { ps[2].Group = "cards "; return ps }, "products[2].group"},
		{"group with control characters", func(ps []filter.Product) []filter.Product { ps[2].Group = "ca\nrds"; return ps }, "products[2].group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := filter.NewCatalog(tt.change(demoProducts()))
			checkErr(t, err, sderrors.ErrInvalidConfiguration, tt.wantPath)
			if c != nil {
				t.Errorf("NewCatalog returned a catalog with its error")
			}
		})
	}
}

func TestNewCatalog(t *testing.T) {
	t.Parallel()
	c := demoCatalog(t)
	// Valid edge cases.
	if _, err := filter.NewCatalog(nil); err != nil {
		t.Errorf("empty catalog: %v", err)
	}
	if _, err := filter.NewCatalog([]filter.Product{{ID: 2147483647, MinAmount: amount(5), MaxAmount: amount(5)}}); err != nil {
		t.Errorf("max id, min == max: %v", err)
	}
	var ids []int32
	for _, p := range c.Products() {
		ids = append(ids, p.ID)
	}
	if want := []int32{1, 3, 2, 809, 840}; !slices.Equal(ids, want) {
		t.Errorf("Products() ids = %v, want display order %v", ids, want)
	}
	if got, want := c.Groups(), []string{"cards"}; !slices.Equal(got, want) {
		t.Errorf("Groups() = %v, want %v", got, want)
	}
	if p, ok := c.Product(809); !ok || p.Label != "iDEAL" {
		t.Errorf("Product(809) = %+v, %v", p, ok)
	}
	if _, ok := c.Product(4242); ok {
		t.Errorf("Product(4242) found")
	}
	// Ties in display order are broken by id.
	tie, err := filter.NewCatalog([]filter.Product{{ID: 9}, {ID: 4}, {ID: 7, DisplayOrder: -1}})
	if err != nil {
		t.Fatal(err)
	}
	ids = ids[:0]
	for _, p := range tie.Products() {
		ids = append(ids, p.ID)
	}
	if want := []int32{7, 4, 9}; !slices.Equal(ids, want) {
		t.Errorf("tie order = %v, want %v", ids, want)
	}
}

func TestCatalogIsImmutable(t *testing.T) {
	t.Parallel()
	input := demoProducts()
	c, err := filter.NewCatalog(input)
	if err != nil {
		t.Fatal(err)
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	before := c.Resolve(pc, filter.Filters{})
	// Change everything the caller still holds.
	input[0].Countries[0] = "BE"
	*input[0].MaxAmount = 1
	input[1].ID = 77
	input[1].Group = "other"
	c.Products()[0].ID = 55
	c.Groups()[0] = "x"
	if after := c.Resolve(pc, filter.Filters{}); !slices.Equal(before, after) {
		t.Errorf("Resolve changed from %v to %v after the input was modified", before, after)
	}
	if p, _ := c.Product(809); p.Countries[0] != "NL" || *p.MaxAmount != 500000 {
		t.Errorf("catalog product changed with its input: %+v", p)
	}
	if got := c.Groups(); !slices.Equal(got, []string{"cards"}) {
		t.Errorf("Groups() = %v after modifying a returned slice", got)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   filter.Filters
		want filter.Filters
	}{
		{"absent", filter.Filters{}, filter.Filters{}},
		{"empty selections become nil", filter.Filters{RestrictTo: sel([]string{}), Exclude: &filter.Selection{}}, filter.Filters{}},
		{"sorted and de-duplicated", filter.Filters{RestrictTo: sel([]string{"b", "a", "b"}, 3, 1, 3), Exclude: sel(nil, 5)},
			filter.Filters{RestrictTo: sel([]string{"a", "b"}, 1, 3), Exclude: sel(nil, 5)}},
		{"empty list in a non-empty selection becomes nil", filter.Filters{Exclude: &filter.Selection{Groups: []string{}, Products: []int32{2}}},
			filter.Filters{Exclude: sel(nil, 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			orig := show(tt.in)
			got := tt.in.Normalize()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize(%s) = %s, want %s", orig, show(got), show(tt.want))
			}
			if show(tt.in) != orig {
				t.Errorf("Normalize modified its receiver: %s, was %s", show(tt.in), orig)
			}
		})
	}
}
