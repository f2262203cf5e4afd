package connectgrpc

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/clientsession/engine/encryption"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// The mapping between the engine's types and the messages: the same
// shapes and values the reference HTTP gateway writes as JSON.

// createRequest maps the request message onto the engine's request. The
// engine's Create checks it as it checks a decoded JSON body: filters
// against the merchant's catalog (ids, groups, duplicates), tokens by
// count and format.
func createRequest(in *pb.CreateSessionRequest) session.CreateRequest {
	req := session.CreateRequest{Tokens: in.GetTokens()}
	if f := in.GetPaymentProductFilters(); f != nil {
		req.PaymentProductFilters = &filter.Filters{
			RestrictTo: selection(f.GetRestrictTo()),
			Exclude:    selection(f.GetExclude()),
		}
	}
	return req
}

func selection(in *pb.PaymentProductFilter) *filter.Selection {
	if in == nil {
		return nil
	}
	return &filter.Selection{Groups: in.GetGroups(), Products: in.GetProducts()}
}

func createResponse(r session.CreateResponse) *pb.CreateSessionResponse {
	return &pb.CreateSessionResponse{
		AssetUrl:        r.AssetURL,
		ClientApiUrl:    r.ClientAPIURL,
		ClientSessionId: r.ClientSessionID,
		CustomerId:      r.CustomerID,
		InvalidTokens:   r.InvalidTokens,
		Region:          r.Region,
	}
}

// contextOf maps the payment context message, unchecked; nil is the empty
// context, which filter.Context.Validate refuses naming countryCode.
func contextOf(in *pb.PaymentContext) filter.Context {
	return filter.Context{
		CountryCode:  in.GetCountryCode(),
		CurrencyCode: in.GetCurrencyCode(),
		Amount:       in.GetAmount(),
		IsRecurring:  in.GetIsRecurring(),
	}
}

// paymentContext maps the payment context message and checks it.
func paymentContext(in *pb.PaymentContext) (filter.Context, error) {
	pc := contextOf(in)
	if err := pc.Validate(); err != nil {
		return filter.Context{}, err
	}
	return pc, nil
}

func openedInput(in session.OpenedInput) *pb.OpenEncryptedCustomerInputResponse {
	p := in.Payload
	out := &pb.OpenEncryptedCustomerInputResponse{
		ClientSessionId:  p.ClientSessionID,
		Nonce:            p.Nonce,
		PaymentProductId: p.PaymentProductID,
		PaymentValues:    make([]*pb.PaymentValue, len(p.PaymentValues)),
		Tokenize:         p.Tokenize,
		TokenId:          in.TokenID,
	}
	for i, v := range p.PaymentValues {
		out.PaymentValues[i] = &pb.PaymentValue{Key: v.Key, Value: v.Value}
	}
	if p.AccountOnFileID != nil {
		out.AccountOnFileId = proto.Int32(int32(*p.AccountOnFileID)) //nolint:gosec // ids are 1-based positions among at most the token limit
	}
	out.CollectedDeviceInformation = deviceInformation(p)
	return out
}

// deviceInformation is the client's collectedDeviceInformation object, or
// nil when it sent none or something that is not an object.
func deviceInformation(p encryption.Payload) *structpb.Struct {
	if len(p.CollectedDeviceInformation) == 0 {
		return nil
	}
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(p.CollectedDeviceInformation, s); err != nil {
		return nil
	}
	return s
}

// unknownIssuerCountry is the countryCode of every IIN details answer:
// the engine knows card products by their IIN ranges, not the issuing
// bank's country, and the Connect platform itself answers "99" (unknown)
// for its test cards. The payment context's country would be a claim
// nobody checked; the client SDKs copy the value and decide nothing on it.
const unknownIssuerCountry = "99"

// iinDetails maps the engine's IIN details; co-brands only when more than
// one product holds the digits.
func iinDetails(d session.IINDetails) *pb.GetIINDetailsResponse {
	out := &pb.GetIINDetailsResponse{
		PaymentProductId:   d.PaymentProductID,
		CountryCode:        unknownIssuerCountry,
		IsAllowedInContext: d.IsAllowedInContext,
	}
	for _, c := range d.CoBrands {
		out.CoBrands = append(out.CoBrands, &pb.IINDetail{PaymentProductId: c.PaymentProductID, IsAllowedInContext: c.IsAllowedInContext})
	}
	return out
}

func publicKey(k encryption.PublicKey) *pb.GetPublicKeyResponse {
	return &pb.GetPublicKeyResponse{KeyId: k.KeyID, PublicKey: k.PublicKey}
}

// isCard reports whether p takes card input.
func isCard(p filter.Product) bool { return p.PaymentMethod == "card" }

// product maps an available product; withFields adds its input fields
// (card products only; other payment methods redirect and take none).
func product(p session.AvailableProduct, withFields bool) *pb.PaymentProduct {
	out := &pb.PaymentProduct{
		Id:                         p.ID,
		DisplayHints:               hints(p.DisplayOrder, p.Label, p.Logo),
		PaymentMethod:              p.PaymentMethod,
		PaymentProductGroup:        p.Group,
		AllowsRecurring:            p.AllowsRecurring,
		AllowsTokenization:         p.AllowsTokenization,
		CanBeIframed:               true,
		MobileIntegrationLevel:     "OPTIMISED_SUPPORT",
		UsesRedirectionTo_3RdParty: p.PaymentMethod == "redirect",
		MinAmount:                  p.MinAmount,
		MaxAmount:                  p.MaxAmount,
		AccountsOnFile:             accounts(p.Product, p.AccountsOnFile),
	}
	if withFields && isCard(p.Product) {
		out.Fields = cardFields()
	}
	return out
}

