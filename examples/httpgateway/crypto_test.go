package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

// seal encrypts plain for pub under kid as the client SDK does: a compact
// JWE, RSA-OAEP key wrap, A256CBC-HS512.
func seal(t *testing.T, pub *rsa.PublicKey, kid string, plain []byte) string {
	t.Helper()
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: pub, KeyID: kid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// served decodes a /crypto/publickey answer into the RSA key it names.
func served(t *testing.T, pub encryption.PublicKey) *rsa.PublicKey {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("served key is %T, want RSA", key)
	}
	return rk
}

// cardPayload is the JSON a client SDK encrypts: a VISA card for session
// id, with nonce; extra members are added or replace the defaults.
func cardPayload(id, nonce string, extra map[string]any) []byte {
	p := map[string]any{
		"clientSessionId":  id,
		"nonce":            nonce,
		"paymentProductId": 1,
		"tokenize":         true,
		"paymentValues": []map[string]string{
			{"key": "cardNumber", "value": "4012000033330026"},
			{"key": "expiryDate", "value": "1230"},
			{"key": "cvv", "value": "123"},
		},
	}
	for k, v := range extra {
		p[k] = v
	}
	b, _ := json.Marshal(p) // maps of strings, ints and bools: cannot fail
	return b
}

// nonceN is a valid nonce, different for each n.
func nonceN(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 32-len(s)) + s
}

func decryptBody(blob string) string {
	b, _ := json.Marshal(map[string]string{"encryptedCustomerInput": blob})
	return string(b)
}

func decryptTarget(merchantID, clientSessionID string) string {
	return "/v1/" + merchantID + "/sessions/" + clientSessionID + "/decrypt"
}

// publicKeyOf fetches the key a session's client encrypts to.
func (g *gateway) publicKeyOf(s sessionResponse) encryption.PublicKey {
	g.t.Helper()
	r := g.client(s.CustomerID, s.ClientSessionID, "crypto/publickey")
	if r.status != http.StatusOK {
		g.t.Fatalf("publickey: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		g.t.Errorf("publickey Content-Type = %q, want application/json", ct)
	}
	var pub encryption.PublicKey
	r.json(g.t, &pub)
	return pub
}

func (r response) values(t *testing.T) (decryptResponse, map[string]string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("decrypt: status %d, body %s", r.status, r.body)
	}
	var got decryptResponse
	r.json(t, &got)
	values := map[string]string{}
	for _, v := range got.PaymentValues {
		values[v.Key] = v.Value
	}
	return got, values
}

func TestPublicKey(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.publicKeyOf(s)
	if pub.KeyID != "test-key" || !served(t, pub).Equal(&testKeys(t).Keys[0].Private.PublicKey) {
		t.Errorf("publickey = %+v, want key test-key as base64 DER SubjectPublicKeyInfo", pub)
	}
	g.client(s.CustomerID, "", "crypto/publickey").wantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	other := g.create(`{}`)
	g.client(other.CustomerID, s.ClientSessionID, "crypto/publickey").wantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

func TestDecryptRoundTrip(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.publicKeyOf(s)
	// The cardholder name as connect-sdk-client-js 6.0.6 sends it: Latin-1
	// bytes, not UTF-8.
	plain := cardPayload(s.ClientSessionID, nonceN(1), map[string]any{"paymentValues": []map[string]string{
		{"key": "cardNumber", "value": "4012000033330026"},
		{"key": "expiryDate", "value": "1230"},
		{"key": "cvv", "value": "123"},
		{"key": "cardholderName", "value": "NAME"},
	}})
	plain = []byte(strings.Replace(string(plain), "NAME", "Jos\xe9 M\xfcller", 1))
	blob := seal(t, served(t, pub), pub.KeyID, plain)
	target := decryptTarget("1234", s.ClientSessionID)

	r := g.server(http.MethodPost, target, decryptBody(blob), defaultSigner)
	got, values := r.values(t)
	if got.ClientSessionID != s.ClientSessionID || got.Nonce != nonceN(1) || got.PaymentProductID != 1 || !got.Tokenize ||
		got.AccountOnFileID != nil || got.TokenID != "" {
		t.Errorf("decrypt answer %+v", got)
	}
	want := map[string]string{"cardNumber": "401200******0026", "expiryDate": "1230", "cardholderName": "José Müller"}
	if len(values) != len(want) {
		t.Errorf("paymentValues = %v, want %v (no cvv)", values, want)
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("paymentValues[%s] = %q, want %q", k, values[k], v)
		}
	}
	if strings.Contains(string(r.body), "4012000033330026") || strings.Contains(string(r.body), `"123"`) || strings.Contains(string(r.body), "cvv") {
		t.Errorf("decrypt answer leaks card data: %s", r.body)
	}

	// The same blob again: 409, however often.
	for range 2 {
		g.server(http.MethodPost, target, decryptBody(blob), defaultSigner).
			wantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), "")
	}
	// A new nonce in the same session opens.
	g.server(http.MethodPost, target, decryptBody(seal(t, served(t, pub), pub.KeyID, cardPayload(s.ClientSessionID, nonceN(2), nil))), defaultSigner).values(t)
}

