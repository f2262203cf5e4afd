package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/clientsession/engine/wire/auth"
)

// BenchmarkVerify is the v1HMAC check of one Server API call, without and
// with a query (a query costs a second HMAC over the Go SDK's form).
// BenchmarkVerifyFloor is the least any verifier does for the same call:
// one HMAC-SHA256 of the same string to sign, base64 and a constant-time
// compare.
func BenchmarkVerify(b *testing.B) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	keys := auth.StaticKeys{"testKeyId": {Secret: "testSecretApiKey", Merchants: []string{"1234"}}}
	v, err := auth.NewVerifier(keys, auth.WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	for _, target := range []string{"/v1/1234/sessions", "/v1/1234/sessions/0123456789abcdef0123456789abcdef/explain?countryCode=NL&currencyCode=EUR&amount=1000"} {
		r := auth.Request{Method: "POST", ContentType: "application/json", Date: now.Format(httpDate),
			Header: map[string][]string{"X-Gcs-Servermetainfo": {"eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0="}, "Content-Type": {"application/json"}}, Target: target}
		header := auth.Sign("testKeyId", []byte("testSecretApiKey"), r)
		name := "path"
		if len(target) > 20 {
			name = "query"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(b.Context(), "1234", header, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyRefused is a call signed with a wrong secret: the
// refusal costs the diagnosis of the signature (without the final
// newline, with other Content-Types), on refused calls only.
func BenchmarkVerifyRefused(b *testing.B) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	keys := auth.StaticKeys{"testKeyId": {Secret: "testSecretApiKey", Merchants: []string{"1234"}}}
	v, err := auth.NewVerifier(keys, auth.WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	r := auth.Request{Method: "POST", ContentType: "application/json", Date: now.Format(httpDate),
		Header: map[string][]string{"X-Gcs-Servermetainfo": {"eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0="}}, Target: "/v1/1234/sessions"}
	header := auth.Sign("testKeyId", []byte("wrongSecret"), r)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(b.Context(), "1234", header, r); err == nil {
			b.Fatal("a wrong secret was accepted")
		}
	}
}

func BenchmarkVerifyFloor(b *testing.B) {
	s := "POST\napplication/json\nWed, 04 Mar 2026 10:00:00 GMT\nx-gcs-servermetainfo:eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0=\n/v1/1234/sessions\n"
	m := hmac.New(sha256.New, []byte("testSecretApiKey"))
	m.Write([]byte(s))
	want := []byte(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, []byte("testSecretApiKey"))
		m.Write([]byte(s))
		if !hmac.Equal([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), want) {
			b.Fatal("mismatch")
		}
	}
}
