package errors

// Code is a stable wire error code, e.g. "20000000". Codes are never reused;
// the full list with statuses and meanings is in the package documentation.
type Code string

// Categories sent in the wire "category" field.
const (
	CategoryPlatform = "CONNECT_PLATFORM_ERROR"
	CategoryIO       = "IO_ERROR"
)

// Upstream codes: the Connect platform uses these, the SDKs know them.
var (
	// ErrParameterNotFound: a required parameter is missing (400).
	ErrParameterNotFound = Define("20000000", KindInvalidArgument, "PARAMETER_NOT_FOUND_IN_REQUEST",
		"the parameter was not found in the request")
	// ErrUnauthorized: missing or invalid authorization, unknown or expired session (401).
	ErrUnauthorized = Define("9002", KindUnauthenticated, "MISSING_OR_INVALID_AUTHORIZATION",
		"missing or invalid authorization")
	// ErrMerchantNotAllowed: the credentials do not hold this merchant (403).
	ErrMerchantNotAllowed = Define("9007", KindPermissionDenied, "ACCESS_TO_MERCHANT_NOT_ALLOWED",
		"access to this merchant is not allowed")
	// ErrUnknownProduct: the payment product is unknown or not available to this session (404).
	ErrUnknownProduct = Define("1007", KindNotFound, "UNKNOWN_PRODUCT_ID",
		"unknown payment product id")
	// ErrDuplicateRequest: a duplicate request, e.g. a replayed encryption nonce (409).
	ErrDuplicateRequest = Define("1409", KindConflict, "DUPLICATE_REQUEST",
		"duplicate request")
	// ErrInternal: anything we did not foresee; no internal text reaches the wire (500).
	ErrInternal = Define("9999", KindInternal, "UNKNOWN_SERVER_ERROR",
		"an unknown server error occurred")
)

