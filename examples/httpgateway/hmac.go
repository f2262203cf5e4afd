package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// maxClockSkew is how far a signed request's Date may be from our clock.
const maxClockSkew = 15 * time.Minute

// v1HMACPrefix starts the Authorization header of the Server API.
const v1HMACPrefix = "GCS v1HMAC:"

// stringToSign builds the v1HMAC string to sign (wire-contract §1.5):
// method, Content-Type, Date, the X-GCS-* headers (lower-cased names, sorted,
// values folded), and the raw request target, each followed by "\n".
func stringToSign(method, contentType, date string, header http.Header, requestURI string) string {
	var gcs []string
	for name := range header {
		if len(name) >= 5 && strings.EqualFold(name[:5], "x-gcs") {
			gcs = append(gcs, name)
		}
	}
	slices.SortFunc(gcs, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(contentType)
	b.WriteByte('\n')
	b.WriteString(date)
	b.WriteByte('\n')
	for _, name := range gcs {
		b.WriteString(strings.ToLower(name))
		b.WriteByte(':')
		b.WriteString(foldHeader(strings.Join(header[name], ",")))
		b.WriteByte('\n')
	}
	b.WriteString(requestURI)
	b.WriteByte('\n')
	return b.String()
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

// signV1HMAC returns base64(HMAC-SHA256(secret, s)).
func signV1HMAC(secret []byte, s string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// authenticateServer checks the v1HMAC signature of r and that the key
// holds merchantID. A missing, malformed or wrong signature, an unknown key
// or a Date outside the skew window is ErrUnauthorized (401, 9002); a valid
// key that does not hold the merchant is ErrMerchantNotAllowed (403, 9007).
func authenticateServer(r *http.Request, keys map[string]apiKey, merchantID string, now time.Time) error {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, v1HMACPrefix)
	if !ok {
		return sderrors.ErrUnauthorized
	}
	keyID, sig, ok := strings.Cut(rest, ":")
	if !ok || keyID == "" || sig == "" {
		return sderrors.ErrUnauthorized
	}
	date := r.Header.Get("Date")
	t, err := http.ParseTime(date)
	if err != nil || t.Before(now.Add(-maxClockSkew)) || t.After(now.Add(maxClockSkew)) {
		return sderrors.ErrUnauthorized
	}
	key, known := keys[keyID]
	secret := key.secret
	if !known {
		// Spend the same work as for a known key: no timing hint about
		// which key ids exist.
		secret = []byte("unknown key")
	}
	want := signV1HMAC(secret, stringToSign(r.Method, r.Header.Get("Content-Type"), date, r.Header, r.RequestURI))
	if !hmac.Equal([]byte(want), []byte(sig)) || !known {
		return sderrors.ErrUnauthorized
	}
	if !key.merchants[merchantID] {
		return sderrors.ErrMerchantNotAllowed
	}
	return nil
}
