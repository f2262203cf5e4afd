package wire_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
	"github.com/clientsession/engine/wire"
)

// BenchmarkVerify is the v1HMAC check of one Server API call, without and
// with a query (a query costs a second HMAC over the Go SDK's form).
// BenchmarkVerifyFloor is the least any verifier does for the same call:
// one HMAC-SHA256 of the same string to sign, base64 and a constant-time
// compare.
func BenchmarkVerify(b *testing.B) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	keys := wire.StaticKeys{"testKeyId": {Secret: "testSecretApiKey", Merchants: []string{"1234"}}}
	v, err := wire.NewVerifier(keys, wire.WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	for _, target := range []string{"/v1/1234/sessions", "/v1/1234/sessions/0123456789abcdef0123456789abcdef/explain?countryCode=NL&currencyCode=EUR&amount=1000"} {
		r := wire.Request{Method: "POST", ContentType: "application/json", Date: now.Format(httpDate),
			Header: map[string][]string{"X-Gcs-Servermetainfo": {"eyJzZGtDcmVhdG9yIjoiV29ybGRsaW5lIn0="}, "Content-Type": {"application/json"}}, Target: target}
		auth := wire.Sign("testKeyId", []byte("testSecretApiKey"), r)
		name := "path"
		if len(target) > 20 {
			name = "query"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(b.Context(), "1234", auth, r); err != nil {
					b.Fatal(err)
				}
			}
		})
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

// BenchmarkNewPaymentProducts maps a list of five products, one with an
// account on file, with fields (the Client API's products call).
func BenchmarkNewPaymentProducts(b *testing.B) {
	var ps []session.AvailableProduct
	for i := range 5 {
		p := session.AvailableProduct{Product: filter.Product{ID: int32(i + 1), Group: "cards", Label: "VISA", Logo: "l.png", PaymentMethod: "card"}}
		if i == 0 {
			p.AccountsOnFile = []session.AccountOnFile{{ID: 1, Token: token.Token{ID: "t", PaymentProductID: 1, Alias: "************0026",
				CardExpiry: token.Expiry{Month: 12, Year: 2030}}}}
		}
		ps = append(ps, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = wire.NewPaymentProducts(ps, true)
	}
}