func TestDecryptAccountOnFile(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"]}`)
	pub := g.publicKeyOf(s)
	var visa paymentProductJSON
	g.client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR).json(t, &visa)
	if len(visa.AccountsOnFile) != 1 {
		t.Fatalf("product 1 accounts on file = %+v, want tok-visa's", visa.AccountsOnFile)
	}
	aof := visa.AccountsOnFile[0].ID
	blob := seal(t, served(t, pub), pub.KeyID, cardPayload(s.ClientSessionID, nonceN(1), map[string]any{
		"accountOnFileId": aof,
		"paymentValues":   []map[string]string{{"key": "cvv", "value": "123"}},
	}))
	got, values := g.server(http.MethodPost, decryptTarget("1234", s.ClientSessionID), decryptBody(blob), defaultSigner).values(t)
	if got.AccountOnFileID == nil || *got.AccountOnFileID != aof || got.TokenID != "tok-visa" || len(values) != 0 {
		t.Errorf("decrypt answer %+v, want account on file %d, token tok-visa and no values (cvv left out)", got, aof)
	}
}

// blobKit is what a TestDecryptRejects case makes its blob with: the
// session, the key its client encrypts to, and seal.
type blobKit struct {
	s    sessionResponse
	kid  string
	pub  *rsa.PublicKey
	seal func(pub *rsa.PublicKey, kid string, plain []byte) string
}

