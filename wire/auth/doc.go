// Package auth is the signing side of the Connect wire protocol: v1HMAC
// signing and verification of Server API calls, the replay guard, and the
// v1Client header of Client API calls. It imports only the errors package
// and the standard library, so that a merchant's server or a test client
// that only signs requests compiles nothing of the engine (no session,
// validator, go-jose or lo; a test checks it with go list -deps). The JSON
// types of the Server and Client APIs are in package wire.
//
// # v1HMAC
//
// A Server API call carries
//
//	Authorization: GCS v1HMAC:{apiKeyId}:{base64 HMAC-SHA256(secretApiKey, stringToSign)}
//
// where stringToSign is Request.StringToSign: the method, Content-Type,
// Date, the X-GCS-* headers (lower-case names, sorted) and the request
// target, each followed by a newline — the last one too. The official SDKs
// disagree on the target: the Node and .NET SDKs sign it as sent, the Go
// SDK signs the escaped path with the query unescaped
// ("/v1/1234/sessions?probe=a b"), the Java SDK the query with its %XX
// escapes decoded but "+" kept. Verifier accepts all three. Dates more than
// DefaultClockSkew away are refused; replays inside that window are
// accepted as the platform does, unless WithReplayGuard is given.
//
// Sign makes the header for a merchant's server or a test; the repository
// docs/http.md of the repository has a worked curl example. ValidKeyID is the one definition of an
// API key id: key stores and data loaders call it.
//
// # v1Client
//
// A Client API call carries "Authorization: GCS v1Client:{clientSessionId}"
// (over gRPC, the same value in the "authorization" metadata).
// ClientAuthorization makes the value and ParseClientAuthorization reads
// it: the one parser of that prefix, which every transport calls. Whether
// the id names a live session is the engine's to say
// (session.Engine.Authenticate).
//
// Errors are *sderrors.Error values: a bad or missing credential is
// sderrors.ErrUnauthorized (401, 9002), a key that does not hold the
// merchant sderrors.ErrMerchantNotAllowed (403, 9007), a failing key store
// or replay guard a retryable sderrors.ErrUnavailable. Secrets and
// signatures never appear in an error.
//
// # Which check failed
//
// Every signing mistake answers the caller the same 401 (9002): a caller
// learns nothing of which check failed. The gateway's operator needs to
// know, so each 401 and 403 wraps a [RefusalError] as its cause, which
// errors.Is reaches through the *sderrors.Error and [RefusalReason] names
// with a short, closed-set string for a log field: missing_authorization,
// bad_scheme, malformed_authorization, missing_date, bad_date, date_skew,
// missing_merchant, unknown_key, signature_mismatch,
// signed_without_final_newline, content_type_not_signed, replay,
// key_not_for_merchant. A signature that does not match is tried again
// without the string's final newline and with the usual Content-Types, on
// the refused call only and for unknown keys too (so that the time of a
// refusal does not tell whether a key id exists), to tell the two
// commonest hand-signing mistakes from a wrong secret. The transports
// hand the error to the gateway (connecthttp: a ResponseWriter that
// implements connecthttp.ErrorRecorder); this package logs nothing.
package auth
