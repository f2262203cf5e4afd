package connectgrpc_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
)

// TestSharedCases runs the filter, token, payment-context and malformed
// body cases of the HTTP gateway's end-to-end test (cases.json) over gRPC.
// The bodies are Connect JSON, parsed into the request message by protojson.
func TestSharedCases(t *testing.T) {
	t.Parallel()
	cases := loadCases(t)
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))

	t.Run("tokens", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{Tokens: cases.Tokens.Request})
		if !slices.Equal(s.GetInvalidTokens(), cases.Tokens.InvalidTokens) {
			t.Errorf("invalidTokens = %q, want %q", s.GetInvalidTokens(), cases.Tokens.InvalidTokens)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, tc := range cases.Malformed {
			var req pb.CreateSessionRequest
			if err := protojson.Unmarshal(tc.Body, &req); err != nil {
				t.Fatalf("%s: the Connect body does not parse into CreateSessionRequest: %v", tc.Body, err)
			}
			_, err := c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &req)
			st := status.Convert(err)
			if st.Code() != codes.InvalidArgument {
				t.Errorf("%s: code = %v, want InvalidArgument", tc.Body, st.Code())
				continue
			}
			d := detailsOf(st)
			if len(d.violations) != 1 || d.violations[0].GetField() != tc.PropertyName {
				t.Errorf("%s: violations %v, want one at %q", tc.Body, d.violations, tc.PropertyName)
			}
			if d.info == nil || d.info.GetMetadata()["httpStatusCode"] != "400" || d.info.GetReason() != d.violations[0].GetReason() {
				t.Errorf("%s: ErrorInfo %v", tc.Body, d.info)
			}
		}
	})
	t.Run("payment contexts", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{})
		for _, tc := range cases.PaymentContexts {
			if got := ids(c.products(t, s, cases.Contexts[tc.Context].proto())); !slices.Equal(got, tc.Products) {
				t.Errorf("%s: products %v, want %v", tc.Context, got, tc.Products)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		for _, tc := range cases.Filters {
			var f pb.PaymentProductFiltersClientSession
			if err := protojson.Unmarshal(tc.Filters, &f); err != nil {
				t.Fatalf("%s: %v", tc.Filters, err)
			}
			s := c.create(t, &pb.CreateSessionRequest{PaymentProductFilters: &f})
			if got := ids(c.products(t, s, cases.Contexts[tc.Context].proto())); !slices.Equal(got, tc.Products) {
				t.Errorf("%s in %s: products %v, want %v", tc.Filters, tc.Context, got, tc.Products)
			}
		}
	})
}

