package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire/auth"
)

// grpcGateway is a gateway over testData serving both transports: HTTP on
// an httptest server (API and operations endpoints), gRPC on a loopback
// port.
type grpcGateway struct {
	*gateway
	server *server
	addr   string
}

// grpcGatewayOn builds the gateway of cfg (its Data, PublicURL and GRPC
// filled in when empty) on st and serves it until the test ends; the
// health watcher runs every 20 ms.
func grpcGatewayOn(t *testing.T, st stores, cfg config) *grpcGateway {
	t.Helper()
	if cfg.Data == nil {
		d, err := parseData([]byte(testData))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Data = d
	}
	cfg.PublicURL, cfg.Stores, cfg.GRPC = publicURL, st, true
	s, err := buildGateway(cfg)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.GRPC.Serve(lis) }()
	ctx, stop := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { defer close(watched); s.watchHealth(ctx, 20*time.Millisecond) }()
	srv := httptest.NewServer(s.Handler)
	t.Cleanup(func() {
		stop()
		waitFor(t, watched, 10*time.Second, "the health watcher to return")
		s.GRPC.Stop()
		if err := waitFor(t, served, 10*time.Second, "Serve to return"); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
	})
	g := &gateway{Gateway: &connecttest.Gateway{T: t, URL: srv.URL, HTTP: srv.Client()}, srv: srv}
	return &grpcGateway{gateway: g, server: s, addr: lis.Addr().String()}
}

