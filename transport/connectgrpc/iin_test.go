package connectgrpc_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/clientsession/engine/filter"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// coBrand is a co-brand as the test compares them.
type coBrand struct {
	id      int32
	allowed bool
}

func coBrandsOf(r *pb.GetIINDetailsResponse) []coBrand {
	var out []coBrand
	for _, c := range r.GetCoBrands() {
		out = append(out, coBrand{c.GetPaymentProductId(), c.GetIsAllowedInContext()})
	}
	return out
}

// TestGetIINDetails: the card's product, whether the session may use it,
// co-brands, and the errors at "bin", against a real server. Merchant
// 1234's catalog (1 VISA, 2 American Express, 3 MasterCard, 840, 809) has
// the default IIN ranges and no two cards sharing digits.
func TestGetIINDetails(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	s := c.create(t, &pb.CreateSessionRequest{})
	noAmex := c.create(t, &pb.CreateSessionRequest{
		PaymentProductFilters: &pb.PaymentProductFiltersClientSession{Exclude: &pb.PaymentProductFilter{Products: []int32{2}}}})
	iin := func(s *pb.CreateSessionResponse, bin string, pc *pb.IINPaymentContext) (*pb.GetIINDetailsResponse, error) {
		return c.clients.GetIINDetails(withSession(t.Context(), s.GetClientSessionId()),
			&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: bin, PaymentContext: pc})
	}

	for _, tc := range []struct {
		name    string
		session *pb.CreateSessionResponse
		bin     string
		id      int32
		allowed bool
	}{
		{"VISA, 8 digits", s, "41111111", 1, true},
		{"VISA, 6 digits", s, "401200", 1, true},
		{"VISA, 19 digits", s, "4111111111111111111", 1, true},
		{"MasterCard 2-series", s, "22210000", 3, true},
		{"American Express", s, "371449", 2, true},
		{"American Express, excluded by the session", noAmex, "371449", 2, false},
		{"VISA, in a session excluding American Express", noAmex, "41111111", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iin(tc.session, tc.bin, iinNLEUR)
			if err != nil {
				t.Fatal(err)
			}
			if got.GetPaymentProductId() != tc.id || got.GetIsAllowedInContext() != tc.allowed ||
				got.GetCountryCode() != "99" || got.GetCoBrands() != nil {
				t.Errorf("%s: %v, want product %d allowed %v, countryCode 99, no co-brands", tc.bin, got, tc.id, tc.allowed)
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			bin      string
			pc       *pb.IINPaymentContext
			code     codes.Code
			wireCode string
			property string
		}{
			{"unknown IIN", "99999999", iinNLEUR, codes.NotFound, "701000", "bin"},
			{"no bin", "", iinNLEUR, codes.InvalidArgument, "20000000", "bin"},
			{"5 digits", "41111", iinNLEUR, codes.InvalidArgument, "700105", "bin"},
			{"20 digits", "41111111111111111111", iinNLEUR, codes.InvalidArgument, "700105", "bin"},
			{"not digits", "4111 1111", iinNLEUR, codes.InvalidArgument, "700105", "bin"},
			{"full-width digits", "４１１１１１", iinNLEUR, codes.InvalidArgument, "700105", "bin"},
			{"a bad bin before a bad context", "41x111", nil, codes.InvalidArgument, "700105", "bin"},
			{"no payment context", "41111111", nil, codes.InvalidArgument, "20000000", "paymentContext.countryCode"},
			{"lower-case country", "41111111", iinContext("nl", "EUR", 1000), codes.InvalidArgument, "700400", "paymentContext.countryCode"},
			{"no amountOfMoney", "41111111", &pb.IINPaymentContext{CountryCode: "NL"}, codes.InvalidArgument, "20000000", "paymentContext.amountOfMoney.currencyCode"},
			{"lower-case currency", "41111111", iinContext("NL", "eur", 1000), codes.InvalidArgument, "700400", "paymentContext.amountOfMoney.currencyCode"},
			{"negative amount", "41111111", iinContext("NL", "EUR", -1), codes.InvalidArgument, "700400", "paymentContext.amountOfMoney.amount"},
		} {
			_, err := iin(s, tc.bin, tc.pc)
			wantError(t, tc.name, err, tc.code, tc.wireCode, tc.property)
		}
		_, err := iin(s, "99999999", iinNLEUR)
		st, _ := status.FromError(err)
		if d := detailsOf(st); d.info.GetReason() != "IIN_NOT_FOUND" {
			t.Errorf("unknown IIN: ErrorInfo reason %q, want IIN_NOT_FOUND", d.info.GetReason())
		}
		for _, m := range []string{st.Message(), err.Error()} {
			if strings.Contains(m, "99999999") {
				t.Errorf("the error repeats the digits: %q", m)
			}
		}
	})

	t.Run("another customer's session", func(t *testing.T) {
		other := c.create(t, &pb.CreateSessionRequest{})
		_, err := c.clients.GetIINDetails(withSession(t.Context(), other.GetClientSessionId()),
			&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111", PaymentContext: iinNLEUR})
		wantError(t, "mismatched customer", err, codes.Unauthenticated, "9002", "")
	})
}

