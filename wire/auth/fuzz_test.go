package auth_test

import (
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire/auth"
)

// FuzzVerify: any Authorization, Date and target give a key id only for a
// correct signature (over one of the canonical forms of the target), else
// 401 or 403; never a panic.
func FuzzVerify(f *testing.F) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	date := now.Format(httpDate)
	f.Add("GCS v1HMAC:k1:c2ln", date, "/v1/1234/sessions")            // well-formed, wrong signature
	f.Add("GCS v1HMAC::", "", "/v1/1234/sessions")                    // empty key and signature
	f.Add("GCS v1HMAC:k1", "Mon, 02 Jan 2006", "/")                   // no signature, bad date
	f.Add("Basic xyz", date, "/v1/1234/sessions?a=b")                 // other scheme
	f.Add("GCS v1HMAC:k1:a:b:c", "\x00", "/v1/1234/sessions?%zz")     // extra colons, bad escape
	f.Add("GCS v1HMAC:k1:x", date, "/v1/1234/sessions?probe=a+b%20c") // query with escapes
	keys := auth.StaticKeys{"k1": {Secret: "s1", Merchants: []string{"1234"}}}
	v, err := auth.NewVerifier(keys, auth.WithClock(func() time.Time { return now }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, authorization, date, target string) {
		r := auth.Request{Method: "POST", Date: date, Target: target, Header: map[string][]string{"Date": {date}}}
		keyID, err := v.Verify(t.Context(), "1234", authorization, r)
		if err == nil {
			raw := auth.Sign("k1", []byte("s1"), r)
			signedAs := func(target string, ok bool) string {
				if !ok {
					return raw
				}
				r2 := r
				r2.Target = target
				return auth.Sign("k1", []byte("s1"), r2)
			}
			goForm := signedAs(auth.GoSDKTarget(target))
			javaForm := signedAs(auth.JavaSDKTarget(target))
			if keyID != "k1" || (authorization != raw && authorization != goForm && authorization != javaForm) {
				t.Fatalf("accepted %q for %q as %q", authorization, target, keyID)
			}
			return
		}
		if s := sderrors.ToResponse(err).HTTPStatus(); s != 401 && s != 403 {
			t.Fatalf("status %d, want 401 or 403", s)
		}
	})
}
