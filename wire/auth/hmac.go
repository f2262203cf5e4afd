package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// V1HMACPrefix starts the Authorization header of a Server API call:
// "GCS v1HMAC:{apiKeyId}:{signature}".
const V1HMACPrefix = "GCS v1HMAC:"

// DefaultClockSkew is how far a signed request's Date may be from the
// verifier's clock, either way, unless WithClockSkew says otherwise.
const DefaultClockSkew = 15 * time.Minute

// Request is what v1HMAC signs of a Server API call. Build it from the
// request as received (a server) or as it will be sent (a client).
type Request struct {
	// Method is the HTTP method in upper case, e.g. "POST".
	Method string
	// ContentType is the Content-Type header value as sent; "" when absent.
	// It is signed for every method, GET included.
	ContentType string
	// Date is the Date header value as sent (RFC 1123, GMT).
	Date string
	// Header holds the request's headers (an http.Header converts without a
	// copy). Only the X-GCS-* ones are signed; the others are ignored.
	Header map[string][]string
	// Target is the request target as sent on the request line: the escaped
	// path and, when there is one, "?" and the raw query, e.g.
	// "/v1/1234/sessions". A server passes http.Request.RequestURI, never a
	// value rebuilt from the parsed URL (re-escaping can differ).
	Target string
}

// StringToSign returns the v1HMAC string to sign of r: the method, the
// content type, the date, each X-GCS-* header as "name:value" (names in
// lower case and sorted, a header's values joined by "," with line breaks
// folded to one space and trimmed), then the target, each followed by one
// "\n". The last line ends with "\n" too: a hand-made signature that drops
// it (as shell command substitution does) never matches.
func (r Request) StringToSign() string { return r.stringToSign(r.Target) }

func (r Request) stringToSign(target string) string {
	var gcs []string
	for name := range r.Header {
		if len(name) >= 5 && strings.EqualFold(name[:5], "x-gcs") {
			gcs = append(gcs, name)
		}
	}
	slices.SortFunc(gcs, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.ContentType)
	b.WriteByte('\n')
	b.WriteString(r.Date)
	b.WriteByte('\n')
	for _, name := range gcs {
		b.WriteString(strings.ToLower(name))
		b.WriteByte(':')
		b.WriteString(foldHeader(strings.Join(r.Header[name], ",")))
		b.WriteByte('\n')
	}
	b.WriteString(target)
	b.WriteByte('\n')
	return b.String()
}

// GoSDKTarget returns the target as the official Go server SDK signs it:
// the escaped path, then "?" and the *unescaped* query
// ("/v1/1234/sessions?probe=a%20b" is signed as
// "/v1/1234/sessions?probe=a b"). ok is false when target has no query
// (both forms are the same) or its query does not unescape.
func GoSDKTarget(target string) (canonical string, ok bool) {
	path, query, found := strings.Cut(target, "?")
	if !found || query == "" {
		return target, false
	}
	q, err := url.QueryUnescape(query)
	if err != nil || q == query {
		return target, false
	}
	return path + "?" + q, true
}

// JavaSDKTarget returns the target as the official Java server SDK signs
// it: the raw path, then "?" and the query with its %XX escapes decoded
// (java.net.URI.getQuery) but "+" kept. ok is false when target has no
// query, its query has no escape, or an escape is malformed.
func JavaSDKTarget(target string) (canonical string, ok bool) {
	path, query, found := strings.Cut(target, "?")
	if !found || query == "" {
		return target, false
	}
	q, err := url.PathUnescape(query)
	if err != nil || q == query {
		return target, false
	}
	return path + "?" + q, true
}

