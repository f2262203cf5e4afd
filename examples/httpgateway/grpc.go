package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/transport/connectgrpc"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire/auth"
)

// The gateway's gRPC side (-grpc-addr): transport/connectgrpc over the
// same engine, stores and create limiter as the HTTP side, its merchants
// authenticated with the data file's API keys (v1HMAC over gRPC,
// connectgrpc.HMACAuthenticator), its health following the stores'
// readiness as /readyz does, and every call counted and logged like an
// HTTP request, with closed label sets.

// newGRPC builds the gateway's gRPC server over engine. Its health server
// starts NOT_SERVING for "" and both services; watchHealth sets it.
func newGRPC(engine *session.Engine, keys auth.APIKeys, limiter session.CreateLimiter, m *grpcMetrics, log *slog.Logger) (*grpc.Server, *health.Server, error) {
	verifier, err := auth.NewVerifier(keys, auth.WithClock(engine.Now))
	if err != nil {
		return nil, nil, err
	}
	hmacAuth, err := connectgrpc.HMACAuthenticator(verifier)
	if err != nil {
		return nil, nil, err
	}
	// The access log line of a refused call says which check failed
	// (auth.RefusalReason); the caller's status is the same for all.
	merchantAuth := func(ctx context.Context) (string, error) {
		merchant, err := hmacAuth(ctx)
		if c, ok := ctx.Value(grpcCallKey{}).(*grpcCall); ok && err != nil {
			c.reason = auth.RefusalReason(err)
		}
		return merchant, err
	}
	hs := health.NewServer()
	for _, name := range healthNames() {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_NOT_SERVING)
	}
	opts := []connectgrpc.Option{
		connectgrpc.WithHealthServer(hs),
		connectgrpc.WithServerOptions(
			grpc.StatsHandler(&grpcStats{m: m, log: log}),
			// An unknown method is answered by a handler, so that the stats
			// handler sees its end and counts it ("other").
			grpc.UnknownServiceHandler(func(any, grpc.ServerStream) error { return errUnknownMethod }),
		),
	}
	if limiter != nil {
		opts = append(opts, connectgrpc.WithCreateLimiter(limiter))
	}
	srv, err := connectgrpc.NewServer(engine, merchantAuth, opts...)
	if err != nil {
		return nil, nil, err
	}
	return srv, hs, nil
}

var errUnknownMethod = connectgrpc.Status(sderrors.ErrMethodNotAllowed.WithMessage("unknown gRPC method")).Err()

// healthNames are the names of the health statuses: the server ("") and
// both services.
func healthNames() []string { return append([]string{""}, connectgrpc.ServiceNames()...) }

// watchHealth sets the gRPC health statuses every interval until ctx is
// done: SERVING while the stores answer (ready, the check of /readyz),
// NOT_SERVING otherwise. It returns at once when the gateway serves no
// gRPC.
func (s *server) watchHealth(ctx context.Context, every time.Duration) {
	if s.health == nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		st := healthpb.HealthCheckResponse_SERVING
		if err := ready(ctx, s.stores); err != nil {
			st = healthpb.HealthCheckResponse_NOT_SERVING
		}
		for _, name := range healthNames() {
			s.health.SetServingStatus(name, st)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// grpcMethods are the methods the gRPC server serves: both services, the
// health service and reflection. Any other is "other".
func grpcMethods() []string {
	var out []string
	for _, d := range []*grpc.ServiceDesc{&pb.SessionService_ServiceDesc, &pb.ClientService_ServiceDesc,
		&healthpb.Health_ServiceDesc, &reflectionv1.ServerReflection_ServiceDesc, &reflectionv1alpha.ServerReflection_ServiceDesc} {
		for _, m := range d.Methods {
			out = append(out, "/"+d.ServiceName+"/"+m.MethodName)
		}
		for _, m := range d.Streams {
			out = append(out, "/"+d.ServiceName+"/"+m.StreamName)
		}
	}
	return out
}

// grpcCodes is the number of gRPC codes (OK to Unauthenticated); any other
// code is "other".
const grpcCodes = int(codes.Unauthenticated) + 1

// grpcMetrics count the gRPC calls by method and code, and time them by
// method: closed sets, children resolved once (lazy).
type grpcMetrics struct {
	methods   labelSet
	merchants labelSet
	codes     []string
	requests  *lazy[prometheus.Counter]  // by method, code
	seconds   *lazy[prometheus.Observer] // by method
}

// grpcMetrics registers the gRPC metrics on the gateway's registry.
func (m *metrics) grpcMetrics() *grpcMetrics {
	g := &grpcMetrics{methods: newLabelSet(grpcMethods()...), merchants: m.merchants}
	for c := range grpcCodes {
		g.codes = append(g.codes, codes.Code(c).String())
	}
	g.codes = append(g.codes, other)
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clientsession_grpc_requests_total",
		Help: "gRPC calls, by full method (closed set; other for the rest) and status code."}, []string{"method", "code"})
	seconds := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clientsession_grpc_request_seconds",
		Help: "gRPC call duration, by full method.", Buckets: prometheus.DefBuckets}, []string{"method"})
	m.reg.MustRegister(requests, seconds)
	nCodes := len(g.codes)
	g.requests = newLazy(len(g.methods.names)*nCodes, func(i int) prometheus.Counter {
		return requests.WithLabelValues(g.methods.names[i/nCodes], g.codes[i%nCodes])
	})
	g.seconds = newLazy(len(g.methods.names), func(i int) prometheus.Observer {
		return seconds.WithLabelValues(g.methods.names[i])
	})
	return g
}

