// Package connecthttp serves the Connect client-session API of a
// session.Engine over net/http: what a net/http gateway mounts so that the
// official server and client SDKs work against it unchanged.
//
//	h, err := connecthttp.New(engine, keys) // keys: the gateway's auth.APIKeys (package wire/auth)
//	if err != nil { ... }
//	mux := http.NewServeMux()
//	mux.Handle("/v1/", h)     // Server API (v1HMAC)
//	mux.Handle("/client/", h) // Client API (v1Client), CORS
//	mux.HandleFunc("GET /healthz", ...)   // the gateway's own routes
//	srv := connecthttp.NewServer(":8443", mux)
//
// Routes (see package wire for the JSON of each):
//
//	POST   /v1/{merchantId}/sessions                                  create
//	DELETE /v1/{merchantId}/sessions/{clientSessionId}                revoke (204)
//	POST   /v1/{merchantId}/sessions/{clientSessionId}/decrypt        ours: open encrypted input, masked
//	GET    /v1/{merchantId}/sessions/{clientSessionId}/explain?...    ours: why products/tokens are shown
//	GET    /client/v1/{customerId}/products[/{paymentProductId}]
//	GET    /client/v1/{customerId}/productgroups[/{paymentProductGroupId}]
//	GET    /client/v1/{customerId}/crypto/publickey
//	POST   /client/v1/{customerId}/services/getIINdetails             card product of the first digits
//
// The other Client API calls the official client SDK can make (NotServed:
// directories, wallet networks and sessions, amount conversion, third-party
// status, privacy policies) are routes too, answered with a JSON 404
// UNKNOWN_RESOURCE naming the service once the session is authenticated,
// so that a browser's preflight succeeds and the SDK reports an HTTP error
// instead of a network failure.
//
// The decrypt and explain routes are extensions of this library, absent
// from the Connect platform; the official SDKs never call them. [Routes]
// lists every route, so that a gateway's metrics can use the route
// templates as a closed label set.
//
// Every answer the handler writes is JSON (or a 204 without a body), with
// Cache-Control: no-store and X-Content-Type-Options: nosniff; every error
// is the wire ErrorResponse with a fresh errorId, its status taken from the
// error's kind. An unknown path is a JSON 404, a known path with another
// method a JSON 405 with Allow, a panic a JSON 500 that never shows the
// panic value.
//
// CORS is for the Client API only (the Server API is for merchants'
// servers): any origin may read its answers, without credentials, unless
// WithAllowedOrigins lists the origins that may. Preflight OPTIONS is
// answered on the Client API's real routes only, for the methods they serve.
//
// Limits: the body of every route is bounded by WithMaxBodyBytes (default
// wire.DefaultMaxRequestBytes, 64 KiB; over it a 400 BODY_TOO_LARGE,
// before anything is decoded): the one limit of a body's size, since the
// engine's decoders take the bytes they are given. Headers are bounded by
// WithMaxHeaderBytes (400). A body that stops arriving before the
// server's read deadline gets a JSON 408 REQUEST_TIMEOUT, and one cut short a
// JSON 400, before the connection closes — provided the server's
// WriteTimeout is longer than its ReadTimeout. NewServer sets such limits
// and CheckServer checks a server built by hand.
//
// Idempotent create: a create carrying X-GCS-Idempotence-Key
// (IdempotenceKeyHeader; 1 to 40 printable ASCII characters, else a 400
// INVALID_VALUE at that header) runs through session.Engine.Idempotent, per
// merchant: a repeat of a finished attempt gets the same status and body
// byte for byte, a repeat while the first runs a 409 with one error, code
// 1409, and every repeat's answer X-GCS-Idempotence-Request-Timestamp
// (IdempotenceTimestampHeader: the first attempt's time in ms since the
// epoch), never the first answer. The engine keeps an answer by its
// outcome's kind, which gives exactly the statuses this package does not
// keep: 5xx, 408, 429 and 499, so a retry runs again. The headers are this
// package's: the engine knows none, and this package names its key header
// as the propertyName of the engine's errors about the key. An engine
// whose store cannot keep answers (no storage.Idempotency) ignores the
// header. The answer kept is wire.CreateAnswer, the form both transports
// keep: a key a merchant also uses over gRPC (transport/connectgrpc, the
// metadata x-gcs-idempotence-key) is the same key, and a repeat over
// either transport gets the first answer.
//
// Rate limit: WithCreateLimiter refuses a merchant's creates beyond its
// budget with a 429 TOO_MANY_REQUESTS and Retry-After, after the call was
// authenticated. Its interface is session.CreateLimiter (CreateLimiter
// aliases it), so one limiter can serve this transport and connectgrpc's
// WithCreateLimiter: one budget per merchant over both.
//
// Every 503 (a retryable failure: SERVICE_UNAVAILABLE when a store or the
// token repository fails, STORE_FULL when the session store is at its
// memory bound, e.g. memstore.WithMaxBytes) carries Retry-After: 1
// ([RetryAfter]). A create, an open of encrypted input or an idempotent
// claim refused by a full store stores nothing; nothing live is evicted.
//
// The package never logs and never writes a token id, clientSessionId,
// key, card number or security code into a Client API answer or an error.
package connecthttp
