package encryption

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strconv"

	jose "github.com/go-jose/go-jose/v4"

	sderrors "github.com/clientsession/engine/errors"
)

// DerivedKeyID names a key that its file leaves unnamed: the first 16 bytes
// of the SHA-256 of its DER SubjectPublicKeyInfo, in lowercase hex. Every
// instance that loads the same key derives the same id.
func DerivedKeyID(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "" // an RSA public key always marshals; "" fails validation
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:16])
}

// ParsePEM reads one RSA private key in PEM: a block of type
// "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (unencrypted PKCS#8). Its id
// is id when not "", else the block's "Key-Id" header, else
// [DerivedKeyID]. Data holding no block, more than one block, another block
// type, an encrypted PEM block, a key that is not RSA, a key under 2048
// bits or an invalid id is ErrInvalidConfiguration; no error holds key
// material. Several keys in one file are [ParsePEMKeys].
func ParsePEM(data []byte, id string) (Key, error) {
	keys, err := ParsePEMKeys(data)
	if err != nil {
		return Key{}, err
	}
	if len(keys) != 1 {
		return Key{}, sderrors.ErrInvalidConfiguration.WithMessage("encryption: PEM data holds " +
			strconv.Itoa(len(keys)) + " keys; ParsePEM reads exactly one")
	}
	k := keys[0]
	if id != "" {
		k.ID = id
	}
	if err := k.validate(); err != nil {
		return Key{}, err
	}
	return k, nil
}

// ParsePEMKeys reads every PEM block of data as [ParsePEM] reads one, in
// order (the first is meant to be current), each named by its "Key-Id"
// header or [DerivedKeyID]. Text around the blocks is ignored, as PEM
// allows; data without any block is an error.
func ParsePEMKeys(data []byte) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		where := "encryption: PEM block " + strconv.Itoa(len(keys)+1)
		if _, encrypted := block.Headers["Proc-Type"]; encrypted {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage(where + " is encrypted; give an unencrypted key")
		}
		var priv *rsa.PrivateKey
		switch block.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, sderrors.ErrInvalidConfiguration.WithMessage(where + " is not a PKCS#1 RSA private key").WithCause(err)
			}
			priv = k
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, sderrors.ErrInvalidConfiguration.WithMessage(where + " is not a PKCS#8 private key").WithCause(err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, sderrors.ErrInvalidConfiguration.WithMessage(where + " is not an RSA key")
			}
			priv = rk
		default:
			return nil, sderrors.ErrInvalidConfiguration.WithMessage(where + " has type " + strconv.Quote(block.Type) +
				"; want RSA PRIVATE KEY or PRIVATE KEY")
		}
		k := Key{ID: block.Headers["Key-Id"], Private: priv}
		if k.ID == "" {
			k.ID = DerivedKeyID(&priv.PublicKey)
		}
		if err := k.validate(); err != nil {
			return nil, err
		}
		if seen[k.ID] {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: key id " + k.ID + " is used twice")
		}
		seen[k.ID] = true
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: no PEM block found")
	}
	return keys, nil
}

// ParseJWK reads RSA private keys in JWK form (RFC 7517, by go-jose): a JWK
// Set {"keys": [...]} or a single JWK object. Each key's "kid" is its id
// ([DerivedKeyID] when absent); the order of the set is kept (the first is
// meant to be current). A public-only or non-RSA key, a key under 2048 bits,
// an invalid or repeated id, an empty set or malformed JSON is
// ErrInvalidConfiguration; no error holds key material.
func ParseJWK(data []byte) ([]Key, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: JWK data is not a JSON object")
	}
	var jwks []jose.JSONWebKey
	if _, isSet := probe["keys"]; isSet {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: not a JWK set").WithCause(err)
		}
		jwks = set.Keys
	} else {
		var k jose.JSONWebKey
		if err := json.Unmarshal(data, &k); err != nil {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: not a JWK").WithCause(err)
		}
		jwks = []jose.JSONWebKey{k}
	}
	if len(jwks) == 0 {
		return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: the JWK set holds no key")
	}
	keys := make([]Key, 0, len(jwks))
	seen := make(map[string]bool, len(jwks))
	for i, j := range jwks {
		priv, ok := j.Key.(*rsa.PrivateKey)
		if !ok {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: JWK " + strconv.Itoa(i+1) +
				" is not an RSA private key")
		}
		k := Key{ID: j.KeyID, Private: priv}
		if k.ID == "" {
			k.ID = DerivedKeyID(&priv.PublicKey)
		}
		if err := k.validate(); err != nil {
			return nil, err
		}
		if seen[k.ID] {
			return nil, sderrors.ErrInvalidConfiguration.WithMessage("encryption: key id " + k.ID + " is used twice")
		}
		seen[k.ID] = true
		keys = append(keys, k)
	}
	return keys, nil
}
