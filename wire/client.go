package wire

import (
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
)

// The Client API shapes, as the Connect API reference documents them and
// connect-sdk-client-js reads them. Field names and omissions are part of
// the contract: the official client SDK throws on a list item without id or
// displayHints.logo, and on an empty product list it shows its own error.

// PaymentProducts is the answer of GET /client/v1/{customerId}/products.
type PaymentProducts struct {
	PaymentProducts []PaymentProduct `json:"paymentProducts"`
}

// PaymentProduct is one product of the Client API: the list item and the
// answer of GET .../products/{paymentProductId}. The client SDK needs id and
// displayHints.logo on every item.
type PaymentProduct struct {
	ID                        int32                 `json:"id"`
	DisplayHints              DisplayHints          `json:"displayHints"`
	PaymentMethod             string                `json:"paymentMethod"`
	PaymentProductGroup       string                `json:"paymentProductGroup,omitempty"`
	AllowsRecurring           bool                  `json:"allowsRecurring"`
	AllowsTokenization        bool                  `json:"allowsTokenization"`
	AllowsInstallments        bool                  `json:"allowsInstallments"`
	AutoTokenized             bool                  `json:"autoTokenized"`
	CanBeIframed              bool                  `json:"canBeIframed"`
	DeviceFingerprintEnabled  bool                  `json:"deviceFingerprintEnabled"`
	IsJavaScriptRequired      bool                  `json:"isJavaScriptRequired"`
	MobileIntegrationLevel    string                `json:"mobileIntegrationLevel"`
	SupportsMandates          bool                  `json:"supportsMandates"`
	UsesRedirectionTo3rdParty bool                  `json:"usesRedirectionTo3rdParty"`
	MinAmount                 *int64                `json:"minAmount,omitempty"`
	MaxAmount                 *int64                `json:"maxAmount,omitempty"`
	AccountsOnFile            []AccountOnFile       `json:"accountsOnFile,omitempty"`
	Fields                    []PaymentProductField `json:"fields,omitzero"`
}

// DisplayHints are how a product or group is shown.
type DisplayHints struct {
	DisplayOrder int    `json:"displayOrder"`
	Label        string `json:"label"`
	Logo         string `json:"logo"`
}

// PaymentProductGroups is the answer of GET /client/v1/{customerId}/productgroups.
type PaymentProductGroups struct {
	PaymentProductGroups []PaymentProductGroup `json:"paymentProductGroups"`
}

// PaymentProductGroup is one product group (today only "cards"), with the
// accounts on file of its available members.
type PaymentProductGroup struct {
	ID                       string                `json:"id"`
	DisplayHints             DisplayHints          `json:"displayHints"`
	AllowsInstallments       bool                  `json:"allowsInstallments"`
	DeviceFingerprintEnabled bool                  `json:"deviceFingerprintEnabled"`
	AccountsOnFile           []AccountOnFile       `json:"accountsOnFile,omitempty"`
	Fields                   []PaymentProductField `json:"fields,omitzero"`
}

// AccountOnFile is one of the session's stored tokens as the client SDK
// shows it: a small id, the product, read-only display attributes (masked
// alias, expiry). It never holds the token id, which is the consumer's
// credential.
type AccountOnFile struct {
	ID               int                       `json:"id"`
	PaymentProductID int32                     `json:"paymentProductId"`
	Attributes       []AccountOnFileAttribute  `json:"attributes"`
	DisplayHints     AccountOnFileDisplayHints `json:"displayHints"`
}

// AccountOnFileAttribute is one attribute of an account on file.
type AccountOnFileAttribute struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Status string `json:"status"`
}

// AccountOnFileDisplayHints are how an account on file is shown.
type AccountOnFileDisplayHints struct {
	LabelTemplate []LabelTemplateElement `json:"labelTemplate"`
	Logo          string                 `json:"logo"`
}

// LabelTemplateElement names an attribute shown in an account's label.
type LabelTemplateElement struct {
	AttributeKey string `json:"attributeKey"`
	Mask         string `json:"mask"`
}

// PaymentProductField is one input field of a product or group.
type PaymentProductField struct {
	ID               string            `json:"id"`
	Type             string            `json:"type"`
	DataRestrictions DataRestrictions  `json:"dataRestrictions"`
	DisplayHints     FieldDisplayHints `json:"displayHints"`
}

// DataRestrictions say what a field accepts.
type DataRestrictions struct {
	IsRequired bool       `json:"isRequired"`
	Validators Validators `json:"validators"`
}

// Validators of a field; nil ones are absent.
type Validators struct {
	Length         *LengthValidator            `json:"length,omitempty"`
	Luhn           *struct{}                   `json:"luhn,omitempty"`
	ExpirationDate *struct{}                   `json:"expirationDate,omitempty"`
	RegularExpr    *RegularExpressionValidator `json:"regularExpression,omitempty"`
}

// LengthValidator bounds a field's length.
type LengthValidator struct {
	MinLength int `json:"minLength"`
	MaxLength int `json:"maxLength"`
}