// dial is a connection to the gateway's gRPC port; with a key id, every
// call is signed for merchantID (v1HMAC over gRPC).
func (g *grpcGateway) dial(t *testing.T, keyID, secret, merchantID string) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if keyID != "" {
		signer, err := connectgrpc.HMACSigner(keyID, []byte(secret), merchantID)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, grpc.WithUnaryInterceptor(signer))
	}
	conn, err := grpc.NewClient(g.addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// metric is the value of the series whose line starts with prefix on
// /metrics, or -1.
func (g *grpcGateway) metric(t *testing.T, prefix string) float64 {
	t.Helper()
	r := g.get("/metrics")
	for _, line := range strings.Split(string(r.Body), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	return -1
}

func waitServing(t *testing.T, conn *grpc.ClientConn, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	h := healthpb.NewHealthClient(conn)
	waitUntil(t, 20*time.Second, "the gRPC health to be "+want.String(), func() bool {
		for _, name := range []string{"", pb.SessionService_ServiceDesc.ServiceName, pb.ClientService_ServiceDesc.ServiceName} {
			resp, err := h.Check(t.Context(), &healthpb.HealthCheckRequest{Service: name})
			if err != nil || resp.GetStatus() != want {
				return false
			}
		}
		return true
	})
}

// TestGRPCGateway: the gateway's gRPC side serves the data file's
// merchants with their API keys (v1HMAC over gRPC), on the same engine and
// stores as HTTP: an idempotence key used over gRPC then HTTP is one key;
// every call is counted with closed labels and logged without ids.
func TestGRPCGateway(t *testing.T) {
	var log syncBuffer
	g := grpcGatewayOn(t, openTestStores(t, "", ""), config{Keys: testKeys(t), Log: slog.New(slog.NewJSONHandler(&log, nil))})
	conn := g.dial(t, "testKeyId", "testSecretApiKey", "1234")
	sessions, clients := pb.NewSessionServiceClient(conn), pb.NewClientServiceClient(conn)
	waitServing(t, conn, healthpb.HealthCheckResponse_SERVING)

	ctx := metadata.AppendToOutgoingContext(t.Context(), connectgrpc.IdempotenceKeyMetadata, "order-7")
	s, err := sessions.CreateSession(ctx, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "nope"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.GetCustomerId(), "1234-") || strings.Join(s.GetInvalidTokens(), ",") != "nope" ||
		s.GetClientApiUrl() != publicURL+"/client" {
		t.Errorf("create: %v", s)
	}
	var hdr metadata.MD
	again, err := sessions.CreateSession(ctx, &pb.CreateSessionRequest{}, grpc.Header(&hdr))
	if err != nil || again.GetClientSessionId() != s.GetClientSessionId() || len(hdr.Get(connectgrpc.IdempotenceTimestampMetadata)) != 1 {
		t.Errorf("gRPC repeat: %v %v, header %v", again, err, hdr)
	}
	overHTTP := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, connecttest.Signer{KeyID: "testKeyId", Secret: "testSecretApiKey",
		Header: http.Header{connecthttp.IdempotenceKeyHeader: {"order-7"}}})
	if overHTTP.Status != http.StatusOK || !strings.Contains(string(overHTTP.Body), s.GetClientSessionId()) {
		t.Errorf("HTTP repeat of a gRPC key: %d %s", overHTTP.Status, overHTTP.Body)
	}

	client := metadata.AppendToOutgoingContext(t.Context(), "authorization", auth.ClientAuthorization(s.GetClientSessionId()))
	products, err := clients.GetPaymentProducts(client, &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(),
		PaymentContext: &pb.PaymentContext{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}})
	if err != nil || len(products.GetPaymentProducts()) != 5 || len(products.GetPaymentProducts()[0].GetAccountsOnFile()) != 1 {
		t.Errorf("products: %v %v", products, err)
	}
	iin, err := clients.GetIINDetails(client, &pb.GetIINDetailsRequest{CustomerId: s.GetCustomerId(), Bin: "41111111",
		PaymentContext: &pb.IINPaymentContext{CountryCode: "NL", AmountOfMoney: &pb.AmountOfMoney{Amount: 1000, CurrencyCode: "EUR"}}})
	if err != nil || iin.GetPaymentProductId() != 1 || !iin.GetIsAllowedInContext() {
		t.Errorf("IIN details: %v %v", iin, err)
	}

	_, err = pb.NewSessionServiceClient(g.dial(t, "", "", "")).CreateSession(t.Context(), &pb.CreateSessionRequest{})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("unsigned create: %v, want Unauthenticated", err)
	}
	_, err = pb.NewSessionServiceClient(g.dial(t, "otherKeyId", "otherSecret", "1234")).CreateSession(t.Context(), &pb.CreateSessionRequest{})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("a key of another merchant: %v, want PermissionDenied", err)
	}
	if err := conn.Invoke(t.Context(), "/clientsession.v1.SessionService/Nope", &pb.RevokeSessionRequest{}, &pb.RevokeSessionResponse{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("unknown method: %v, want Unimplemented", err)
	}

	for prefix, want := range map[string]float64{
		`clientsession_grpc_requests_total{code="OK",method="/clientsession.v1.SessionService/CreateSession"}`:               2,
		`clientsession_grpc_requests_total{code="Unauthenticated",method="/clientsession.v1.SessionService/CreateSession"}`:  1,
		`clientsession_grpc_requests_total{code="PermissionDenied",method="/clientsession.v1.SessionService/CreateSession"}`: 1,
		`clientsession_grpc_requests_total{code="OK",method="/clientsession.v1.ClientService/GetIINDetails"}`:                1,
		`clientsession_grpc_requests_total{code="Unimplemented",method="other"}`:                                             1,
		`clientsession_idempotent_requests_total{outcome="replayed"}`:                                                        2,
		`clientsession_sessions_created_total{merchant="1234"}`:                                                              1,
	} {
		if got := g.metric(t, prefix); got != want {
			t.Errorf("%s = %v, want %v", prefix, got, want)
		}
	}
	lines := grpcLogLines(t, log.String())
	if len(lines) < 6 {
		t.Fatalf("%d gRPC access log lines, want one per call:\n%s", len(lines), log.String())
	}
	merchants := map[string]int{}
	for _, l := range lines {
		merchants[l.Merchant]++
	}
	if merchants["1234"] < 5 {
		t.Errorf("access log merchants %v: want the calls of merchant 1234 named", merchants)
	}
	for _, secret := range []string{s.GetClientSessionId(), strings.TrimPrefix(s.GetCustomerId(), "1234-"), "tok-visa", "testSecretApiKey"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the access log holds %q", secret)
		}
	}
}

// grpcLine is one gRPC access log line.
type grpcLine struct {
	Msg, Method, Code, Merchant, Reason string
}

