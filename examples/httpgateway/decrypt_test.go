package main

import (
	"errors"
	"slices"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
)

func TestMaskedValues(t *testing.T) {
	got := maskedValues(
		[]string{"cardNumber", "expiryDate", "cvv", "cardholderName"},
		[]string{"4012000033330026", "1230", "123", "José Müller"})
	want := []decryptedValue{{"cardNumber", "401200******0026"}, {"expiryDate", "1230"}, {"cardholderName", "José Müller"}}
	if !slices.Equal(got, want) {
		t.Errorf("maskedValues = %v, want %v", got, want)
	}
	for in, want := range map[string]string{
		"4012000033330026":    "401200******0026",
		"3782822463100050000": "378282*********0000",
		"123456789012":        "********9012",
		"1234":                "****",
		"":                    "",
	} {
		if got := maskCardNumber(in); got != want {
			t.Errorf("maskCardNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

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
		_, err := decodeDecryptRequest([]byte(tt.body))
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: err = %v, want nil", tt.body, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || sderrors.As(err).Property() != tt.property {
			t.Errorf("%s: err = %v, want %v at %q", tt.body, err, tt.want, tt.property)
		}
	}
}
