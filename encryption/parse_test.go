package encryption_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"regexp"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

func pemOf(t *testing.T, typ string, der []byte, headers map[string]string) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der})
}

func pkcs8(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// opens checks that k decrypts what is sealed for want's public key.
func opens(t *testing.T, name string, k, want encryption.Key) {
	t.Helper()
	if !k.Private.Equal(want.Private) {
		t.Errorf("%s: parsed key differs from the original", name)
		return
	}
	ks, err := encryption.NewKeySet(k)
	if err != nil {
		t.Fatalf("%s: NewKeySet: %v", name, err)
	}
	if _, err := ks.Open(sealFor(t, encryption.Key{ID: k.ID, Private: want.Private}, samplePayload)); err != nil {
		t.Errorf("%s: a blob for the key does not open with the parsed key: %v", name, err)
	}
}

var derivedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestParsePEM(t *testing.T) {
	a, b := testKeys()
	pkcs1 := pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(a.Private), nil)
	p8 := pemOf(t, "PRIVATE KEY", pkcs8(t, a.Private), map[string]string{"Key-Id": "from-header"})
	bare8 := pemOf(t, "PRIVATE KEY", pkcs8(t, a.Private), nil)

	tests := []struct {
		name   string
		data   []byte
		id     string
		wantID string
	}{
		{"PKCS#1 with id", pkcs1, "2026-11", "2026-11"},
		{"PKCS#8 named by its Key-Id header", p8, "", "from-header"},
		{"the id argument wins over the header", p8, "arg", "arg"},
		{"text around the block", append([]byte("comment\n"), bare8...), "x", "x"},
	}
	for _, tt := range tests {
		k, err := encryption.ParsePEM(tt.data, tt.id)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if k.ID != tt.wantID {
			t.Errorf("%s: id %q; want %q", tt.name, k.ID, tt.wantID)
		}
		opens(t, tt.name, k, a)
	}

	// Unnamed: the id derives from the public key, the same on every load, different per key.
	k1, err := encryption.ParsePEM(bare8, "")
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := encryption.ParsePEM(pkcs1, "")
	kb, _ := encryption.ParsePEM(pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(b.Private), nil), "")
	if !derivedID.MatchString(k1.ID) || k1.ID != k2.ID || k1.ID != encryption.DerivedKeyID(&a.Private.PublicKey) || kb.ID == k1.ID {
		t.Errorf("derived ids %q %q %q; want 32 hex, equal for the same key, different for another", k1.ID, k2.ID, kb.ID)
	}

	// Several blocks: ParsePEMKeys keeps their order, ParsePEM refuses them.
	both := append(pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(b.Private), map[string]string{"Key-Id": "new"}),
		pemOf(t, "PRIVATE KEY", pkcs8(t, a.Private), map[string]string{"Key-Id": "old"})...)
	keys, err := encryption.ParsePEMKeys(both)
	if err != nil || len(keys) != 2 || keys[0].ID != "new" || keys[1].ID != "old" {
		t.Fatalf("ParsePEMKeys = %d keys, %v; want new, old", len(keys), err)
	}
	opens(t, "second block", keys[1], a)
	if _, err := encryption.ParsePEM(both, ""); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("ParsePEM(two blocks) = %v; want ErrInvalidConfiguration", err)
	}
}

func TestParsePEMRejects(t *testing.T) {
	a, _ := testKeys()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(&a.Private.PublicKey)
	good := x509.MarshalPKCS1PrivateKey(a.Private)
	tests := []struct {
		name string
		data []byte
		id   string
	}{
		{"empty", nil, "x"},
		{"not PEM", []byte("-----BEGIN nothing"), "x"},
		{"public key", pemOf(t, "PUBLIC KEY", pubDER, nil), "x"},
		{"certificate type", pemOf(t, "CERTIFICATE", good, nil), "x"},
		{"EC key in PKCS#8", pemOf(t, "PRIVATE KEY", pkcs8(t, ec), nil), "x"},
		{"encrypted PEM", pemOf(t, "RSA PRIVATE KEY", good, map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00"}), "x"},
		{"PKCS#8 block holding PKCS#1", pemOf(t, "PRIVATE KEY", good, nil), "x"},
		{"corrupt DER", pemOf(t, "RSA PRIVATE KEY", good[:len(good)/2], nil), "x"},
		{"1024 bits", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small), nil), "x"},
		{"bad id argument", pemOf(t, "RSA PRIVATE KEY", good, nil), "a b"},
		{"bad Key-Id header", pemOf(t, "RSA PRIVATE KEY", good, map[string]string{"Key-Id": strings.Repeat("k", 65)}), ""},
		{"repeated Key-Id", append(pemOf(t, "RSA PRIVATE KEY", good, map[string]string{"Key-Id": "k"}),
			pemOf(t, "RSA PRIVATE KEY", good, map[string]string{"Key-Id": "k"})...), ""},
	}
	for _, tt := range tests {
		_, err := encryption.ParsePEM(tt.data, tt.id)
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: ParsePEM error = %v; want ErrInvalidConfiguration", tt.name, err)
			continue
		}
		for _, line := range strings.Split(string(tt.data), "\n") {
			if len(line) == 64 && strings.Contains(err.Error(), line[:24]) { // a base64 line of the key
				t.Errorf("%s: error shows key material: %v", tt.name, err)
			}
		}
	}
}

