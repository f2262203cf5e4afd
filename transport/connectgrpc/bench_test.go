package connectgrpc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// The benchmarks compare the same calls over gRPC (this package, on a
// loopback TCP port) and over HTTP/1.1 JSON (the library's HTTP transport,
// transport/connecthttp, on a loopback httptest server) on ONE engine: the
// two transports a gateway would mount. The HTTP create is v1HMAC-signed
// as the Server API requires (the gRPC create authenticates the merchant
// with a bearer token in metadata: each transport's own merchant
// authentication is part of its cost). Besides the wall time they report
// cpu-µs/op, the CPU time of client and server together per call. Run:
//
//	go test -run='^$' -bench=. -benchmem -count=6 . | tee /tmp/grpc.txt && benchstat -col /proto /tmp/grpc.txt

// createBody is the create request of the benchmarks: filters and 2 tokens.
const createBody = `{"paymentProductFilters":{"exclude":{"products":[840]}},"tokens":["tok-visa","tok-mastercard"]}`

func BenchmarkCreate(b *testing.B) {
	e := newEngine(b, engineConfig{})
	b.Run("proto=grpc", func(b *testing.B) {
		c := newClient(serve(b, e.engine, bearerAuth))
		var req pb.CreateSessionRequest
		if err := jsonToProto(createBody, &req); err != nil {
			b.Fatal(err)
		}
		ctx := asMerchant(b.Context(), "1234")
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			if _, err := c.sessions.CreateSession(ctx, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("proto=http", func(b *testing.B) {
		srv := httptest.NewServer(benchHTTP(b, e.engine))
		defer srv.Close()
		client := srv.Client()
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/v1/1234/sessions", strings.NewReader(createBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
			req.Header.Set("Authorization", auth.Sign(benchKeyID, []byte(benchSecret), auth.Request{
				Method: http.MethodPost, ContentType: "application/json", Date: req.Header.Get("Date"), Header: req.Header, Target: "/v1/1234/sessions",
			}))
			var out wire.SessionResponse
			if err := roundTrip(client, req, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProducts(b *testing.B) {
	e := newEngine(b, engineConfig{})
	b.Run("proto=grpc", func(b *testing.B) {
		c := newClient(serve(b, e.engine, bearerAuth))
		s := c.create(b, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard"}})
		ctx := withSession(b.Context(), s.GetClientSessionId())
		req := &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: true}
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			resp, err := c.clients.GetPaymentProducts(ctx, req)
			if err != nil || len(resp.GetPaymentProducts()) != 5 {
				b.Fatal(resp, err)
			}
		}
	})
	b.Run("proto=http", func(b *testing.B) {
		srv := httptest.NewServer(benchHTTP(b, e.engine))
		defer srv.Close()
		client := srv.Client()
		c := newClient(serve(b, e.engine, bearerAuth))
		s := c.create(b, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard"}})
		url := srv.URL + "/client/v1/" + s.GetCustomerId() + "/products?countryCode=NL&isRecurring=false&amount=1000&currencyCode=EUR&hide=fields"
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, url, nil)
			req.Header.Set("Authorization", "GCS v1Client:"+s.GetClientSessionId())
			var out wire.PaymentProducts
			if err := roundTrip(client, req, &out); err != nil || len(out.PaymentProducts) != 5 {
				b.Fatal(out, err)
			}
		}
	})
}

// reportCPU reports the CPU time (client and server: both run in this
// process) per operation since start: on a shared machine the wall time
// of a loopback round trip is mostly waiting for a core, the CPU time is
// the work.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e3, "cpu-µs/op")
}

func roundTrip(c *http.Client, req *http.Request, out any) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &httpError{resp.StatusCode, string(body)}
	}
	return json.Unmarshal(body, out)
}

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return strconv.Itoa(e.status) + " " + e.body }

func jsonToProto(body string, req *pb.CreateSessionRequest) error {
	return protojson.Unmarshal([]byte(body), req)
}

// The Server API key of the HTTP side.
const (
	benchKeyID  = "bench-key"
	benchSecret = "bench-secret"
)

// benchHTTP is the HTTP side of the benchmarks: connecthttp's handler over
// the same engine, with one API key for merchant 1234.
func benchHTTP(tb testing.TB, e *session.Engine) http.Handler {
	tb.Helper()
	h, err := connecthttp.New(e, auth.StaticKeys{benchKeyID: {Secret: benchSecret, Merchants: []string{"1234"}}})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// BenchmarkProductsMessage splits the gRPC products call's cost between
// the server's handler (authentication, resolution, the message built from
// the wire values) and a Go client's decoding of the answer: presence
// (optional members) costs the decoding one allocation per member sent,
// the handler only its int conversions. Without a network:
//
//	go test -run='^$' -bench=ProductsMessage -benchmem .
func BenchmarkProductsMessage(b *testing.B) {
	e := newEngine(b, engineConfig{})
	c := newClient(serve(b, e.engine, bearerAuth))
	s := c.create(b, &pb.CreateSessionRequest{Tokens: []string{"tok-visa", "tok-mastercard"}})
	svc, err := connectgrpc.New(e.engine, bearerAuth)
	if err != nil {
		b.Fatal(err)
	}
	_, cli := connectgrpc.Handlers(svc)
	ctx := metadata.NewIncomingContext(b.Context(), metadata.Pairs("authorization", auth.ClientAuthorization(s.GetClientSessionId())))
	req := &pb.GetPaymentProductsRequest{CustomerId: s.GetCustomerId(), PaymentContext: nlEUR, HideFields: true}
	out, err := cli.GetPaymentProducts(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	data, err := proto.Marshal(out)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("side=server", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cli.GetPaymentProducts(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("side=client-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m pb.GetPaymentProductsResponse
			if err := proto.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(data)), "wire-bytes")
	})
}
