package connectgrpc_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire/auth"
)

// FuzzCreateSession feeds untrusted request bytes (protobuf wire format)
// to CreateSession: the answer is a session or InvalidArgument naming a
// property, never another code, never a panic; invalid tokens are tokens
// of the request.
func FuzzCreateSession(f *testing.F) {
	cases := loadCases(f)
	seeds := []*pb.CreateSessionRequest{
		{},
		{Tokens: cases.Tokens.Request},
		{Tokens: make([]string, 101)},
		{PaymentProductFilters: &pb.PaymentProductFiltersClientSession{RestrictTo: &pb.PaymentProductFilter{}}},
	}
	for _, m := range cases.Malformed {
		var req pb.CreateSessionRequest
		if err := protojson.Unmarshal(m.Body, &req); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, &req)
	}
	for _, fc := range cases.Filters {
		var fl pb.PaymentProductFiltersClientSession
		if err := protojson.Unmarshal(fc.Filters, &fl); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, &pb.CreateSessionRequest{PaymentProductFilters: &fl})
	}
	for _, s := range seeds {
		b, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	svc, err := connectgrpc.New(newEngine(f, engineConfig{}).engine, bearerAuth)
	if err != nil {
		f.Fatal(err)
	}
	sessions, _ := connectgrpc.Handlers(svc)
	ctx := connectgrpc.ContextWithMerchant(context.Background(), "1234")
	f.Fuzz(func(t *testing.T, data []byte) {
		var req pb.CreateSessionRequest
		if proto.Unmarshal(data, &req) != nil {
			return // the codec answers INVALID_MESSAGE before any handler runs (FuzzRawRequest)
		}
		resp, err := sessions.CreateSession(ctx, &req)
		if err != nil {
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument || len(detailsOf(st).violations) == 0 {
				t.Fatalf("CreateSession(%v): %v %v", &req, st.Code(), st.Details())
			}
			return
		}
		for _, id := range resp.GetInvalidTokens() {
			if !slices.Contains(req.GetTokens(), id) {
				t.Fatalf("invalid token %q is not in the request", id)
			}
		}
	})
}

// FuzzClientAuthentication feeds untrusted "authorization" metadata and
// customer ids to a Client API call: only the session's own credentials
// pass, everything else is Unauthenticated 9002, never another code or a
// panic.
func FuzzClientAuthentication(f *testing.F) {
	clients, s := fuzzSession(f)
	valid := auth.ClientAuthorization(s.GetClientSessionId())
	f.Add(valid, s.GetCustomerId())
	f.Add(valid, s.GetCustomerId()+"0")
	f.Add(valid+" ", s.GetCustomerId())
	f.Add("GCS v1Client:", "")
	f.Add("gcs v1client:"+s.GetClientSessionId(), s.GetCustomerId())
	f.Add(valid, "1234-"+s.GetClientSessionId())
	f.Fuzz(func(t *testing.T, authorization, customerID string) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", authorization))
		_, err := clients.GetPublicKey(ctx, &pb.GetPublicKeyRequest{CustomerId: customerID})
		if authorization == valid && customerID == s.GetCustomerId() {
			if err != nil {
				t.Fatalf("the session's own credentials: %v", err)
			}
			return
		}
		st := status.Convert(err)
		if st.Code() != codes.Unauthenticated || detailsOf(st).info.GetMetadata()["code"] != "9002" {
			t.Fatalf("authorization %q, customer %q: %v", authorization, customerID, err)
		}
	})
}

// FuzzGetIINDetails: any bin of an authenticated call is answered with a
// product, or refused at "bin" (InvalidArgument 20000000 or 700105,
// NotFound 701000), never another code or a panic.
func FuzzGetIINDetails(f *testing.F) {
	clients, s := fuzzSession(f)
	ctx := metadata.NewIncomingContext(context.Background(),
		metadata.Pairs("authorization", auth.ClientAuthorization(s.GetClientSessionId())))
	for _, bin := range []string{"41111111", "371449", "99999999", "", "41111", "4111111111111111111", "41111111111111111111", "4111 1111", "４１１１１１", "-411111"} {
		f.Add(bin)
	}
	f.Fuzz(func(t *testing.T, bin string) {
		resp, err := clients.GetIINDetails(ctx, &pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: bin, PaymentContext: iinNLEUR})
		if err == nil {
			if resp.GetPaymentProductId() == 0 || resp.GetCountryCode() != "99" {
				t.Fatalf("bin %q: %v", bin, resp)
			}
			return
		}
		st := status.Convert(err)
		d := detailsOf(st)
		code := d.info.GetMetadata()["code"]
		ok := (st.Code() == codes.InvalidArgument && (code == "20000000" || code == "700105")) ||
			(st.Code() == codes.NotFound && code == "701000")
		if !ok || len(d.violations) != 1 || d.violations[0].GetField() != "bin" {
			t.Fatalf("bin %q: %v", bin, err)
		}
	})
}

