// Package encryption opens the client's encrypted customer input: the card
// data a Connect client SDK encrypts in the consumer's browser or app so
// that only the gateway can read it.
//
// # Format
//
// A JWE in compact serialization with RSA-OAEP (SHA-1, MGF1-SHA-1) key
// wrap and A256CBC-HS512 content encryption; its kid names the key. Opening
// is go-jose's ([github.com/go-jose/go-jose/v4]), never hand-written
// cryptography. The plaintext is JSON: clientSessionId, nonce,
// paymentProductId, paymentValues [{key, value}], tokenize,
// accountOnFileId and collectedDeviceInformation. The JavaScript client SDK
// 6.0.6 does not UTF-8-encode it (a name like "José" arrives as Latin-1
// bytes), so the text is read as UTF-8 when valid and as Latin-1 otherwise.
//
// # Keys and rotation
//
// A [KeySet] has one current key, served as [PublicKey] ({keyId,
// publicKey: base64 DER SubjectPublicKeyInfo}) for clients to encrypt to,
// and older keys that still open blobs made under them. [KeySet.Rotate]
// makes a new key current, [KeySet.Retire] drops an old one; both swap an
// immutable snapshot, so a running gateway rotates without downtime.
// Several gateway instances share keys by loading the same key file.
//
// # Key files
//
// Keys load from either form, so that several gateway instances share them:
//
//   - PEM ([ParsePEM] for one key, [ParsePEMKeys] for several): blocks of
//     type "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (unencrypted
//     PKCS#8), as openssl genpkey writes them. A block's "Key-Id: name"
//     header names its key (ParsePEM's id argument wins over it).
//   - JWK ([ParseJWK]): a JWK Set {"keys": [...]} or one JWK, each an RSA
//     private key (kty RSA with n, e, d, p, q, dp, dq, qi) read by go-jose;
//     "kid" names it.
//
// A key left unnamed gets [DerivedKeyID]: the first 16 bytes of the SHA-256
// of its SubjectPublicKeyInfo, in hex, the same on every instance. The first
// key of a file is meant to be current: NewKeySet(keys[0], keys[1:]...).
// Keys under 2048 bits, public-only, non-RSA or encrypted keys and repeated
// ids are ErrInvalidConfiguration.
//
// # What this package does not check
//
// That the payload belongs to a live session, that its nonce is new, and
// that its product is available: those need the session, and
// session.Engine.OpenCustomerInput checks them.
//
// # Safety
//
// Every failure is a 4xx-kind *sderrors.Error and no input makes Open
// panic (a fuzz target checks both). All decryption failures give the same
// error. [Payload] holds card data and redacts itself when formatted.
package encryption
