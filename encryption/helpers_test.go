package encryption_test

import (
	"crypto/rsa"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
)

// testKeys are generated once: RSA key generation is slow under -race.
var testKeys = sync.OnceValues(func() (encryption.Key, encryption.Key) {
	a, err := encryption.GenerateKey("key-a")
	if err != nil {
		panic(err)
	}
	b, err := encryption.GenerateKey("key-b")
	if err != nil {
		panic(err)
	}
	return a, b
})

// seal encrypts plaintext for key the way the client SDKs do: compact JWE,
// RSA-OAEP + A256CBC-HS512, kid = key id.
func seal(tb testing.TB, key encryption.Key, alg jose.KeyAlgorithm, enc jose.ContentEncryption, plaintext []byte) string {
	tb.Helper()
	var pub any = &key.Private.PublicKey
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: pub, KeyID: key.ID}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := e.Encrypt(plaintext)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func sealFor(tb testing.TB, key encryption.Key, plaintext string) string {
	tb.Helper()
	return seal(tb, key, jose.RSA_OAEP, jose.A256CBC_HS512, []byte(plaintext))
}

const samplePayload = `{"clientSessionId":"f084372052fb47d9a766ec35bfa0e6bd","nonce":"0123456789abcdef0123456789abcdef","tokenize":false,` +
	`"collectedDeviceInformation":{"timezoneOffsetUtcMinutes":0,"locale":"en-US"},"paymentProductId":1,` +
	`"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},{"key":"expiryDate","value":"1230"},{"key":"cvv","value":"123"},{"key":"cardholderName","value":"John Doe"}]}`

func publicOf(k encryption.Key) *rsa.PublicKey { return &k.Private.PublicKey }
