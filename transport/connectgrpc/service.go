package connectgrpc

import (
	"context"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // registers gzip: requests compressed with it are accepted, answers to them compressed
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
	"github.com/clientsession/engine/wire/auth"
)

// MerchantAuthenticator tells which merchant the caller of a SessionService
// call acts for, from the call's authentication: the verified client
// certificate of an mTLS connection (peer.FromContext), a token in the
// metadata (metadata.FromIncomingContext), or whatever the gateway's API
// edge forwards. It is the gateway's, and the only source of the merchant:
// no request message names one.
//
// It returns an *sderrors.Error to refuse the call, normally
// sderrors.ErrUnauthorized (no or bad credentials) or
// sderrors.ErrMerchantNotAllowed (credentials that hold no merchant); any
// other error is answered as Internal with no text. It must be safe for
// concurrent use.
type MerchantAuthenticator func(ctx context.Context) (merchantID string, err error)

// Service serves clientsession.v1.SessionService and
// clientsession.v1.ClientService over an engine. Build it with New; it is
// safe for concurrent use and starts no goroutines.
type Service struct {
	engine  *session.Engine
	auth    MerchantAuthenticator
	limiter session.CreateLimiter // nil: no limit
}

// New returns the service over engine; auth authenticates the merchant of
// every SessionService call. Both are required
// (sderrors.ErrInvalidConfiguration). It takes the options that configure
// the service (WithCreateLimiter); the options of NewServer's server
// (WithMaxRequestBytes, WithServerOptions, WithHealthServer) are refused
// here, since the gateway that calls New builds that server itself. It
// reports all problems at once.
func New(engine *session.Engine, auth MerchantAuthenticator, opts ...Option) (*Service, error) {
	cfg := newConfig()
	sderrors.ApplyOptions(&cfg.ConfigProblems, opts, func(o Option) { o.apply(&cfg) })
	for _, name := range cfg.serverOnly {
		cfg.Fail(name, "this option configures NewServer's server; New takes only the service's options (WithCreateLimiter)")
	}
	svc, err := newService(engine, auth, &cfg)
	if err != nil {
		cfg.Add(err)
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return svc, nil
}

func newService(engine *session.Engine, auth MerchantAuthenticator, cfg *serverConfig) (*Service, error) {
	if engine == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("engine").WithMessage("the engine must not be nil")
	}
	if auth == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("auth").WithMessage("the merchant authenticator must not be nil")
	}
	return &Service{engine: engine, auth: auth, limiter: cfg.createLimiter}, nil
}

// An Option configures NewServer, or New (the service's options only). The
// set is closed: only this package defines options, and both check every
// one.
type Option interface{ apply(*serverConfig) }

type optionFunc func(*serverConfig)

func (f optionFunc) apply(c *serverConfig) { f(c) }

type serverConfig struct {
	sderrors.ConfigProblems
	maxRequestBytes int
	grpcOpts        []grpc.ServerOption
	health          *health.Server
	createLimiter   session.CreateLimiter
	// serverOnly names the options given that configure NewServer's
	// server, which New refuses.
	serverOnly []string
}

func newConfig() serverConfig {
	return serverConfig{ConfigProblems: sderrors.ConfigProblems{Prefix: "connectgrpc: "}, maxRequestBytes: wire.DefaultMaxRequestBytes}
}

// WithMaxRequestBytes bounds the size of one request message (default
// wire.DefaultMaxRequestBytes, 64 KiB, the HTTP transport's default body
// limit, so that both transports take the same requests; at least 1024).
// gRPC refuses a larger message itself, with ResourceExhausted, before it
// is decoded — a gzip-compressed one by its size once decompressed, while
// it decompresses: it is the one limit of a request's size, since the
// engine checks the messages it is given. An option of NewServer only.
func WithMaxRequestBytes(n int) Option {
	return optionFunc(func(c *serverConfig) {
		c.serverOnly = append(c.serverOnly, "maxRequestBytes")
		if n < 1024 {
			c.Fail("maxRequestBytes", "the request limit must be at least 1024 bytes, got "+strconv.Itoa(n))
			return
		}
		c.maxRequestBytes = n
	})
}