func TestCreateSession(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	s := c.create(t, &pb.CreateSessionRequest{})
	if len(s.GetClientSessionId()) != 32 || !strings.HasPrefix(s.GetCustomerId(), "1234-") {
		t.Errorf("ids %q %q", s.GetClientSessionId(), s.GetCustomerId())
	}
	if s.GetClientApiUrl() != publicURL+"/client" || s.GetAssetUrl() != publicURL+"/" || s.GetRegion() != "EU" {
		t.Errorf("urls %q %q region %q", s.GetClientApiUrl(), s.GetAssetUrl(), s.GetRegion())
	}
	if s.GetInvalidTokens() != nil {
		t.Errorf("invalidTokens = %q, want none", s.GetInvalidTokens())
	}
	other, err := c.sessions.CreateSession(asMerchant(t.Context(), "5678"), &pb.CreateSessionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if other.GetClientApiUrl() != "https://us.gateway.example/client" || other.GetRegion() != "US" ||
		!strings.HasPrefix(other.GetCustomerId(), "5678-") {
		t.Errorf("merchant 5678: %v", other)
	}
}

func TestClientAPI(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard", "tok-no-expiry", "tok-expired"}})
	ctx := withSession(t.Context(), s.GetClientSessionId())

	t.Run("products with accounts on file", func(t *testing.T) {
		products := c.products(t, s, nlEUR)
		if got := ids(products); !slices.Equal(got, []int32{1, 2, 3, 840, 809}) {
			t.Fatalf("products %v", got)
		}
		visa := products[0]
		if visa.GetDisplayHints().GetLabel() != "VISA" || visa.GetDisplayHints().GetLogo() != "pp_logo_1.png" ||
			visa.GetPaymentProductGroup() != "cards" || visa.GetFields() != nil {
			t.Errorf("VISA: %v", visa)
		}
		aofs := visa.GetAccountsOnFile()
		if len(aofs) != 1 || aofs[0].GetId() != 1 || aofs[0].GetPaymentProductId() != 1 {
			t.Fatalf("VISA accounts on file: %v", aofs)
		}
		attrs := map[string]string{}
		for _, a := range aofs[0].GetAttributes() {
			attrs[a.GetKey()] = a.GetValue()
		}
		if attrs["alias"] != "************0026" || attrs["expiryDate"] != "1230" || attrs["cardNumber"] != "************0026" {
			t.Errorf("attributes %v", attrs)
		}
		for _, a := range products[1].GetAccountsOnFile()[0].GetAttributes() {
			if a.GetKey() == "expiryDate" {
				t.Errorf("a token without a card expiry has an expiryDate attribute")
			}
		}
		paypal := products[3]
		if !paypal.GetUsesRedirectionTo_3RdParty() || paypal.GetMinAmount() != 100 || paypal.MaxAmount == nil {
			t.Errorf("PayPal: %v", paypal)
		}
		if products[0].MinAmount != nil {
			t.Errorf("VISA has a minAmount")
		}
	})
	t.Run("products with fields unless hidden", func(t *testing.T) {
		resp, err := c.clients.GetPaymentProducts(ctx, &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR})
		if err != nil {
			t.Fatal(err)
		}
		var n []int
		for _, p := range resp.GetPaymentProducts() {
			n = append(n, len(p.GetFields()))
		}
		if !slices.Equal(n, []int{4, 4, 4, 0, 0}) {
			t.Errorf("fields per product %v, want card fields on the cards only", n)
		}
	})
	t.Run("product with card fields", func(t *testing.T) {
		p, err := c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: 1, PaymentContext: nlEUR})
		if err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, f := range p.GetFields() {
			fields = append(fields, f.GetId())
		}
		if !slices.Equal(fields, []string{"cardNumber", "expiryDate", "cvv", "cardholderName"}) {
			t.Errorf("fields %v", fields)
		}
		if p.GetFields()[0].GetDataRestrictions().GetValidators().GetLuhn() == nil || p.GetFields()[1].GetDisplayHints().GetMask() != "{{99}}/{{99}}" {
			t.Errorf("card fields: %v", p.GetFields())
		}
		redirect, err := c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: 840, PaymentContext: nlEUR})
		if err != nil || redirect.GetFields() != nil {
			t.Errorf("PayPal: %v %v", redirect, err)
		}
	})
	t.Run("product errors", func(t *testing.T) {
		for _, id := range []int32{2147483647, 0, -1, 3012} {
			_, err := c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: id, PaymentContext: nlEUR})
			wantError(t, "product "+strconv.Itoa(int(id)), err, codes.NotFound, "1007", "paymentProductId")
		}
		_, err := c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: 1})
		wantError(t, "no payment context", err, codes.InvalidArgument, "20000000", "paymentContext.countryCode")
		_, err = c.clients.GetPaymentProduct(ctx, &pb.GetPaymentProductRequest{CustomerId: s.GetCustomerId(), PaymentProductId: 1,
			PaymentContext: &pb.PaymentContext{CountryCode: "Nl", CurrencyCode: "EUR"}})
		wantError(t, "mixed-case country", err, codes.InvalidArgument, "700400", "paymentContext.countryCode")
		_, err = c.clients.GetPaymentProducts(ctx, &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(),
			PaymentContext: &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "eur"}})
		wantError(t, "lower-case currency", err, codes.InvalidArgument, "700400", "paymentContext.currencyCode")
		_, err = c.clients.GetPaymentProducts(ctx, &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(),
			PaymentContext: &pb.PaymentContext{CountryCode: "NL"}})
		wantError(t, "no currency", err, codes.InvalidArgument, "20000000", "paymentContext.currencyCode")
		_, err = c.clients.GetPaymentProductGroups(ctx, &pb.GetPaymentProductGroupsRequest{CustomerId: s.GetCustomerId(),
			PaymentContext: &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "EUR", Amount: -1}})
		wantError(t, "negative amount", err, codes.InvalidArgument, "700400", "paymentContext.amount")
	})
	t.Run("product groups", func(t *testing.T) {
		resp, err := c.clients.GetPaymentProductGroups(ctx, &pb.GetPaymentProductGroupsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR})
		if err != nil {
			t.Fatal(err)
		}
		groups := resp.GetPaymentProductGroups()
		if len(groups) != 1 || groups[0].GetId() != "cards" || groups[0].GetDisplayHints().GetLabel() != "Cards" {
			t.Fatalf("groups %v", groups)
		}
		var of []int32
		for _, a := range groups[0].GetAccountsOnFile() {
			of = append(of, a.GetPaymentProductId())
		}
		if !slices.Equal(of, []int32{1, 2, 3}) || len(groups[0].GetFields()) != 4 {
			t.Errorf("cards: accounts on file of %v, %d fields", of, len(groups[0].GetFields()))
		}
		hidden, err := c.clients.GetPaymentProductGroups(ctx, &pb.GetPaymentProductGroupsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: true})
		if err != nil || hidden.GetPaymentProductGroups()[0].GetFields() != nil {
			t.Errorf("hide fields: %v %v", hidden, err)
		}
	})
	t.Run("public key", func(t *testing.T) {
		k, err := c.clients.GetPublicKey(ctx, &pb.GetPublicKeyRequest{CustomerId: s.GetCustomerId()})
		if err != nil {
			t.Fatal(err)
		}
		if k.GetKeyId() != key(t).ID || k.GetPublicKey() == "" {
			t.Errorf("public key %v", k)
		}
	})
	t.Run("an excluded product hides its tokens; the token stays valid", func(t *testing.T) {
		s := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard"},
			PaymentProductFilters: &pb.PaymentProductFiltersClientSession{Exclude: &pb.PaymentProductFilter{Products: []int32{1}}}})
		if len(s.GetInvalidTokens()) != 0 {
			t.Errorf("invalid %v", s.GetInvalidTokens())
		}
		var of []int32
		for _, p := range c.products(t, s, nlEUR) {
			for _, a := range p.GetAccountsOnFile() {
				of = append(of, a.GetPaymentProductId())
			}
		}
		if !slices.Equal(of, []int32{3}) {
			t.Errorf("accounts on file of %v, want [3]", of)
		}
	})
}

