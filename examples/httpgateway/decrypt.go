package main

import (
	"encoding/json"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/internal/strictjson"
)

// decryptRequest is the body of POST .../sessions/{id}/decrypt.
type decryptRequest struct {
	EncryptedCustomerInput string `json:"encryptedCustomerInput"`
}

// decodeDecryptRequest decodes the body with the library's strict JSON
// walker (internal/strictjson): one object, member names exact and given
// once, no unknown member, encryptedCustomerInput present and a non-empty
// string, never null.
func decodeDecryptRequest(body []byte) (decryptRequest, error) {
	var req decryptRequest
	err := strictjson.Object(body, map[string]strictjson.Member{
		"encryptedCustomerInput": func(raw json.RawMessage) error {
			switch {
			case string(raw) == "null":
				return sderrors.ErrNullNotAllowed.WithMessage("encryptedCustomerInput must be a string, got null")
			case len(raw) == 0 || raw[0] != '"':
				return sderrors.ErrInvalidType.WithMessage("encryptedCustomerInput must be a string")
			}
			if err := json.Unmarshal(raw, &req.EncryptedCustomerInput); err != nil {
				return sderrors.ErrInvalidJSON.WithCause(err)
			}
			return nil
		},
	})
	if err != nil {
		return decryptRequest{}, err
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