// RegularExpressionValidator constrains a field by a pattern.
type RegularExpressionValidator struct {
	RegularExpression string `json:"regularExpression"`
}

// FieldDisplayHints are how a field is shown.
type FieldDisplayHints struct {
	AlwaysShow         bool        `json:"alwaysShow"`
	DisplayOrder       int         `json:"displayOrder"`
	FormElement        FormElement `json:"formElement"`
	Label              string      `json:"label"`
	Mask               string      `json:"mask,omitempty"`
	Obfuscate          bool        `json:"obfuscate"`
	PlaceholderLabel   string      `json:"placeholderLabel,omitempty"`
	PreferredInputType string      `json:"preferredInputType,omitempty"`
}

// FormElement is the kind of form element of a field.
type FormElement struct {
	Type string `json:"type"`
}

// CardFields returns the input fields of every card product and of the
// cards group: what a card payment form needs (cardNumber with the Luhn
// validator, expiryDate, cvv, cardholderName). Each call returns a fresh
// slice.
func CardFields() []PaymentProductField {
	return []PaymentProductField{
		{
			ID:   "cardNumber",
			Type: "numericstring",
			DataRestrictions: DataRestrictions{
				IsRequired: true,
				Validators: Validators{Length: &LengthValidator{MinLength: 12, MaxLength: 19}, Luhn: &struct{}{}},
			},
			DisplayHints: FieldDisplayHints{
				DisplayOrder: 10, FormElement: FormElement{Type: "text"}, Label: "Card number",
				Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}", PlaceholderLabel: "**** **** **** ****",
				PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "expiryDate",
			Type: "expirydate",
			DataRestrictions: DataRestrictions{
				IsRequired: true,
				Validators: Validators{ExpirationDate: &struct{}{}},
			},
			DisplayHints: FieldDisplayHints{
				DisplayOrder: 20, FormElement: FormElement{Type: "text"}, Label: "Expiry date",
				Mask: "{{99}}/{{99}}", PlaceholderLabel: "MM/YY", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "cvv",
			Type: "numericstring",
			DataRestrictions: DataRestrictions{
				IsRequired: false,
				Validators: Validators{Length: &LengthValidator{MinLength: 3, MaxLength: 4}},
			},
			DisplayHints: FieldDisplayHints{
				DisplayOrder: 30, FormElement: FormElement{Type: "text"}, Label: "CVV",
				Mask: "{{9999}}", Obfuscate: true, PlaceholderLabel: "123", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			ID:   "cardholderName",
			Type: "string",
			DataRestrictions: DataRestrictions{
				IsRequired: false,
				Validators: Validators{Length: &LengthValidator{MinLength: 2, MaxLength: 51}},
			},
			DisplayHints: FieldDisplayHints{
				DisplayOrder: 40, FormElement: FormElement{Type: "text"}, Label: "Cardholder name",
				PlaceholderLabel: "John Doe", PreferredInputType: "StringKeyboard",
			},
		},
	}
}

// isCard reports whether p takes card input.
func isCard(p filter.Product) bool { return p.PaymentMethod == "card" }

// NewPaymentProducts maps the products a session may show
// (session.Engine.Products) to the answer of GET .../products, in the same
// order; withFields adds each product's input fields (HideFields says
// whether the query asked to leave them out). An empty list is
// {"paymentProducts":[]}, never null.
func NewPaymentProducts(products []session.AvailableProduct, withFields bool) PaymentProducts {
	out := PaymentProducts{PaymentProducts: make([]PaymentProduct, 0, len(products))}
	for _, p := range products {
		out.PaymentProducts = append(out.PaymentProducts, NewPaymentProduct(p, withFields))
	}
	return out
}

// NewPaymentProduct maps one available product; withFields adds its input
// fields (card products only; other payment methods redirect and take none
// here, so their list is empty).
func NewPaymentProduct(p session.AvailableProduct, withFields bool) PaymentProduct {
	out := productHead(&p.Product)
	out.AccountsOnFile = NewAccountsOnFile(p.Product, p.AccountsOnFile)
	out.Fields = fieldsOf(isCard(p.Product), withFields)
	return out
}

// productHead maps the catalog's part of a product: everything but its
// accounts on file and fields. It is what AppendPaymentProducts encodes
// once per catalog.
func productHead(p *filter.Product) PaymentProduct {
	return PaymentProduct{
		ID:                        p.ID,
		DisplayHints:              DisplayHints{DisplayOrder: p.DisplayOrder, Label: p.Label, Logo: p.Logo},
		PaymentMethod:             p.PaymentMethod,
		PaymentProductGroup:       p.Group,
		AllowsRecurring:           p.AllowsRecurring,
		AllowsTokenization:        p.AllowsTokenization,
		CanBeIframed:              true,
		MobileIntegrationLevel:    "OPTIMISED_SUPPORT",
		UsesRedirectionTo3rdParty: p.PaymentMethod == "redirect",
		MinAmount:                 p.MinAmount,
		MaxAmount:                 p.MaxAmount,
	}
}

// fieldsOf is the fields member of a product or group: nil (left out)
// without withFields, else the card fields for card input and an empty
// list otherwise.
func fieldsOf(card, withFields bool) []PaymentProductField {
	switch {
	case withFields && card:
		return CardFields()
	case withFields:
		return []PaymentProductField{}
	}
	return nil
}

// NewAccountsOnFile maps the session's tokens of product p as accounts on
// file: the small id, the masked alias and the expiry (MMYY), never the
// token id. For a card the alias is also the read-only cardNumber
// attribute, so that the client SDK does not ask for the number again when
// the consumer picks the account. No accounts give nil (the member is then
// left out).
func NewAccountsOnFile(p filter.Product, accounts []session.AccountOnFile) []AccountOnFile {
	if len(accounts) == 0 {
		return nil
	}
	out := make([]AccountOnFile, 0, len(accounts))
	for i := range accounts {
		out = append(out, accountOnFile(&p, &accounts[i], new(accountLists)))
	}
	return out
}

// accountLists are the backing arrays of one AccountOnFile's lists: at
// most three attributes and one label template element.
type accountLists struct {
	attrs [3]AccountOnFileAttribute
	label [1]LabelTemplateElement
}

// accountOnFile maps account a of product p, its lists backed by l (the
// encoder passes arrays on its stack, NewAccountsOnFile fresh ones).
func accountOnFile(p *filter.Product, a *session.AccountOnFile, l *accountLists) AccountOnFile {
	l.attrs[0] = AccountOnFileAttribute{Key: "alias", Value: a.Token.Alias, Status: "READ_ONLY"}
	attrs := l.attrs[:1]
	if isCard(*p) {
		attrs = append(attrs, AccountOnFileAttribute{Key: "cardNumber", Value: a.Token.Alias, Status: "READ_ONLY"})
	}
	if mmyy := a.Token.CardExpiry.MMYY(); mmyy != "" {
		attrs = append(attrs, AccountOnFileAttribute{Key: "expiryDate", Value: mmyy, Status: "READ_ONLY"})
	}
	l.label[0] = LabelTemplateElement{AttributeKey: "alias", Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}"}
	return AccountOnFile{
		ID:               a.ID,
		PaymentProductID: a.Token.PaymentProductID,
		Attributes:       attrs,
		DisplayHints:     AccountOnFileDisplayHints{LabelTemplate: l.label[:], Logo: p.Logo},
	}
}

// groupsOf returns the groups of products with their members, in the
// display order of each group's first member.
func groupsOf(products []session.AvailableProduct) ([]string, map[string][]session.AvailableProduct) {
	var ids []string
	members := map[string][]session.AvailableProduct{}
	for _, p := range products {
		if p.Group == "" {
			continue
		}
		if _, ok := members[p.Group]; !ok {
			ids = append(ids, p.Group)
		}
		members[p.Group] = append(members[p.Group], p)
	}
	return ids, members
}

// NewPaymentProductGroups maps the products a session may show to the
// answer of GET .../productgroups: one group per group of the products, in
// the display order of each group's first member.
func NewPaymentProductGroups(products []session.AvailableProduct, withFields bool) PaymentProductGroups {
	ids, members := groupsOf(products)
	out := PaymentProductGroups{PaymentProductGroups: make([]PaymentProductGroup, 0, len(ids))}
	for _, id := range ids {
		out.PaymentProductGroups = append(out.PaymentProductGroups, newGroup(id, members[id], withFields))
	}
	return out
}

// NewPaymentProductGroup returns group id of the products a session may
// show (GET .../productgroups/{paymentProductGroupId}), or a 404 (code 1007
// at "paymentProductGroupId") when none of them is in that group.
func NewPaymentProductGroup(products []session.AvailableProduct, id string, withFields bool) (PaymentProductGroup, error) {
	_, members := groupsOf(products)
	if len(members[id]) == 0 {
		return PaymentProductGroup{}, errUnknownGroup
	}
	return newGroup(id, members[id], withFields), nil
}

// newGroup builds the group named id from its available members, which
// are in display order: the group takes the first member's display order,
// the members' accounts on file, and card fields when withFields.
func newGroup(id string, members []session.AvailableProduct, withFields bool) PaymentProductGroup {
	g := groupHead(id, members[0].DisplayOrder)
	card := false
	for _, m := range members {
		g.AccountsOnFile = append(g.AccountsOnFile, NewAccountsOnFile(m.Product, m.AccountsOnFile)...)
		card = card || isCard(m.Product)
	}
	g.Fields = fieldsOf(card, withFields)
	return g
}

// groupHead maps what a group shows besides its accounts on file and
// fields: its id, label and logo, and the display order of its first
// available member.
func groupHead(id string, displayOrder int) PaymentProductGroup {
	return PaymentProductGroup{
		ID:           id,
		DisplayHints: DisplayHints{DisplayOrder: displayOrder, Label: groupLabel(id), Logo: "pp_group_" + id + ".png"},
	}
}

func groupLabel(id string) string {
	if id == "cards" {
		return "Cards"
	}
	return id
}
