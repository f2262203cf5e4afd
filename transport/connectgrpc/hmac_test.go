package connectgrpc_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire/auth"
)

// hmacKeys are the API keys of the v1HMAC tests: one key per merchant.
var hmacKeys = auth.StaticKeys{
	"key-1234": {Secret: "secret-1234", Merchants: []string{"1234"}},
	"key-5678": {Secret: "secret-5678", Merchants: []string{"5678"}},
}

// hmacServer serves the fixture's engine with v1HMAC merchant
// authentication over hmacKeys.
func hmacServer(t *testing.T, opts ...auth.VerifierOption) *grpc.ClientConn {
	t.Helper()
	v, err := auth.NewVerifier(hmacKeys, opts...)
	if err != nil {
		t.Fatal(err)
	}
	a, err := connectgrpc.HMACAuthenticator(v)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, newEngine(t, engineConfig{}).engine, a)
}

// signedConn is a connection to conn's target whose calls HMACSigner signs.
func signedConn(t *testing.T, conn *grpc.ClientConn, keyID, secret, merchantID string) client {
	t.Helper()
	signer, err := connectgrpc.HMACSigner(keyID, []byte(secret), merchantID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := grpc.NewClient(conn.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithUnaryInterceptor(signer))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return newClient(c)
}

// signedMD is the metadata of a call to method signed by hand: what a
// client in another language sends.
func signedMD(keyID, secret, merchantID, method string, date time.Time, extra ...string) metadata.MD {
	md := metadata.Pairs(extra...)
	md.Set(connectgrpc.MerchantIDMetadata, merchantID)
	md.Set(connectgrpc.DateMetadata, date.UTC().Format(http.TimeFormat))
	md.Set("authorization", auth.Sign(keyID, []byte(secret), connectgrpc.HMACRequest(method, md.Get("date")[0], md)))
	return md
}

const createMethod = "/clientsession.v1.SessionService/CreateSession"

// TestHMACStringToSign pins the string v1HMAC signs of a gRPC call: the
// scheme merchants implement in other languages.
func TestHMACStringToSign(t *testing.T) {
	t.Parallel()
	md := metadata.Pairs("x-gcs-merchant-id", "1234", "x-gcs-idempotence-key", "order-1", "user-agent", "grpc-go", "date", "Tue, 02 Dec 2025 11:50:00 GMT")
	got := connectgrpc.HMACRequest(createMethod, md.Get("date")[0], md).StringToSign()
	want := "POST\napplication/grpc\nTue, 02 Dec 2025 11:50:00 GMT\n" +
		"x-gcs-idempotence-key:order-1\nx-gcs-merchant-id:1234\n" +
		"/clientsession.v1.SessionService/CreateSession\n"
	if got != want {
		t.Errorf("string to sign:\n%q\nwant\n%q", got, want)
	}
}

// TestHMACAuthentication: a call signed with the merchant's API key, as
// for the HTTP Server API, acts for the signed merchant; every other call
// is refused as the HTTP transport refuses it.
func TestHMACAuthentication(t *testing.T) {
	t.Parallel()
	conn := hmacServer(t)
	signed := signedConn(t, conn, "key-1234", "secret-1234", "1234")
	s := signed.create(t, &pb.CreateSessionRequest{})
	if !strings.HasPrefix(s.GetCustomerId(), "1234-") {
		t.Errorf("customerId %q: not a session of the signed merchant", s.GetCustomerId())
	}
	if len(signed.products(t, s, nlEUR)) == 0 { // the signer leaves the session's v1Client credential alone
		t.Error("no products over the signed connection")
	}
	other, err := signedConn(t, conn, "key-5678", "secret-5678", "5678").sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	if err != nil || !strings.HasPrefix(other.GetCustomerId(), "5678-") {
		t.Errorf("merchant 5678: %v %v", other, err)
	}
	_, err = signedConn(t, conn, "key-1234", "secret-5678", "1234").sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	wantError(t, "wrong secret", err, codes.Unauthenticated, "9002", "")
	_, err = signedConn(t, conn, "key-1234", "secret-1234", "5678").sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	wantError(t, "a key that does not hold the merchant", err, codes.PermissionDenied, "9007", "")
	_, err = signedConn(t, conn, "key-9999", "secret-1234", "1234").sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	wantError(t, "unknown key", err, codes.Unauthenticated, "9002", "")

	c := newClient(conn)
	call := func(md metadata.MD) error {
		_, err := c.sessions.CreateSession(metadata.NewOutgoingContext(t.Context(), md), &pb.CreateSessionRequest{})
		return err
	}
	now := time.Now()
	if err := call(signedMD("key-1234", "secret-1234", "1234", createMethod, now)); err != nil {
		t.Errorf("signed by hand: %v", err)
	}
	for _, tc := range []struct {
		name string
		md   func() metadata.MD
	}{
		{"no metadata", func() metadata.MD { return metadata.MD{} }},
		{"stale date", func() metadata.MD {
			return signedMD("key-1234", "secret-1234", "1234", createMethod, now.Add(-20*time.Minute))
		}},
		{"signed for another method", func() metadata.MD {
			return signedMD("key-1234", "secret-1234", "1234", "/clientsession.v1.SessionService/RevokeSession", now)
		}},
		{"merchant changed after signing", func() metadata.MD {
			md := signedMD("key-1234", "secret-1234", "1234", createMethod, now)
			md.Set(connectgrpc.MerchantIDMetadata, "5678")
			return md
		}},
		{"an unsigned x-gcs metadata", func() metadata.MD {
			md := signedMD("key-1234", "secret-1234", "1234", createMethod, now)
			md.Set(connectgrpc.IdempotenceKeyMetadata, "order-1")
			return md
		}},
		{"two merchants", func() metadata.MD {
			md := signedMD("key-1234", "secret-1234", "1234", createMethod, now)
			md.Append(connectgrpc.MerchantIDMetadata, "1234")
			return md
		}},
		{"no date", func() metadata.MD {
			md := signedMD("key-1234", "secret-1234", "1234", createMethod, now)
			md.Delete(connectgrpc.DateMetadata)
			return md
		}},
		{"a v1Client credential", func() metadata.MD {
			return metadata.Pairs("authorization", auth.ClientAuthorization(s.GetClientSessionId()), connectgrpc.MerchantIDMetadata, "1234")
		}},
	} {
		wantError(t, tc.name, call(tc.md()), codes.Unauthenticated, "9002", "")
	}
	// The idempotence key is signed like any x-gcs metadata.
	if err := call(signedMD("key-1234", "secret-1234", "1234", createMethod, now, connectgrpc.IdempotenceKeyMetadata, "order-1")); err != nil {
		t.Errorf("a signed idempotence key: %v", err)
	}
}

// TestHMACReplayGuard: with the verifier's replay guard, a signature is
// accepted once.
func TestHMACReplayGuard(t *testing.T) {
	t.Parallel()
	c := newClient(hmacServer(t, auth.WithReplayGuard(auth.NewMemoryReplayGuard(100))))
	md := signedMD("key-1234", "secret-1234", "1234", createMethod, time.Now())
	if _, err := c.sessions.CreateSession(metadata.NewOutgoingContext(t.Context(), md), &pb.CreateSessionRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.sessions.CreateSession(metadata.NewOutgoingContext(t.Context(), md), &pb.CreateSessionRequest{})
	wantError(t, "replayed signature", err, codes.Unauthenticated, "9002", "")
}

// TestHMACConstructors: bad arguments are configuration errors, all at once.
func TestHMACConstructors(t *testing.T) {
	t.Parallel()
	if _, err := connectgrpc.HMACAuthenticator(nil); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("HMACAuthenticator(nil) = %v", err)
	}
	_, err := connectgrpc.HMACSigner("bad:key", nil, "not a merchant")
	if !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Fatalf("HMACSigner = %v", err)
	}
	for _, p := range []string{"keyID", "secret", "merchantID"} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("HMACSigner = %v, want a problem at %s", err, p)
		}
	}
}

// TestHealthServerOption: the gateway's health server answers the health
// checks, with the statuses the gateway sets.
func TestHealthServerOption(t *testing.T) {
	t.Parallel()
	hs := health.NewServer()
	for _, name := range append([]string{""}, connectgrpc.ServiceNames()...) {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_NOT_SERVING)
	}
	conn := serve(t, newEngine(t, engineConfig{}).engine, bearerAuth, connectgrpc.WithHealthServer(hs))
	check := func(name string) healthpb.HealthCheckResponse_ServingStatus {
		resp, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{Service: name})
		if err != nil {
			t.Fatalf("health %q: %v", name, err)
		}
		return resp.GetStatus()
	}
	for _, name := range []string{"", pb.SessionService_ServiceDesc.ServiceName, pb.ClientService_ServiceDesc.ServiceName} {
		if got := check(name); got != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Errorf("%q: %v, want the gateway's NOT_SERVING", name, got)
		}
	}
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	if got := check(""); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("after the gateway set SERVING: %v", got)
	}
}
