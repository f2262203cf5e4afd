package connectgrpc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

// The benchmarks compare the same calls over gRPC (this package, on a
// loopback TCP port) and over HTTP/1.1 JSON (a minimal net/http handler,
// below, on a loopback httptest server) on ONE engine: the reference HTTP
// gateway is a main package and cannot be imported, so benchHTTP calls the
// same engine methods it calls (DecodeCreateRequest, Create, Authenticate,
// Products) and writes the same JSON (the wire package's shapes), without
// its extras (HMAC, CORS, limits). Both sides authenticate the merchant
// with the same bearer token check. Besides the wall time they report cpu-µs/op, the CPU time of
// client and server together per call. Run:
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
		srv := httptest.NewServer(benchHTTP(e.engine))
		defer srv.Close()
		client := srv.Client()
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/v1/1234/sessions", strings.NewReader(createBody))
			req.Header.Set("Authorization", "Bearer token-1234")
			req.Header.Set("Content-Type", "application/json")
			var out session.CreateResponse
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
		srv := httptest.NewServer(benchHTTP(e.engine))
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

// benchHTTP is the minimal HTTP side of the benchmarks: the Server API's
// create and the Client API's product list on the engine's public API.
func benchHTTP(e *session.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{merchantId}/sessions", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-"+r.PathValue("merchantId") {
			benchError(w, sderrors.ErrUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			benchError(w, sderrors.ErrBodyTooLarge)
			return
		}
		req, err := e.DecodeCreateRequest(body)
		if err != nil {
			benchError(w, err)
			return
		}
		resp, err := e.Create(r.Context(), r.PathValue("merchantId"), req)
		if err != nil {
			benchError(w, err)
			return
		}
		benchJSON(w, wire.NewSessionResponse(resp))
	})
	mux.HandleFunc("GET /client/v1/{customerId}/products", func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "GCS v1Client:")
		if !ok {
			benchError(w, sderrors.ErrUnauthorized)
			return
		}
		sess, err := e.Authenticate(r.Context(), r.PathValue("customerId"), id)
		if err != nil {
			benchError(w, err)
			return
		}
		q := r.URL.Query()
		pc, err := wire.ParsePaymentContext(q)
		if err != nil {
			benchError(w, err)
			return
		}
		products, err := e.Products(r.Context(), sess, pc)
		if err != nil {
			benchError(w, err)
			return
		}
		benchJSON(w, wire.NewPaymentProducts(products, !wire.HideFields(q)))
	})
	return mux
}

func benchJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}

func benchError(w http.ResponseWriter, err error) {
	resp := sderrors.ToResponse(err)
	body, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.HTTPStatus())
	_, _ = w.Write(body)
}
