package errors

// Kind is a transport-neutral category of error. Each kind carries the HTTP
// status the Connect wire contract uses for it ([Kind.HTTPStatus]) as a plain
// int, so this package needs no net/http; a gRPC wrapper maps kinds on its own.
type Kind uint8

// The kinds. The zero value, KindUnknown, is never attached to a defined
// error; it is what KindOf returns for a nil error.
const (
	KindUnknown              Kind = iota
	KindInvalidArgument           // 400: the request is malformed or breaks a rule
	KindUnauthenticated           // 401: missing, wrong, expired or revoked credentials
	KindPermissionDenied          // 403: authenticated, but not for this merchant
	KindNotFound                  // 404: the named thing does not exist for the caller
	KindConflict                  // 409: a replay or a duplicate request
	KindInternal                  // 500: a bug; never caused by input
	KindUnavailable               // 503: a dependency failed; retryable
	KindCanceled                  // 499: the caller gave up (context canceled)
	KindUnimplemented             // 405: the resource exists, the operation does not (gRPC Unimplemented)
	KindTimeout                   // 408: the client did not send the request in time
	KindResourceExhausted         // 429: a rate limit; retry after the time the transport says
	KindUnsupportedMediaType      // 415: a body in a media type the transport does not take (HTTP Content-Type)
)

// HTTPStatus returns the HTTP status of the kind: 400, 401, 403, 404, 405,
// 408, 409, 415, 429, 500, 503, or 499 for a canceled request. KindUnknown gives 500.
func (k Kind) HTTPStatus() int {
	switch k {
	case KindInvalidArgument:
		return 400
	case KindUnauthenticated:
		return 401
	case KindPermissionDenied:
		return 403
	case KindNotFound:
		return 404
	case KindConflict:
		return 409
	case KindUnavailable:
		return 503
	case KindCanceled:
		return 499
	case KindUnimplemented:
		return 405
	case KindTimeout:
		return 408
	case KindResourceExhausted:
		return 429
	case KindUnsupportedMediaType:
		return 415
	case KindUnknown, KindInternal:
		return 500
	}
	return 500
}

// Retryable reports whether errors of this kind may go away by themselves.
func (k Kind) Retryable() bool { return k == KindUnavailable }

// String returns the kind's name, e.g. "invalid_argument".
func (k Kind) String() string {
	switch k {
	case KindInvalidArgument:
		return "invalid_argument"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindPermissionDenied:
		return "permission_denied"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindInternal:
		return "internal"
	case KindUnavailable:
		return "unavailable"
	case KindCanceled:
		return "canceled"
	case KindUnimplemented:
		return "unimplemented"
	case KindTimeout:
		return "timeout"
	case KindResourceExhausted:
		return "resource_exhausted"
	case KindUnsupportedMediaType:
		return "unsupported_media_type"
	case KindUnknown:
		return "unknown"
	}
	return "unknown"
}