// fuzzSession returns the ClientService handlers (called directly, without
// a server: a fuzz run makes many calls) and a session of merchant 1234.
func fuzzSession(f *testing.F) (pb.ClientServiceServer, *pb.CreateSessionResponse) {
	f.Helper()
	e := newEngine(f, engineConfig{})
	svc, err := connectgrpc.New(e.engine, bearerAuth)
	if err != nil {
		f.Fatal(err)
	}
	sessions, clients := connectgrpc.Handlers(svc)
	s, err := sessions.CreateSession(connectgrpc.ContextWithMerchant(context.Background(), "1234"), &pb.CreateSessionRequest{})
	if err != nil {
		f.Fatal(err)
	}
	return clients, s
}

// FuzzIINPaymentContext: any payment context of a GetIINDetails call (the
// getIINdetails body's shape) is answered, or refused with InvalidArgument
// at one of its paths in the request, never another code or a panic.
func FuzzIINPaymentContext(f *testing.F) {
	clients, s := fuzzSession(f)
	ctx := metadata.NewIncomingContext(context.Background(),
		metadata.Pairs("authorization", auth.ClientAuthorization(s.GetClientSessionId())))
	f.Add("NL", "EUR", int64(1000), true)
	f.Add("", "", int64(0), false)
	f.Add("nl", "eur", int64(-1), true)
	f.Add("NLD", "EURO", int64(1<<62), false)
	paths := map[string]bool{"paymentContext.countryCode": true, "paymentContext.amountOfMoney.currencyCode": true,
		"paymentContext.amountOfMoney.amount": true}
	f.Fuzz(func(t *testing.T, country, currency string, amount int64, withMoney bool) {
		pc := &pb.IINPaymentContext{CountryCode: country}
		if withMoney {
			pc.AmountOfMoney = &pb.AmountOfMoney{Amount: amount, CurrencyCode: currency}
		}
		_, err := clients.GetIINDetails(ctx, &pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111", PaymentContext: pc})
		if err == nil {
			return
		}
		st := status.Convert(err)
		d := detailsOf(st)
		if st.Code() != codes.InvalidArgument || len(d.violations) != 1 || !paths[d.violations[0].GetField()] {
			t.Fatalf("%q %q %d %v: %v %v", country, currency, amount, withMoney, err, d.violations)
		}
	})
}

// methodStream stands in for the server transport stream of a call, so
// that grpc.Method knows the call's method without a server.
type methodStream struct{ method string }

func (m methodStream) Method() string             { return m.method }
func (methodStream) SetHeader(metadata.MD) error  { return nil }
func (methodStream) SendHeader(metadata.MD) error { return nil }
func (methodStream) SetTrailer(metadata.MD) error { return nil }

// FuzzHMACAuthenticator: any authorization, date and merchant metadata are
// refused as Unauthenticated (9002) or PermissionDenied (9007), or accepted
// for the merchant the metadata name; never a panic, another error, or
// another merchant.
func FuzzHMACAuthenticator(f *testing.F) {
	v, err := auth.NewVerifier(hmacKeys)
	if err != nil {
		f.Fatal(err)
	}
	a, err := connectgrpc.HMACAuthenticator(v)
	if err != nil {
		f.Fatal(err)
	}
	good := signedMD("key-1234", "secret-1234", "1234", createMethod, time.Now())
	f.Add(good.Get("authorization")[0], good.Get("date")[0], "1234", "")
	f.Add(good.Get("authorization")[0], good.Get("date")[0], "5678", "order-1")
	f.Add("GCS v1HMAC:key-1234:", "", "", "")
	f.Add("GCS v1HMAC::x", "Mon, 02 Jan 2006 15:04:05 GMT", "1234", "k")
	f.Fuzz(func(t *testing.T, authorization, date, merchant, key string) {
		md := metadata.Pairs("authorization", authorization, connectgrpc.DateMetadata, date, connectgrpc.MerchantIDMetadata, merchant)
		if key != "" {
			md.Set(connectgrpc.IdempotenceKeyMetadata, key)
		}
		ctx := grpc.NewContextWithServerTransportStream(metadata.NewIncomingContext(context.Background(), md), methodStream{createMethod})
		got, err := a(ctx)
		switch {
		case err == nil:
			if got != merchant {
				t.Fatalf("accepted for %q, the metadata name %q", got, merchant)
			}
		case !errors.Is(err, sderrors.ErrUnauthorized) && !errors.Is(err, sderrors.ErrMerchantNotAllowed):
			t.Fatalf("%q %q %q: %v", authorization, date, merchant, err)
		}
	})
}
