package main

import (
	"fmt"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

// The Client API shapes, as the Connect API reference documents them and
// connect-sdk-client-js maps them (wire-contract §2.6).

type paymentProductsJSON struct {
	PaymentProducts []paymentProductJSON `json:"paymentProducts"`
}

type paymentProductJSON struct {
	ID                        int32               `json:"id"`
	DisplayHints              productHintsJSON    `json:"displayHints"`
	PaymentMethod             string              `json:"paymentMethod"`
	PaymentProductGroup       string              `json:"paymentProductGroup,omitempty"`
	AllowsRecurring           bool                `json:"allowsRecurring"`
	AllowsTokenization        bool                `json:"allowsTokenization"`
	AllowsInstallments        bool                `json:"allowsInstallments"`
	AutoTokenized             bool                `json:"autoTokenized"`
	CanBeIframed              bool                `json:"canBeIframed"`
	DeviceFingerprintEnabled  bool                `json:"deviceFingerprintEnabled"`
	IsJavaScriptRequired      bool                `json:"isJavaScriptRequired"`
	MobileIntegrationLevel    string              `json:"mobileIntegrationLevel"`
	SupportsMandates          bool                `json:"supportsMandates"`
	UsesRedirectionTo3rdParty bool                `json:"usesRedirectionTo3rdParty"`
	MinAmount                 *int64              `json:"minAmount,omitempty"`
	MaxAmount                 *int64              `json:"maxAmount,omitempty"`
	AccountsOnFile            []accountOnFileJSON `json:"accountsOnFile,omitempty"`
	Fields                    []fieldJSON         `json:"fields,omitzero"`
}

type productHintsJSON struct {
	DisplayOrder int    `json:"displayOrder"`
	Label        string `json:"label"`
	Logo         string `json:"logo"`
}

type paymentProductGroupsJSON struct {
	PaymentProductGroups []paymentProductGroupJSON `json:"paymentProductGroups"`
}

type paymentProductGroupJSON struct {
	ID                       string              `json:"id"`
	DisplayHints             productHintsJSON    `json:"displayHints"`
	AllowsInstallments       bool                `json:"allowsInstallments"`
	DeviceFingerprintEnabled bool                `json:"deviceFingerprintEnabled"`
	AccountsOnFile           []accountOnFileJSON `json:"accountsOnFile,omitempty"`
	Fields                   []fieldJSON         `json:"fields,omitzero"`
}

type accountOnFileJSON struct {
	ID               int                          `json:"id"`
	PaymentProductID int32                        `json:"paymentProductId"`
	Attributes       []accountOnFileAttributeJSON `json:"attributes"`
	DisplayHints     accountOnFileHintsJSON       `json:"displayHints"`
}

type accountOnFileAttributeJSON struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Status string `json:"status"`
}

type accountOnFileHintsJSON struct {
	LabelTemplate []labelTemplateJSON `json:"labelTemplate"`
	Logo          string              `json:"logo"`
}

type labelTemplateJSON struct {
	AttributeKey string `json:"attributeKey"`
	Mask         string `json:"mask"`
}

type fieldJSON struct {
	ID               string               `json:"id"`
	Type             string               `json:"type"`
	DataRestrictions dataRestrictionsJSON `json:"dataRestrictions"`
	DisplayHints     fieldHintsJSON       `json:"displayHints"`
}

type dataRestrictionsJSON struct {
	IsRequired bool           `json:"isRequired"`
	Validators validatorsJSON `json:"validators"`
}

type validatorsJSON struct {
	Length         *lengthJSON `json:"length,omitempty"`
	Luhn           *struct{}   `json:"luhn,omitempty"`
	ExpirationDate *struct{}   `json:"expirationDate,omitempty"`
	RegularExpr    *regexJSON  `json:"regularExpression,omitempty"`
}

type lengthJSON struct {
	MinLength int `json:"minLength"`
	MaxLength int `json:"maxLength"`
}

type regexJSON struct {
	RegularExpression string `json:"regularExpression"`
}

type fieldHintsJSON struct {
	AlwaysShow         bool            `json:"alwaysShow"`
	DisplayOrder       int             `json:"displayOrder"`
	FormElement        formElementJSON `json:"formElement"`
	Label              string          `json:"label"`
	Mask               string          `json:"mask,omitempty"`
	Obfuscate          bool            `json:"obfuscate"`
	PlaceholderLabel   string          `json:"placeholderLabel,omitempty"`
	PreferredInputType string          `json:"preferredInputType,omitempty"`
}

type formElementJSON struct {
	Type string `json:"type"`
}

