// Package wire is the Connect wire format of client sessions, for any
// transport: the JSON the official SDKs send and expect, the mapping from
// the engine's results to it and the payment-context query. It imports no
// net/http: transport/connecthttp serves it over net/http, and a gRPC
// service or a web framework can reuse it unchanged.
//
// The signing side of the protocol (v1HMAC sign and verify, the replay
// guard, the v1Client header) is the leaf package wire/auth, which a
// merchant's server can import alone.
//
// # Server API (the merchant's server, v1HMAC-signed)
//
//   - POST /v1/{merchantId}/sessions: body decoded by
//     session.Engine.DecodeCreateRequest, answer NewSessionResponse.
//   - DELETE /v1/{merchantId}/sessions/{clientSessionId}: 204, no body.
//
// # Client API (the consumer's browser or app, "GCS v1Client:{clientSessionId}")
//
//   - GET /client/v1/{customerId}/products and .../products/{id}:
//     NewPaymentProducts, NewPaymentProduct; ParsePaymentContext reads the
//     query, HideFields its hide=fields.
//   - GET .../productgroups and .../productgroups/{id}:
//     NewPaymentProductGroups, NewPaymentProductGroup.
//   - GET .../crypto/publickey: NewPublicKey.
//   - POST .../services/getIINdetails: body DecodeIINDetailsRequest
//     ({"bin", "paymentContext"}), answer NewIINDetailsResponse
//     (paymentProductId, countryCode, isAllowedInContext, coBrands) from
//     session.Engine.IINDetails. Digits no product holds are a 404
//     IIN_NOT_FOUND, which the client SDK reports as UNKNOWN. countryCode
//     is always UnknownIssuerCountry ("99"): the engine knows products by
//     IIN range, not the issuing bank's country.
//
// # Our own Server API extensions (not part of the Connect platform)
//
// These exist only on gateways built on this library; the official SDKs
// do not call them. Both are v1HMAC-signed like the rest of the Server API.
//
//   - POST /v1/{merchantId}/sessions/{clientSessionId}/decrypt with
//     {"encryptedCustomerInput": "..."}: opens what the client SDK encrypted
//     in that session, once (DecodeDecryptRequest, NewDecryptResponse).
//     Card numbers are masked and security codes left out whatever the
//     field is called (MaskPaymentValues).
//   - GET /v1/{merchantId}/sessions/{clientSessionId}/explain?countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false:
//     why each catalog product is or is not available to the session in
//     that payment context, and why each of its tokens is shown or hidden
//     (NewExplainResponse). Tokens found invalid at create are not kept in
//     the session; create's invalidTokens is where they are reported.
//
// Errors are *sderrors.Error values; a transport answers them with
// sderrors.ToResponse, whose errorId is fresh for every answer.
//
// Nothing here ever puts a token id, clientSessionId or key into a Client
// API answer: AccountOnFile carries the small per-session id and display
// attributes only.
package wire