// TestDecryptRejects: every rejection is the documented 4xx, never a 5xx,
// and uses up no nonce (the same session still opens a good blob after).
func TestDecryptRejects(t *testing.T) {
	g := newGateway(t)
	foreign := testKey(t, 2048)
	tests := []struct {
		name    string
		filters string // the session's create body
		// blob makes the encryptedCustomerInput (default: a good one).
		blob     func(k blobKit) string
		target   func(s, other sessionResponse) string // default: s's decrypt path
		signer   *signedOpts
		status   int
		code     sderrors.Code
		property string
	}{
		{name: "blob of another session", status: 400, code: sderrors.ErrSessionMismatch.Code(),
			target: func(_, other sessionResponse) string { return decryptTarget("1234", other.ClientSessionID) }},
		{name: "tampered ciphertext", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(k blobKit) string {
				b := []byte(k.seal(k.pub, k.kid, cardPayload(k.s.ClientSessionID, nonceN(1), nil)))
				parts := strings.Split(string(b), ".")
				c := []byte(parts[3])
				if c[0] = 'A'; parts[3][0] == 'A' {
					c[0] = 'B'
				}
				parts[3] = string(c)
				return strings.Join(parts, ".")
			}},
		{name: "tampered tag", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(k blobKit) string {
				b := []byte(k.seal(k.pub, k.kid, cardPayload(k.s.ClientSessionID, nonceN(1), nil)))
				b[len(b)-5] ^= 1
				return string(b)
			}},
		{name: "made for another key under our key id", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(k blobKit) string {
				return k.seal(&foreign.PublicKey, k.kid, cardPayload(k.s.ClientSessionID, nonceN(1), nil))
			}},
		{name: "unknown key id", status: 400, code: sderrors.ErrUnknownKeyID.Code(),
			blob: func(k blobKit) string {
				return k.seal(k.pub, "retired-key", cardPayload(k.s.ClientSessionID, nonceN(1), nil))
			}},
		{name: "not a compact JWE", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(blobKit) string { return "a.b.c.d.e" }},
		{name: "unreadable payload: not JSON", status: 400, code: sderrors.ErrInvalidPayload.Code(),
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, []byte("4012000033330026"))
			}},
		{name: "unreadable payload: C1 controls (SDK mangling of text above U+00FF)", status: 400, code: sderrors.ErrInvalidPayload.Code(),
			blob: func(k blobKit) string {
				p := strings.Replace(string(cardPayload(k.s.ClientSessionID, nonceN(1), nil)), "1230", "\x8b\x80", 1)
				return k.seal(k.pub, k.kid, []byte(p))
			}},
		{name: "nonce not 32 lowercase hex", status: 400, code: sderrors.ErrInvalidPayload.Code(), property: "nonce",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, cardPayload(k.s.ClientSessionID, strings.Repeat("AB", 16), nil))
			}},
		{name: "product the session excludes", filters: `{"paymentProductFilters":{"exclude":{"products":[1]}}}`,
			status: 404, code: sderrors.ErrUnknownProduct.Code(), property: "paymentProductId"},
		{name: "product outside the catalog", status: 404, code: sderrors.ErrUnknownProduct.Code(), property: "paymentProductId",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, cardPayload(k.s.ClientSessionID, nonceN(1), map[string]any{"paymentProductId": 9999}))
			}},
		{name: "account on file the session does not have", filters: `{"tokens":["tok-visa"]}`,
			status: 400, code: sderrors.ErrUnknownAccountOnFile.Code(), property: "accountOnFileId",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, cardPayload(k.s.ClientSessionID, nonceN(1), map[string]any{"accountOnFileId": 99}))
			}},
		{name: "key of another merchant", status: 403, code: sderrors.ErrMerchantNotAllowed.Code(),
			signer: &signedOpts{keyID: "otherKeyId", secret: "otherSecret"}},
		{name: "another merchant's own key and path", status: 404, code: sderrors.ErrSessionNotFound.Code(),
			signer: &signedOpts{keyID: "otherKeyId", secret: "otherSecret"},
			target: func(s, _ sessionResponse) string { return decryptTarget("5678", s.ClientSessionID) }},
		{name: "wrong signature", status: 401, code: sderrors.ErrUnauthorized.Code(),
			signer: &signedOpts{keyID: "testKeyId", secret: "wrong"}},
		{name: "body over 64 KiB", status: 400, code: sderrors.ErrBodyTooLarge.Code(),
			blob: func(blobKit) string { return strings.Repeat("a", maxBodyBytes) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.filters
			if body == "" {
				body = `{}`
			}
			s, other := g.create(body), g.create(`{}`)
			pub := g.publicKeyOf(s)
			kit := blobKit{s: s, kid: pub.KeyID, pub: served(t, pub),
				seal: func(pub *rsa.PublicKey, kid string, plain []byte) string { return seal(t, pub, kid, plain) }}
			blob := kit.seal(kit.pub, kit.kid, cardPayload(s.ClientSessionID, nonceN(1), nil))
			if tt.blob != nil {
				blob = tt.blob(kit)
			}
			target := decryptTarget("1234", s.ClientSessionID)
			if tt.target != nil {
				target = tt.target(s, other)
			}
			signer := defaultSigner
			if tt.signer != nil {
				signer = *tt.signer
			}
			r := g.server(http.MethodPost, target, decryptBody(blob), signer)
			r.wantError(t, tt.status, tt.code, tt.property)
			if strings.Contains(string(r.body), "4012000033330026") {
				t.Errorf("error answer holds the card number: %s", r.body)
			}
			if tt.filters == "" {
				// The rejected blob used up no nonce: a good blob with
				// the same nonce still opens.
				good := kit.seal(kit.pub, kit.kid, cardPayload(s.ClientSessionID, nonceN(1), nil))
				g.server(http.MethodPost, decryptTarget("1234", s.ClientSessionID), decryptBody(good), defaultSigner).values(t)
			}
		})
	}
}

func TestDecryptRevokedSession(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.publicKeyOf(s)
	blob := seal(t, served(t, pub), pub.KeyID, cardPayload(s.ClientSessionID, nonceN(1), nil))
	target := decryptTarget("1234", s.ClientSessionID)
	if r := g.server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	g.server(http.MethodPost, target, decryptBody(blob), defaultSigner).
		wantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
}

// TestDecryptKeyRotation: with a key file of [new, old], new sessions get
// the new key and blobs made under the old one still open.
func TestDecryptKeyRotation(t *testing.T) {
	old := testKeys(t).Keys[0]
	next := encryption.Key{ID: "next-key", Private: testKey(t, 2048)}
	g := newGatewayWithKeys(t, &keyFile{Keys: []encryption.Key{next, old}})
	s := g.create(`{}`)
	pub := g.publicKeyOf(s)
	if pub.KeyID != "next-key" || !served(t, pub).Equal(&next.Private.PublicKey) {
		t.Errorf("publickey = %+v, want the file's first key, next-key", pub)
	}
	target := decryptTarget("1234", s.ClientSessionID)
	for i, k := range []encryption.Key{next, old} {
		blob := seal(t, &k.Private.PublicKey, k.ID, cardPayload(s.ClientSessionID, nonceN(i), nil))
		g.server(http.MethodPost, target, decryptBody(blob), defaultSigner).values(t)
	}
}