// TestClientAuthentication: the v1Client credentials in the metadata and
// the customerId in the request, checked by the engine as over HTTP.
func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	a := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-visa"}})
	b := c.create(t, &pb.CreateSessionRequest{Tokens: []string{"tok-mastercard"}})
	req := func(s *pb.CreateSessionResponse) *pb.GetPaymentProductsRequest {
		return &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR}
	}
	bg := t.Context()
	cases := []struct {
		name     string
		metadata []string // authorization values
		req      *pb.GetPaymentProductsRequest
	}{
		{"no metadata", nil, req(a)},
		{"empty session id", []string{"GCS v1Client:"}, req(a)},
		{"another scheme", []string{"Bearer " + a.GetClientSessionId()}, req(a)},
		{"lower-case scheme", []string{"gcs v1client:" + a.GetClientSessionId()}, req(a)},
		{"two values", []string{"GCS v1Client:" + a.GetClientSessionId(), "GCS v1Client:" + a.GetClientSessionId()}, req(a)},
		{"a's session, b's customer", []string{"GCS v1Client:" + a.GetClientSessionId()}, req(b)},
		{"no customer", []string{"GCS v1Client:" + a.GetClientSessionId()}, &pb.GetPaymentProductsRequest{PaymentContext: nlEUR}},
		{"unknown session", []string{"GCS v1Client:" + strings.Repeat("0", 32)}, req(a)},
		{"merchant token", []string{"Bearer token-1234"}, req(a)},
	}
	for _, tc := range cases {
		ctx := bg
		for _, v := range tc.metadata {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
		}
		_, err := c.clients.GetPaymentProducts(ctx, tc.req)
		wantError(t, tc.name, err, codes.Unauthenticated, "9002", "")
		_, err = c.clients.GetPublicKey(ctx, &pb.GetPublicKeyRequest{CustomerId: tc.req.GetCustomerId()})
		wantError(t, tc.name+" (public key)", err, codes.Unauthenticated, "9002", "")
		// Authentication comes first: a bad bin is not looked at.
		_, err = c.clients.GetIINDetails(ctx, &pb.GetIINDetailsRequest{CustomerId: tc.req.GetCustomerId(), Bin: "x"})
		wantError(t, tc.name+" (IIN details)", err, codes.Unauthenticated, "9002", "")
	}
	// Each session sees only its own accounts on file.
	for s, want := range map[*pb.CreateSessionResponse]int32{a: 1, b: 3} {
		var of []int32
		for _, p := range c.products(t, s, nlEUR) {
			for _, x := range p.GetAccountsOnFile() {
				of = append(of, x.GetPaymentProductId())
			}
		}
		if !slices.Equal(of, []int32{want}) {
			t.Errorf("accounts on file of %v, want [%d]", of, want)
		}
	}
}

