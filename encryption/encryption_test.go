package encryption_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

func TestOpenRoundTrip(t *testing.T) {
	a, _ := testKeys()
	ks, err := encryption.NewKeySet(a)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ks.Open(sealFor(t, a, samplePayload))
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientSessionID != "f084372052fb47d9a766ec35bfa0e6bd" || p.Nonce != "0123456789abcdef0123456789abcdef" || p.PaymentProductID != 1 {
		t.Errorf("Open = %+v; fields lost", p)
	}
	if v, ok := p.Value("cardNumber"); !ok || v != "4012000033330026" {
		t.Errorf(`Value("cardNumber") = %q, %v`, v, ok)
	}
	if p.AccountOnFileID != nil {
		t.Errorf("AccountOnFileID = %v; want nil", *p.AccountOnFileID)
	}
}

func TestOpenLatin1AndUTF8(t *testing.T) {
	a, _ := testKeys()
	ks, _ := encryption.NewKeySet(a)
	// What connect-sdk-client-js 6.0.6 sends for "José Müller": Latin-1 bytes.
	latin1 := []byte(`{"clientSessionId":"s","nonce":"n","paymentProductId":1,"paymentValues":[{"key":"cardholderName","value":"Jos` + "\xe9 M\xfcller" + `"}]}`)
	utf8Payload := []byte(`{"clientSessionId":"s","nonce":"n","paymentProductId":1,"paymentValues":[{"key":"cardholderName","value":"José 王"}]}`)
	for name, tc := range map[string]struct {
		plain []byte
		want  string
	}{"latin-1": {latin1, "José Müller"}, "utf-8": {utf8Payload, "José 王"}} {
		p, err := ks.Open(seal(t, a, jose.RSA_OAEP, jose.A256CBC_HS512, tc.plain))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, _ := p.Value("cardholderName"); got != tc.want {
			t.Errorf("%s: cardholderName = %q; want %q", name, got, tc.want)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	a, b := testKeys()
	ks, _ := encryption.NewKeySet(a)
	good := sealFor(t, a, samplePayload)
	parts := strings.Split(good, ".")
	tamper := func(i int) string {
		p := append([]string(nil), parts...)
		raw, _ := base64.RawURLEncoding.DecodeString(p[i])
		raw[len(raw)/2] ^= 0x01
		p[i] = base64.RawURLEncoding.EncodeToString(raw)
		return strings.Join(p, ".")
	}
	noKid := func() string {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RSA-OAEP","enc":"A256CBC-HS512"}`))
		p := append([]string(nil), parts...)
		p[0] = hdr
		return strings.Join(p, ".")
	}
	tests := []struct {
		name string
		in   string
		want *sderrors.Error
	}{
		{"empty", "", sderrors.ErrInvalidEncryptedInput},
		{"garbage", "not a jwe", sderrors.ErrInvalidEncryptedInput},
		{"four parts", strings.Join(parts[:4], "."), sderrors.ErrInvalidEncryptedInput},
		{"bad base64", "a.b.c.d.e", sderrors.ErrInvalidEncryptedInput},
		{"JSON serialization", `{"protected":"x"}`, sderrors.ErrInvalidEncryptedInput},
		{"oversize", strings.Repeat("a", encryption.MaxEncryptedSize+1), sderrors.ErrInvalidEncryptedInput},
		{"unknown kid", sealFor(t, b, samplePayload), sderrors.ErrUnknownKeyID},
		{"no kid", noKid(), sderrors.ErrInvalidEncryptedInput},
		{"RSA-OAEP-256", seal(t, a, jose.RSA_OAEP_256, jose.A256CBC_HS512, []byte(samplePayload)), sderrors.ErrInvalidEncryptedInput},
		{"A128GCM", seal(t, a, jose.RSA_OAEP, jose.A128GCM, []byte(samplePayload)), sderrors.ErrInvalidEncryptedInput},
		{"tampered encrypted key", tamper(1), sderrors.ErrInvalidEncryptedInput},
		{"tampered iv", tamper(2), sderrors.ErrInvalidEncryptedInput},
		{"tampered ciphertext", tamper(3), sderrors.ErrInvalidEncryptedInput},
		{"tampered tag", tamper(4), sderrors.ErrInvalidEncryptedInput},
		{"not JSON", sealFor(t, a, "cardNumber=4012000033330026"), sderrors.ErrInvalidPayload},
		{"JSON of the wrong shape", sealFor(t, a, `{"clientSessionId":1}`), sderrors.ErrInvalidPayload},
		{"trailing data", sealFor(t, a, samplePayload+` {}`), sderrors.ErrInvalidPayload},
		{"no clientSessionId", sealFor(t, a, `{"nonce":"x"}`), sderrors.ErrInvalidPayload},
		// "José 王" as connect-sdk-client-js 6.0.6 encrypts it: é as Latin-1, 王 (U+738B) as its low
		// byte 0x8B with the high byte XOR-ed into the byte before. Valid JSON, unreadable text.
		{"mangled text above U+00FF", sealFor(t, a, `{"clientSessionId":"s","nonce":"n","paymentValues":[{"key":"cardholderName","value":"Jos`+"\xe9S\x8b"+`"}]}`), sderrors.ErrInvalidPayload},
	}
	for _, tt := range tests {
		_, err := ks.Open(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Open error = %v; want %s", tt.name, err, tt.want.ID())
			continue
		}
		if s := sderrors.KindOf(err).HTTPStatus(); s < 400 || s > 499 {
			t.Errorf("%s: status %d; want 4xx", tt.name, s)
		}
		if strings.Contains(err.Error(), "4012000033330026") {
			t.Errorf("%s: error leaks card data: %v", tt.name, err)
		}
	}
}

func TestRotationAndRetire(t *testing.T) {
	a, b := testKeys()
	ks, _ := encryption.NewKeySet(a)
	oldBlob := sealFor(t, a, samplePayload)
	if err := ks.Rotate(b); err != nil {
		t.Fatal(err)
	}
	if ks.Current().KeyID != "key-b" {
		t.Errorf("Current after Rotate = %s; want key-b", ks.Current().KeyID)
	}
	if _, err := ks.Open(oldBlob); err != nil {
		t.Errorf("a blob of the previous key no longer opens after rotation: %v", err)
	}
	if _, err := ks.Open(sealFor(t, b, samplePayload)); err != nil {
		t.Errorf("a blob of the new key does not open: %v", err)
	}
	if err := ks.Retire("key-b"); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("Retire(current) = %v; want ErrInvalidConfiguration", err)
	}
	if err := ks.Retire("key-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Open(oldBlob); !errors.Is(err, sderrors.ErrUnknownKeyID) {
		t.Errorf("Open(retired key's blob) = %v; want ErrUnknownKeyID", err)
	}
}

func TestNewKeySetValidates(t *testing.T) {
	a, _ := testKeys()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	tests := map[string][]encryption.Key{
		"bad id":       {{ID: "a b", Private: a.Private}},
		"empty id":     {{ID: "", Private: a.Private}},
		"nil key":      {{ID: "x"}},
		"1024 bits":    {{ID: "x", Private: small}},
		"duplicate id": {a, {ID: a.ID, Private: a.Private}},
	}
	for name, keys := range tests {
		if _, err := encryption.NewKeySet(keys[0], keys[1:]...); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: NewKeySet error = %v; want ErrInvalidConfiguration", name, err)
		}
	}
}

func TestCurrentIsBase64SPKI(t *testing.T) {
	a, _ := testKeys()
	ks, _ := encryption.NewKeySet(a)
	pub := ks.Current()
	der, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		t.Fatalf("publicKey is not standard base64: %v", err)
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("publicKey is not a DER SubjectPublicKeyInfo: %v", err)
	}
	if !publicOf(a).Equal(parsed) {
		t.Error("publicKey is not the current key")
	}
	body, _ := json.Marshal(pub)
	if !strings.HasPrefix(string(body), `{"keyId":"key-a","publicKey":"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA`) {
		t.Errorf("wire form %s", body)
	}
}

func TestPayloadRedacts(t *testing.T) {
	a, _ := testKeys()
	ks, _ := encryption.NewKeySet(a)
	p, err := ks.Open(sealFor(t, a, samplePayload))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(p)
	out := fmt.Sprintf("%v %+v %#v %s %q", p, p, p, p, p) + string(js) + fmt.Sprint([]any{p})
	for _, secret := range []string{"4012000033330026", "1230", "123\"", "John Doe"} {
		if strings.Contains(out, secret) {
			t.Errorf("formatted payload contains %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "cardNumber") {
		t.Errorf("formatted payload should still name its keys: %s", out)
	}
}
