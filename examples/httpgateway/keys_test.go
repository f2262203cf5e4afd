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
)

func testKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(t, 2048), testKey(t, 2048)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k2)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Key-Id": "current"}, Bytes: x509.MarshalPKCS1PrivateKey(k1)})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k1, KeyID: "a"}, {Key: k2, KeyID: "b"}}}
	jwkSet, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	oneJWK, err := json.Marshal(jose.JSONWebKey{Key: k1, KeyID: "solo"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		raw     string
		wantIDs []string
	}{
		{"PEM, PKCS#1 with Key-Id then PKCS#8", pemFile, []string{"current", derivedKeyID(&k2.PublicKey)}},
		{"JWK set", string(jwkSet), []string{"a", "b"}},
		{"one JWK", string(oneJWK), []string{"solo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kf, err := parseKeys([]byte(tt.raw))
			if err != nil {
				t.Fatalf("parseKeys = %v", err)
			}
			var ids []string
			for _, k := range kf.Keys {
				ids = append(ids, k.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("key ids = %v, want %v", ids, tt.wantIDs)
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
	dup := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Key-Id": "x"}, Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	tests := []struct{ name, raw, want string }{
		{"empty", "", "no key found"},
		{"garbage", "hello", "neither PEM nor JWK"},
		{"small key", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})), "1024 bits"},
		{"public JWK", string(pub), "not an RSA private key"},
		{"certificate block", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})), `type "CERTIFICATE"`},
		{"duplicate id", dup + dup, `key id "x" is used twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseKeys([]byte(tt.raw))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseKeys error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadKeys(t *testing.T) {
	kf, err := loadKeys("")
	if err != nil {
		t.Fatalf("loadKeys(\"\") = %v", err)
	}
	if !kf.Ephemeral || len(kf.Keys) != 1 || kf.Keys[0].Key.N.BitLen() != 2048 {
		t.Errorf("ephemeral key set = %d keys, ephemeral %v, want one 2048-bit ephemeral key", len(kf.Keys), kf.Ephemeral)
	}
	path := filepath.Join(t.TempDir(), "keys.pem")
	k := testKey(t, 2048)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		t.Fatal(err)
	}
	kf, err = loadKeys(path)
	if err != nil || kf.Keys[0].ID != derivedKeyID(&k.PublicKey) {
		t.Fatalf("loadKeys(file) = %+v, %v; want the file's key", kf, err)
	}
}