// foldHeader replaces each line break and the whitespace after it by one
// space, and trims the value.
func foldHeader(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return strings.TrimSpace(v)
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			for i+1 < len(v) && (v[i+1] == '\r' || v[i+1] == '\n' || v[i+1] == ' ' || v[i+1] == '\t') {
				i++
			}
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

// Signature returns base64(HMAC-SHA256(secret, stringToSign)), the
// signature part of the v1HMAC Authorization header.
func Signature(secret []byte, stringToSign string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidKeyID reports whether id can name an API key in the v1HMAC
// header "GCS v1HMAC:{keyId}:{signature}": one or more printable ASCII
// characters (0x21 to 0x7E) and no ':', which separates the signature.
// Key stores and data loaders check their key ids with it.
func ValidKeyID(id string) bool {
	if id == "" {
		return false
	}
	for i := range len(id) {
		if c := id[i]; c < 0x21 || c > 0x7e || c == ':' {
			return false
		}
	}
	return true
}

// Sign returns the Authorization header value that signs r with the API
// key keyID and its secret: "GCS v1HMAC:{keyID}:{signature}". This is what
// a merchant's server (or a test) sends; r.Date must be the Date header it
// sends, within the verifier's clock skew.
func Sign(keyID string, secret []byte, r Request) string {
	return V1HMACPrefix + keyID + ":" + Signature(secret, r.StringToSign())
}

// ParseDate parses an HTTP Date header value in any of its three forms
// (RFC 9110: IMF-fixdate, and the obsolete RFC 850 and asctime forms).
func ParseDate(s string) (time.Time, error) {
	var err error
	for _, layout := range [...]string{"Mon, 02 Jan 2006 15:04:05 GMT", time.RFC850, time.ANSIC} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// APIKey is what an APIKeys source knows of one Server API key.
type APIKey struct {
	// Secret is the key's secret; empty means there is no such key.
	Secret []byte
	// AllowsMerchant reports whether the key may act for the merchant asked
	// about.
	AllowsMerchant bool
}

// APIKeys is the gateway's store of Server API keys.
//
// APIKey returns key keyID as it applies to merchantID. An unknown key is
// the zero APIKey and a nil error; a non-nil error means the store could
// not be asked (the call is then answered as retryable, never as a bad
// signature). Implementations must be safe for concurrent use and must not
// keep or modify the returned secret after returning it.
type APIKeys interface {
	APIKey(ctx context.Context, keyID, merchantID string) (APIKey, error)
}

// StaticKeys is an in-memory APIKeys: key id to key.
type StaticKeys map[string]StaticKey

// StaticKey is one key of StaticKeys.
type StaticKey struct {
	Secret    string
	Merchants []string
}

// APIKey implements APIKeys.
func (s StaticKeys) APIKey(_ context.Context, keyID, merchantID string) (APIKey, error) {
	k, ok := s[keyID]
	if !ok {
		return APIKey{}, nil
	}
	return APIKey{Secret: []byte(k.Secret), AllowsMerchant: slices.Contains(k.Merchants, merchantID)}, nil
}

// A VerifierOption configures NewVerifier.
type VerifierOption interface{ apply(*verifierConfig) }

type verifierOptionFunc func(*verifierConfig)

func (f verifierOptionFunc) apply(c *verifierConfig) { f(c) }

// verifierConfig is a Verifier being built, with the problems found.
type verifierConfig struct {
	sderrors.ConfigProblems
	v Verifier
}

// WithClock sets the verifier's clock (default time.Now).
func WithClock(now func() time.Time) VerifierOption {
	return verifierOptionFunc(func(c *verifierConfig) {
		if now == nil {
			c.Fail("clock", "the clock must not be nil")
			return
		}
		c.v.now = now
	})
}

// WithClockSkew sets how far a request's Date may be from the clock, either
// way (default DefaultClockSkew; at least one second).
func WithClockSkew(d time.Duration) VerifierOption {
	return verifierOptionFunc(func(c *verifierConfig) {
		if d < time.Second {
			c.Fail("clockSkew", "the clock skew must be at least one second, got "+d.String())
			return
		}
		c.v.skew = d
	})
}

// WithReplayGuard turns on a hardening that the Connect platform does not
// have: a (key id, signature) pair seen before within the Date window is
// refused with 401. Off by default, because the platform accepts a replay
// inside the window and an SDK that retries a request unchanged (same Date)
// would be refused. g must be shared by every instance of a gateway that
// wants the guard to hold across instances.
func WithReplayGuard(g ReplayGuard) VerifierOption {
	return verifierOptionFunc(func(c *verifierConfig) {
		if g == nil {
			c.Fail("replayGuard", "the replay guard must not be nil")
			return
		}
		c.v.replay = g
	})
}

// Verifier checks the v1HMAC signature of Server API calls. Build it with
// NewVerifier; it is safe for concurrent use.
type Verifier struct {
	keys   APIKeys
	now    func() time.Time
	skew   time.Duration
	replay ReplayGuard // nil: replays within the window are accepted
}

// NewVerifier returns a verifier over the gateway's API keys. It checks
// every option (a nil one included) and reports all problems at once as
// sderrors.ErrInvalidConfiguration.
func NewVerifier(keys APIKeys, opts ...VerifierOption) (*Verifier, error) {
	c := verifierConfig{ConfigProblems: sderrors.ConfigProblems{Prefix: "auth: "}, v: Verifier{keys: keys, now: time.Now, skew: DefaultClockSkew}}
	if keys == nil {
		c.Fail("keys", "the API keys must not be nil")
	}
	sderrors.ApplyOptions(&c.ConfigProblems, opts, func(o VerifierOption) { o.apply(&c) })
	if err := c.Err(); err != nil {
		return nil, err
	}
	v := c.v
	return &v, nil
}

// unknownKeySecret is signed with for an unknown key id, so that an unknown
// key costs the same work as a known one: no timing hint about which key
// ids exist.
const unknownKeySecret = "unknown key"

// Verify checks that authorization (the Authorization header value) signs
// r with a key that may act for merchantID, and returns the key id.
//
// Every canonical form of the target the official SDKs sign is accepted:
// the raw request target (the Node and .NET SDKs), GoSDKTarget's form (the
// Go SDK: query unescaped, "+" as space) and JavaSDKTarget's form (the
// Java SDK: %XX decoded, "+" kept). Forms that equal the raw target cost
// nothing more; each other one is one more HMAC, compared in constant
// time like the first. A missing or malformed header, a Date that does not
// parse or lies outside the clock skew, an unknown key or a wrong
// signature is sderrors.ErrUnauthorized (401, 9002); with a replay guard,
// so is a signature seen before. A valid key that does not hold the
// merchant is sderrors.ErrMerchantNotAllowed (403, 9007). Each of those
// wraps the RefusalError that says which check failed (ErrDateSkew,
// ErrSignatureMismatch, ...; RefusalReason names it), for the gateway's
// logs only: the wire answer is the same for all. A failing key store or
// replay guard is a retryable sderrors.ErrUnavailable.
func (v *Verifier) Verify(ctx context.Context, merchantID, authorization string, r Request) (keyID string, err error) {
	rest, ok := strings.CutPrefix(authorization, V1HMACPrefix)
	if !ok {
		if authorization == "" {
			return "", errRefused(ErrMissingAuthorization)
		}
		return "", errRefused(ErrBadScheme)
	}
	keyID, sig, ok := strings.Cut(rest, ":")
	if !ok || !ValidKeyID(keyID) || sig == "" {
		return "", errRefused(ErrMalformedAuthorization)
	}
	now := v.now()
	if r.Date == "" {
		return "", errRefused(ErrMissingDate)
	}
	date, err := ParseDate(r.Date)
	if err != nil {
		return "", errRefused(ErrBadDate)
	}
	if date.Before(now.Add(-v.skew)) || date.After(now.Add(v.skew)) {
		return "", errRefused(ErrDateSkew)
	}
	key, err := v.keys.APIKey(ctx, keyID, merchantID)
	if err != nil {
		return "", unavailable(err)
	}
	known := len(key.Secret) > 0
	secret := key.Secret
	if !known {
		secret = []byte(unknownKeySecret)
	}
	match := equalSig(Signature(secret, r.stringToSign(r.Target)), sig)
	goForm, goOK := GoSDKTarget(r.Target)
	if goOK {
		match = equalSig(Signature(secret, r.stringToSign(goForm)), sig) || match
	}
	if javaForm, ok := JavaSDKTarget(r.Target); ok && (!goOK || javaForm != goForm) {
		match = equalSig(Signature(secret, r.stringToSign(javaForm)), sig) || match
	}
	if !match || !known {
		cause := diagnose(secret, r, sig) // for an unknown key too: the same work
		if !known {
			cause = ErrUnknownKey
		}
		return "", errRefused(cause)
	}
	if !key.AllowsMerchant {
		return "", sderrors.ErrMerchantNotAllowed.WithCause(ErrKeyNotForMerchant)
	}
	if v.replay != nil {
		first, err := v.replay.FirstUse(ctx, keyID+":"+sig, date.Add(v.skew), now)
		if err != nil {
			return "", unavailable(err)
		}
		if !first {
			return "", errReplayed
		}
	}
	return keyID, nil
}

// equalSig compares two signatures in constant time.
func equalSig(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// errRefused is the 401 of a refusal: the same answer on the wire for
// every refusal, the refusal as its cause.
func errRefused(r *RefusalError) error { return sderrors.ErrUnauthorized.WithCause(r) }

var errReplayed = sderrors.ErrUnauthorized.WithMessage("this signature was used before").WithCause(ErrReplay)

// unavailable maps a failing dependency: our errors pass, others become a
// retryable ErrUnavailable (the cause is kept, never sent).
func unavailable(err error) error {
	if sderrors.Find(err) != nil {
		return err
	}
	return sderrors.ErrUnavailable.WithCause(err)
}
