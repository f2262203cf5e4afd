// Package demo holds the demo data of the examples: one merchant's
// catalog and a few stored tokens that show every token outcome. The
// quickstart and the reference HTTP gateway use it.
//
// Catalog (display order): the group "cards" with 1 VISA, 2 American
// Express and 3 MasterCard; 840 PayPal (redirect); 809 iDEAL (redirect, NL
// and EUR only).
package demo

import (
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/token"
)

// MerchantID is the demo merchant; OtherMerchantID owns one demo token.
const (
	MerchantID      = "1234"
	OtherMerchantID = "5678"
)

// Origin is the demo datacenter origin (clientApiUrl Origin+"/client").
const Origin = "http://localhost:8080"

// Region is the demo datacenter region.
const Region = "EU"

// Ids of the demo tokens (stored cards).
const (
	// VisaCardID is a valid VISA card of MerchantID, expiring 12/2030.
	VisaCardID = "8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c"
	// ExpiredCardID is an American Express card of MerchantID that expired 06/2021.
	ExpiredCardID = "1c7e0b5d9a8f4e2d8c6b4a2f0e1d3c5b"
	// OtherMerchantCardID is a VISA card of OtherMerchantID.
	OtherMerchantCardID = "5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1b"
	// MasterCardID is a valid MasterCard (product 3) of MerchantID: the
	// quickstart's filters exclude product 3, so it is valid but hidden.
	MasterCardID = "9b8a7f6e5d4c4b3a2f1e0d9c8b7a6f5e"
)

// Now is a fixed "now" for deterministic runs of the demo: 15 January
// 2026, 10:00 UTC.
func Now() time.Time { return time.Date(2026, time.January, 15, 10, 0, 0, 0, time.UTC) }

// Products returns the demo catalog's products.
func Products() []filter.Product {
	return []filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png",
			PaymentMethod: "card", AllowsRecurring: true, AllowsTokenization: true},
		{ID: 2, Group: "cards", DisplayOrder: 20, Label: "American Express", Logo: "pp_logo_2.png",
			PaymentMethod: "card", AllowsRecurring: true, AllowsTokenization: true},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard", Logo: "pp_logo_3.png",
			PaymentMethod: "card", AllowsRecurring: true, AllowsTokenization: true},
		{ID: 840, DisplayOrder: 40, Label: "PayPal", Logo: "pp_logo_840.png",
			PaymentMethod: "redirect", AllowsRecurring: true},
		{ID: 809, DisplayOrder: 50, Label: "iDEAL", Logo: "pp_logo_809.png",
			PaymentMethod: "redirect", Countries: []string{"NL"}, Currencies: []string{"EUR"}},
	}
}

// Catalog returns the demo catalog.
func Catalog() *filter.Catalog {
	c, err := filter.NewCatalog(Products())
	if err != nil {
		panic("demo: invalid catalog: " + err.Error()) // static data: a bug, caught by every test
	}
	return c
}

// Tokens returns the demo tokens.
func Tokens() []token.Token {
	return []token.Token{
		{ID: VisaCardID, MerchantID: MerchantID, PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "************1111"},
		{ID: ExpiredCardID, MerchantID: MerchantID, PaymentProductID: 2, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.June, Year: 2021}, Alias: "***********0005"},
		{ID: OtherMerchantCardID, MerchantID: OtherMerchantID, PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.March, Year: 2029}, Alias: "************4242"},
		{ID: MasterCardID, MerchantID: MerchantID, PaymentProductID: 3, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.August, Year: 2028}, Alias: "************4444"},
	}
}
