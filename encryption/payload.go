package encryption

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PaymentValue is one field the consumer entered, e.g. cardNumber.
type PaymentValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Payload is the plaintext of the client's encrypted customer input, as the
// Connect client SDKs make it.
//
// It holds card data (card number, expiry date, CVV). It redacts itself
// when formatted with fmt (%v, %+v, %#v, %s) and when marshalled to JSON,
// showing field keys only; read values with [Payload.Value] or
// PaymentValues, and never log them.
//
// Members the engine does not know are ignored rather than refused: client
// SDKs add device information fields between versions, and refusing them
// would break payments for no safety gain.
type Payload struct {
	ClientSessionID            string          `json:"clientSessionId"`
	Nonce                      string          `json:"nonce"`
	PaymentProductID           int32           `json:"paymentProductId"`
	PaymentValues              []PaymentValue  `json:"paymentValues"`
	Tokenize                   bool            `json:"tokenize"`
	AccountOnFileID            *int            `json:"accountOnFileId,omitempty"`
	CollectedDeviceInformation json.RawMessage `json:"collectedDeviceInformation,omitempty"`
}

// Value returns the value of the payment field key, e.g. "cardNumber".
func (p Payload) Value(key string) (string, bool) {
	for _, v := range p.PaymentValues {
		if v.Key == key {
			return v.Value, true
		}
	}
	return "", false
}

// String shows the payload without any value.
func (p Payload) String() string {
	keys := make([]string, len(p.PaymentValues))
	for i, v := range p.PaymentValues {
		keys[i] = v.Key
	}
	aof := "none"
	if p.AccountOnFileID != nil {
		aof = fmt.Sprint(*p.AccountOnFileID)
	}
	return fmt.Sprintf("encryption.Payload{paymentProductId: %d, paymentValues: [%s] (redacted), tokenize: %t, accountOnFileId: %s}",
		p.PaymentProductID, strings.Join(keys, " "), p.Tokenize, aof)
}

// GoString is String: %#v redacts too.
func (p Payload) GoString() string { return p.String() }

// Format makes every fmt verb print the redacted String.
func (p Payload) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, p.String()) }

// MarshalJSON writes the redacted form, so that a payload logged as JSON
// leaks nothing either.
func (p Payload) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.String())
}
