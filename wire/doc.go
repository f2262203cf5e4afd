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
//
// # Encoding
//
// The JSON of every answer is written without reflection: each Client API
// type (PaymentProducts, PaymentProduct, PaymentProductGroups,
// PaymentProductGroup, AccountOnFile, PublicKey, IINDetailsResponse), the
// Server API's SessionResponse and the error body (AppendErrorResponse)
// has an AppendJSON that appends exactly the bytes encoding/json.Marshal
// gives for the same value: the same members in the same order, the same
// omissions, null for a nil list that is not omitted, and strings escaped
// as encoding/json escapes them ('<', '>', '&', U+2028 and U+2029 as \u
// escapes, invalid UTF-8 as \ufffd). The types keep their json tags, so
// json.Marshal still gives the same bytes; differential tests and a fuzz
// target per type compare the two on arbitrary values. The Server API
// extensions (DecryptResponse, ExplainResponse) are encoded by
// encoding/json: they are not on a hot path.
//
// A product's JSON depends only on the catalog and on hide=fields; the
// session adds its accounts on file. AppendPaymentProducts,
// AppendPaymentProduct, AppendPaymentProductGroups and
// AppendPaymentProductGroup therefore assemble the answer from bytes
// encoded once per catalog: for each product, its members up to
// accountsOnFile, and the members of its group as the group shows them
// when that product is its first available member. The fields members (the
// card fields, or []) are encoded once for all. The bytes hang off the
// catalog itself (filter.Catalog.Derived, under a key of this package):
// computed on the first answer that names the catalog
// (session.AvailableProduct.Catalog, set by the engine), shared by every
// goroutine (concurrent first answers may encode twice; one result is
// kept), never changed, and collected with the catalog, so the memory is
// bounded by the live catalogs, one encoding each, and a reloaded catalog
// leaves nothing behind. A product that differs from its catalog's in a
// member the JSON shows (a value built or changed by hand) is encoded as
// it is. A CatalogSource should hand out the same *filter.Catalog until
// its products change: a new catalog is encoded on its first answer, a
// cost of the order of building it.
//
// ParseClientQuery reads the payment context and hide=fields of a Client
// API query without the map of url.ParseQuery, with the same result.
package wire
