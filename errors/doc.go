// Package errors defines the engine's one error type, its code catalogue and
// the wire ErrorResponse. Import it as sderrors, everywhere:
//
//	import sderrors "github.com/clientsession/engine/errors"
//
// # The error model
//
// Every error the engine returns to a caller is, or wraps, an immutable
// *[Error] with a stable [Code] (the wire "code"), a transport-neutral
// [Kind] that carries its HTTP status, a public message, an optional wire
// property path such as paymentProductFilters.exclude.groups[1], and an
// optional cause that never reaches the wire. errors.Is matches by code, so
// errors.Is(err, sderrors.ErrUnknownGroup) works through any wrapping.
// [Find] returns the first *Error of a chain (the standard library's
// errors.As keeps its own meaning: import it as stderrors where both are
// needed); [Error.WithCause] attaches an internal cause to a copy of a
// sentinel. [ToResponse] turns any error into the wire [ErrorResponse]; an error
// that holds no *Error becomes 9999 UNKNOWN_SERVER_ERROR with no internal
// text. Messages never contain secrets, token values, card data or causes.
//
// The status of each kind is [Kind.HTTPStatus]: this is the one
// kind-to-status table of the project, and the reference HTTP gateway
// writes the status that ToResponse put in httpStatusCode.
//
// # Codes
//
// Upstream codes (the Connect platform's own):
//
//	code      status  id                                meaning
//	20000000  400     PARAMETER_NOT_FOUND_IN_REQUEST    a required parameter is missing
//	9002      401     MISSING_OR_INVALID_AUTHORIZATION  bad signature, unknown/expired/revoked session
//	9007      403     ACCESS_TO_MERCHANT_NOT_ALLOWED    the API key does not hold this merchant
//	1007      404     UNKNOWN_PRODUCT_ID                product unknown or not available to this session
//	1409      409     DUPLICATE_REQUEST                 a replay (encryption nonce seen before)
//	9999      500     UNKNOWN_SERVER_ERROR              anything unforeseen; no internal text
//
// Ours (never reused; a new error gets a new code):
//
//	code      status  id                                meaning
//	700100    400     INVALID_JSON                      the body is not one JSON value
//	700101    400     UNKNOWN_PROPERTY                  a property the schema does not know
//	700102    400     NULL_NOT_ALLOWED                  null where an object, array or value belongs
//	700103    400     INVALID_TYPE                      a value of the wrong JSON type
//	700104    400     BODY_TOO_LARGE                    the body is over the size limit
//	700105    400     INVALID_VALUE                     a value breaks another validation rule
//	700106    400     INVALID_MESSAGE                   a gRPC request message that does not decode (protobuf)
//	700200    400     UNKNOWN_PAYMENT_PRODUCT_GROUP     a group the merchant's catalog does not have
//	700201    400     INVALID_PAYMENT_PRODUCT_ID        a product id that is not in 1..2147483647
//	700202    400     DUPLICATE_ITEM                    a value listed twice (uniqueItems)
//	700203    400     TOO_MANY_ITEMS                    a filter list over its cap (default 32 groups, 512 ids)
//	700300    400     TOO_MANY_TOKENS                   more tokens than the limit (default 100)
//	700301    400     INVALID_TOKEN_FORMAT              a token that is not 1-128 printable ASCII
//	700400    400     INVALID_PAYMENT_CONTEXT           country, currency or amount malformed
//	700500    404     UNKNOWN_SESSION                   revoking a session this merchant does not have
//	700501    404     UNKNOWN_MERCHANT                  no catalog or datacenter for the merchant
//	700600    400     UNKNOWN_KEY_ID                    the JWE names a key id we do not hold
//	700601    400     INVALID_ENCRYPTED_CUSTOMER_INPUT  malformed JWE, wrong algorithms, bad tag, oversize
//	700602    400     INVALID_ENCRYPTED_PAYLOAD         the decrypted text is not a valid payload
//	700603    400     CLIENT_SESSION_MISMATCH           the payload belongs to another session
//	700604    400     UNKNOWN_ACCOUNT_ON_FILE           accountOnFileId is not one of the session's
//	700700    400     INVALID_CONFIGURATION             a constructor was given a bad option or catalog
//	700800    404     UNKNOWN_RESOURCE                  a transport has no such route
//	700801    405     METHOD_NOT_ALLOWED                a transport serves the route, not with this method
//	700802    408     REQUEST_TIMEOUT                   a transport did not receive the request in time
//	700803    429     TOO_MANY_REQUESTS                 a transport's rate limit (creates per merchant); Retry-After
//	700804    415     UNSUPPORTED_MEDIA_TYPE            a POST body whose Content-Type is not application/json (at Content-Type)
//	700900    503     SERVICE_UNAVAILABLE               a dependency failed; retryable
//	700901    499     REQUEST_CANCELED                  the caller canceled (context.Canceled)
//	700902    503     STORE_FULL                        the session store is at its memory bound; retryable
//	701000    404     IIN_NOT_FOUND                     getIINdetails: no product holds the card's digits
//
// Gateways that define errors of their own with [Define] use codes outside
// 700000-799999.
package errors
