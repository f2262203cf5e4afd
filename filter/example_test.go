package filter_test

import (
	"fmt"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

func ExampleDecode() {
	f, err := filter.Decode([]byte(`{"restrictTo":{"groups":["cards"],"products":[809]},"exclude":{}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("restrictTo:", f.RestrictTo.Groups, f.RestrictTo.Products)
	fmt.Println("exclude present:", f.Exclude != nil, "lists absent:", f.Exclude.Groups == nil && f.Exclude.Products == nil)

	_, err = filter.Decode([]byte(`{"exclude":{"products":[3,1.5]}}`))
	e := sderrors.Find(err)
	fmt.Println(e.Code(), e.Prefix("paymentProductFilters").Property())
	// Output:
	// restrictTo: [cards] [809]
	// exclude present: true lists absent: true
	// 700201 paymentProductFilters.exclude.products[1]
}

func ExampleNewCatalog() {
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 809, Label: "iDEAL", DisplayOrder: 2, Countries: []string{"NL"}},
		{ID: 1, Group: "cards", Label: "VISA", DisplayOrder: 1},
		{ID: 3, Group: "cards", Label: "MasterCard", DisplayOrder: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range c.Products() {
		fmt.Println(p.ID, p.Label)
	}
	fmt.Println(c.Groups())

	_, err = filter.NewCatalog([]filter.Product{{ID: 1}, {ID: 2, MinAmount: amount(500), MaxAmount: amount(100)}})
	fmt.Println(err)
	// Output:
	// 1 VISA
	// 3 MasterCard
	// 809 iDEAL
	// [cards]
	// products[1].maxAmount: the maximum amount 100 is below the minimum amount 500
}

func ExampleCatalog_Validate() {
	minAmex := int64(100)
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", Label: "VISA", DisplayOrder: 10, AllowsRecurring: true},
		{ID: 3, Group: "cards", Label: "MasterCard", DisplayOrder: 20, AllowsRecurring: true},
		{ID: 2, Group: "cards", Label: "American Express", DisplayOrder: 30, AllowsRecurring: true,
			Currencies: []string{"EUR", "USD"}, MinAmount: &minAmex},
		{ID: 809, Label: "iDEAL", DisplayOrder: 40, Countries: []string{"NL"}, Currencies: []string{"EUR"}},
		{ID: 840, Label: "PayPal", DisplayOrder: 50},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, _ := filter.Decode([]byte(`{"exclude":{"groups":["cards","wallets"]}}`))
	err = c.Validate(f)
	resp := sderrors.ToResponse(sderrors.Find(err).Prefix("paymentProductFilters"), sderrors.WithErrorID(func() string { return "example" }))
	fmt.Println(resp.Errors[0].HTTPStatusCode, resp.Errors[0].ID, resp.Errors[0].PropertyName)
	// Output:
	// 400 UNKNOWN_PAYMENT_PRODUCT_GROUP paymentProductFilters.exclude.groups[1]
}

func ExampleCatalog_Resolve() {
	minAmex := int64(100)
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", Label: "VISA", DisplayOrder: 10, AllowsRecurring: true},
		{ID: 3, Group: "cards", Label: "MasterCard", DisplayOrder: 20, AllowsRecurring: true},
		{ID: 2, Group: "cards", Label: "American Express", DisplayOrder: 30, AllowsRecurring: true,
			Currencies: []string{"EUR", "USD"}, MinAmount: &minAmex},
		{ID: 809, Label: "iDEAL", DisplayOrder: 40, Countries: []string{"NL"}, Currencies: []string{"EUR"}},
		{ID: 840, Label: "PayPal", DisplayOrder: 50},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}
	fmt.Println(c.Resolve(pc, filter.Filters{}))

	// exclude wins: the cards group goes, even though VISA (1) is in restrictTo.
	f, _ := filter.Decode([]byte(`{"restrictTo":{"products":[1,809]},"exclude":{"groups":["cards"]}}`))
	fmt.Println(c.Resolve(pc, f))
	// Output:
	// [1 3 2 809 840]
	// [809]
}

func ExampleCatalog_Explain() {
	minAmex := int64(100)
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", Label: "VISA", DisplayOrder: 10, AllowsRecurring: true},
		{ID: 3, Group: "cards", Label: "MasterCard", DisplayOrder: 20, AllowsRecurring: true},
		{ID: 2, Group: "cards", Label: "American Express", DisplayOrder: 30, AllowsRecurring: true,
			Currencies: []string{"EUR", "USD"}, MinAmount: &minAmex},
		{ID: 809, Label: "iDEAL", DisplayOrder: 40, Countries: []string{"NL"}, Currencies: []string{"EUR"}},
		{ID: 840, Label: "PayPal", DisplayOrder: 50},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "USD", Amount: 50, IsRecurring: true}
	f, _ := filter.Decode([]byte(`{"restrictTo":{"groups":["cards"],"products":[809,4242]},"exclude":{"products":[3]}}`))
	for _, e := range c.Explain(pc, f) {
		fmt.Printf("%d known=%v available=%v: %s\n", e.ProductID, e.Known, e.Available, e.Reason)
	}
	// Output:
	// 1 known=true available=true: available
	// 3 known=true available=false: excluded: exclude.products contains 3
	// 2 known=true available=false: amount 50 below minimum 100
	// 809 known=true available=false: currency USD not accepted
	// 840 known=true available=false: not in restrictTo
	// 4242 known=false available=false: unknown product id
}

func ExampleContext_Validate() {
	fmt.Println(filter.Context{CurrencyCode: "EUR"}.Validate())
	fmt.Println(filter.Context{CountryCode: "nl", CurrencyCode: "EUR"}.Validate())
	// Output:
	// countryCode: the parameter was not found in the request
	// countryCode: countryCode must be an ISO 3166 alpha-2 code in upper case, e.g. NL
}

func ExampleCatalog_MatchIIN() {
	c, err := filter.NewCatalog([]filter.Product{
		{ID: 1, Label: "VISA", DisplayOrder: 1},            // default ranges: 4
		{ID: 122, Label: "Visa Electron", DisplayOrder: 2}, // default ranges: 4026, 417500, ...
		{ID: 3, Label: "MasterCard", DisplayOrder: 3, // the catalog overrides the defaults
			IINRanges: []filter.IINRange{{Low: "51", High: "55"}}},
		{ID: 840, Label: "PayPal", DisplayOrder: 4}, // no ranges
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, digits := range []string{"411111", "40260012", "222100", "510510", "12345", "123456"} {
		bin, err := filter.ParseBIN(digits)
		if err != nil {
			fmt.Println(digits, "->", err)
			continue
		}
		matches := c.MatchIIN(bin)
		if matches == nil {
			fmt.Println(digits, "-> unknown card")
			continue
		}
		fmt.Print(digits, " ->")
		for _, m := range matches {
			fmt.Printf(" %d (range %s)", m.ProductID, m.Range)
		}
		fmt.Println()
	}
	// Output:
	// 411111 -> 1 (range 4)
	// 40260012 -> 122 (range 4026) 1 (range 4)
	// 222100 -> unknown card
	// 510510 -> 3 (range 51-55)
	// 12345 -> bin: bin is the first 6 to 19 digits of the card number, digits only
	// 123456 -> unknown card
}
