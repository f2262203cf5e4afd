package encryption_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
)

func ExampleKeySet_Open() {
	key, _ := encryption.GenerateKey("2026-11")
	keys, _ := encryption.NewKeySet(key)

	// What a client SDK sends: a compact JWE for the current public key.
	enc, _ := jose.NewEncrypter(jose.A256CBC_HS512,
		jose.Recipient{Algorithm: jose.RSA_OAEP, Key: &key.Private.PublicKey, KeyID: key.ID}, nil)
	obj, _ := enc.Encrypt([]byte(`{"clientSessionId":"f084372052fb47d9a766ec35bfa0e6bd","nonce":"0123456789abcdef0123456789abcdef",` +
		`"paymentProductId":1,"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},{"key":"cvv","value":"123"}]}`))
	blob, _ := obj.CompactSerialize()

	p, err := keys.Open(blob)
	fmt.Println(err)
	fmt.Println(p.ClientSessionID, p.PaymentProductID)
	fmt.Println(p) // card data never shows when formatted
	// Output:
	// <nil>
	// f084372052fb47d9a766ec35bfa0e6bd 1
	// encryption.Payload{paymentProductId: 1, paymentValues: [cardNumber cvv] (redacted), tokenize: false, accountOnFileId: none}
}

func ExampleKeySet_Current() {
	key, _ := encryption.GenerateKey("2026-11")
	keys, _ := encryption.NewKeySet(key)
	pub := keys.Current()
	der, _ := base64.StdEncoding.DecodeString(pub.PublicKey)
	parsed, err := x509.ParsePKIXPublicKey(der)
	rsaKey, _ := parsed.(*rsa.PublicKey)
	fmt.Println(pub.KeyID, err, rsaKey.N.BitLen())
	// Output:
	// 2026-11 <nil> 2048
}

func ExampleParsePEM() {
	// A key file as openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 writes it (PKCS#8);
	// "RSA PRIVATE KEY" (PKCS#1) blocks read too.
	gen, _ := encryption.GenerateKey("unused")
	der, _ := x509.MarshalPKCS8PrivateKey(gen.Private)
	file := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	key, err := encryption.ParsePEM(file, "2026-11")
	fmt.Println(key.ID, err)
	keys, err := encryption.NewKeySet(key)
	fmt.Println(keys.Current().KeyID, err)
	// Output:
	// 2026-11 <nil>
	// 2026-11 <nil>
}

func ExampleParseJWK() {
	// A JWK Set of RSA private keys: kid names each key, the first is current.
	newer, _ := encryption.GenerateKey("unused")
	older, _ := encryption.GenerateKey("unused")
	file, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: newer.Private, KeyID: "2026-11"},
		{Key: older.Private, KeyID: "2026-05"},
	}})

	parsed, err := encryption.ParseJWK(file)
	if err != nil {
		fmt.Println(err)
		return
	}
	keys, err := encryption.NewKeySet(parsed[0], parsed[1:]...)
	fmt.Println(keys.Current().KeyID, keys.KeyIDs(), err)
	// Output:
	// 2026-11 [2026-11 2026-05] <nil>
}