// WithServerOptions passes the gateway's own options to grpc.NewServer,
// after NewServer's: credentials (TLS, mTLS), keepalive, more interceptors
// (they run inside the service's), a stats handler. A grpc.MaxRecvMsgSize
// among them replaces WithMaxRequestBytes. An option of NewServer only.
func WithServerOptions(opts ...grpc.ServerOption) Option {
	return optionFunc(func(c *serverConfig) {
		c.serverOnly = append(c.serverOnly, "serverOptions")
		for i, o := range opts {
			if o == nil {
				c.Fail("serverOptions["+strconv.Itoa(i)+"]", "a gRPC server option must not be nil")
				return
			}
		}
		c.grpcOpts = append(c.grpcOpts, opts...)
	})
}

// WithHealthServer makes NewServer register hs as the grpc.health.v1.Health
// service instead of one that answers SERVING for ever: the gateway sets
// its statuses (for "" and the two services, ServiceNames), e.g. from its
// stores' readiness, and calls hs.Shutdown when it stops serving. An
// option of NewServer only.
func WithHealthServer(hs *health.Server) Option {
	return optionFunc(func(c *serverConfig) {
		c.serverOnly = append(c.serverOnly, "healthServer")
		if hs == nil {
			c.Fail("healthServer", "the health server must not be nil")
			return
		}
		c.health = hs
	})
}

// WithCreateLimiter refuses the CreateSession calls l does not allow with
// ResourceExhausted TOO_MANY_REQUESTS (700803, as the HTTP transport's
// 429), whose google.rpc.RetryInfo is the wait l gave, in whole seconds,
// at least one (the HTTP transport's Retry-After). l is asked after the
// merchant was authenticated, once per create that runs: an idempotent
// repeat answered with the kept answer, or refused while the first
// attempt runs, is not charged; the refusal is not kept, so a retry with
// the same key runs (session.CreateLimiter). Off by default.
func WithCreateLimiter(l session.CreateLimiter) Option {
	return optionFunc(func(c *serverConfig) {
		if l == nil {
			c.Fail("createLimiter", "the create limiter must not be nil")
			return
		}
		c.createLimiter = l
	})
}

// ServiceNames are the full names of the two services,
// clientsession.v1.SessionService and clientsession.v1.ClientService: the
// names of their health statuses, besides "" (the server).
func ServiceNames() []string {
	return []string{pb.SessionService_ServiceDesc.ServiceName, pb.ClientService_ServiceDesc.ServiceName}
}

// NewServer returns a gRPC server with the service and its interceptor
// (UnaryInterceptor, outermost, before any interceptor of
// WithServerOptions), the gRPC health service (SERVING for "" and both
// services, unless WithHealthServer gives the gateway's), server
// reflection, gzip among the compressors (package
// google.golang.org/grpc/encoding/gzip), requests of at most
// WithMaxRequestBytes, and ServerCodec (request bytes that do not
// unmarshal are InvalidArgument INVALID_MESSAGE, not grpc-go's Internal).
// It checks every option (a nil one included) and the service's
// arguments, and reports all problems at once as
// sderrors.ErrInvalidConfiguration.
func NewServer(engine *session.Engine, merchantAuth MerchantAuthenticator, opts ...Option) (*grpc.Server, error) {
	cfg := newConfig()
	sderrors.ApplyOptions(&cfg.ConfigProblems, opts, func(o Option) { o.apply(&cfg) })
	svc, err := newService(engine, merchantAuth, &cfg)
	if err != nil {
		cfg.Add(err)
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	srv := grpc.NewServer(append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(cfg.maxRequestBytes),
		ServerCodec(),
		grpc.ChainUnaryInterceptor(svc.UnaryInterceptor()),
	}, cfg.grpcOpts...)...)
	svc.Register(srv)
	hs := cfg.health
	if hs == nil {
		hs = health.NewServer()
		for _, name := range append([]string{""}, ServiceNames()...) {
			hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
		}
	}
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	return srv, nil
}

