// Package engine is the documentation root of the client-session engine: a
// library that payment gateways embed to run Connect client sessions. It
// holds no code; the packages below it do the work.
//
// A merchant's server asks the gateway to create a session for one consumer
// (POST /v1/{merchantId}/sessions), optionally restricting and excluding
// payment products and groups and listing the consumer's stored tokens. The
// engine validates the request, checks the tokens in one batch, stores the
// session and answers with clientSessionId, customerId, clientApiUrl,
// assetUrl, invalidTokens and region. The consumer's browser or app then
// calls the Client API with "Authorization: GCS v1Client:{clientSessionId}";
// the engine authenticates those calls, tells which payment products and
// accounts on file the session may show in a payment context, serves the
// public key for client-side encryption and opens what the client
// encrypted, once.
//
// # Where to start
//
//   - [github.com/clientsession/engine/session]: the façade. session.New,
//     Engine.Create, Engine.Authenticate, Engine.Products, Engine.Revoke.
//   - [github.com/clientsession/engine/storage/memstore]: the embedded
//     default store; storage/redisstore and storage/pgstore are separate
//     modules for gateways that run several instances.
//   - examples/quickstart: the whole flow in one program
//     (go run ./examples/quickstart).
//   - [github.com/clientsession/engine/transport/connecthttp]: the
//     http.Handler a net/http gateway mounts (Server API, Client API, CORS,
//     limits), built on [github.com/clientsession/engine/wire], the Connect
//     wire format for any transport.
//   - examples/httpgateway: a reference HTTP server, a main over
//     connecthttp, which the official Connect SDKs use unchanged.
//   - transport/connectgrpc: the same service over gRPC, a separate module
//     (grpc-go, protobuf); its package doc maps error kinds to gRPC codes.
//   - examples/checkout: a merchant's checkout page on the official client
//     SDK against a connecthttp gateway, tested in Chromium.
//
// # Packages and import graph
//
//	errors    (imported as sderrors) error values, codes, the wire ErrorResponse
//	filter    pure: catalog, payment context, filter rules, resolution, explanation
//	token     pure checks, token.Repository, token.Checker
//	encryption pure: opening the client's JWE, key sets and rotation
//	storage   the storage contract: Record, Repository, Key, sentinels, capabilities
//	session   the façade: Engine, options, request decoding and shape rules, ids
//	wire      pure Connect wire format: JSON types and mapping, query, request size
//	wire/auth the signing leaf: v1HMAC sign and verify, replay guard, v1Client
//	transport/connecthttp   net/http handler over session and wire (+ connecttest)
//	transport/connectgrpc   gRPC services over session (a module of its own)
//	storage/memstore, storage/storagetest (the adapters' conformance suite),
//	storage/redisstore, storage/pgstore (modules of their own),
//	session/sessiontest (the engine-level load test adapters also run)
//
// Imports point one way: errors is the ground; filter, token and
// encryption import errors; storage imports nothing of the project;
// session imports all of those and no protocol (no wire, no transport, no
// header name or HTTP status); wire imports session's public types;
// wire/auth imports errors only, so a merchant's server that only signs
// compiles nothing else; transport/connecthttp imports wire, wire/auth and
// session; adapters and storagetest import storage and token (memstore
// errors too), never session, so a store does not compile the engine
// (go-jose, validator); the modules of their own use the root module's
// exported API only. layout_test.go checks these facts. internal/strictjson is the one strict JSON
// walker and internal/sessionpayload the codec of Record.Payload. No
// package outside transport/connecthttp, examples/ and bench/ (benchmark
// programs) imports net/http, none outside transport/connectgrpc imports
// gRPC, and none imports log or math/rand (golangci-lint depguard enforces
// it). The library never logs and starts no goroutines of its own.
package engine
