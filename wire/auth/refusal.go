package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// RefusalError is why a credential was refused: the cause that the verifier's
// and the v1Client parser's errors wrap (errors.Is and errors.As reach it
// through the *sderrors.Error), for the gateway's own logs. It is never on
// the wire: the caller gets the same 401 (9002) or 403 (9007) whatever the
// refusal, so that an attacker learns nothing of which check failed. A
// RefusalError holds no header value, signature, secret or key id.
type RefusalError struct {
	reason string
	msg    string
	parent *RefusalError
}

// Error returns the refusal's text, e.g. "auth: the Date header is outside
// the allowed clock skew".
func (r *RefusalError) Error() string { return "auth: " + r.msg }

// Reason returns the refusal's short name, e.g. "date_skew": one of a
// closed set (the Err... values of this package), fit for a log field or a
// metric label.
func (r *RefusalError) Reason() string { return r.reason }

// Is reports whether target is the refusal r narrows: a signature that
// does not match for a reason we could tell (ErrSignedWithoutFinalNewline,
// ErrContentTypeNotSigned) is also ErrSignatureMismatch.
func (r *RefusalError) Is(target error) bool { return r.parent != nil && target == r.parent }

func refusal(reason, msg string) *RefusalError { return &RefusalError{reason: reason, msg: msg} }

// The refusals, as errors.Is targets. Verify's and
// ParseClientAuthorization's errors wrap exactly one of them.
var (
	// ErrMissingAuthorization: no Authorization header (or metadata).
	ErrMissingAuthorization = refusal("missing_authorization", "no Authorization header")
	// ErrBadScheme: an Authorization header of another scheme, e.g. a
	// v1Client header on the Server API or "Bearer ...".
	ErrBadScheme = refusal("bad_scheme", "the Authorization header is of another scheme")
	// ErrMalformedAuthorization: "GCS v1HMAC:" without a valid key id, a
	// ':' and a signature, or "GCS v1Client:" without an id.
	ErrMalformedAuthorization = refusal("malformed_authorization", "the Authorization header is malformed")
	// ErrMissingDate: no Date header (or date metadata).
	ErrMissingDate = refusal("missing_date", "no Date header")
	// ErrBadDate: a Date header that is not an HTTP date.
	ErrBadDate = refusal("bad_date", "the Date header is not an HTTP date (RFC 1123, GMT)")
	// ErrDateSkew: a Date further from the verifier's clock than the
	// clock skew allows (a stale or future date, or a wrong clock).
	ErrDateSkew = refusal("date_skew", "the Date header is outside the allowed clock skew")
	// ErrMissingMerchant: the call names no merchant (over gRPC, no single
	// x-gcs-merchant-id metadata value).
	ErrMissingMerchant = refusal("missing_merchant", "the call names no merchant")
	// ErrUnknownKey: no API key has the header's key id.
	ErrUnknownKey = refusal("unknown_key", "the API key id is unknown")
	// ErrSignatureMismatch: the signature is not the HMAC of the request
	// with the key's secret (a wrong secret, or a string to sign that
	// differs from the request: method, Content-Type, Date, X-GCS-*
	// headers, target).
	ErrSignatureMismatch = refusal("signature_mismatch", "the signature does not match the request")
	// ErrSignedWithoutFinalNewline: the signature is that of the string to
	// sign without its final newline, as shell command substitution
	// (s=$(printf ...)) makes it.
	ErrSignedWithoutFinalNewline = &RefusalError{reason: "signed_without_final_newline",
		msg: "the signature is of the string to sign without its final newline", parent: ErrSignatureMismatch}
	// ErrContentTypeNotSigned: the signature is that of the request with
	// another Content-Type (one of "", application/json, with charset=utf-8,
	// application/x-www-form-urlencoded, text/plain): the Content-Type sent
	// is not the one signed, e.g. curl -d without -H 'Content-Type:
	// application/json' sends application/x-www-form-urlencoded.
	ErrContentTypeNotSigned = &RefusalError{reason: "content_type_not_signed",
		msg: "the signature is of the request with another Content-Type than the one sent", parent: ErrSignatureMismatch}
	// ErrReplay: with a replay guard, a signature seen before.
	ErrReplay = refusal("replay", "the signature was used before")
	// ErrKeyNotForMerchant: a valid signature of a key that does not hold
	// the merchant (the 403, 9007).
	ErrKeyNotForMerchant = refusal("key_not_for_merchant", "the API key does not hold the merchant")
)

// RefusalReason returns the Reason of the RefusalError err wraps, or "" when it
// wraps none (a success, a failing key store, an error of another kind).
func RefusalReason(err error) string {
	var r *RefusalError
	if errors.As(err, &r) {
		return r.reason
	}
	return ""
}

// diagnose tells why sig, which does not match r under secret, was made:
// ErrSignedWithoutFinalNewline, ErrContentTypeNotSigned or, when neither,
// ErrSignatureMismatch. It costs six more HMACs of the string to sign
// (one string built, one HMAC state reset each time), on refused calls
// only, whether the key is known or not (so that the time of a refusal
// does not tell an unknown key); BenchmarkVerifyRefused measures it.
func diagnose(secret []byte, r Request, sig string) *RefusalError {
	want, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(want) != sha256.Size {
		return ErrSignatureMismatch // not a signature at all: nothing to tell
	}
	s := []byte(r.stringToSign(r.Target))
	head := s[:len(r.Method)+1]                    // "{method}\n"
	rest := s[len(r.Method)+1+len(r.ContentType):] // "\n{date}\n...{target}\n"
	m := hmac.New(sha256.New, secret)
	var sum [sha256.Size]byte
	var ctBuf [64]byte
	matches := func(contentType string, final bool) bool {
		m.Reset()
		m.Write(head)
		m.Write(append(ctBuf[:0], contentType...))
		if final {
			m.Write(rest)
		} else {
			m.Write(rest[:len(rest)-1])
		}
		return hmac.Equal(m.Sum(sum[:0]), want)
	}
	cause := ErrSignatureMismatch
	if matches(r.ContentType, false) {
		cause = ErrSignedWithoutFinalNewline
	}
	// The Content-Types a signature that does not match is also tried
	// with: what the SDKs send, what curl -d sends, and none.
	for _, ct := range [...]string{"application/json", "", "application/json; charset=utf-8", "application/x-www-form-urlencoded", "text/plain"} {
		if ct != r.ContentType && matches(ct, true) && cause == ErrSignatureMismatch {
			cause = ErrContentTypeNotSigned
		}
	}
	return cause
}