// TestGRPCAccessLogSaysWhichSigningCheckFailed: over gRPC too, a refused
// signature is the same status for the caller (code and message) and
// the access log line's "reason" says which check failed.
func TestGRPCAccessLogSaysWhichSigningCheckFailed(t *testing.T) {
	var log syncBuffer
	g := grpcGatewayOn(t, openTestStores(t, "", ""), config{Keys: testKeys(t), Log: slog.New(slog.NewJSONHandler(&log, nil))})
	waitServing(t, g.dial(t, "testKeyId", "testSecretApiKey", "1234"), healthpb.HealthCheckResponse_SERVING)
	tests := []struct {
		name, keyID, secret, merchant string
		code                          codes.Code
		reason                        string
	}{
		{"wrong secret", "testKeyId", "testSecretApiKeY", "1234", codes.Unauthenticated, "signature_mismatch"},
		{"unknown key", "testKeyID", "testSecretApiKey", "1234", codes.Unauthenticated, "unknown_key"},
		{"unsigned", "", "", "", codes.Unauthenticated, "missing_authorization"},
		{"key of another merchant", "otherKeyId", "otherSecret", "1234", codes.PermissionDenied, "key_not_for_merchant"},
		{"signed", "testKeyId", "testSecretApiKey", "1234", codes.OK, ""},
	}
	var firstMsg string
	for _, tt := range tests {
		before := len(log.String())
		_, err := pb.NewSessionServiceClient(g.dial(t, tt.keyID, tt.secret, tt.merchant)).CreateSession(t.Context(), &pb.CreateSessionRequest{})
		st := status.Convert(err)
		if st.Code() != tt.code {
			t.Fatalf("%s: %v, want %v", tt.name, err, tt.code)
		}
		if tt.code == codes.Unauthenticated {
			if firstMsg == "" {
				firstMsg = st.Message()
			}
			if st.Message() != firstMsg || strings.Contains(st.Message(), tt.reason) {
				t.Errorf("%s: message %q, want the same as for every refusal (%q), without the reason", tt.name, st.Message(), firstMsg)
			}
		}
		var got []string
		waitUntil(t, 5*time.Second, "the access log line of "+tt.name, func() bool {
			got = got[:0]
			text := log.String()[before:]
			if strings.TrimSpace(text) == "" {
				return false
			}
			for _, l := range grpcLogLines(t, text) {
				if l.Method == "/clientsession.v1.SessionService/CreateSession" {
					got = append(got, l.Reason)
				}
			}
			return len(got) > 0
		})
		if len(got) != 1 || got[0] != tt.reason {
			t.Errorf("%s: reasons logged %q, want [%q]", tt.name, got, tt.reason)
		}
	}
}

func grpcLogLines(t *testing.T, log string) []grpcLine {
	t.Helper()
	var out []grpcLine
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var l grpcLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		if l.Msg == "grpc" {
			out = append(out, l)
		}
	}
	return out
}

// TestGRPCCreateRateSharedWithHTTP: one create budget per merchant, spent
// over either transport; over gRPC the refusal is ResourceExhausted with
// a RetryInfo.
func TestGRPCCreateRateSharedWithHTTP(t *testing.T) {
	now := time.Now()
	g := grpcGatewayOn(t, openTestStores(t, "", ""), config{CreateRate: 0.001, CreateBurst: 2, Now: func() time.Time { return now }})
	sessions := pb.NewSessionServiceClient(g.dial(t, "testKeyId", "testSecretApiKey", "1234"))
	g.create(`{}`)
	if _, err := sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := sessions.CreateSession(t.Context(), &pb.CreateSessionRequest{})
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("third create: %v, want ResourceExhausted", err)
	}
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if retry.GetRetryDelay().AsDuration() < time.Second {
		t.Errorf("RetryInfo %v, want the bucket's wait, at least a second", retry)
	}
	if r := g.Server(http.MethodPost, "/v1/1234/sessions", `{}`, defaultSigner); r.Status != http.StatusTooManyRequests {
		t.Errorf("HTTP create after the budget went over gRPC: %d, want 429", r.Status)
	}
	other := pb.NewSessionServiceClient(g.dial(t, "otherKeyId", "otherSecret", "5678"))
	if _, err := other.CreateSession(t.Context(), &pb.CreateSessionRequest{}); err != nil {
		t.Errorf("another merchant's budget: %v", err)
	}
}

// TestGRPCHealthFollowsRedis: on Redis, the gRPC health is SERVING while
// Redis answers, NOT_SERVING once the Redis server is killed, and
// SERVING again after it restarts — what /readyz says at the same times.
func TestGRPCHealthFollowsRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	rs := startOwnRedis(t)
	g := grpcGatewayOn(t, openTestStores(t, "redis://127.0.0.1:"+rs.port+"/0", ""), config{})
	conn := g.dial(t, "", "", "")
	waitServing(t, conn, healthpb.HealthCheckResponse_SERVING)
	if r := g.get("/readyz"); r.Status != http.StatusOK {
		t.Errorf("/readyz with Redis up: %d", r.Status)
	}
	rs.stop()
	waitServing(t, conn, healthpb.HealthCheckResponse_NOT_SERVING)
	if r := g.get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down: %d", r.Status)
	}
	rs.start()
	waitServing(t, conn, healthpb.HealthCheckResponse_SERVING)
}

// ownRedis is a redis-server of the test's own on a free port that can be
// killed and started again on that port (topology_test.go's redisServer
// stays up).
type ownRedis struct {
	t    *testing.T
	port string
	dir  string
	cmd  *exec.Cmd
}