// cardFields are the input fields of every card product and of the cards
// group: what a card payment form needs.
func cardFields() []fieldJSON {
	return []fieldJSON{
		{
			ID:   "cardNumber",
			Type: "numericstring",
			DataRestrictions: dataRestrictionsJSON{
				IsRequired: true,
				Validators: validatorsJSON{Length: &lengthJSON{MinLength: 12, MaxLength: 19}, Luhn: &struct{}{}},
			},
			DisplayHints: fieldHintsJSON{
				DisplayOrder: 10, FormElement: formElementJSON{Type: "text"}, Label: "Card number",
				Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}", PlaceholderLabel: "**** **** **** ****",
				PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "expiryDate",
			Type: "expirydate",
			DataRestrictions: dataRestrictionsJSON{
				IsRequired: true,
				Validators: validatorsJSON{ExpirationDate: &struct{}{}},
			},
			DisplayHints: fieldHintsJSON{
				DisplayOrder: 20, FormElement: formElementJSON{Type: "text"}, Label: "Expiry date",
				Mask: "{{99}}/{{99}}", PlaceholderLabel: "MM/YY", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "cvv",
			Type: "numericstring",
			DataRestrictions: dataRestrictionsJSON{
				IsRequired: false,
				Validators: validatorsJSON{Length: &lengthJSON{MinLength: 3, MaxLength: 4}},
			},
			DisplayHints: fieldHintsJSON{
				DisplayOrder: 30, FormElement: formElementJSON{Type: "text"}, Label: "CVV",
				Mask: "{{9999}}", Obfuscate: true, PlaceholderLabel: "123", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "cardholderName",
			Type: "string",
			DataRestrictions: dataRestrictionsJSON{
				IsRequired: false,
				Validators: validatorsJSON{Length: &lengthJSON{MinLength: 2, MaxLength: 51}},
			},
			DisplayHints: fieldHintsJSON{
				DisplayOrder: 40, FormElement: formElementJSON{Type: "text"}, Label: "Cardholder name",
				PlaceholderLabel: "John Doe", PreferredInputType: "StringKeyboard",
			},
		},
	}
}

// isCard reports whether p takes card input.
func isCard(p filter.Product) bool { return p.PaymentMethod == "card" }

// productJSON maps an available product; withFields adds its input fields
// (card products only; other payment methods redirect and take none here).
func productJSON(p session.AvailableProduct, withFields bool) paymentProductJSON {
	out := paymentProductJSON{
		ID:                        p.ID,
		DisplayHints:              productHintsJSON{DisplayOrder: p.DisplayOrder, Label: p.Label, Logo: p.Logo},
		PaymentMethod:             p.PaymentMethod,
		PaymentProductGroup:       p.Group,
		AllowsRecurring:           p.AllowsRecurring,
		AllowsTokenization:        p.AllowsTokenization,
		CanBeIframed:              true,
		MobileIntegrationLevel:    "OPTIMISED_SUPPORT",
		UsesRedirectionTo3rdParty: p.PaymentMethod == "redirect",
		MinAmount:                 p.MinAmount,
		MaxAmount:                 p.MaxAmount,
		AccountsOnFile:            accountsJSON(p.Product, p.AccountsOnFile),
	}
	switch {
	case withFields && isCard(p.Product):
		out.Fields = cardFields()
	case withFields:
		out.Fields = []fieldJSON{}
	}
	return out
}

// accountsJSON maps the session's tokens of product p as accounts on file:
// the masked alias and the expiry (MMYY), never the token value. For a card
// the alias is also the read-only cardNumber attribute, so that the client
// SDK does not ask for the number again when the consumer picks the
// account.
func accountsJSON(p filter.Product, accounts []session.AccountOnFile) []accountOnFileJSON {
	out := make([]accountOnFileJSON, 0, len(accounts))
	for _, a := range accounts {
		attrs := []accountOnFileAttributeJSON{{Key: "alias", Value: a.Token.Alias, Status: "READ_ONLY"}}
		if isCard(p) {
			attrs = append(attrs, accountOnFileAttributeJSON{Key: "cardNumber", Value: a.Token.Alias, Status: "READ_ONLY"})
		}
		if e := a.Token.CardExpiry; e.Month != 0 {
			attrs = append(attrs, accountOnFileAttributeJSON{
				Key: "expiryDate", Value: fmt.Sprintf("%02d%02d", int(e.Month), e.Year%100), Status: "READ_ONLY",
			})
		}
		out = append(out, accountOnFileJSON{
			ID:               a.ID,
			PaymentProductID: a.Token.PaymentProductID,
			Attributes:       attrs,
			DisplayHints: accountOnFileHintsJSON{
				LabelTemplate: []labelTemplateJSON{{AttributeKey: "alias", Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}"}},
				Logo:          p.Logo,
			},
		})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// groupJSON builds the group named id from its available members, which
// are in display order: the group takes the first member's display order,
// the members' accounts on file, and card fields when withFields.
func groupJSON(id string, members []session.AvailableProduct, withFields bool) paymentProductGroupJSON {
	g := paymentProductGroupJSON{
		ID:           id,
		DisplayHints: productHintsJSON{DisplayOrder: members[0].DisplayOrder, Label: groupLabel(id), Logo: "pp_group_" + id + ".png"},
	}
	card := false
	for _, m := range members {
		g.AccountsOnFile = append(g.AccountsOnFile, accountsJSON(m.Product, m.AccountsOnFile)...)
		card = card || isCard(m.Product)
	}
	switch {
	case withFields && card:
		g.Fields = cardFields()
	case withFields:
		g.Fields = []fieldJSON{}
	}
	return g
}

func groupLabel(id string) string {
	if id == "cards" {
		return "Cards"
	}
	return id
}
