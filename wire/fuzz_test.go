package wire_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire"
)

// FuzzDecodeDecryptRequest: any body gives a request or a 4xx-kind error,
// never a panic.
func FuzzDecodeDecryptRequest(f *testing.F) {
	f.Add([]byte(`{"encryptedCustomerInput":"a.b.c.d.e"}`))                      // valid
	f.Add([]byte(`{}`))                                                          // missing member
	f.Add([]byte(`{"encryptedCustomerInput":null}`))                             // null
	f.Add([]byte(`{"encryptedCustomerInput":["x"]}`))                            // wrong type
	f.Add([]byte(`{"encryptedCustomerInput":"x","y":1}`))                        // unknown member
	f.Add([]byte(`{"encryptedCustomerInput":"x"}]`))                             // trailing data
	f.Add([]byte("\xff\xfe"))                                                    // not UTF-8
	f.Add([]byte(`{"EncryptedCustomerInput":"x"}`))                              // name in another case
	f.Add([]byte(`{"encryptedCustomerInput":"x","encryptedCustomerInput":"y"}`)) // named twice
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := wire.DecodeDecryptRequest(body)
		if err != nil {
			if s := sderrors.ToResponse(err).HTTPStatus(); s < 400 || s > 499 {
				t.Fatalf("body %q: status %d, want 4xx", body, s)
			}
			return
		}
		if req.EncryptedCustomerInput == "" {
			t.Fatalf("body %q: accepted without encryptedCustomerInput", body)
		}
	})
}

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
	keys := wire.StaticKeys{"k1": {Secret: "s1", Merchants: []string{"1234"}}}
	v, err := wire.NewVerifier(keys, wire.WithClock(func() time.Time { return now }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth, date, target string) {
		r := wire.Request{Method: "POST", Date: date, Target: target, Header: map[string][]string{"Date": {date}}}
		keyID, err := v.Verify(t.Context(), "1234", auth, r)
		if err == nil {
			raw := wire.Sign("k1", []byte("s1"), r)
			signedAs := func(target string, ok bool) string {
				if !ok {
					return raw
				}
				r2 := r
				r2.Target = target
				return wire.Sign("k1", []byte("s1"), r2)
			}
			goForm := signedAs(wire.GoSDKTarget(target))
			javaForm := signedAs(wire.JavaSDKTarget(target))
			if keyID != "k1" || (auth != raw && auth != goForm && auth != javaForm) {
				t.Fatalf("accepted %q for %q as %q", auth, target, keyID)
			}
			return
		}
		if s := sderrors.ToResponse(err).HTTPStatus(); s != 401 && s != 403 {
			t.Fatalf("status %d, want 401 or 403", s)
		}
	})
}

// FuzzParsePaymentContext: any query gives a valid context or a 400 naming
// a query parameter; never a panic.
func FuzzParsePaymentContext(f *testing.F) {
	f.Add("countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false")
	f.Add("countryCode=NL&currencyCode=EUR&amount=-5")
	f.Add("countryCode=&currencyCode=EUR")
	f.Add("amount=1e3&isRecurring=TRUE")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pc, err := wire.ParsePaymentContext(q)
		if err != nil {
			e := sderrors.Find(err)
			switch {
			case e == nil || e.Kind() != sderrors.KindInvalidArgument:
				t.Fatalf("%q: err = %v, want a 400", raw, err)
			case e.Property() != "countryCode" && e.Property() != "currencyCode" && e.Property() != "amount" && e.Property() != "isRecurring":
				t.Fatalf("%q: property %q is not a query parameter", raw, e.Property())
			}
			return
		}
		if err := pc.Validate(); err != nil {
			t.Fatalf("%q: accepted an invalid context %+v: %v", raw, pc, err)
		}
	})
}

// FuzzMaskPaymentValues: whatever the key and the text around it, a test
// card number in a value never survives, nor does a value under a cvv key.
func FuzzMaskPaymentValues(f *testing.F) {
	f.Add("cardNumber", "", "")
	f.Add("note", "card: ", " thanks")
	f.Add("CVV", "", "")
	f.Add("x", "12", "34")
	f.Add("Card_Number", "\xff", "-")
	const pan = "4012000033330026"
	f.Fuzz(func(t *testing.T, key, before, after string) {
		value := before + pan + after
		for _, v := range wire.MaskPaymentValues([]encryption.PaymentValue{{Key: key, Value: value}, {Key: "cvc2", Value: value}}) {
			if strings.Contains(v.Value, pan) {
				t.Fatalf("key %q value %q: shown as %q", key, value, v.Value)
			}
			if v.Key == "cvc2" {
				t.Fatalf("a security code was kept: %+v", v)
			}
		}
	})
}