func TestParseJWK(t *testing.T) {
	a, b := testKeys()
	one, _ := json.Marshal(jose.JSONWebKey{Key: a.Private, KeyID: "solo", Algorithm: "RSA-OAEP", Use: "enc"})
	unnamed, _ := json.Marshal(jose.JSONWebKey{Key: a.Private})
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: b.Private, KeyID: "new"}, {Key: a.Private, KeyID: "old"}}})

	keys, err := encryption.ParseJWK(one)
	if err != nil || len(keys) != 1 || keys[0].ID != "solo" {
		t.Fatalf("ParseJWK(one JWK) = %v, %v; want one key named solo", keys, err)
	}
	opens(t, "one JWK", keys[0], a)

	keys, err = encryption.ParseJWK(unnamed)
	if err != nil || len(keys) != 1 || keys[0].ID != encryption.DerivedKeyID(&a.Private.PublicKey) {
		t.Fatalf("ParseJWK(no kid) = %v; want the derived id", err)
	}

	keys, err = encryption.ParseJWK(set)
	if err != nil || len(keys) != 2 || keys[0].ID != "new" || keys[1].ID != "old" {
		t.Fatalf("ParseJWK(set) = %d keys, %v; want new, old in order", len(keys), err)
	}
	opens(t, "set member", keys[1], a)
	ks, err := encryption.NewKeySet(keys[0], keys[1:]...)
	if err != nil || ks.Current().KeyID != "new" {
		t.Errorf("NewKeySet(ParseJWK(set)...) = %v; want current key new", err)
	}
}

func TestParseJWKRejects(t *testing.T) {
	a, _ := testKeys()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	enc := func(v any) []byte {
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	noPrimes := map[string]any{}
	_ = json.Unmarshal(enc(jose.JSONWebKey{Key: a.Private, KeyID: "x"}), &noPrimes)
	for _, m := range []string{"p", "q", "dp", "dq", "qi"} {
		delete(noPrimes, m)
	}
	tests := map[string][]byte{
		"not JSON":            []byte("-----BEGIN RSA PRIVATE KEY-----"),
		"JSON array":          []byte(`[]`),
		"empty set":           []byte(`{"keys":[]}`),
		"public key only":     enc(jose.JSONWebKey{Key: &a.Private.PublicKey, KeyID: "x"}),
		"EC key":              enc(jose.JSONWebKey{Key: ec, KeyID: "x"}),
		"1024 bits":           enc(jose.JSONWebKey{Key: small, KeyID: "x"}),
		"kid with a space":    enc(jose.JSONWebKey{Key: a.Private, KeyID: "a b"}),
		"missing primes":      enc(noPrimes),
		"kid used twice":      enc(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: a.Private, KeyID: "k"}, {Key: a.Private, KeyID: "k"}}}),
		"set with a bad key":  []byte(`{"keys":[{"kty":"RSA","n":"AQAB"}]}`),
		"unknown key type":    []byte(`{"kty":"oct","k":"AAAA","kid":"x"}`),
		"keys is not a array": []byte(`{"keys":{}}`),
	}
	for name, data := range tests {
		_, err := encryption.ParseJWK(data)
		if !errors.Is(err, sderrors.ErrInvalidConfiguration) {
			t.Errorf("%s: ParseJWK error = %v; want ErrInvalidConfiguration", name, err)
		}
	}
}
