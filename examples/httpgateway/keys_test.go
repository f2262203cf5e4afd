package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
)

func testKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pemBlock(typ, keyID string, der []byte) string {
	b := &pem.Block{Type: typ, Bytes: der}
	if keyID != "" {
		b.Headers = map[string]string{"Key-Id": keyID}
	}
	return string(pem.EncodeToMemory(b))
}

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(t, 2048), testKey(t, 2048)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k2)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := pemBlock("RSA PRIVATE KEY", "current", x509.MarshalPKCS1PrivateKey(k1)) + pemBlock("PRIVATE KEY", "", pkcs8)
	jwkSet, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k1, KeyID: "a"}, {Key: k2}}})
	if err != nil {
		t.Fatal(err)
	}
	oneJWK, err := json.Marshal(jose.JSONWebKey{Key: k1, KeyID: "solo"})
	if err != nil {
		t.Fatal(err)
	}
	derived2 := encryption.DerivedKeyID(&k2.PublicKey)
	tests := []struct {
		name     string
		raw      string
		wantIDs  []string
		wantKeys []*rsa.PrivateKey
	}{
		{"PEM, PKCS#1 with Key-Id then PKCS#8 without", pemFile, []string{"current", derived2}, []*rsa.PrivateKey{k1, k2}},
		{"JWK set, the second without kid", string(jwkSet), []string{"a", derived2}, []*rsa.PrivateKey{k1, k2}},
		{"one JWK after blank lines", "\n  " + string(oneJWK), []string{"solo"}, []*rsa.PrivateKey{k1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf, err := parseKeys([]byte(tt.raw))
			if err != nil {
				t.Fatalf("parseKeys = %v", err)
			}
			if len(kf.Keys) != len(tt.wantKeys) {
				t.Fatalf("parseKeys = %d keys, want %d", len(kf.Keys), len(tt.wantKeys))
			}
			for i, k := range kf.Keys {
				if k.ID != tt.wantIDs[i] {
					t.Errorf("key %d id = %q, want %q", i, k.ID, tt.wantIDs[i])
				}
				if !k.Private.Equal(tt.wantKeys[i]) {
					t.Errorf("key %d is not the file's key %d (order kept: the first is current)", i, i)
				}
			}
			if kf.Ephemeral {
				t.Error("a key file is not ephemeral")
			}
		})
	}
}

func TestParseKeysRejects(t *testing.T) {
	small := testKey(t, 1024)
	k := testKey(t, 2048)
	pub, err := json.Marshal(jose.JSONWebKey{Key: &k.PublicKey, KeyID: "pub"})
	if err != nil {
		t.Fatal(err)
	}
	dup := pemBlock("RSA PRIVATE KEY", "x", x509.MarshalPKCS1PrivateKey(k))
	tests := []struct{ name, raw, want string }{
		{"empty", "", "no PEM block found"},
		{"neither PEM nor JWK", "hello", "no PEM block found"},
		{"malformed JWK", "{", "not a JSON object"},
		{"empty JWK set", `{"keys": []}`, "holds no key"},
		{"small key", pemBlock("RSA PRIVATE KEY", "", x509.MarshalPKCS1PrivateKey(small)), "1024 bits"},
		{"public JWK", string(pub), "not an RSA private key"},
		{"certificate block", pemBlock("CERTIFICATE", "", []byte{1}), `type "CERTIFICATE"`},
		{"key id outside [A-Za-z0-9._-]", pemBlock("RSA PRIVATE KEY", "a b", x509.MarshalPKCS1PrivateKey(k)), "key id is 1 to 64 characters"},
		{"duplicate id", dup + dup, "key id x is used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseKeys([]byte(tt.raw))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseKeys error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY-----") {
				t.Errorf("error holds key material: %v", err)
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	kf, err := loadKeys("")
	if err != nil {
		t.Fatalf("loadKeys(\"\") = %v", err)
	}
	if !kf.Ephemeral || len(kf.Keys) != 1 || kf.Keys[0].Private.N.BitLen() != 2048 ||
		kf.Keys[0].ID != encryption.DerivedKeyID(&kf.Keys[0].Private.PublicKey) {
		t.Errorf("ephemeral key set = %d keys, ephemeral %v, want one 2048-bit ephemeral key with a derived id", len(kf.Keys), kf.Ephemeral)
	}
	path := filepath.Join(t.TempDir(), "keys.pem")
	k := testKey(t, 2048)
	if err := os.WriteFile(path, []byte(pemBlock("RSA PRIVATE KEY", "", x509.MarshalPKCS1PrivateKey(k))), 0o600); err != nil {
		t.Fatal(err)
	}
	kf, err = loadKeys(path)
	if err != nil {
		t.Fatalf("loadKeys(file) = %v", err)
	}
	if kf.Ephemeral || len(kf.Keys) != 1 || kf.Keys[0].ID != encryption.DerivedKeyID(&k.PublicKey) || !kf.Keys[0].Private.Equal(k) {
		t.Errorf("loadKeys(file): %d keys, ephemeral %v; want the file's one key with its derived id", len(kf.Keys), kf.Ephemeral)
	}
	if _, err := loadKeys(filepath.Join(t.TempDir(), "missing.pem")); err == nil || !strings.Contains(err.Error(), "key file") {
		t.Errorf("loadKeys(missing) = %v, want an error naming the key file", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKeys(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("loadKeys(bad) = %v, want an error naming %s", err, bad)
	}
}
