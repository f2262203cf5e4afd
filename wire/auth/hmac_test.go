package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/wire/auth"
)

const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// The vendor's own v1HMAC test vectors (connect-sdk-nodejs unit tests).
func TestSignatureVectors(t *testing.T) {
	tests := []struct {
		name, method, contentType, secret, want string
		headers                                 map[string][]string
	}{
		{
			name: "DELETE with X-GCS headers", method: "DELETE", contentType: "application/json",
			secret: "secretApiKey", want: "VfnXpPBQQoHZivTcAg0JvOWkhnzlPnaCPKpTQn/uMJM=",
			headers: map[string][]string{
				"X-Gcs-Customerheader": {"processed header value"},
				"X-Gcs-Clientmetainfo": {"processed header value"},
				"X-Gcs-Servermetainfo": {"processed header value"},
				"Some-Other-Header":    {"not signed"},
				"Authorization":        {"not signed"},
			},
		},
		{
			name: "GET without content type or headers", method: "GET", contentType: "",
			secret: "6Kj5HT0MQKC6D8eb7W3lTg71kVKVDSt1", want: "9ond5EIN05dBXJGCLRK5om9pxHsyrh/12pZJ7bvmwNM=",
			headers: map[string][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := auth.Request{Method: tt.method, ContentType: tt.contentType, Date: "Fri, 06 Jun 2014 13:39:43 GMT",
				Header: tt.headers, Target: "/v1/9991/tokens/123456789"}
			s := r.StringToSign()
			if got := auth.Signature([]byte(tt.secret), s); got != tt.want {
				t.Errorf("signature = %s, want %s\nstring to sign:\n%s", got, tt.want, s)
			}
			if got, want := auth.Sign("k", []byte(tt.secret), r), "GCS v1HMAC:k:"+tt.want; got != want {
				t.Errorf("Sign = %s, want %s", got, want)
			}
		})
	}
}

func TestStringToSign(t *testing.T) {
	r := auth.Request{
		Method: "POST", ContentType: "application/json", Date: "Fri, 06 Jun 2014 13:39:43 GMT",
		Header: map[string][]string{
			"X-Gcs-B":       {"  padded \t"},
			"x-gcs-a":       {"first\r\n  second", "third"},
			"X-GCS-C":       {"a\n\tb\r\n c"},
			"X-Other":       {"not signed"},
			"Authorization": {"not signed"},
		},
		Target: "/v1/1234/sessions?x=a%2Fb",
	}
	want := "POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n" +
		"x-gcs-a:first second,third\nx-gcs-b:padded\nx-gcs-c:a b c\n/v1/1234/sessions?x=a%2Fb\n"
	if got := r.StringToSign(); got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
}

// goSDKResource is how the official Go server SDK (connect-sdk-go,
// DefaultAuthenticator.toCanonicalizedResource) canonicalises the URL it
// signs: the escaped path, then "?" and url.QueryUnescape of the raw query.
func goSDKResource(u *url.URL) string {
	s := u.EscapedPath()
	if u.RawQuery != "" {
		q, err := url.QueryUnescape(u.RawQuery)
		if err != nil {
			return s
		}
		s += "?" + q
	}
	return s
}

