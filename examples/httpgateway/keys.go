package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/clientsession/engine/encryption"
)

// keyFile holds the encryption keys: the first is current (new blobs are
// made for it), the others still open blobs made under them.
type keyFile struct {
	Keys      []encryption.Key
	Ephemeral bool // generated at start, not read from a file
}

// loadKeys reads the key file at path (see README.md: PEM or JWK), or makes
// one ephemeral RSA-2048 key when path is empty.
func loadKeys(path string) (*keyFile, error) {
	if path == "" {
		k, err := encryption.GenerateKey("ephemeral")
		if err != nil {
			return nil, fmt.Errorf("generating an ephemeral key: %w", err)
		}
		k.ID = encryption.DerivedKeyID(&k.Private.PublicKey)
		return &keyFile{Keys: []encryption.Key{k}, Ephemeral: true}, nil
	}
	raw, err := os.ReadFile(path) //nolint:gosec // the operator names the file on the command line
	if err != nil {
		return nil, readFileError("key file", path, err)
	}
	kf, err := parseKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", describeFile(path), err)
	}
	return kf, nil
}

// parseKeys reads a JWK (a JWK Set or one key) when the first non-blank byte
// is '{', else PEM blocks, with the encryption package's parsers: RSA
// private keys of 2048 bits or more, ids of [A-Za-z0-9._-] (a "Key-Id" PEM
// header or "kid"; derived from the public key when absent), unique.
func parseKeys(raw []byte) (*keyFile, error) {
	var keys []encryption.Key
	var err error
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		keys, err = encryption.ParseJWK(t)
	} else {
		keys, err = encryption.ParsePEMKeys(raw)
	}
	if err != nil {
		return nil, err
	}
	return &keyFile{Keys: keys}, nil
}
