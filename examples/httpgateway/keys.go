package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	jose "github.com/go-jose/go-jose/v4"
)

// minKeyBits is the smallest RSA key the gateway accepts.
const minKeyBits = 2048

// namedKey is an RSA private key with its key id (the JWE "kid").
type namedKey struct {
	ID  string
	Key *rsa.PrivateKey
}

// keyFile holds the encryption keys: the first is current (new blobs are
// made for it), the others still open blobs made under them.
type keyFile struct {
	Keys      []namedKey
	Ephemeral bool // generated at start, not read from a file
}

// loadKeys reads the key file at path (see README.md: PEM or JWK), or makes
// one ephemeral RSA-2048 key when path is empty.
func loadKeys(path string) (*keyFile, error) {
	if path == "" {
		k, err := rsa.GenerateKey(rand.Reader, minKeyBits)
		if err != nil {
			return nil, fmt.Errorf("generating an ephemeral key: %w", err)
		}
		return &keyFile{Keys: []namedKey{{ID: derivedKeyID(&k.PublicKey), Key: k}}, Ephemeral: true}, nil
	}
	raw, err := os.ReadFile(path) //nolint:gosec // the operator names the file on the command line
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	kf, err := parseKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return kf, nil
}

// parseKeys reads PEM blocks or a JWK (a JWK Set or one key), telling them
// apart by the first non-blank byte.
func parseKeys(raw []byte) (*keyFile, error) {
	var keys []namedKey
	var err error
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		keys, err = parseJWK(t)
	} else {
		keys, err = parsePEM(raw)
	}
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no key found")
	}
	seen := map[string]bool{}
	for i, k := range keys {
		if k.Key.N.BitLen() < minKeyBits {
			return nil, fmt.Errorf("key %d (%s): %d bits, at least %d needed", i, k.ID, k.Key.N.BitLen(), minKeyBits)
		}
		if err := k.Key.Validate(); err != nil {
			return nil, fmt.Errorf("key %d (%s): %w", i, k.ID, err)
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("key %d: key id %q is used twice", i, k.ID)
		}
		seen[k.ID] = true
	}
	return &keyFile{Keys: keys}, nil
}

// parsePEM reads "RSA PRIVATE KEY" (PKCS#1) and "PRIVATE KEY" (PKCS#8)
// blocks. A block's "Key-Id" header names its key; without it the id is
// derived from the public key.
func parsePEM(raw []byte) ([]namedKey, error) {
	var keys []namedKey
	for i := 0; ; i++ {
		var block *pem.Block
		block, raw = pem.Decode(raw)
		if block == nil {
			break
		}
		var k *rsa.PrivateKey
		switch block.Type {
		case "RSA PRIVATE KEY":
			pk, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", i, err)
			}
			k = pk
		case "PRIVATE KEY":
			pk, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", i, err)
			}
			rk, ok := pk.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("PEM block %d: not an RSA key", i)
			}
			k = rk
		default:
			return nil, fmt.Errorf("PEM block %d: type %q, want RSA PRIVATE KEY or PRIVATE KEY", i, block.Type)
		}
		id := block.Headers["Key-Id"]
		if id == "" {
			id = derivedKeyID(&k.PublicKey)
		}
		keys = append(keys, namedKey{ID: id, Key: k})
	}
	if len(bytes.TrimSpace(raw)) > 0 && len(keys) == 0 {
		return nil, errors.New("neither PEM nor JWK")
	}
	return keys, nil
}

// parseJWK reads a JWK Set ({"keys": [...]}) or a single JWK. Every key
// must be an RSA private key; "kid" names it (derived when absent).
func parseJWK(raw []byte) ([]namedKey, error) {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("JWK: %w", err)
	}
	var jwks []jose.JSONWebKey
	if probe.Keys != nil {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, fmt.Errorf("JWK set: %w", err)
		}
		jwks = set.Keys
	} else {
		var k jose.JSONWebKey
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("JWK: %w", err)
		}
		jwks = []jose.JSONWebKey{k}
	}
	keys := make([]namedKey, 0, len(jwks))
	for i, j := range jwks {
		k, ok := j.Key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("JWK %d: not an RSA private key", i)
		}
		id := j.KeyID
		if id == "" {
			id = derivedKeyID(&k.PublicKey)
		}
		keys = append(keys, namedKey{ID: id, Key: k})
	}
	return keys, nil
}

// derivedKeyID names a key by the first 16 bytes of the SHA-256 of its
// SubjectPublicKeyInfo, in hex: stable across instances sharing the key.
func derivedKeyID(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "" // an RSA public key always marshals
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:16])
}
