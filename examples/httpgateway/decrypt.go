package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
)

// decryptRequest is the body of POST .../sessions/{id}/decrypt.
type decryptRequest struct {
	EncryptedCustomerInput string `json:"encryptedCustomerInput"`
}

// decodeDecryptRequest decodes the body strictly: one object, no unknown
// property, encryptedCustomerInput present and a non-empty string.
func decodeDecryptRequest(body []byte) (decryptRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req decryptRequest
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			return decryptRequest{}, sderrors.ErrInvalidType.WithProperty("encryptedCustomerInput").
				WithMessage("encryptedCustomerInput must be a string")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return decryptRequest{}, sderrors.ErrUnknownProperty.WithProperty(name)
		}
		return decryptRequest{}, sderrors.ErrInvalidJSON
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return decryptRequest{}, sderrors.ErrInvalidJSON.WithMessage("trailing data after the JSON object")
	}
	if req.EncryptedCustomerInput == "" {
		return decryptRequest{}, sderrors.ErrParameterNotFound.WithProperty("encryptedCustomerInput")
	}
	return req, nil
}

// decryptedValue is one paymentValues entry of the decrypt answer.
type decryptedValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// maskedValues returns the payment values fit to show: cardNumber keeps
// its first six and last four digits (all but the last four when shorter
// than 14), cvv is left out.
func maskedValues(keys, values []string) []decryptedValue {
	out := make([]decryptedValue, 0, len(keys))
	for i, k := range keys {
		v := values[i]
		switch k {
		case "cvv":
			continue
		case "cardNumber":
			v = maskCardNumber(v)
		}
		out = append(out, decryptedValue{Key: k, Value: v})
	}
	return out
}

// maskCardNumber keeps the first six and last four characters of a card
// number of 14 or more, and only the last four of a shorter one.
func maskCardNumber(n string) string {
	switch {
	case len(n) >= 14:
		return n[:6] + strings.Repeat("*", len(n)-10) + n[len(n)-4:]
	case len(n) > 4:
		return strings.Repeat("*", len(n)-4) + n[len(n)-4:]
	}
	return strings.Repeat("*", len(n))
}