// Our codes, range 700000-799999: request shape (7001xx), filters (7002xx),
// tokens (7003xx), payment context (7004xx), sessions (7005xx), encryption
// (7006xx), configuration (7007xx), transports (7008xx), dependencies (7009xx),
// card lookups (7010xx).
var (
	// ErrInvalidJSON: the body is not one JSON value, or has trailing data (400).
	ErrInvalidJSON = Define("700100", KindInvalidArgument, "INVALID_JSON",
		"the body is not valid JSON")
	// ErrUnknownProperty: an object has a property the schema does not know (400).
	ErrUnknownProperty = Define("700101", KindInvalidArgument, "UNKNOWN_PROPERTY",
		"unknown property")
	// ErrNullNotAllowed: null where an object, array or value is expected (400).
	ErrNullNotAllowed = Define("700102", KindInvalidArgument, "NULL_NOT_ALLOWED",
		"null is not allowed here")
	// ErrInvalidType: a value of the wrong JSON type (400).
	ErrInvalidType = Define("700103", KindInvalidArgument, "INVALID_TYPE",
		"the value has the wrong type")
	// ErrBodyTooLarge: the body is over the size limit (400).
	ErrBodyTooLarge = Define("700104", KindInvalidArgument, "BODY_TOO_LARGE",
		"the body is too large")
	// ErrInvalidValue: a value breaks a validation rule not covered by a narrower code (400).
	ErrInvalidValue = Define("700105", KindInvalidArgument, "INVALID_VALUE",
		"the value is not valid")
	// ErrInvalidMessage: a request message that does not decode in the transport's
	// encoding, e.g. bytes that are not the gRPC request's protobuf message (400).
	ErrInvalidMessage = Define("700106", KindInvalidArgument, "INVALID_MESSAGE",
		"the request message cannot be decoded")

	// ErrUnknownGroup: a payment product group the catalog does not have (400).
	ErrUnknownGroup = Define("700200", KindInvalidArgument, "UNKNOWN_PAYMENT_PRODUCT_GROUP",
		"unknown payment product group")
	// ErrInvalidProductID: a product id that is not a positive int32 (400).
	ErrInvalidProductID = Define("700201", KindInvalidArgument, "INVALID_PAYMENT_PRODUCT_ID",
		"payment product ids are integers from 1 to 2147483647")
	// ErrDuplicateItem: a value listed twice where the schema says uniqueItems (400).
	ErrDuplicateItem = Define("700202", KindInvalidArgument, "DUPLICATE_ITEM",
		"the value is listed more than once")
	// ErrTooManyItems: a filter list longer than its configured cap (400).
	ErrTooManyItems = Define("700203", KindInvalidArgument, "TOO_MANY_ITEMS",
		"the list has more items than allowed")

	// ErrTooManyTokens: more tokens than the configured limit (400).
	ErrTooManyTokens = Define("700300", KindInvalidArgument, "TOO_MANY_TOKENS",
		"too many tokens")
	// ErrInvalidTokenFormat: a token id that is not 1 to 128 printable ASCII characters (400).
	ErrInvalidTokenFormat = Define("700301", KindInvalidArgument, "INVALID_TOKEN_FORMAT",
		"tokens are 1 to 128 printable ASCII characters")

	// ErrInvalidPaymentContext: country, currency or amount malformed (400).
	ErrInvalidPaymentContext = Define("700400", KindInvalidArgument, "INVALID_PAYMENT_CONTEXT",
		"the payment context is not valid")

	// ErrSessionNotFound: revoking a session that does not exist for this merchant (404).
	ErrSessionNotFound = Define("700500", KindNotFound, "UNKNOWN_SESSION",
		"unknown client session")
	// ErrUnknownMerchant: the merchant has no catalog or datacenter configured (404).
	ErrUnknownMerchant = Define("700501", KindNotFound, "UNKNOWN_MERCHANT",
		"unknown merchant")

	// ErrUnknownKeyID: an encrypted input names a key id we do not hold (400).
	ErrUnknownKeyID = Define("700600", KindInvalidArgument, "UNKNOWN_KEY_ID",
		"the encryption key id is unknown")
	// ErrInvalidEncryptedInput: malformed JWE, wrong algorithms, bad tag, oversize (400).
	ErrInvalidEncryptedInput = Define("700601", KindInvalidArgument, "INVALID_ENCRYPTED_CUSTOMER_INPUT",
		"the encrypted customer input cannot be opened")
	// ErrInvalidPayload: the decrypted text is not a valid payload (400).
	ErrInvalidPayload = Define("700602", KindInvalidArgument, "INVALID_ENCRYPTED_PAYLOAD",
		"the decrypted payload is not valid")
	// ErrSessionMismatch: the payload belongs to another session (400).
	ErrSessionMismatch = Define("700603", KindInvalidArgument, "CLIENT_SESSION_MISMATCH",
		"the encrypted input belongs to another client session")
	// ErrUnknownAccountOnFile: an accountOnFileId that is not one of the session's tokens (400).
	ErrUnknownAccountOnFile = Define("700604", KindInvalidArgument, "UNKNOWN_ACCOUNT_ON_FILE",
		"unknown account on file")

	// ErrInvalidConfiguration: an option, catalog or key set given to a constructor is wrong (400
	// kind, since it is the caller's input; it never reaches a client of the gateway).
	ErrInvalidConfiguration = Define("700700", KindInvalidArgument, "INVALID_CONFIGURATION",
		"invalid configuration")

	// ErrUnknownResource: a transport has no such route (404).
	ErrUnknownResource = Define("700800", KindNotFound, "UNKNOWN_RESOURCE",
		"no such resource")
	// ErrMethodNotAllowed: a transport serves the route, not with this method (405).
	ErrMethodNotAllowed = Define("700801", KindUnimplemented, "METHOD_NOT_ALLOWED",
		"method not allowed")
	// ErrRequestTimeout: a transport did not receive the whole request in time, e.g. a body sent
	// too slowly (408).
	ErrRequestTimeout = Define("700802", KindTimeout, "REQUEST_TIMEOUT",
		"the request was not received in time")

	// ErrTooManyRequests: a transport's rate limit refused the call, e.g. creates per merchant
	// (429, with Retry-After).
	ErrTooManyRequests = Define("700803", KindResourceExhausted, "TOO_MANY_REQUESTS",
		"too many requests; retry later")

	// ErrUnsupportedMediaType: a transport takes request bodies in one media type
	// only, e.g. connecthttp's POST bodies as application/json (415, at the
	// Content-Type header).
	ErrUnsupportedMediaType = Define("700804", KindUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
		"the request body must be application/json")

	// ErrUnavailable: a dependency (store, token repository) failed; retry later (503).
	ErrUnavailable = Define("700900", KindUnavailable, "SERVICE_UNAVAILABLE",
		"a dependency is unavailable, try again later")
	// ErrCanceled: the caller canceled the request (499).
	ErrCanceled = Define("700901", KindCanceled, "REQUEST_CANCELED",
		"the request was canceled")
	// ErrStoreFull: the session store is at its memory bound (storage.ErrFull, e.g.
	// memstore.WithMaxBytes) and refused the write; retry later, when sessions have
	// expired (503, retryable).
	ErrStoreFull = Define("700902", KindUnavailable, "STORE_FULL",
		"the session store is full; try again later")

	// ErrIINNotFound: no payment product of the merchant's catalog has an IIN range
	// holding the card number's first digits (404). Its id is the Connect platform's
	// for an unknown IIN; the client SDKs turn a 404 of getIINdetails into UNKNOWN.
	ErrIINNotFound = Define("701000", KindNotFound, "IIN_NOT_FOUND",
		"no payment product is known for these card number digits")
)

// Catalogue returns every error the engine defines, in code order of the
// package documentation. Tests use it to prove codes are unique.
func Catalogue() []*Error {
	return []*Error{
		ErrParameterNotFound, ErrUnauthorized, ErrMerchantNotAllowed, ErrUnknownProduct,
		ErrDuplicateRequest, ErrInternal,
		ErrInvalidJSON, ErrUnknownProperty, ErrNullNotAllowed, ErrInvalidType, ErrBodyTooLarge, ErrInvalidValue,
		ErrInvalidMessage,
		ErrUnknownGroup, ErrInvalidProductID, ErrDuplicateItem,
		ErrTooManyTokens, ErrInvalidTokenFormat,
		ErrInvalidPaymentContext,
		ErrSessionNotFound, ErrUnknownMerchant,
		ErrUnknownKeyID, ErrInvalidEncryptedInput, ErrInvalidPayload, ErrSessionMismatch, ErrUnknownAccountOnFile,
		ErrInvalidConfiguration,
		ErrUnknownResource, ErrMethodNotAllowed, ErrRequestTimeout, ErrTooManyRequests, ErrUnsupportedMediaType,
		ErrUnavailable, ErrCanceled, ErrStoreFull,
		ErrIINNotFound,
	}
}