// startOwnRedis starts a redis-server of the test's own (no persistence, a
// temporary directory) and kills it when t ends.
func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	r := &ownRedis{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.dir)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port})
	defer func() { _ = c.Close() }()
	waitUntil(r.t, 10*time.Second, "the own redis-server to answer", func() bool { return c.Ping(r.t.Context()).Err() == nil })
}

func (r *ownRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRunServesGRPCAndShutsDown: run with -grpc-addr serves both
// transports and stops both on its context's end (SIGINT, SIGTERM),
// gracefully: health turns NOT_SERVING, then run returns nil.
func TestRunServesGRPCAndShutsDown(t *testing.T) {
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-grpc-addr", "127.0.0.1:0"}, &stderr) }()
	re := regexp.MustCompile(`gRPC on (127\.0\.0\.1:\d+)`)
	var addr string
	waitUntil(t, 30*time.Second, "run to listen on gRPC", func() bool {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	waitServing(t, conn, healthpb.HealthCheckResponse_SERVING)
	signer, err := connectgrpc.HMACSigner("testKeyId", []byte("testSecretApiKey"), "1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pb.NewSessionServiceClient(conn).CreateSession(t.Context(), &pb.CreateSessionRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("unsigned create on the demo data: %v", err)
	}
	signed, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithUnaryInterceptor(signer))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = signed.Close() }()
	if _, err := pb.NewSessionServiceClient(signed).CreateSession(t.Context(), &pb.CreateSessionRequest{}); err != nil {
		t.Errorf("signed create on the demo data: %v", err)
	}
	cancel()
	if err := waitFor(t, done, 30*time.Second, "run to return after its context ended"); err != nil {
		t.Errorf("run after cancel = %v, want nil (graceful shutdown)", err)
	}
	if _, err := pb.NewSessionServiceClient(signed).CreateSession(t.Context(), &pb.CreateSessionRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("create after shutdown: %v, want Unavailable (nothing listens)", err)
	}
}

// TestGRPCMetricLabelsAreClosed: gRPC calls to methods and services
// nobody serves, with merchants and customers nobody knows, add no series
// after a first round of them, and no label or log line holds a value
// they chose.
func TestGRPCMetricLabelsAreClosed(t *testing.T) {
	var log syncBuffer
	g := grpcGatewayOn(t, openTestStores(t, "", ""), config{Log: slog.New(slog.NewJSONHandler(&log, nil))})
	conn := g.dial(t, "", "", "")
	abuse := func(n, offset int) {
		for i := offset; i < offset+n; i++ {
			md := metadata.Pairs(connectgrpc.MerchantIDMetadata, "m"+strconv.Itoa(i), "authorization", "GCS v1HMAC:k"+strconv.Itoa(i)+":x")
			ctx := metadata.NewOutgoingContext(t.Context(), md)
			methods := []string{"/svc" + strconv.Itoa(i) + ".S/M", "/clientsession.v1.SessionService/M" + strconv.Itoa(i) + "X"}
			for _, m := range methods {
				if err := conn.Invoke(ctx, m, &pb.RevokeSessionRequest{}, &pb.RevokeSessionResponse{}); status.Code(err) != codes.Unimplemented {
					t.Fatalf("%s: %v, want Unimplemented", m, err)
				}
			}
			_, err := pb.NewClientServiceClient(conn).GetPublicKey(ctx, &pb.GetPublicKeyRequest{CustomerId: "m" + strconv.Itoa(i) + "-" + strings.Repeat("0", 32)})
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("unknown customer: %v", err)
			}
			_, err = pb.NewSessionServiceClient(conn).CreateSession(ctx, &pb.CreateSessionRequest{})
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("unknown key: %v", err)
			}
		}
	}
	abuse(50, 0)
	series(t, g.gateway)
	before := series(t, g.gateway)
	abuse(1000, 1_000_000)
	after := series(t, g.gateway)
	for name := range after {
		if !before[name] {
			t.Errorf("new series after 1,000 rounds of unique calls: %s", name)
		}
	}
	chosen := regexp.MustCompile(`svc\d+|M\d+X|m\d{3,}`)
	for name := range after {
		if chosen.MatchString(name) {
			t.Errorf("a series holds a value a call chose: %s", name)
		}
	}
	if m := chosen.FindString(log.String()); m != "" {
		t.Errorf("the access log holds a value a call chose: %q", m)
	}
	if !after[`clientsession_grpc_requests_total{code="Unimplemented",method="other"}`] {
		t.Error("unknown methods are not counted as other")
	}
}
