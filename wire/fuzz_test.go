package wire_test

import (
	"net/url"
	"strings"
	"testing"

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