// Register registers both services on r. The server must run
// UnaryInterceptor: without it every SessionService call is refused as
// unauthenticated. With ServerCodec among the server's options, request
// bytes that do not unmarshal are InvalidArgument INVALID_MESSAGE (700106)
// rather than grpc-go's Internal.
func (s *Service) Register(r grpc.ServiceRegistrar) {
	r.RegisterService(guardDecode(&pb.SessionService_ServiceDesc), sessionServer{s: s})
	r.RegisterService(guardDecode(&pb.ClientService_ServiceDesc), clientServer{s: s})
}

// merchantKey is the context key of the authenticated merchant.
type merchantKey struct{}

// sessionServicePrefix starts the full method name of every SessionService
// call (a test checks it against the generated descriptor).
const sessionServicePrefix = "/clientsession.v1.SessionService/"

// UnaryInterceptor returns the service's interceptor. For a SessionService
// call it runs the MerchantAuthenticator and hands the merchant to the
// handler (a refusal ends the call with the authenticator's error). For
// every call it turns a panic of the handler into Internal with no text.
// It leaves calls of other services alone, apart from the panic guard.
func (s *Service) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if v := recover(); v != nil {
				resp, err = nil, statusErr(sderrors.ErrInternal)
			}
		}()
		if strings.HasPrefix(info.FullMethod, sessionServicePrefix) {
			merchantID, err := s.auth(ctx)
			if err != nil {
				return nil, statusErr(err)
			}
			if merchantID == "" {
				return nil, statusErr(sderrors.ErrUnauthorized)
			}
			ctx = context.WithValue(ctx, merchantKey{}, merchantID)
		}
		return handler(ctx, req)
	}
}

// merchant returns the merchant the interceptor authenticated.
func merchant(ctx context.Context) (string, error) {
	id, _ := ctx.Value(merchantKey{}).(string)
	if id == "" {
		return "", sderrors.ErrUnauthorized
	}
	return id, nil
}

// sessionServer implements the Server API.
type sessionServer struct {
	pb.UnimplementedSessionServiceServer
	s *Service
}

// CreateSession creates a session for the authenticated merchant;
// with an idempotence key in the metadata, at most once per key
// (createIdempotent).
func (h sessionServer) CreateSession(ctx context.Context, req *pb.CreateSessionRequest) (*pb.CreateSessionResponse, error) {
	merchantID, err := merchant(ctx)
	if err != nil {
		return nil, statusErr(err)
	}
	// ValueFromIncomingContext reads one key without copying the metadata.
	if keys := metadata.ValueFromIncomingContext(ctx, IdempotenceKeyMetadata); len(keys) > 0 && h.s.engine.SupportsIdempotence() {
		return h.s.createIdempotent(ctx, merchantID, keys, req)
	}
	if st := h.s.allowCreate(merchantID); st != nil {
		return nil, st.Err()
	}
	resp, err := h.s.engine.Create(ctx, merchantID, createRequest(req))
	if err != nil {
		return nil, statusErr(err)
	}
	return createResponse(resp), nil
}

func (h sessionServer) RevokeSession(ctx context.Context, req *pb.RevokeSessionRequest) (*pb.RevokeSessionResponse, error) {
	merchantID, err := merchant(ctx)
	if err != nil {
		return nil, statusErr(err)
	}
	if err := h.s.engine.Revoke(ctx, merchantID, req.GetClientSessionId()); err != nil {
		return nil, statusErr(err)
	}
	return &pb.RevokeSessionResponse{}, nil
}

func (h sessionServer) OpenEncryptedCustomerInput(ctx context.Context, req *pb.OpenEncryptedCustomerInputRequest) (*pb.OpenEncryptedCustomerInputResponse, error) {
	merchantID, err := merchant(ctx)
	if err != nil {
		return nil, statusErr(err)
	}
	if req.GetEncryptedCustomerInput() == "" {
		return nil, statusErr(sderrors.ErrParameterNotFound.WithProperty("encryptedCustomerInput"))
	}
	in, err := h.s.engine.OpenCustomerInput(ctx, merchantID, req.GetClientSessionId(), req.GetEncryptedCustomerInput())
	if err != nil {
		return nil, statusErr(err)
	}
	return openedInput(in), nil
}