// code is the index of a code's label.
func (g *grpcMetrics) code(c codes.Code) int {
	if int(c) < grpcCodes {
		return int(c)
	}
	return len(g.codes) - 1
}

// grpcStats is the gRPC server's stats handler: one count, one duration
// and one access log line per call (log/slog: method, code, duration, the
// merchant when the data file names it — the x-gcs-merchant-id of a
// SessionService call, the merchant part of a ClientService call's
// customerId — the request's compression and the reason of a refused
// signature (auth.RefusalReason); never an id, token or key). A stats handler rather than an
// interceptor: it also sees the calls refused before any interceptor runs
// (request bytes that do not decode, an unknown method).
type grpcStats struct {
	m   *grpcMetrics
	log *slog.Logger
}

// grpcCall is what the stats handler knows of one call.
type grpcCall struct {
	method      int
	merchant    string // of the data file, else ""
	compression string // of the request: "gzip", or "" for none
	reason      string // of a refused signature (auth.RefusalReason), else ""
}

type grpcCallKey struct{}

func (h *grpcStats) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, grpcCallKey{}, &grpcCall{method: h.m.methods.of(info.FullMethodName)})
}

func (h *grpcStats) HandleRPC(ctx context.Context, s stats.RPCStats) {
	c, ok := ctx.Value(grpcCallKey{}).(*grpcCall)
	if !ok {
		return
	}
	switch s := s.(type) {
	case *stats.InHeader:
		if s.Compression == "gzip" { // the one compressor registered: a closed set
			c.compression = s.Compression
		}
		if v := s.Header.Get(connectgrpc.MerchantIDMetadata); len(v) == 1 {
			c.merchant = h.m.merchantName(v[0])
		}
	case *stats.InPayload:
		if c.merchant == "" {
			c.merchant = h.m.merchantName(customerMerchant(s.Payload))
		}
	case *stats.End:
		code := status.Code(s.Error)
		took := s.EndTime.Sub(s.BeginTime)
		nCodes := len(h.m.codes)
		h.m.requests.at(c.method*nCodes + h.m.code(code)).Inc()
		h.m.seconds.at(c.method).Observe(took.Seconds())
		if h.log != nil {
			h.log.LogAttrs(ctx, slog.LevelInfo, "grpc",
				slog.String("method", h.m.methods.names[c.method]),
				slog.String("code", h.m.codes[h.m.code(code)]),
				slog.Duration("duration", took),
				slog.String("merchant", c.merchant),
				slog.String("compression", c.compression),
				slog.String("reason", c.reason))
		}
	}
}

func (h *grpcStats) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (h *grpcStats) HandleConn(context.Context, stats.ConnStats)                       {}

// merchantName is id when the data file names that merchant, else "".
func (g *grpcMetrics) merchantName(id string) string {
	if i, ok := g.merchants.index[id]; ok {
		return g.merchants.names[i]
	}
	return ""
}

// customerMerchant is the merchant part of a ClientService request's
// customerId (session.MerchantOfCustomerID: the random part, a
// credential, is dropped), or "".
func customerMerchant(payload any) string {
	msg, ok := payload.(proto.Message)
	if !ok {
		return ""
	}
	r := msg.ProtoReflect()
	fd := r.Descriptor().Fields().ByName("customer_id")
	if fd == nil {
		return ""
	}
	id, _ := session.MerchantOfCustomerID(r.Get(fd).String())
	return id
}
