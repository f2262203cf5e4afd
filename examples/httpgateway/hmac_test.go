package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
)

// The vendor's own v1HMAC test vectors (wire-contract §1.5).
func TestStringToSignVectors(t *testing.T) {
	tests := []struct {
		name, method, contentType, secret, want string
		headers                                 http.Header
	}{
		{
			name: "DELETE with X-GCS headers", method: "DELETE", contentType: "application/json",
			secret: "secretApiKey", want: "VfnXpPBQQoHZivTcAg0JvOWkhnzlPnaCPKpTQn/uMJM=",
			headers: http.Header{
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
			headers: http.Header{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stringToSign(tt.method, tt.contentType, "Fri, 06 Jun 2014 13:39:43 GMT", tt.headers, "/v1/9991/tokens/123456789")
			if got := signV1HMAC([]byte(tt.secret), s); got != tt.want {
				t.Errorf("signature = %s, want %s\nstring to sign:\n%s", got, tt.want, s)
			}
		})
	}
}

func TestFoldHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"  padded \t", "padded"},
		{"first\r\n  second", "first second"},
		{"a\n\tb\r\n c", "a b c"},
	}
	for _, tt := range tests {
		if got := foldHeader(tt.in); got != tt.want {
			t.Errorf("foldHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAuthenticateServer(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	keys := map[string]apiKey{
		"k1": {secret: []byte("s1"), merchants: map[string]bool{"1234": true}},
	}
	sign := func(r *http.Request, keyID, secret string) {
		s := stringToSign(r.Method, r.Header.Get("Content-Type"), r.Header.Get("Date"), r.Header, r.RequestURI)
		r.Header.Set("Authorization", v1HMACPrefix+keyID+":"+signV1HMAC([]byte(secret), s))
	}
	newReq := func(date time.Time) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/v1/1234/sessions?x=a%2Fb", nil)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Date", date.Format(http.TimeFormat))
		r.Header.Set("X-GCS-ServerMetaInfo", "meta")
		return r
	}
	tests := []struct {
		name     string
		prepare  func() *http.Request
		merchant string
		want     *sderrors.Error
	}{
		{"valid", func() *http.Request { r := newReq(now); sign(r, "k1", "s1"); return r }, "1234", nil},
		{"valid at the edge of the skew window", func() *http.Request {
			r := newReq(now.Add(-maxClockSkew))
			sign(r, "k1", "s1")
			return r
		}, "1234", nil},
		{"missing header", func() *http.Request { return newReq(now) }, "1234", sderrors.ErrUnauthorized},
		{"other scheme", func() *http.Request {
			r := newReq(now)
			r.Header.Set("Authorization", "Bearer x")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"wrong secret", func() *http.Request { r := newReq(now); sign(r, "k1", "s2"); return r }, "1234", sderrors.ErrUnauthorized},
		{"unknown key", func() *http.Request { r := newReq(now); sign(r, "k9", "s1"); return r }, "1234", sderrors.ErrUnauthorized},
		{"date too old", func() *http.Request {
			r := newReq(now.Add(-maxClockSkew - time.Second))
			sign(r, "k1", "s1")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"date in the future", func() *http.Request {
			r := newReq(now.Add(maxClockSkew + time.Second))
			sign(r, "k1", "s1")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"unparsable date", func() *http.Request {
			r := newReq(now)
			r.Header.Set("Date", "yesterday")
			sign(r, "k1", "s1")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"signed header changed after signing", func() *http.Request {
			r := newReq(now)
			sign(r, "k1", "s1")
			r.Header.Set("X-GCS-ServerMetaInfo", "other")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"path changed after signing", func() *http.Request {
			r := newReq(now)
			sign(r, "k1", "s1")
			r.RequestURI = "/v1/1234/sessions?x=a/b"
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"content type changed after signing", func() *http.Request {
			r := newReq(now)
			sign(r, "k1", "s1")
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, "1234", sderrors.ErrUnauthorized},
		{"key without the merchant", func() *http.Request { r := newReq(now); sign(r, "k1", "s1"); return r }, "9999", sderrors.ErrMerchantNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := authenticateServer(tt.prepare(), keys, tt.merchant, now)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