func TestRevokeSession(t *testing.T) {
	t.Parallel()
	c := newClient(serve(t, newEngine(t, engineConfig{}).engine, bearerAuth))
	s := c.create(t, &pb.CreateSessionRequest{})
	c.products(t, s, nlEUR)
	_, err := c.sessions.RevokeSession(asMerchant(t.Context(), "5678"), &pb.RevokeSessionRequest{ClientSessionId: s.GetClientSessionId()})
	wantError(t, "another merchant's session", err, codes.NotFound, "700500", "")
	if _, err := c.sessions.RevokeSession(asMerchant(t.Context(), "1234"), &pb.RevokeSessionRequest{ClientSessionId: s.GetClientSessionId()}); err != nil {
		t.Fatal(err)
	}
	_, err = c.clients.GetPaymentProducts(withSession(t.Context(), s.GetClientSessionId()),
		&pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR})
	wantError(t, "revoked session", err, codes.Unauthenticated, "9002", "")
	_, err = c.sessions.RevokeSession(asMerchant(t.Context(), "1234"), &pb.RevokeSessionRequest{ClientSessionId: s.GetClientSessionId()})
	wantError(t, "revoked twice", err, codes.NotFound, "700500", "")
}

// TestMerchantAuthentication: the merchant comes from the authenticator
// only; refusals keep their code, foreign errors leak nothing.
func TestMerchantAuthentication(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	c := newClient(serve(t, e.engine, bearerAuth))
	_, err := c.sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	wantError(t, "no credentials", err, codes.Unauthenticated, "9002", "")
	_, err = c.sessions.CreateSession(metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer nope"), &pb.CreateSessionRequest{})
	wantError(t, "unknown token", err, codes.Unauthenticated, "9002", "")

	auths := []struct {
		name     string
		auth     connectgrpc.MerchantAuthenticator
		code     codes.Code
		wireCode string
		property string
	}{
		{"not allowed", func(context.Context) (string, error) { return "", sderrors.ErrMerchantNotAllowed }, codes.PermissionDenied, "9007", ""},
		{"foreign error", func(context.Context) (string, error) {
			return "", errors.New("ldap: bind as cn=admin password=hunter2 failed")
		}, codes.Internal, "9999", ""},
		{"panic", func(context.Context) (string, error) { panic("secret panic text") }, codes.Internal, "9999", ""},
		{"empty merchant", func(context.Context) (string, error) { return "", nil }, codes.Unauthenticated, "9002", ""},
		{"malformed merchant", func(context.Context) (string, error) { return "12/34", nil }, codes.NotFound, "700501", "merchantId"},
		{"unknown merchant", func(context.Context) (string, error) { return "9999", nil }, codes.NotFound, "700501", "merchantId"},
	}
	for _, a := range auths {
		c := newClient(serve(t, e.engine, a.auth))
		_, err := c.sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
		wantError(t, a.name, err, a.code, a.wireCode, a.property)
		if msg := status.Convert(err).Message(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "secret") {
			t.Errorf("%s: internal text on the wire: %q", a.name, msg)
		}
	}
	if e.store.Len() != 0 {
		t.Errorf("%d sessions stored by refused calls", e.store.Len())
	}

	// A server without the interceptor refuses every SessionService call.
	svc, err := connectgrpc.New(e.engine, bearerAuth)
	if err != nil {
		t.Fatal(err)
	}
	bare := grpc.NewServer()
	svc.Register(bare)
	c = newClient(serveOn(t, bare))
	_, err = c.sessions.CreateSession(asMerchant(t.Context(), "1234"), &pb.CreateSessionRequest{})
	wantError(t, "no interceptor", err, codes.Unauthenticated, "9002", "")

	if _, err := connectgrpc.New(nil, bearerAuth); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil engine) = %v", err)
	}
	if _, err := connectgrpc.NewServer(e.engine, nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("NewServer(nil auth) = %v", err)
	}
}

