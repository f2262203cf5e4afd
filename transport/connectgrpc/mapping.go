package connectgrpc

import (
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/clientsession/engine/encryption"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

// The mapping between the engine's types and the messages: the same
// shapes and values the reference HTTP gateway writes as JSON, taken from
// the wire package, which owns them.
//
// Every scalar member the Connect JSON answer always carries is an
// optional (pointer) field of the message, so that false, 0 and "" are
// sent too. The pointers point into the wire values the mapping copies
// from (fresh values of this call, never changed afterwards): a member
// costs no allocation of its own, except the int members of the wire
// types that are int32 in the messages (display orders, lengths, account
// ids).

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
	w := wire.NewSessionResponse(r)
	return sessionResponse(&w)
}

// sessionResponse copies the wire SessionResponse: a create's answer, or
// the kept answer an idempotent repeat replays.
func sessionResponse(w *wire.SessionResponse) *pb.CreateSessionResponse {
	return &pb.CreateSessionResponse{
		AssetUrl:        &w.AssetURL,
		ClientApiUrl:    &w.ClientAPIURL,
		ClientSessionId: &w.ClientSessionID,
		CustomerId:      &w.CustomerID,
		InvalidTokens:   w.InvalidTokens,
		Region:          &w.Region,
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

// iinContext maps the payment context of a GetIINDetails request (the
// getIINdetails body's shape), unchecked: session.Engine.IINDetails checks
// it after the bin. isInstallments is read and not used, as over HTTP.
func iinContext(in *pb.IINPaymentContext) filter.Context {
	return filter.Context{
		CountryCode:  in.GetCountryCode(),
		CurrencyCode: in.GetAmountOfMoney().GetCurrencyCode(),
		Amount:       in.GetAmountOfMoney().GetAmount(),
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

// openedInput answers OpenEncryptedCustomerInput as the HTTP decrypt
// endpoint does (wire.MaskPaymentValues, the one owner of the rule): card
// numbers masked under any key spelling or value shape, security codes
// dropped. Card data in clear stays in the gateway's process, through
// session.Engine.OpenCustomerInput; it never crosses a transport.
func openedInput(in session.OpenedInput) *pb.OpenEncryptedCustomerInputResponse {
	p := in.Payload
	masked := wire.MaskPaymentValues(p.PaymentValues)
	out := &pb.OpenEncryptedCustomerInputResponse{
		ClientSessionId:  &p.ClientSessionID,
		Nonce:            &p.Nonce,
		PaymentProductId: &p.PaymentProductID,
		PaymentValues:    make([]*pb.PaymentValue, len(masked)),
		Tokenize:         &p.Tokenize,
		TokenId:          in.TokenID,
	}
	for i := range masked {
		out.PaymentValues[i] = &pb.PaymentValue{Key: &masked[i].Key, Value: &masked[i].Value}
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

// iinDetails copies the wire package's IIN details answer
// (wire.NewIINDetailsResponse: countryCode "99", co-brands only when more
// than one product holds the digits) into the message.
func iinDetails(d session.IINDetails) *pb.GetIINDetailsResponse {
	w := wire.NewIINDetailsResponse(d)
	out := &pb.GetIINDetailsResponse{
		PaymentProductId:   &w.PaymentProductID,
		CountryCode:        &w.CountryCode,
		IsAllowedInContext: &w.IsAllowedInContext,
	}
	for i := range w.CoBrands {
		c := &w.CoBrands[i]
		out.CoBrands = append(out.CoBrands, &pb.IINDetail{PaymentProductId: &c.PaymentProductID, IsAllowedInContext: &c.IsAllowedInContext})
	}
	return out
}

func publicKey(k encryption.PublicKey) *pb.GetPublicKeyResponse {
	w := wire.NewPublicKey(k)
	return &pb.GetPublicKeyResponse{KeyId: &w.KeyID, PublicKey: &w.PublicKey}
}

// What a product, group, account on file or field shows is the wire
// package's (wire.NewPaymentProduct, wire.NewPaymentProductGroups,
// wire.NewAccountsOnFile, wire.CardFields): the functions below only copy
// its Client API shapes into the messages, member for member, so the two
// transports cannot drift apart.

// products maps the products a session may show, in order; withFields
// adds their input fields.
func products(in []session.AvailableProduct, withFields bool) []*pb.PaymentProduct {
	w := wire.NewPaymentProducts(in, withFields).PaymentProducts
	out := make([]*pb.PaymentProduct, len(w))
	for i := range w {
		out[i] = paymentProduct(&w[i])
	}
	return out
}

// product maps one available product; withFields adds its input fields.
func product(p session.AvailableProduct, withFields bool) *pb.PaymentProduct {
	w := wire.NewPaymentProduct(p, withFields)
	return paymentProduct(&w)
}

func paymentProduct(w *wire.PaymentProduct) *pb.PaymentProduct {
	return &pb.PaymentProduct{
		Id:                         &w.ID,
		DisplayHints:               displayHints(&w.DisplayHints),
		PaymentMethod:              &w.PaymentMethod,
		PaymentProductGroup:        w.PaymentProductGroup,
		AllowsRecurring:            &w.AllowsRecurring,
		AllowsTokenization:         &w.AllowsTokenization,
		AllowsInstallments:         &w.AllowsInstallments,
		AutoTokenized:              &w.AutoTokenized,
		CanBeIframed:               &w.CanBeIframed,
		DeviceFingerprintEnabled:   &w.DeviceFingerprintEnabled,
		IsJavaScriptRequired:       &w.IsJavaScriptRequired,
		MobileIntegrationLevel:     &w.MobileIntegrationLevel,
		SupportsMandates:           &w.SupportsMandates,
		UsesRedirectionTo_3RdParty: &w.UsesRedirectionTo3rdParty,
		MinAmount:                  w.MinAmount,
		MaxAmount:                  w.MaxAmount,
		AccountsOnFile:             accounts(w.AccountsOnFile),
		Fields:                     fields(w.Fields),
	}
}

// groups maps the groups of the products a session may show, in the
// display order of each group's first member.
func groups(in []session.AvailableProduct, withFields bool) []*pb.PaymentProductGroup {
	w := wire.NewPaymentProductGroups(in, withFields).PaymentProductGroups
	out := make([]*pb.PaymentProductGroup, len(w))
	for i := range w {
		g := &w[i]
		out[i] = &pb.PaymentProductGroup{
			Id:                       &g.ID,
			DisplayHints:             displayHints(&g.DisplayHints),
			AllowsInstallments:       &g.AllowsInstallments,
			DeviceFingerprintEnabled: &g.DeviceFingerprintEnabled,
			AccountsOnFile:           accounts(g.AccountsOnFile),
			Fields:                   fields(g.Fields),
		}
	}
	return out
}

func displayHints(h *wire.DisplayHints) *pb.PaymentProductDisplayHints {
	return &pb.PaymentProductDisplayHints{DisplayOrder: int32p(h.DisplayOrder), Label: &h.Label, Logo: &h.Logo}
}

// int32p is the optional int32 of an int the wire keeps small (display
// orders, field lengths, account ids: catalog values and positions among
// at most the token limit).
func int32p(v int) *int32 {
	n := int32(v) //nolint:gosec // small by construction, see above
	return &n
}

// accounts maps accounts on file; none is nil.
func accounts(in []wire.AccountOnFile) []*pb.AccountOnFile {
	if len(in) == 0 {
		return nil
	}
	out := make([]*pb.AccountOnFile, len(in))
	for i := range in {
		a := &in[i]
		attrs := make([]*pb.AccountOnFileAttribute, len(a.Attributes))
		for j := range a.Attributes {
			x := &a.Attributes[j]
			attrs[j] = &pb.AccountOnFileAttribute{Key: &x.Key, Value: &x.Value, Status: &x.Status}
		}
		labels := make([]*pb.LabelTemplateElement, len(a.DisplayHints.LabelTemplate))
		for j := range a.DisplayHints.LabelTemplate {
			l := &a.DisplayHints.LabelTemplate[j]
			labels[j] = &pb.LabelTemplateElement{AttributeKey: &l.AttributeKey, Mask: &l.Mask}
		}
		out[i] = &pb.AccountOnFile{
			Id:               int32p(a.ID),
			PaymentProductId: &a.PaymentProductID,
			Attributes:       attrs,
			DisplayHints:     &pb.AccountOnFileDisplayHints{LabelTemplate: labels, Logo: &a.DisplayHints.Logo},
		}
	}
	return out
}

// fields maps input fields; none (hidden, or a product that takes none)
// is nil.
func fields(in []wire.PaymentProductField) []*pb.PaymentProductField {
	if len(in) == 0 {
		return nil
	}
	out := make([]*pb.PaymentProductField, len(in))
	for i := range in {
		f := &in[i]
		h := &f.DisplayHints
		out[i] = &pb.PaymentProductField{
			Id:   &f.ID,
			Type: &f.Type,
			DataRestrictions: &pb.PaymentProductFieldDataRestrictions{
				IsRequired: &f.DataRestrictions.IsRequired,
				Validators: validators(&f.DataRestrictions.Validators),
			},
			DisplayHints: &pb.PaymentProductFieldDisplayHints{
				AlwaysShow:         &h.AlwaysShow,
				DisplayOrder:       int32p(h.DisplayOrder),
				FormElement:        &pb.PaymentProductFieldFormElement{Type: &h.FormElement.Type},
				Label:              &h.Label,
				Mask:               h.Mask,
				Obfuscate:          &h.Obfuscate,
				PlaceholderLabel:   h.PlaceholderLabel,
				PreferredInputType: h.PreferredInputType,
			},
		}
	}
	return out
}

// validators maps a field's validators; an absent one stays nil.
func validators(v *wire.Validators) *pb.PaymentProductFieldValidators {
	out := &pb.PaymentProductFieldValidators{}
	if v.Length != nil {
		out.Length = &pb.LengthValidator{MinLength: int32p(v.Length.MinLength), MaxLength: int32p(v.Length.MaxLength)}
	}
	if v.Luhn != nil {
		out.Luhn = &pb.EmptyValidator{}
	}
	if v.ExpirationDate != nil {
		out.ExpirationDate = &pb.EmptyValidator{}
	}
	if v.RegularExpr != nil {
		out.RegularExpression = &pb.RegularExpressionValidator{RegularExpression: &v.RegularExpr.RegularExpression}
	}
	return out
}