func TestGoSDKTarget(t *testing.T) {
	tests := []struct {
		target, want string
		ok           bool
	}{
		{"/v1/1234/sessions?probe=a%20b", "/v1/1234/sessions?probe=a b", true},
		{"/v1/1234/sessions?probe=a+b", "/v1/1234/sessions?probe=a b", true},
		{"/v1/1234/sessions?x=a%2Fb&y=%C3%A9", "/v1/1234/sessions?x=a/b&y=é", true},
		{"/v1/1234/sessions?x=plain", "/v1/1234/sessions?x=plain", false},
		{"/v1/1234/sessions", "/v1/1234/sessions", false},
		{"/v1/1234/sessions?", "/v1/1234/sessions?", false},
		{"/v1/1234/sessions?x=%zz", "/v1/1234/sessions?x=%zz", false},
		{"/v1/a%20b/sessions?q=%41", "/v1/a%20b/sessions?q=A", true}, // the path stays escaped
	}
	for _, tt := range []struct {
		target, want string
		ok           bool
	}{
		{"/v1/1234/sessions?probe=a%20b", "/v1/1234/sessions?probe=a b", true},
		{"/v1/1234/sessions?probe=a+b", "/v1/1234/sessions?probe=a+b", false},
		{"/v1/1234/sessions?probe=a%2Bb+c", "/v1/1234/sessions?probe=a+b+c", true},
		{"/v1/1234/sessions", "/v1/1234/sessions", false},
		{"/v1/1234/sessions?x=%zz", "/v1/1234/sessions?x=%zz", false},
	} {
		got, ok := auth.JavaSDKTarget(tt.target)
		if got != tt.want || ok != tt.ok {
			t.Errorf("JavaSDKTarget(%q) = %q, %t; want %q, %t", tt.target, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range tests {
		got, ok := auth.GoSDKTarget(tt.target)
		if got != tt.want || ok != tt.ok {
			t.Errorf("GoSDKTarget(%q) = %q, %t; want %q, %t", tt.target, got, ok, tt.want, tt.ok)
		}
	}
}

// TestVerifyBothCanonicalisations: one request, signed as the Node SDK
// signs (raw target), as the Go SDK signs (unescaped query) and as the
// Java SDK signs (%XX decoded, "+" kept), is valid each way; a signature
// over anything else is not.
func TestVerifyBothCanonicalisations(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	v := newVerifier(t, now)
	// What the Go SDK builds and sends for a query parameter "a b".
	u := &url.URL{Path: "/v1/1234/sessions", RawQuery: url.Values{"probe": {"a b"}}.Encode()}
	sent := u.RequestURI() // the request target on the wire: /v1/1234/sessions?probe=a+b
	if got := goSDKResource(u); got != "/v1/1234/sessions?probe=a b" {
		t.Fatalf("the Go SDK model signs %q", got)
	}
	base := auth.Request{Method: "GET", ContentType: "application/json", Date: now.Format(httpDate),
		Header: map[string][]string{"X-Gcs-Servermetainfo": {"meta"}}, Target: sent}
	signedOver := func(target string) string {
		r := base
		r.Target = target
		return auth.Sign("k1", []byte("s1"), r)
	}
	tests := []struct {
		name, auth string
		ok         bool
	}{
		{"Node SDK: the raw target", signedOver(sent), true},
		{"Go SDK: escaped path, unescaped query", signedOver(goSDKResource(u)), true},
		{"another query", signedOver("/v1/1234/sessions?probe=a c"), false},
		{"the path alone", signedOver("/v1/1234/sessions"), false},
		{"the query re-escaped otherwise", signedOver("/v1/1234/sessions?probe=a%20b"), false},
	}
	// A query with both kinds of escape: the three forms differ.
	mixed := base
	mixed.Target = "/v1/1234/sessions?probe=a%2Bb+c"
	signedMixed := func(target string) string {
		r := mixed
		r.Target = target
		return auth.Sign("k1", []byte("s1"), r)
	}
	for name, tt := range map[string]struct {
		auth string
		ok   bool
	}{
		"mixed, raw":                   {signedMixed("/v1/1234/sessions?probe=a%2Bb+c"), true},
		"mixed, Go SDK (+ is a space)": {signedMixed("/v1/1234/sessions?probe=a+b c"), true},
		"mixed, Java SDK (+ is kept)":  {signedMixed("/v1/1234/sessions?probe=a+b+c"), true},
		"mixed, all spaces":            {signedMixed("/v1/1234/sessions?probe=a b c"), false},
	} {
		if _, err := v.Verify(t.Context(), "1234", tt.auth, mixed); (err == nil) != tt.ok {
			t.Errorf("%s: Verify = %v, want ok %t", name, err, tt.ok)
		}
	}
	for _, tt := range tests {
		_, err := v.Verify(t.Context(), "1234", tt.auth, base)
		if (err == nil) != tt.ok {
			t.Errorf("%s: Verify = %v, want ok %t", tt.name, err, tt.ok)
		}
	}
}

func newVerifier(t *testing.T, now time.Time, opts ...auth.VerifierOption) *auth.Verifier {
	t.Helper()
	keys := auth.StaticKeys{"k1": {Secret: "s1", Merchants: []string{"1234"}}}
	v, err := auth.NewVerifier(keys, append([]auth.VerifierOption{auth.WithClock(func() time.Time { return now })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	v := newVerifier(t, now)
	newReq := func(date time.Time) auth.Request {
		return auth.Request{Method: "POST", ContentType: "application/json", Date: date.Format(httpDate),
			Header: map[string][]string{"X-Gcs-Servermetainfo": {"meta"}}, Target: "/v1/1234/sessions?x=a%2Fb"}
	}
	type tc struct {
		name     string
		auth     string
		req      auth.Request
		merchant string
		want     *sderrors.Error
	}
	good := newReq(now)
	goodAuth := auth.Sign("k1", []byte("s1"), good)
	changed := func(f func(*auth.Request)) auth.Request {
		r := newReq(now)
		r.Header = map[string][]string{"X-Gcs-Servermetainfo": {"meta"}}
		f(&r)
		return r
	}
	edge := newReq(now.Add(-auth.DefaultClockSkew))
	old := newReq(now.Add(-auth.DefaultClockSkew - time.Second))
	future := newReq(now.Add(auth.DefaultClockSkew + time.Second))
	rfc850 := changed(func(r *auth.Request) { r.Date = now.Format(time.RFC850) })
	asctime := changed(func(r *auth.Request) { r.Date = now.Format(time.ANSIC) })
	badDate := changed(func(r *auth.Request) { r.Date = "yesterday" })
	tests := []tc{
		{"valid", goodAuth, good, "1234", nil},
		{"valid at the edge of the skew window", auth.Sign("k1", []byte("s1"), edge), edge, "1234", nil},
		{"valid with an RFC 850 date", auth.Sign("k1", []byte("s1"), rfc850), rfc850, "1234", nil},
		{"valid with an asctime date", auth.Sign("k1", []byte("s1"), asctime), asctime, "1234", nil},
		{"missing header", "", good, "1234", sderrors.ErrUnauthorized},
		{"other scheme", "Bearer x", good, "1234", sderrors.ErrUnauthorized},
		{"no signature", "GCS v1HMAC:k1", good, "1234", sderrors.ErrUnauthorized},
		{"empty key id", "GCS v1HMAC::" + strings.TrimPrefix(goodAuth, "GCS v1HMAC:k1:"), good, "1234", sderrors.ErrUnauthorized},
		{"wrong secret", auth.Sign("k1", []byte("s2"), good), good, "1234", sderrors.ErrUnauthorized},
		{"unknown key", auth.Sign("k9", []byte("s1"), good), good, "1234", sderrors.ErrUnauthorized},
		{"date too old", auth.Sign("k1", []byte("s1"), old), old, "1234", sderrors.ErrUnauthorized},
		{"date in the future", auth.Sign("k1", []byte("s1"), future), future, "1234", sderrors.ErrUnauthorized},
		{"unparsable date", auth.Sign("k1", []byte("s1"), badDate), badDate, "1234", sderrors.ErrUnauthorized},
		{"signed header changed after signing", goodAuth,
			changed(func(r *auth.Request) { r.Header["X-Gcs-Servermetainfo"] = []string{"other"} }), "1234", sderrors.ErrUnauthorized},
		{"X-GCS header added after signing", goodAuth,
			changed(func(r *auth.Request) { r.Header["X-Gcs-Idempotence-Key"] = []string{"k"} }), "1234", sderrors.ErrUnauthorized},
		{"path changed after signing", goodAuth,
			changed(func(r *auth.Request) { r.Target = "/v1/1234/sessions?x=a/c" }), "1234", sderrors.ErrUnauthorized},
		{"method changed after signing", goodAuth,
			changed(func(r *auth.Request) { r.Method = "DELETE" }), "1234", sderrors.ErrUnauthorized},
		{"content type changed after signing", goodAuth,
			changed(func(r *auth.Request) { r.ContentType = "text/plain" }), "1234", sderrors.ErrUnauthorized},
		{"key without the merchant", goodAuth, good, "9999", sderrors.ErrMerchantNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyID, err := v.Verify(t.Context(), tt.merchant, tt.auth, tt.req)
			switch {
			case tt.want == nil && (err != nil || keyID != "k1"):
				t.Fatalf("Verify = %q, %v; want k1, nil", keyID, err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestVerifyRefusalReasons: every refusal wraps the RefusalError that names the
// check that failed (errors.Is and RefusalReason reach it), for the
// gateway's logs; the wire answer is the same for all (only the replay's
// message differs, as before), and no refusal's text holds the signature,
// the secret or the key id.
func TestVerifyRefusalReasons(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	v := newVerifier(t, now)
	req := func(f func(*auth.Request)) auth.Request {
		r := auth.Request{Method: "POST", ContentType: "application/json", Date: now.Format(httpDate),
			Header: map[string][]string{"X-Gcs-Servermetainfo": {"meta"}}, Target: "/v1/1234/sessions"}
		if f != nil {
			f(&r)
		}
		return r
	}
	good := req(nil)
	secret := []byte("s1")
	withoutNewline := func(r auth.Request) string {
		s := r.StringToSign()
		return "GCS v1HMAC:k1:" + auth.Signature(secret, strings.TrimSuffix(s, "\n"))
	}
	signedAs := func(f func(*auth.Request)) string { return auth.Sign("k1", secret, req(f)) }
	tests := []struct {
		name, auth string
		req        auth.Request
		merchant   string
		want       *auth.RefusalError
	}{
		{"no header", "", good, "1234", auth.ErrMissingAuthorization},
		{"v1Client on the Server API", auth.ClientAuthorization("abc"), good, "1234", auth.ErrBadScheme},
		{"no signature", "GCS v1HMAC:k1:", good, "1234", auth.ErrMalformedAuthorization},
		{"no Date", auth.Sign("k1", secret, req(func(r *auth.Request) { r.Date = "" })), req(func(r *auth.Request) { r.Date = "" }), "1234", auth.ErrMissingDate},
		{"Date not a date", signedAs(func(r *auth.Request) { r.Date = "now" }), req(func(r *auth.Request) { r.Date = "now" }), "1234", auth.ErrBadDate},
		{"stale Date", signedAs(func(r *auth.Request) { r.Date = now.Add(-time.Hour).Format(httpDate) }),
			req(func(r *auth.Request) { r.Date = now.Add(-time.Hour).Format(httpDate) }), "1234", auth.ErrDateSkew},
		{"unknown key", auth.Sign("k9", secret, good), good, "1234", auth.ErrUnknownKey},
		{"unknown key, signed without the final newline", strings.Replace(withoutNewline(good), ":k1:", ":k9:", 1), good, "1234", auth.ErrUnknownKey},
		{"wrong secret", auth.Sign("k1", []byte("s2"), good), good, "1234", auth.ErrSignatureMismatch},
		{"signed without the final newline", withoutNewline(good), good, "1234", auth.ErrSignedWithoutFinalNewline},
		{"signed application/json, sent form-urlencoded (curl -d)", auth.Sign("k1", secret, good),
			req(func(r *auth.Request) { r.ContentType = "application/x-www-form-urlencoded" }), "1234", auth.ErrContentTypeNotSigned},
		{"signed without Content-Type, sent application/json", signedAs(func(r *auth.Request) { r.ContentType = "" }), good, "1234", auth.ErrContentTypeNotSigned},
		{"path changed", auth.Sign("k1", secret, good), req(func(r *auth.Request) { r.Target = "/v1/1234/sessions/x" }), "1234", auth.ErrSignatureMismatch},
		{"key without the merchant", auth.Sign("k1", secret, good), good, "9999", auth.ErrKeyNotForMerchant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.merchant, tt.auth, tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v (reason %q), want the refusal %q", err, auth.RefusalReason(err), tt.want.Reason())
			}
			if got := auth.RefusalReason(err); got != tt.want.Reason() {
				t.Errorf("RefusalReason = %q, want %q", got, tt.want.Reason())
			}
			wantWire := sderrors.ErrUnauthorized
			if tt.want == auth.ErrKeyNotForMerchant {
				wantWire = sderrors.ErrMerchantNotAllowed
			}
			got := sderrors.ToResponse(err).Errors[0]
			want := sderrors.ToResponse(wantWire).Errors[0]
			if got != want {
				t.Errorf("wire error = %+v, want the same as for any refusal: %+v", got, want)
			}
			if _, sig, _ := strings.Cut(strings.TrimPrefix(tt.auth, auth.V1HMACPrefix), ":"); sig != "" && strings.Contains(tt.want.Error(), sig) {
				t.Errorf("the refusal's text holds the signature: %v", tt.want)
			}
		})
	}
	if !errors.Is(auth.ErrSignedWithoutFinalNewline, auth.ErrSignatureMismatch) || !errors.Is(auth.ErrContentTypeNotSigned, auth.ErrSignatureMismatch) {
		t.Error("the narrowed signature refusals are not ErrSignatureMismatch")
	}
	if errors.Is(auth.ErrDateSkew, auth.ErrSignatureMismatch) {
		t.Error("ErrDateSkew is ErrSignatureMismatch")
	}
	if auth.RefusalReason(nil) != "" || auth.RefusalReason(sderrors.ErrUnavailable) != "" {
		t.Error("RefusalReason of a non-refusal is not empty")
	}
}

// failingKeys fails every lookup.
type failingKeys struct{}

func (failingKeys) APIKey(context.Context, string, string) (auth.APIKey, error) {
	return auth.APIKey{}, errors.New("key store down")
}

func TestVerifyKeyStoreFails(t *testing.T) {
	now := time.Now()
	v, err := auth.NewVerifier(failingKeys{})
	if err != nil {
		t.Fatal(err)
	}
	r := auth.Request{Method: "POST", Date: now.UTC().Format(httpDate), Target: "/v1/1234/sessions"}
	_, err = v.Verify(t.Context(), "1234", auth.Sign("k1", []byte("s1"), r), r)
	if !errors.Is(err, sderrors.ErrUnavailable) || !sderrors.Find(err).Retryable() {
		t.Errorf("Verify with a failing key store = %v, want a retryable ErrUnavailable", err)
	}
	if strings.Contains(sderrors.ToResponse(err).Errors[0].Message, "key store down") {
		t.Errorf("the wire message holds the internal cause: %+v", sderrors.ToResponse(err))
	}
}

func TestNewVerifierRejects(t *testing.T) {
	keys := auth.StaticKeys{}
	for name, f := range map[string]func() (*auth.Verifier, error){
		"nil keys":   func() (*auth.Verifier, error) { return auth.NewVerifier(nil) },
		"nil clock":  func() (*auth.Verifier, error) { return auth.NewVerifier(keys, auth.WithClock(nil)) },
		"tiny skew":  func() (*auth.Verifier, error) { return auth.NewVerifier(keys, auth.WithClockSkew(time.Millisecond)) },
		"nil replay": func() (*auth.Verifier, error) { return auth.NewVerifier(keys, auth.WithReplayGuard(nil)) },
		"nil option": func() (*auth.Verifier, error) { return auth.NewVerifier(keys, nil) },
	} {
		if _, err := f(); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: err = %v, want ErrInvalidConfiguration", name, err)
		}
	}
	// Every problem at once, each naming its option.
	_, err := auth.NewVerifier(nil, auth.WithClock(nil), auth.WithClockSkew(0))
	for _, p := range []string{"keys", "clock", "clockSkew"} {
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("NewVerifier with three problems = %v, want one naming %s", err, p)
		}
	}
}

func TestClockSkew(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	v := newVerifier(t, now, auth.WithClockSkew(time.Minute))
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{{-time.Minute, true}, {time.Minute, true}, {-61 * time.Second, false}, {61 * time.Second, false}} {
		r := auth.Request{Method: "POST", Date: now.Add(tt.offset).Format(httpDate), Target: "/v1/1234/sessions"}
		if _, err := v.Verify(t.Context(), "1234", auth.Sign("k1", []byte("s1"), r), r); (err == nil) != tt.ok {
			t.Errorf("Date %v from now: err = %v, want ok %t", tt.offset, err, tt.ok)
		}
	}
}

// TestReplay: without a guard a replay inside the window passes, as on the
// platform; with one, the same (key id, signature) passes once, until the
// window of its Date ends.
func TestReplay(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	r := auth.Request{Method: "POST", ContentType: "application/json", Date: now.Format(httpDate), Target: "/v1/1234/sessions"}
	header := auth.Sign("k1", []byte("s1"), r)

	open := newVerifier(t, now)
	for i := range 3 {
		if _, err := open.Verify(t.Context(), "1234", header, r); err != nil {
			t.Fatalf("without a guard, use %d: %v", i+1, err)
		}
	}

	clock := now
	g := auth.NewMemoryReplayGuard(0)
	keys := auth.StaticKeys{"k1": {Secret: "s1", Merchants: []string{"1234"}}}
	guarded, err := auth.NewVerifier(keys, auth.WithClock(func() time.Time { return clock }), auth.WithReplayGuard(g))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guarded.Verify(t.Context(), "1234", header, r); err != nil {
		t.Fatalf("first use: %v", err)
	}
	_, err = guarded.Verify(t.Context(), "1234", header, r)
	if !errors.Is(err, sderrors.ErrUnauthorized) {
		t.Fatalf("replay: err = %v, want 401 ErrUnauthorized", err)
	}
	// A wrong signature is refused before the guard sees it: it fills nothing.
	if _, err := guarded.Verify(t.Context(), "1234", "GCS v1HMAC:k1:bm9wZQ==", r); !errors.Is(err, sderrors.ErrUnauthorized) || g.Len() != 1 {
		t.Fatalf("wrong signature: err = %v, guard holds %d; want 401 and 1", err, g.Len())
	}
	// Another request (another Date) is another signature.
	r2 := r
	r2.Date = now.Add(time.Second).Format(httpDate)
	if _, err := guarded.Verify(t.Context(), "1234", auth.Sign("k1", []byte("s1"), r2), r2); err != nil {
		t.Fatalf("a new request: %v", err)
	}
}

func TestMemoryReplayGuard(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	g := auth.NewMemoryReplayGuard(2)
	use := func(id string, exp, at time.Time) (bool, error) { return g.FirstUse(t.Context(), id, exp, at) }
	if ok, err := use("a", now.Add(time.Minute), now); !ok || err != nil {
		t.Fatalf("a: %t %v", ok, err)
	}
	if ok, _ := use("a", now.Add(time.Minute), now.Add(59*time.Second)); ok {
		t.Error("a again inside its window: first use")
	}
	if ok, _ := use("a", now.Add(2*time.Minute), now.Add(time.Minute)); !ok {
		t.Error("a again after its window: not a first use")
	}
	if ok, err := use("b", now.Add(3*time.Minute), now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("b: %t %v", ok, err)
	}
	// Full of live ids: refuse, retryable, never forget a live one.
	if ok, err := use("c", now.Add(3*time.Minute), now.Add(time.Minute)); ok || !errors.Is(err, sderrors.ErrUnavailable) {
		t.Errorf("c on a full guard: %t %v; want false and ErrUnavailable", ok, err)
	}
	// Once a's record expired, c fits.
	if ok, err := use("c", now.Add(4*time.Minute), now.Add(2*time.Minute)); !ok || err != nil {
		t.Errorf("c after a expired: %t %v", ok, err)
	}
	if ok, _ := use("b", now.Add(3*time.Minute), now.Add(2*time.Minute)); ok {
		t.Error("b forgotten while live")
	}
}

func TestMemoryReplayGuardConcurrent(t *testing.T) {
	g := auth.NewMemoryReplayGuard(0)
	now := time.Now()
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if ok, err := g.FirstUse(context.Background(), "same", now.Add(time.Minute), now); ok && err == nil {
				firsts.Add(1)
			}
		})
	}
	testwait.Group(t, &wg, time.Minute, "the concurrent first uses")
	if firsts.Load() != 1 {
		t.Errorf("%d first uses of one id, want exactly 1", firsts.Load())
	}
}

// ExampleSign signs a create-session call as a merchant's server does.
func ExampleSign() {
	r := auth.Request{
		Method:      "POST",
		ContentType: "application/json",
		Date:        "Fri, 06 Jun 2014 13:39:43 GMT",
		Target:      "/v1/1234/sessions",
	}
	fmt.Printf("%q\n", r.StringToSign())
	fmt.Println(auth.Sign("testKeyId", []byte("testSecretApiKey"), r))
	// Output:
	// "POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n/v1/1234/sessions\n"
	// GCS v1HMAC:testKeyId:9oC2KGQezH3ZGJ5O0V13+YIWiQ3UMyghXQEmmbnpVpY=
}

// TestValidKeyID: the one definition of an API key id in the v1HMAC
// header; data loaders call it too.
func TestValidKeyID(t *testing.T) {
	for id, want := range map[string]bool{
		"testKeyId": true, "k": true, "~!-_.": true,
		"": false, "k:1": false, "k 1": false, "k\t": false, "é": false, "k\x7f": false,
	} {
		if got := auth.ValidKeyID(id); got != want {
			t.Errorf("ValidKeyID(%q) = %v; want %v", id, got, want)
		}
	}
}
