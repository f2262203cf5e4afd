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
// Cache-Control: no-store and X-Content-Type-Options: nosniff, and with
// Content-Length: never chunked, errors included; every error is the wire
// ErrorResponse with a fresh errorId, its status taken from the error's
// kind.
//
// Cost per call: answers are encoded by package wire's encoders (no
// reflection; the Client API answers from bytes encoded once per catalog,
// see package wire, "Encoding"), bodies are read and answers encoded into
// buffers from a pool, given back once the call is answered (a buffer
// that grew past 64 KiB is dropped instead, so one large call does not
// pin its memory), the query of a Client API call is read without a map
// (wire.ParseClientQuery), and the header values of an answer are set
// from one array. A products call and a signed create allocate within
// the budget TestAllocationBudget holds them to (the figures are in the
// repository's docs/performance.md). An unknown path is a JSON 404, a known path with another
// method a JSON 405 with Allow, a panic a JSON 500 that never shows the
// panic value.
//
// CORS is for the Client API only (the Server API is for merchants'
// servers): any origin may read its answers, without credentials, unless
// WithAllowedOrigins lists the origins that may. Preflight OPTIONS is
// answered on the Client API's real routes only, for the methods they serve.
//
// Bodies are JSON: a POST that carries one (create, decrypt,
// getIINdetails) must send Content-Type: application/json (the media type
// without case, parameters such as charset allowed; IsJSONContentType),
// else a 415 UNSUPPORTED_MEDIA_TYPE (700804) at Content-Type, checked
// after authentication and before the body is read, the create limiter
// asked or an idempotence key claimed. The Connect server SDKs send
// application/json and sign it; the client SDK sends it on every call.
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
// header. A running attempt holds its key for the engine's idempotence
// lease (session.DefaultIdempotenceLease, 30 s, above NewServer's 20 s
// WriteTimeout: past it no client still waits for the answer); when it
// never finishes (the process died), a repeat after the lease runs as a
// new attempt and answers 200, and later repeats replay that answer.
//
// The answer kept is wire.CreateAnswer, the form both transports keep: a
// key a merchant also uses over gRPC (transport/connectgrpc, the metadata
// x-gcs-idempotence-key) is the same key, and a repeat over either
// transport gets the first answer.
//
// Rate limit: WithCreateLimiter refuses a merchant's creates beyond its
// budget with a 429 TOO_MANY_REQUESTS and Retry-After, after the call was
// authenticated. Its interface is session.CreateLimiter (CreateLimiter
// aliases it), so one limiter can serve this transport and connectgrpc's
// WithCreateLimiter: one budget per merchant over both. Only a create that runs is charged, whatever it answers:
// a 400 is charged (its body was read and checked, as for a create without
// a key), but a replayed answer — a 200 or a 400 — is not, and neither is
// a 409 while the first attempt runs nor a malformed idempotence key. A
// 429 is not kept, so a retry with the same key runs.
//
// Decrypt is at most once per blob: the engine records the payload's nonce
// before answering, so when the opened input is lost (a retryable 503
// after the nonce was written, or an answer that never reached the
// merchant), a retry with the same encryptedCustomerInput is a 409 code
// 1409. The client encrypts the input again, with a fresh nonce, and the
// new blob opens.
//
// Every 503 (a retryable failure: SERVICE_UNAVAILABLE when a store or the
// token repository fails, STORE_FULL when the session store is at its
// memory bound, e.g. memstore.WithMaxBytes) carries Retry-After: 1
// ([RetryAfter]). A create, an open of encrypted input or an idempotent
// claim refused by a full store stores nothing; nothing live is evicted.
//
// Which check failed: every signing mistake (a wrong secret, a string to
// sign without its final newline, a stale Date, a Content-Type other than
// the one signed, ...) answers the same 401 (9002), so that a caller
// learns nothing of which check failed. The error behind every error
// answer goes to the ResponseWriter when it implements [ErrorRecorder]
// (directly or through Unwrap): a gateway's access log middleware, which
// already wraps the ResponseWriter to learn the status, records it and
// logs auth.RefusalReason(err) (date_skew, signature_mismatch,
// signed_without_final_newline, content_type_not_signed, unknown_key,
// ...; the reference gateway's "reason" field). The answer on the wire is
// the same byte for byte whether or not it does.
//
// The package never logs and never writes a token id, clientSessionId,
// key, card number or security code into a Client API answer or an error.
package connecthttp
