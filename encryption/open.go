package encryption

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"

	sderrors "github.com/clientsession/engine/errors"
)

// MaxEncryptedSize is the largest compact JWE Open accepts, in bytes.
const MaxEncryptedSize = 64 << 10

// Open decrypts the client's encrypted customer input: a compact JWE with
// RSA-OAEP (SHA-1) key wrap and A256CBC-HS512 content encryption whose kid
// names a key of the set, made by go-jose, never by hand. The plaintext is
// read as UTF-8 when it is valid UTF-8, else as Latin-1 (the JavaScript
// client SDK 6.0.6 sends Latin-1 bytes), and must be a JSON payload. Text
// that is neither (the same SDK mangles characters above U+00FF into C1
// control bytes) is refused rather than read as garbage.
//
// Errors, all of a 4xx kind: oversize, malformed, other algorithms, a
// missing kid, a bad tag and a wrong key are ErrInvalidEncryptedInput (one
// error for every decryption failure, so that nothing distinguishes a
// padding failure from a tag failure); an unknown kid is ErrUnknownKeyID;
// a plaintext that is not a JSON payload is ErrInvalidPayload. No error
// holds any of the plaintext.
func (ks *KeySet) Open(compact string) (Payload, error) {
	if len(compact) > MaxEncryptedSize {
		return Payload{}, sderrors.ErrInvalidEncryptedInput.WithMessage("the encrypted customer input is too large")
	}
	if strings.Count(compact, ".") != 4 || strings.ContainsAny(compact, "{ \t\r\n") {
		return Payload{}, sderrors.ErrInvalidEncryptedInput.WithMessage("the encrypted customer input is not a compact JWE")
	}
	obj, err := jose.ParseEncryptedCompact(compact,
		[]jose.KeyAlgorithm{jose.RSA_OAEP}, []jose.ContentEncryption{jose.A256CBC_HS512})
	if err != nil {
		return Payload{}, sderrors.ErrInvalidEncryptedInput.WithCause(err)
	}
	if obj.Header.KeyID == "" {
		return Payload{}, sderrors.ErrInvalidEncryptedInput.WithMessage("the encrypted customer input names no key id (kid)")
	}
	priv, ok := ks.key(obj.Header.KeyID)
	if !ok {
		return Payload{}, sderrors.ErrUnknownKeyID
	}
	plain, err := obj.Decrypt(priv)
	if err != nil {
		return Payload{}, sderrors.ErrInvalidEncryptedInput
	}
	return parsePayload(plain)
}

// text returns b itself when it is valid UTF-8, else b's bytes taken as
// Latin-1 code points, re-encoded as UTF-8. Latin-1 text never holds the C1
// controls 0x80-0x9F; the JavaScript SDK 6.0.6 produces them when it
// mangles characters above U+00FF, so such text cannot be read: ok false.
func text(b []byte) (out []byte, ok bool) {
	if utf8.Valid(b) {
		return b, true
	}
	out = make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		if c >= 0x80 && c <= 0x9f {
			return nil, false
		}
		out = utf8.AppendRune(out, rune(c))
	}
	return out, true
}

func parsePayload(plain []byte) (Payload, error) {
	readable, ok := text(plain)
	if !ok {
		return Payload{}, sderrors.ErrInvalidPayload.WithMessage("the decrypted text is neither UTF-8 nor Latin-1 " +
			"(characters above U+00FF from a client that does not encode UTF-8)")
	}
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(readable))
	if err := dec.Decode(&p); err != nil {
		return Payload{}, sderrors.ErrInvalidPayload.WithMessage("the decrypted payload is not a JSON payload")
	}
	if dec.More() {
		return Payload{}, sderrors.ErrInvalidPayload.WithMessage("the decrypted payload has data after the JSON value")
	}
	if p.ClientSessionID == "" {
		return Payload{}, sderrors.ErrInvalidPayload.WithProperty("clientSessionId").WithMessage("the payload names no clientSessionId")
	}
	return p, nil
}