func hints(order int, label, logo string) *pb.PaymentProductDisplayHints {
	return &pb.PaymentProductDisplayHints{DisplayOrder: int32(order), Label: label, Logo: logo} //nolint:gosec // display orders are small catalog values
}

// accounts maps the session's tokens of product p as accounts on file: the
// masked alias and the expiry (MMYY), never the token value. For a card
// the alias is also the read-only cardNumber attribute.
func accounts(p filter.Product, in []session.AccountOnFile) []*pb.AccountOnFile {
	if len(in) == 0 {
		return nil
	}
	out := make([]*pb.AccountOnFile, 0, len(in))
	for _, a := range in {
		attrs := []*pb.AccountOnFileAttribute{{Key: "alias", Value: a.Token.Alias, Status: "READ_ONLY"}}
		if isCard(p) {
			attrs = append(attrs, &pb.AccountOnFileAttribute{Key: "cardNumber", Value: a.Token.Alias, Status: "READ_ONLY"})
		}
		if e := a.Token.CardExpiry; e.Month != 0 {
			attrs = append(attrs, &pb.AccountOnFileAttribute{
				Key: "expiryDate", Value: fmt.Sprintf("%02d%02d", int(e.Month), e.Year%100), Status: "READ_ONLY",
			})
		}
		out = append(out, &pb.AccountOnFile{
			Id:               int32(a.ID), //nolint:gosec // 1-based positions among at most the token limit
			PaymentProductId: a.Token.PaymentProductID,
			Attributes:       attrs,
			DisplayHints: &pb.AccountOnFileDisplayHints{
				LabelTemplate: []*pb.LabelTemplateElement{{AttributeKey: "alias", Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}"}},
				Logo:          p.Logo,
			},
		})
	}
	return out
}

// groups returns the groups of products with their members, in the
// display order of each group's first member.
func groups(products []session.AvailableProduct, withFields bool) []*pb.PaymentProductGroup {
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
	out := make([]*pb.PaymentProductGroup, 0, len(ids))
	for _, id := range ids {
		out = append(out, group(id, members[id], withFields))
	}
	return out
}

// group builds the group id from its available members: the first
// member's display order, the members' accounts on file, and card fields
// when withFields and a member takes card input.
func group(id string, members []session.AvailableProduct, withFields bool) *pb.PaymentProductGroup {
	label := id
	if id == "cards" {
		label = "Cards"
	}
	g := &pb.PaymentProductGroup{Id: id, DisplayHints: hints(members[0].DisplayOrder, label, "pp_group_"+id+".png")}
	card := false
	for _, m := range members {
		g.AccountsOnFile = append(g.AccountsOnFile, accounts(m.Product, m.AccountsOnFile)...)
		card = card || isCard(m.Product)
	}
	if withFields && card {
		g.Fields = cardFields()
	}
	return g
}

// cardFields are the input fields of every card product and of the cards
// group: what a card payment form needs.
func cardFields() []*pb.PaymentProductField {
	text := func() *pb.PaymentProductFieldFormElement { return &pb.PaymentProductFieldFormElement{Type: "text"} }
	return []*pb.PaymentProductField{
		{
			Id:   "cardNumber",
			Type: "numericstring",
			DataRestrictions: &pb.PaymentProductFieldDataRestrictions{
				IsRequired: true,
				Validators: &pb.PaymentProductFieldValidators{
					Length: &pb.LengthValidator{MinLength: 12, MaxLength: 19}, Luhn: &pb.EmptyValidator{},
				},
			},
			DisplayHints: &pb.PaymentProductFieldDisplayHints{
				DisplayOrder: 10, FormElement: text(), Label: "Card number",
				Mask: "{{9999}} {{9999}} {{9999}} {{9999}} {{999}}", PlaceholderLabel: "**** **** **** ****",
				PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			Id:   "expiryDate",
			Type: "expirydate",
			DataRestrictions: &pb.PaymentProductFieldDataRestrictions{
				IsRequired: true,
				Validators: &pb.PaymentProductFieldValidators{ExpirationDate: &pb.EmptyValidator{}},
			},
			DisplayHints: &pb.PaymentProductFieldDisplayHints{
				DisplayOrder: 20, FormElement: text(), Label: "Expiry date",
				Mask: "{{99}}/{{99}}", PlaceholderLabel: "MM/YY", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			Id:   "cvv",
			Type: "numericstring",
			DataRestrictions: &pb.PaymentProductFieldDataRestrictions{
				Validators: &pb.PaymentProductFieldValidators{Length: &pb.LengthValidator{MinLength: 3, MaxLength: 4}},
			},
			DisplayHints: &pb.PaymentProductFieldDisplayHints{
				DisplayOrder: 30, FormElement: text(), Label: "CVV",
				Mask: "{{9999}}", Obfuscate: true, PlaceholderLabel: "123", PreferredInputType: "IntegerKeyboard",
			},
		},
		{
			Id:   "cardholderName",
			Type: "string",
			DataRestrictions: &pb.PaymentProductFieldDataRestrictions{
				Validators: &pb.PaymentProductFieldValidators{Length: &pb.LengthValidator{MinLength: 2, MaxLength: 51}},
			},
			DisplayHints: &pb.PaymentProductFieldDisplayHints{
				DisplayOrder: 40, FormElement: text(), Label: "Cardholder name",
				PlaceholderLabel: "John Doe", PreferredInputType: "StringKeyboard",
			},
		},
	}
}
