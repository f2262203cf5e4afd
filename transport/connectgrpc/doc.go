// Package connectgrpc serves client sessions over gRPC: the same engine
// (package session) and the same rules as the Connect HTTP API, for
// gateways that run gRPC internally behind an API edge that speaks REST to
// merchants. It is a Go module of its own (grpc-go and protobuf), so the
// engine's module depends on neither.
//
// # Services
//
// The proto is proto/clientsession/v1/clientsession.proto (package
// clientsession.v1); its generated code is the clientsessionv1 package,
// made by gen.sh with protoc and pinned plugins (CI fails when running
// gen.sh again would change it).
//
//	SessionService (Server API, the merchant's calls)
//	  CreateSession               POST   /v1/{merchantId}/sessions
//	  RevokeSession               DELETE /v1/{merchantId}/sessions/{clientSessionId}
//	  OpenEncryptedCustomerInput  opens the client's encryptedCustomerInput, once per nonce
//	ClientService (Client API, the consumer's calls with a session)
//	  GetPaymentProducts          GET /client/v1/{customerId}/products
//	  GetPaymentProduct           GET /client/v1/{customerId}/products/{paymentProductId}
//	  GetPaymentProductGroups     GET /client/v1/{customerId}/productgroups
//	  GetPublicKey                GET /client/v1/{customerId}/crypto/publickey
//	  GetIINDetails               POST /client/v1/{customerId}/services/getIINdetails
//
// GetIINDetails takes the card number's first 6 to 19 digits (bin) and the
// payment context, and answers with session.Engine.IINDetails: the card's
// product, whether the session may use it in that context (the same rules
// as GetPaymentProducts), and, when several products of the catalog hold
// the digits, all of them as coBrands. The answer's countryCode is always
// "99", unknown: the engine knows card products by their IIN ranges, not
// the issuing bank's country, and the Connect platform answers "99" for
// its test cards too; the client SDKs decide nothing on it. The bin is
// checked before the payment context: an empty or malformed one is
// InvalidArgument at "bin" (20000000, 700105), digits no product holds are
// NotFound with reason IIN_NOT_FOUND (701000) at "bin"; no error repeats
// the digits.
//
// # Wire parity
//
// Messages mirror the Connect JSON shapes: their proto3 JSON names are the
// wire's property names, so the bodies the official SDKs send parse with
// protojson into the request messages as they are — a SessionRequest into
// CreateSessionRequest, a getIINdetails body ({"bin", "paymentContext":
// {"countryCode", "isRecurring", "isInstallments", "amountOfMoney":
// {"amount", "currencyCode"}}, "accountOnFileId"}) into
// GetIINDetailsRequest (IINPaymentContext has that shape; isInstallments
// and accountOnFileId are read and not used, as over HTTP; field 3, the
// earlier PaymentContext, is reserved). The values (ids, accounts on file
// with masked aliases, card fields, group members) are the ones the
// reference HTTP gateway answers with: the messages are built from the
// wire package's Client API types (wire.NewPaymentProduct,
// wire.NewPaymentProductGroups, wire.CardFields, ...), which own what a
// product, group or account on file shows. Every scalar member the Connect
// JSON answer always carries is an optional field, so that it is on the
// wire (and in the JSON form) when false, 0 or "" — isAllowedInContext:
// false, which the client SDK reads by its presence, displayOrder 0, logo
// ""; lists have no presence in proto3, an empty one is absent. Requests
// are checked by the engine exactly as decoded JSON bodies are: the
// filters against the merchant's catalog, the tokens by count and format,
// the payment context. gzip is registered (the server imports
// google.golang.org/grpc/encoding/gzip): a request compressed with it is
// accepted, its answer compressed too, and WithMaxRequestBytes bounds it
// once decompressed. docs/grpc.md has the decisions.
//
// Errors name the property's path in the request message, in JSON names,
// in their google.rpc.BadRequest field violations (the ErrorInfo is the
// same as over HTTP, whose propertyName is the wire's):
//
//	call                                 property (HTTP)   field (gRPC)
//	CreateSession                        tokens[3], paymentProductFilters.exclude.groups[1]: the same
//	GetPaymentProduct(s), ...Groups      countryCode       paymentContext.countryCode (currencyCode, amount alike)
//	GetPaymentProduct                    productId         paymentProductId
//	GetIINDetails                        bin, paymentContext.countryCode, paymentContext.amountOfMoney.currencyCode,
//	                                     paymentContext.amountOfMoney.amount: the same (wire.IINContextPath)
//	CreateSession, idempotence key       X-GCS-Idempotence-Key   x-gcs-idempotence-key (the metadata key)
//
// Errors about the authenticated merchant name merchantId (the caller's
// identity, not a request field), and errors about the encrypted input's
// payload name the payload's member (nonce, paymentProductId,
// accountOnFileId), on both transports.
//
// # Authentication
//
// The merchant of a SessionService call is the caller's authenticated
// identity, never a field of the request: the gateway supplies a
// [MerchantAuthenticator] that reads it from the call (a verified mTLS
// client certificate, a token in the metadata, what the API edge
// forwards), and the service's interceptor ([Service.UnaryInterceptor])
// runs it before every SessionService call.
//
// [HMACAuthenticator] is one a gateway can use with the API keys its
// merchants already have: v1HMAC over gRPC, the HTTP Server API's
// signature over a string made of the call — "POST", "application/grpc",
// the "date" metadata, the x-gcs-* metadata (x-gcs-merchant-id, the
// merchant the call acts for; x-gcs-idempotence-key when sent) and the
// full method name, each followed by "\n" ([HMACRequest]) — in
// "authorization: GCS v1HMAC:{keyId}:{signature}", verified by the
// gateway's auth.Verifier (its clock skew, its optional replay guard).
// Any v1HMAC signer makes it (the official server SDKs' helpers);
// [HMACSigner] is a Go client interceptor that does.
//
// A ClientService call carries the session's credentials in the metadata,
// "authorization: GCS v1Client:{clientSessionId}" as the client SDKs send
// them over HTTP (wire/auth makes and parses the value:
// auth.ClientAuthorization, auth.ParseClientAuthorization), and the
// session's customerId in the request; the engine checks both
// (session.Engine.Authenticate): unknown, expired, revoked and mismatched
// sessions are all Unauthenticated 9002.
//
// # Idempotent create and the create limiter
//
// A CreateSession carrying [IdempotenceKeyMetadata] (x-gcs-idempotence-key,
// the HTTP header's name in gRPC's lower case; 1 to 40 printable ASCII
// characters, else InvalidArgument at that key) runs through
// session.Engine.Idempotent with the HTTP transport's rules: a repeat of a
// finished attempt gets its answer (the message, or the same status with
// the same errorId), a repeat while it runs AlreadyExists
// DUPLICATE_REQUEST (1409), and every repeat's header metadata carry
// [IdempotenceTimestampMetadata] (the first attempt's time, ms since the
// epoch). The answer kept is the transport-neutral wire.CreateAnswer (the
// HTTP status and Connect JSON body), rendered here as the message or the
// status: one key is one key on one engine, over HTTP and gRPC alike — a
// repeat over either transport gets the first answer, whichever ran it.
// Under session.WithStrictIdempotence a repeat over the other transport
// counts as another request (the request bytes differ: a JSON body, a
// protobuf message).
//
// [WithCreateLimiter] takes the HTTP transport's limiter
// (session.CreateLimiter; one limiter can serve both): a create beyond the
// merchant's budget is ResourceExhausted TOO_MANY_REQUESTS (700803) with a
// google.rpc.RetryInfo of the limiter's wait in whole seconds. It is asked
// after authentication, once per create that runs: an idempotent replay,
// a repeat while the first runs or a malformed key is not charged, a
// first attempt that answers InvalidArgument is; the refusal is not kept.
//
// # Servers
//
// [NewServer] returns a *grpc.Server with the service, its interceptor,
// the gRPC health service (grpc.health.v1.Health, SERVING, or the
// gateway's [WithHealthServer]), server reflection, gzip, and requests of
// at most [WithMaxRequestBytes] (default
// wire.DefaultMaxRequestBytes, 64 KiB, the HTTP transport's default body
// limit: gRPC refuses a larger message with ResourceExhausted before it is
// decoded); the gateway's own gRPC options (credentials, keepalive, more
// interceptors, a stats handler) go in [WithServerOptions]. [New] (with
// the service's options) and [Service.Register]
// serve the same on a server the gateway builds, which then sets
// grpc.MaxRecvMsgSize itself and adds [ServerCodec] to its options.
//
// Request bytes that are not the method's request message (a truncated
// field, a string that is not UTF-8, a wrong wire type) are
// InvalidArgument INVALID_MESSAGE (700106) with the ErrorInfo below and
// no text of grpc-go or protobuf, answered before the interceptors run
// (so before the merchant is authenticated: the answer depends on the
// bytes only). grpc-go itself would answer them with Internal and its own
// "failed to unmarshal" text before any interceptor; ServerCodec, a
// server option (grpc.ForceServerCodecV2; no global registry is changed),
// and the service's method handlers turn that into the project's error.
// FuzzRawRequest sends arbitrary bytes to every method over a loopback
// connection: never Internal, never library text, never a panic.
//
// # Errors
//
// Every error is a gRPC status whose code is given by the error's kind
// (sderrors.Kind), one code per kind:
//
//	kind               HTTP  gRPC code
//	unknown            500   Unknown
//	invalid_argument   400   InvalidArgument
//	unauthenticated    401   Unauthenticated
//	permission_denied  403   PermissionDenied
//	not_found          404   NotFound
//	conflict           409   AlreadyExists
//	internal           500   Internal
//	unavailable        503   Unavailable
//	canceled           499   Canceled
//	unimplemented      405   Unimplemented
//	timeout            408   DeadlineExceeded
//	resource_exhausted 429   ResourceExhausted
//	unsupported_media_type 415   InvalidArgument
//
// A test fails when sderrors gains a kind that this table (and [Code])
// does not list. Conflict is AlreadyExists: its errors are a replayed
// encryption nonce or a duplicate request, both "this was done before",
// and retrying does not help. Unsupported media type is an HTTP transport's
// refusal of a body's Content-Type: no gRPC call produces it (a gRPC
// message has one encoding); were one to, it is a bad argument.
//
// The status message is the error's public message. Its details hold a
// google.rpc.ErrorInfo whose reason is the wire error id (e.g.
// MISSING_OR_INVALID_AUTHORIZATION), whose domain is [ErrorDomain], and
// whose metadata carry what the HTTP ErrorResponse carries: "code" (e.g.
// 9002), "errorId", "httpStatusCode" and "category"; and, when the error
// names a property, a google.rpc.BadRequest whose field violations' field
// is the property's path in the request (see Wire parity). An Unavailable status (retryable: a failing
// store or token repository, SERVICE_UNAVAILABLE 700900; a session store
// at its memory bound, STORE_FULL 700902, where nothing was stored and
// nothing live evicted) also carries a google.rpc.RetryInfo of
// [RetryDelay], one second, as the HTTP transport's Retry-After. Unavailable
// rather than ResourceExhausted: a full store is the server's state, not
// the caller's quota, and gRPC clients retry Unavailable by default
// policy. An error that is not an *sderrors.Error (a
// bug, a panic in a handler, a foreign error from the authenticator) is
// Internal "an unknown server error occurred", code 9999, with no
// internal text; causes never leave the process.
//
// # Card data
//
// OpenEncryptedCustomerInput opens the client's blob with every check of
// session.Engine.OpenCustomerInput (session, merchant, nonce once,
// product) and answers as the HTTP decrypt endpoint does: card numbers
// masked under any key spelling or value shape (first six and last four
// digits), security codes dropped (wire.MaskPaymentValues, the one owner
// of that rule). Card data in clear never crosses a transport: a gateway's
// payment processing calls Engine.OpenCustomerInput in its own process.
package connectgrpc