// TestEveryErrorOverTheWire sends every error of the catalogue through a
// real server (the authenticator refuses with it) and checks the code and
// details the client receives.
func TestEveryErrorOverTheWire(t *testing.T) {
	t.Parallel()
	e := newEngine(t, engineConfig{})
	var current atomic.Pointer[sderrors.Error]
	conn := serve(t, e.engine, func(context.Context) (string, error) { return "", current.Load() })
	c := newClient(conn)
	for _, sentinel := range sderrors.Catalogue() {
		for _, property := range []string{"", "paymentProductFilters.exclude.groups[1]"} {
			err := sentinel.WithCause(errors.New("internal cause"))
			if property != "" {
				err = err.WithProperty(property)
			}
			current.Store(err)
			_, got := c.sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
			what := string(sentinel.Code()) + " " + sentinel.ID() + " " + property
			wantError(t, what, got, connectgrpc.Code(sentinel.Kind()), string(sentinel.Code()), property)
			st := status.Convert(got)
			if st.Message() != sentinel.Message() {
				t.Errorf("%s: message %q, want %q", what, st.Message(), sentinel.Message())
			}
			d := detailsOf(st)
			if d.info.GetReason() != sentinel.ID() || d.info.GetDomain() != connectgrpc.ErrorDomain ||
				d.info.GetMetadata()["httpStatusCode"] != strconv.Itoa(sentinel.Kind().HTTPStatus()) {
				t.Errorf("%s: ErrorInfo %v", what, d.info)
			}
			if strings.Contains(st.String(), "internal cause") {
				t.Errorf("%s: the cause reached the wire", what)
			}
		}
	}
}

func TestHealthAndReflection(t *testing.T) {
	t.Parallel()
	conn := serve(t, newEngine(t, engineConfig{}).engine, bearerAuth)
	health := healthpb.NewHealthClient(conn)
	for _, name := range []string{"", "clientsession.v1.SessionService", "clientsession.v1.ClientService"} {
		resp, err := health.Check(t.Context(), &healthpb.HealthCheckRequest{Service: name})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health %q: %v %v", name, resp, err)
		}
	}
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"clientsession.v1.SessionService", "clientsession.v1.ClientService", "grpc.health.v1.Health"} {
		if !slices.Contains(names, want) {
			t.Errorf("reflection lists %v, not %s", names, want)
		}
	}
	_ = stream.CloseSend()
	if connectgrpc.SessionServicePrefix != "/"+pb.SessionService_ServiceDesc.ServiceName+"/" {
		t.Errorf("the interceptor matches %q, the service is %q", connectgrpc.SessionServicePrefix, pb.SessionService_ServiceDesc.ServiceName)
	}
}