// TestGetIINDetailsCoBrands: products sharing digits are co-brands; the
// answer's product is the first one the session may use. VISA (1) and
// Visa Debit (114) share "4" by default, so excluding VISA still answers
// an allowed Visa Debit, and excluding both answers VISA, not allowed.
// The payment context decides as in GetPaymentProducts: American Express,
// sold in NL only here, is not allowed in a US context.
func TestGetIINDetailsCoBrands(t *testing.T) {
	t.Parallel()
	catalog := []filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
		{ID: 114, Group: "cards", DisplayOrder: 20, Label: "Visa Debit", Logo: "pp_logo_114.png", PaymentMethod: "card"},
		{ID: 2, Group: "cards", DisplayOrder: 30, Label: "American Express", Logo: "pp_logo_2.png", PaymentMethod: "card", Countries: []string{"NL"}},
	}
	c := newClient(serve(t, newEngine(t, engineConfig{catalog: catalog}).engine, bearerAuth))
	for _, tc := range []struct {
		exclude  []int32
		id       int32
		allowed  bool
		coBrands []coBrand
	}{
		{nil, 1, true, []coBrand{{1, true}, {114, true}}},
		{[]int32{1}, 114, true, []coBrand{{1, false}, {114, true}}},
		{[]int32{1, 114}, 1, false, []coBrand{{1, false}, {114, false}}},
	} {
		req := &pb.CreateSessionRequest{}
		if tc.exclude != nil {
			req.PaymentProductFilters = &pb.PaymentProductFiltersClientSession{Exclude: &pb.PaymentProductFilter{Products: tc.exclude}}
		}
		s := c.create(t, req)
		got, err := c.clients.GetIINDetails(withSession(t.Context(), s.GetClientSessionId()),
			&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111", PaymentContext: iinNLEUR})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetPaymentProductId() != tc.id || got.GetIsAllowedInContext() != tc.allowed ||
			!slices.Equal(coBrandsOf(got), tc.coBrands) || got.GetCountryCode() != "99" {
			t.Errorf("excluding %v: %v, want %d allowed %v co-brands %v", tc.exclude, got, tc.id, tc.allowed, tc.coBrands)
		}
	}
	s := c.create(t, &pb.CreateSessionRequest{})
	for _, tc := range []struct {
		pc      *pb.IINPaymentContext
		allowed bool
	}{
		{iinNLEUR, true},
		{iinContext("US", "USD", 1000), false},
	} {
		got, err := c.clients.GetIINDetails(withSession(t.Context(), s.GetClientSessionId()),
			&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "371449", PaymentContext: tc.pc})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetPaymentProductId() != 2 || got.GetIsAllowedInContext() != tc.allowed || got.GetCoBrands() != nil {
			t.Errorf("American Express in %s: %v, want allowed %v", tc.pc.GetCountryCode(), got, tc.allowed)
		}
	}
}

// TestGetIINDetailsOldPaymentContext: a client built from the earlier
// proto, whose GetIINDetailsRequest field 3 was the flat PaymentContext
// (reserved now), is not misread: the server knows no field 3 and
// answers InvalidArgument at paymentContext.countryCode, as for a request
// without a payment context.
func TestGetIINDetailsOldPaymentContext(t *testing.T) {
	t.Parallel()
	conn := serve(t, newEngine(t, engineConfig{}).engine, bearerAuth)
	s := newClient(conn).create(t, &pb.CreateSessionRequest{})
	head, err := proto.Marshal(&pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111"})
	if err != nil {
		t.Fatal(err)
	}
	old, err := proto.Marshal(nlEUR) // countryCode, currencyCode, amount, isRecurring
	if err != nil {
		t.Fatal(err)
	}
	data := protowire.AppendBytes(protowire.AppendTag(head, 3, protowire.BytesType), old)
	var out []byte
	err = conn.Invoke(withSession(t.Context(), s.GetClientSessionId()), "/clientsession.v1.ClientService/GetIINDetails", data, &out,
		grpc.ForceCodecV2(rawCodec{}))
	wantError(t, "the old field 3", err, codes.InvalidArgument, "20000000", "paymentContext.countryCode")
}