// clientServer implements the Client API.
type clientServer struct {
	pb.UnimplementedClientServiceServer
	s *Service
}

// authenticate authenticates a Client API call: exactly one
// "authorization" metadata value "GCS v1Client:{clientSessionId}", read by
// auth.ParseClientAuthorization (the one parser of that header, as over
// HTTP), and the session must be customerID's
// (session.Engine.Authenticate).
func (h clientServer) authenticate(ctx context.Context, customerID string) (session.Session, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	if len(values) != 1 {
		return session.Session{}, sderrors.ErrUnauthorized
	}
	id, err := auth.ParseClientAuthorization(values[0])
	if err != nil {
		return session.Session{}, err
	}
	return h.s.engine.Authenticate(ctx, customerID, id)
}

// available authenticates the call, validates its payment context and
// returns the products the session may show in it.
func (h clientServer) available(ctx context.Context, customerID string, in *pb.PaymentContext) ([]session.AvailableProduct, error) {
	sess, err := h.authenticate(ctx, customerID)
	if err != nil {
		return nil, err
	}
	pc, err := paymentContext(in)
	if err != nil {
		return nil, err
	}
	return h.s.engine.Products(ctx, sess, pc)
}

func (h clientServer) GetPaymentProducts(ctx context.Context, req *pb.GetPaymentProductsRequest) (*pb.GetPaymentProductsResponse, error) {
	list, err := h.available(ctx, req.GetCustomerId(), req.GetPaymentContext())
	if err != nil {
		return nil, failAt(err, productsPath)
	}
	return &pb.GetPaymentProductsResponse{PaymentProducts: products(list, !req.GetHideFields())}, nil
}

func (h clientServer) GetPaymentProduct(ctx context.Context, req *pb.GetPaymentProductRequest) (*pb.PaymentProduct, error) {
	sess, err := h.authenticate(ctx, req.GetCustomerId())
	if err != nil {
		return nil, statusErr(err)
	}
	pc, err := paymentContext(req.GetPaymentContext())
	if err != nil {
		return nil, failAt(err, productsPath)
	}
	p, err := h.s.engine.Product(ctx, sess, pc, req.GetPaymentProductId())
	if err != nil {
		return nil, failAt(err, productsPath)
	}
	return product(p, !req.GetHideFields()), nil
}

func (h clientServer) GetPaymentProductGroups(ctx context.Context, req *pb.GetPaymentProductGroupsRequest) (*pb.GetPaymentProductGroupsResponse, error) {
	list, err := h.available(ctx, req.GetCustomerId(), req.GetPaymentContext())
	if err != nil {
		return nil, failAt(err, productsPath)
	}
	return &pb.GetPaymentProductGroupsResponse{PaymentProductGroups: groups(list, !req.GetHideFields())}, nil
}

func (h clientServer) GetPublicKey(ctx context.Context, req *pb.GetPublicKeyRequest) (*pb.GetPublicKeyResponse, error) {
	sess, err := h.authenticate(ctx, req.GetCustomerId())
	if err != nil {
		return nil, statusErr(err)
	}
	k, err := h.s.engine.PublicKey(sess)
	if err != nil {
		return nil, statusErr(err)
	}
	return publicKey(k), nil
}

// GetIINDetails answers with session.Engine.IINDetails, which checks the
// bin before the payment context, as over HTTP. The payment context has
// the getIINdetails body's shape (amountOfMoney), and its errors name its
// paths there.
func (h clientServer) GetIINDetails(ctx context.Context, req *pb.GetIINDetailsRequest) (*pb.GetIINDetailsResponse, error) {
	sess, err := h.authenticate(ctx, req.GetCustomerId())
	if err != nil {
		return nil, statusErr(err)
	}
	d, err := h.s.engine.IINDetails(ctx, sess, req.GetBin(), iinContext(req.GetPaymentContext()))
	if err != nil {
		return nil, failAt(err, iinPath)
	}
	return iinDetails(d), nil
}
