package wire_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
)

func TestDecodeDecryptRequest(t *testing.T) {
	tests := []struct {
		body     string
		want     *sderrors.Error
		property string
	}{
		{`{"encryptedCustomerInput":"a.b.c.d.e"}`, nil, ""},
		{`{}`, sderrors.ErrParameterNotFound, "encryptedCustomerInput"},
		{`{"encryptedCustomerInput":""}`, sderrors.ErrParameterNotFound, "encryptedCustomerInput"},
		{`{"encryptedCustomerInput":5}`, sderrors.ErrInvalidType, "encryptedCustomerInput"},
		{`{"encryptedCustomerInput":"x","other":1}`, sderrors.ErrUnknownProperty, "other"},
		{`{"encryptedCustomerInput":"x"} {}`, sderrors.ErrInvalidJSON, ""},
		{`nope`, sderrors.ErrInvalidJSON, ""},
		{``, sderrors.ErrInvalidJSON, ""},
		{`null`, sderrors.ErrNullNotAllowed, ""},
		{`["x"]`, sderrors.ErrInvalidType, ""},
		{`{"encryptedCustomerInput":null}`, sderrors.ErrNullNotAllowed, "encryptedCustomerInput"},
		{`{"encryptedCustomerInput":["x"]}`, sderrors.ErrInvalidType, "encryptedCustomerInput"},
		{`{"EncryptedCustomerInput":"x"}`, sderrors.ErrUnknownProperty, "EncryptedCustomerInput"},
		{`{"encryptedCustomerInput":"x","encryptedCustomerInput":"y"}`, sderrors.ErrInvalidJSON, "encryptedCustomerInput"},
		{` {"encryptedCustomerInput":"a.b.c.d.e"}` + "\n", nil, ""},
	}
	for _, tt := range tests {
		req, err := wire.DecodeDecryptRequest([]byte(tt.body))
		if tt.want == nil {
			if err != nil || req.EncryptedCustomerInput != "a.b.c.d.e" {
				t.Errorf("%s: %+v, %v; want a.b.c.d.e", tt.body, req, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || sderrors.Find(err).Property() != tt.property {
			t.Errorf("%s: err = %v, want %v at %q", tt.body, err, tt.want, tt.property)
		}
	}
}

func pv(kv ...string) []encryption.PaymentValue {
	var out []encryption.PaymentValue
	for i := 0; i < len(kv); i += 2 {
		out = append(out, encryption.PaymentValue{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestMaskPaymentValues(t *testing.T) {
	got := wire.MaskPaymentValues(pv("cardNumber", "4012000033330026", "expiryDate", "1230", "cvv", "123", "cardholderName", "José Müller"))
	want := []wire.DecryptedValue{{Key: "cardNumber", Value: "401200******0026"}, {Key: "expiryDate", Value: "1230"}, {Key: "cardholderName", Value: "José Müller"}}
	if !slices.Equal(got, want) {
		t.Errorf("MaskPaymentValues = %v, want %v", got, want)
	}
	for in, want := range map[string]string{
		"4012000033330026":    "401200******0026",
		"4012 0000 3333 0026": "401200******0026",
		"4012-0000-3333-0026": "401200******0026",
		"3782822463100050000": "378282*********0000",
		"123456789012":        "********9012",
		"1234":                "****",
		"":                    "",
		"not a number":        "********mber",
	} {
		if got := wire.MaskCardNumber(in); got != want {
			t.Errorf("MaskCardNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskPaymentValuesKeySpellings: a security code is left out and a
// card number masked under any spelling of the key.
func TestMaskPaymentValuesKeySpellings(t *testing.T) {
	for _, k := range []string{"cvv", "CVV", "Cvv2", "cvc", "CVC2", "cvn", "csc", "cid", "CVD", "securityCode",
		"card_security_code", "Card-Verification-Code", "cardCode", "card.cvv", " cvv "} {
		if got := wire.MaskPaymentValues(pv(k, "123")); len(got) != 0 {
			t.Errorf("key %q kept: %v", k, got)
		}
	}
	for _, k := range []string{"cardNumber", "cardnumber", "CARDNUMBER", "card_number", "card-number", "creditCardNumber",
		"cardNo", "ccnum", "CCNumber", "pan", "PAN"} {
		got := wire.MaskPaymentValues(pv(k, "1234567890"))
		if len(got) != 1 || got[0].Value != "******7890" {
			t.Errorf("key %q: %v, want the value masked whatever its shape", k, got)
		}
	}
	// Keys that merely look alike are shown as they are.
	for _, k := range []string{"expiryDate", "cardholderName", "company", "panel"} {
		if got := wire.MaskPaymentValues(pv(k, "x")); len(got) != 1 || got[0].Value != "x" {
			t.Errorf("key %q: %v, want it kept", k, got)
		}
	}
}

// TestMaskPaymentValuesValueShapes: a Luhn-valid number of 12 to 19 digits
// is masked under any key, alone, inside text or glued to other digits;
// runs of digits that hold none are shown.
func TestMaskPaymentValuesValueShapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"4012000033330026", "401200******0026"},
		{"4012 0000 3333 0026", "401200******0026"},
		{"4012-0000-3333-0026", "401200******0026"},
		{"card 4012000033330026 exp 12/30", "card 401200******0026 exp 12/30"},
		{"378282246310005", "378282*****0005"},                 // Amex, 15
		{"4111111111111111110", "411111*********1110"},         // 19
		{"040120000333300260", "040120********0260"},           // a PAN between two digits
		{"111111111111", "111111111111"},                       // 12 digits, no Luhn-valid part
		{"1111111111111111", "1111111111111111"},               // 16 digits, no Luhn-valid part
		{"4012000033330026123", "401200*********6123"},         // 19 digits that pass
		{"40120000333300261234567", "401200*************4567"}, // a PAN glued to other digits
		{"12345678901", "12345678901"},                         // 11 digits
		{"1230", "1230"},
		{"José Müller", "José Müller"},
		{"4012  0000 3333 0026", "4012  0000 3333 0026"}, // double space: not one number, and each part is short
	}
	for _, tt := range tests {
		got := wire.MaskPaymentValues(pv("note", tt.in))
		if len(got) != 1 || got[0].Value != tt.want {
			t.Errorf("value %q: %v, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewSessionResponse(t *testing.T) {
	b, err := json.Marshal(wire.NewSessionResponse(session.CreateResponse{ClientSessionID: "c", CustomerID: "1234-x", Region: "EU"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"assetUrl":"","clientApiUrl":"","clientSessionId":"c","customerId":"1234-x","invalidTokens":[],"region":"EU"}`
	if string(b) != want {
		t.Errorf("SessionResponse = %s, want %s", b, want)
	}
}

func TestNewExplainResponse(t *testing.T) {
	pc := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 100}
	e := session.Explanation{
		Products: []filter.Explanation{{ProductID: 1, Known: true, Available: true, Reason: "available"}, {ProductID: 9, Reason: "unknown product id"}},
		Tokens:   []session.TokenExplanation{{ID: "tok-visa", AccountOnFileID: 1, Shown: true, Reason: "shown"}},
	}
	b, err := json.Marshal(wire.NewExplainResponse(pc, e))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"paymentContext":{"countryCode":"NL","currencyCode":"EUR","amount":100,"isRecurring":false},` +
		`"paymentProducts":[{"id":1,"known":true,"available":true,"reason":"available"},{"id":9,"known":false,"available":false,"reason":"unknown product id"}],` +
		`"tokens":[{"token":"tok-visa","accountOnFileId":1,"shown":true,"reason":"shown"}]}`
	if string(b) != want {
		t.Errorf("ExplainResponse = %s\nwant %s", b, want)
	}
	if b, _ := json.Marshal(wire.NewExplainResponse(pc, session.Explanation{})); !strings.Contains(string(b), `"paymentProducts":[],"tokens":[]`) {
		t.Errorf("empty explanation = %s, want empty lists, not null", b)
	}
}
