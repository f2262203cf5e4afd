package connectgrpc_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire/auth"
)

// merchantFromMTLSOrToken is a MerchantAuthenticator: on an mTLS
// connection the merchant is the Common Name of the client certificate the
// server verified (tls.Config with ClientAuth RequireAndVerifyClientCert,
// given to NewServer as WithServerOptions(grpc.Creds(credentials.NewTLS(cfg)))); otherwise
// the call must carry "authorization: Bearer {token}" with one of the
// merchants' tokens, compared in constant time.
func merchantFromMTLSOrToken(tokens map[string]string) connectgrpc.MerchantAuthenticator {
	return func(ctx context.Context) (string, error) {
		if p, ok := peer.FromContext(ctx); ok {
			if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.VerifiedChains) > 0 {
				return info.State.VerifiedChains[0][0].Subject.CommonName, nil
			}
		}
		md, _ := metadata.FromIncomingContext(ctx)
		if v := md.Get("authorization"); len(v) == 1 {
			if given, ok := strings.CutPrefix(v[0], "Bearer "); ok {
				for token, merchantID := range tokens {
					if subtle.ConstantTimeCompare([]byte(token), []byte(given)) == 1 {
						return merchantID, nil
					}
				}
			}
		}
		return "", sderrors.ErrUnauthorized
	}
}

// A gateway serves the engine over gRPC; the merchant's server creates a
// session and the consumer's app lists its payment products with it.
func ExampleNewServer() {
	catalog, _ := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
		{ID: 3, Group: "cards", DisplayOrder: 30, Label: "MasterCard", Logo: "pp_logo_3.png", PaymentMethod: "card"},
		{ID: 809, DisplayOrder: 50, Label: "iDEAL", Logo: "pp_logo_809.png", PaymentMethod: "redirect", Countries: []string{"NL"}},
	})
	store, _ := memstore.New()
	engine, _ := session.New(store, store, session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://gateway.example", Region: "EU"}))

	srv, _ := connectgrpc.NewServer(engine, merchantFromMTLSOrToken(map[string]string{"secret-token-1234": "1234"}))
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	conn, _ := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer func() { _ = conn.Close() }()

	// The merchant's server (here with a token; with mTLS it would send none).
	merchant := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer secret-token-1234")
	s, err := pb.NewSessionServiceClient(conn).CreateSession(merchant, &pb.CreateSessionRequest{
		PaymentProductFilters: &pb.PaymentProductFiltersClientSession{Exclude: &pb.PaymentProductFilter{Products: []int32{3}}},
		Tokens:                []string{"unknown-token"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.GetClientApiUrl(), s.GetInvalidTokens())

	// The consumer's app, with the session's credentials.
	consumer := metadata.AppendToOutgoingContext(context.Background(),
		"authorization", auth.ClientAuthorization(s.GetClientSessionId()))
	client := pb.NewClientServiceClient(conn)
	products, _ := client.GetPaymentProducts(consumer, &pb.GetPaymentProductsRequest{
		CustomerId:     s.GetCustomerId(),
		PaymentContext: &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000},
		HideFields:     true,
	})
	for _, p := range products.GetPaymentProducts() {
		fmt.Println(p.GetId(), p.GetDisplayHints().GetLabel())
	}

	// An excluded product is not found; the status says why, with the wire code.
	_, err = client.GetPaymentProduct(consumer, &pb.GetPaymentProductRequest{
		CustomerId: s.GetCustomerId(), PaymentProductId: 3,
		PaymentContext: &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000},
	})
	st := status.Convert(err)
	fmt.Println(st.Code())
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			fmt.Println(d.GetReason(), d.GetMetadata()["code"])
		case *errdetails.BadRequest:
			fmt.Println(d.GetFieldViolations()[0].GetField())
		}
	}
	// Output:
	// https://gateway.example/client [unknown-token]
	// 1 VISA
	// 809 iDEAL
	// NotFound
	// UNKNOWN_PRODUCT_ID 1007
	// paymentProductId
}

// A merchant signs its gRPC calls with the API key it signs its HTTP
// Server API calls with (v1HMAC over gRPC), and makes its create
// idempotent with a key in the metadata: a repeat gets the first session
// and the first attempt's time.
func ExampleHMACAuthenticator() {
	catalog, _ := filter.NewCatalog([]filter.Product{
		{ID: 1, Group: "cards", DisplayOrder: 10, Label: "VISA", Logo: "pp_logo_1.png", PaymentMethod: "card"},
	})
	store, _ := memstore.New()
	engine, _ := session.New(store, store, session.WithCatalog(catalog),
		session.WithDatacenter(session.Datacenter{Origin: "https://gateway.example", Region: "EU"}))

	// The gateway: the data of its API keys, verified as over HTTP.
	keys := auth.StaticKeys{"testKeyId": {Secret: "testSecretApiKey", Merchants: []string{"1234"}}}
	verifier, _ := auth.NewVerifier(keys, auth.WithClock(engine.Now))
	merchantAuth, _ := connectgrpc.HMACAuthenticator(verifier)
	srv, _ := connectgrpc.NewServer(engine, merchantAuth)
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	// The merchant's server: every call signed for merchant 1234.
	signer, _ := connectgrpc.HMACSigner("testKeyId", []byte("testSecretApiKey"), "1234")
	conn, _ := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(signer))
	defer func() { _ = conn.Close() }()
	sessions := pb.NewSessionServiceClient(conn)

	ctx := metadata.AppendToOutgoingContext(context.Background(), connectgrpc.IdempotenceKeyMetadata, "order-42")
	first, err := sessions.CreateSession(ctx, &pb.CreateSessionRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var header metadata.MD
	again, _ := sessions.CreateSession(ctx, &pb.CreateSessionRequest{}, grpc.Header(&header))
	fmt.Println(strings.HasPrefix(first.GetCustomerId(), "1234-"))
	fmt.Println(again.GetClientSessionId() == first.GetClientSessionId())
	fmt.Println(len(header.Get(connectgrpc.IdempotenceTimestampMetadata)))
	// Output:
	// true
	// true
	// 1
}
