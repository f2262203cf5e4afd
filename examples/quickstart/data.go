package main

import (
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/token"
)

// The quickstart's data: what a gateway keeps in its own systems and
// hands to the engine. Everything is inline, so that the program is the
// whole example.

// merchantID is the demo merchant; otherMerchantID owns one demo token.
const (
	merchantID      = "1234"
	otherMerchantID = "5678"
)

// The merchant's datacenter: clientApiUrl is origin+"/client".
const (
	origin = "http://localhost:8080"
	region = "EU"
)

// Ids of the stored cards (tokens) the create request lists.
const (
	visaCardID          = "8f2a9c31d6e04b7f9a1c2e3d4f5a6b7c" // valid VISA of merchantID
	expiredCardID       = "1c7e0b5d9a8f4e2d8c6b4a2f0e1d3c5b" // American Express, expired 06/2021
	otherMerchantCardID = "5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1b" // VISA of otherMerchantID
	masterCardID        = "9b8a7f6e5d4c4b3a2f1e0d9c8b7a6f5e" // valid MasterCard: the filters exclude product 3
)

// products is the merchant's catalog: the group "cards" with 1 VISA, 2
// American Express and 3 MasterCard; 840 PayPal; 809 iDEAL (NL, EUR only).
func products() []filter.Product {
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

// tokens are the gateway's stored cards.
func tokens() []token.Token {
	return []token.Token{
		{ID: visaCardID, MerchantID: merchantID, PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.December, Year: 2030}, Alias: "************1111"},
		{ID: expiredCardID, MerchantID: merchantID, PaymentProductID: 2, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.June, Year: 2021}, Alias: "***********0005"},
		{ID: otherMerchantCardID, MerchantID: otherMerchantID, PaymentProductID: 1, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.March, Year: 2029}, Alias: "************4242"},
		{ID: masterCardID, MerchantID: merchantID, PaymentProductID: 3, Status: token.StatusActive,
			CardExpiry: token.Expiry{Month: time.August, Year: 2028}, Alias: "************4444"},
	}
}
