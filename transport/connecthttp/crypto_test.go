package connecthttp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/transport/connecthttp"
	"github.com/clientsession/engine/transport/connecthttp/connecttest"
	"github.com/clientsession/engine/wire"
)

// otherRSAKey is a key the gateway does not hold.
func otherRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPublicKey(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	if pub.KeyID != "test-key" || !connecttest.ServedKey(t, pub).Equal(&testKey(t).Private.PublicKey) {
		t.Errorf("publickey = %+v, want key test-key as base64 DER SubjectPublicKeyInfo", pub)
	}
	g.Client(s.CustomerID, "", "crypto/publickey").WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
	other := g.create(`{}`)
	g.Client(other.CustomerID, s.ClientSessionID, "crypto/publickey").WantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}

func TestDecryptRoundTrip(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	// The cardholder name as connect-sdk-client-js 6.0.6 sends it: Latin-1
	// bytes, not UTF-8.
	plain := connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), map[string]any{"paymentValues": []map[string]string{
		{"key": "cardNumber", "value": "4012000033330026"},
		{"key": "expiryDate", "value": "1230"},
		{"key": "cvv", "value": "123"},
		{"key": "cardholderName", "value": "NAME"},
	}})
	plain = []byte(strings.Replace(string(plain), "NAME", "Jos\xe9 M\xfcller", 1))
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, plain)
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)

	r := g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner)
	got, values := r.Decrypted(t)
	if got.ClientSessionID != s.ClientSessionID || got.Nonce != connecttest.Nonce(1) || got.PaymentProductID != 1 || !got.Tokenize ||
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
	if strings.Contains(string(r.Body), "4012000033330026") || strings.Contains(string(r.Body), `"123"`) || strings.Contains(string(r.Body), "cvv") {
		t.Errorf("decrypt answer leaks card data: %s", r.Body)
	}

	// The same blob again: 409, however often.
	for range 2 {
		g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).
			WantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), "")
	}
	// A new nonce in the same session opens.
	g.Server(http.MethodPost, target, connecttest.DecryptBody(connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(2), nil))), defaultSigner).Decrypted(t)
}

func TestDecryptAccountOnFile(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{"tokens":["tok-visa","tok-mc"]}`)
	pub := g.PublicKey(s)
	var visa wire.PaymentProduct
	g.Client(s.CustomerID, s.ClientSessionID, "products/1"+nlEUR).JSON(t, &visa)
	if len(visa.AccountsOnFile) != 1 {
		t.Fatalf("product 1 accounts on file = %+v, want tok-visa's", visa.AccountsOnFile)
	}
	aof := visa.AccountsOnFile[0].ID
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), map[string]any{
		"accountOnFileId": aof,
		"paymentValues":   []map[string]string{{"key": "cvv", "value": "123"}},
	}))
	got, values := g.Server(http.MethodPost, connecttest.DecryptTarget("1234", s.ClientSessionID), connecttest.DecryptBody(blob), defaultSigner).Decrypted(t)
	if got.AccountOnFileID == nil || *got.AccountOnFileID != aof || got.TokenID != "tok-visa" || len(values) != 0 {
		t.Errorf("decrypt answer %+v, want account on file %d, token tok-visa and no values (cvv left out)", got, aof)
	}
}

// blobKit is what a TestDecryptRejects case makes its blob with: the
// session, the key its client encrypts to, and seal.
type blobKit struct {
	s    wire.SessionResponse
	kid  string
	pub  *rsa.PublicKey
	seal func(pub *rsa.PublicKey, kid string, plain []byte) string
}

// TestDecryptRejects: every rejection is the documented 4xx, never a 5xx,
// and uses up no nonce (the same session still opens a good blob after).
func TestDecryptRejects(t *testing.T) {
	g := newGateway(t)
	foreign := otherRSAKey(t)
	tests := []struct {
		name    string
		filters string // the session's create body
		// blob makes the encryptedCustomerInput (default: a good one).
		blob     func(k blobKit) string
		target   func(s, other wire.SessionResponse) string // default: s's decrypt path
		signer   *connecttest.Signer
		status   int
		code     sderrors.Code
		property string
	}{
		{name: "blob of another session", status: 400, code: sderrors.ErrSessionMismatch.Code(),
			target: func(_, other wire.SessionResponse) string {
				return connecttest.DecryptTarget("1234", other.ClientSessionID)
			}},
		{name: "tampered ciphertext", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(k blobKit) string {
				b := []byte(k.seal(k.pub, k.kid, connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), nil)))
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
				b := []byte(k.seal(k.pub, k.kid, connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), nil)))
				b[len(b)-5] ^= 1
				return string(b)
			}},
		{name: "made for another key under our key id", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(k blobKit) string {
				return k.seal(&foreign.PublicKey, k.kid, connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), nil))
			}},
		{name: "unknown key id", status: 400, code: sderrors.ErrUnknownKeyID.Code(),
			blob: func(k blobKit) string {
				return k.seal(k.pub, "retired-key", connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), nil))
			}},
		{name: "not a compact JWE", status: 400, code: sderrors.ErrInvalidEncryptedInput.Code(),
			blob: func(blobKit) string { return "a.b.c.d.e" }},
		{name: "unreadable payload: not JSON", status: 400, code: sderrors.ErrInvalidPayload.Code(),
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, []byte("4012000033330026"))
			}},
		{name: "unreadable payload: C1 controls (SDK mangling of text above U+00FF)", status: 400, code: sderrors.ErrInvalidPayload.Code(),
			blob: func(k blobKit) string {
				p := strings.Replace(string(connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), nil)), "1230", "\x8b\x80", 1)
				return k.seal(k.pub, k.kid, []byte(p))
			}},
		{name: "nonce not 32 lowercase hex", status: 400, code: sderrors.ErrInvalidPayload.Code(), property: "nonce",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, connecttest.CardPayload(k.s.ClientSessionID, strings.Repeat("AB", 16), nil))
			}},
		{name: "product the session excludes", filters: `{"paymentProductFilters":{"exclude":{"products":[1]}}}`,
			status: 404, code: sderrors.ErrUnknownProduct.Code(), property: "paymentProductId"},
		{name: "product outside the catalog", status: 404, code: sderrors.ErrUnknownProduct.Code(), property: "paymentProductId",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), map[string]any{"paymentProductId": 9999}))
			}},
		{name: "account on file the session does not have", filters: `{"tokens":["tok-visa"]}`,
			status: 400, code: sderrors.ErrUnknownAccountOnFile.Code(), property: "accountOnFileId",
			blob: func(k blobKit) string {
				return k.seal(k.pub, k.kid, connecttest.CardPayload(k.s.ClientSessionID, connecttest.Nonce(1), map[string]any{"accountOnFileId": 99}))
			}},
		{name: "key of another merchant", status: 403, code: sderrors.ErrMerchantNotAllowed.Code(),
			signer: &otherSigner},
		{name: "another merchant's own key and path", status: 404, code: sderrors.ErrSessionNotFound.Code(),
			signer: &otherSigner,
			target: func(s, _ wire.SessionResponse) string { return connecttest.DecryptTarget("5678", s.ClientSessionID) }},
		{name: "wrong signature", status: 401, code: sderrors.ErrUnauthorized.Code(),
			signer: &connecttest.Signer{KeyID: "testKeyId", Secret: "wrong"}},
		{name: "body over 64 KiB", status: 400, code: sderrors.ErrBodyTooLarge.Code(),
			blob: func(blobKit) string { return strings.Repeat("a", wire.DefaultMaxRequestBytes) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.filters
			if body == "" {
				body = `{}`
			}
			s, other := g.create(body), g.create(`{}`)
			pub := g.PublicKey(s)
			kit := blobKit{s: s, kid: pub.KeyID, pub: connecttest.ServedKey(t, pub),
				seal: func(pub *rsa.PublicKey, kid string, plain []byte) string { return connecttest.Seal(t, pub, kid, plain) }}
			blob := kit.seal(kit.pub, kit.kid, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
			if tt.blob != nil {
				blob = tt.blob(kit)
			}
			target := connecttest.DecryptTarget("1234", s.ClientSessionID)
			if tt.target != nil {
				target = tt.target(s, other)
			}
			signer := defaultSigner
			if tt.signer != nil {
				signer = *tt.signer
			}
			r := g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), signer)
			r.WantError(t, tt.status, tt.code, tt.property)
			if strings.Contains(string(r.Body), "4012000033330026") {
				t.Errorf("error answer holds the card number: %s", r.Body)
			}
			if tt.filters == "" {
				// The rejected blob used up no nonce: a good blob with
				// the same nonce still opens.
				good := kit.seal(kit.pub, kit.kid, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
				g.Server(http.MethodPost, connecttest.DecryptTarget("1234", s.ClientSessionID), connecttest.DecryptBody(good), defaultSigner).Decrypted(t)
			}
		})
	}
}

func TestDecryptRevokedSession(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	if r := g.Server(http.MethodDelete, "/v1/1234/sessions/"+s.ClientSessionID, "", defaultSigner); r.Status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).
		WantError(t, http.StatusNotFound, sderrors.ErrSessionNotFound.Code(), "")
}

// TestDecryptMasksAnySpelling: the decrypt answer holds no card number and
// no security code, whatever the client called the fields.
func TestDecryptMasksAnySpelling(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), map[string]any{
		"paymentValues": []map[string]string{
			{"key": "cardnumber", "value": "4012000033330026"},
			{"key": "CVV", "value": "987"},
			{"key": "cvc", "value": "876"},
			{"key": "card_security_code", "value": "765"},
			{"key": "Card-Number", "value": "5555 5555 5555 4444"},
			{"key": "note", "value": "pay with 378282246310005 please"},
			{"key": "expiryDate", "value": "1230"},
		},
	}))
	r := g.Server(http.MethodPost, connecttest.DecryptTarget("1234", s.ClientSessionID), connecttest.DecryptBody(blob), defaultSigner)
	_, values := r.Decrypted(t)
	want := map[string]string{"cardnumber": "401200******0026", "Card-Number": "555555******4444",
		"note": "pay with 378282*****0005 please", "expiryDate": "1230"}
	if len(values) != len(want) {
		t.Errorf("paymentValues = %v, want %v", values, want)
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("paymentValues[%s] = %q, want %q", k, values[k], v)
		}
	}
	for _, secret := range []string{"4012000033330026", "5555 5555 5555 4444", "378282246310005", `"987"`, `"876"`, `"765"`} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("decrypt answer holds %q: %s", secret, r.Body)
		}
	}
}

// lostNonceReply is a memstore that records a nonce and then answers an
// error, once: the store wrote it, and its reply was lost.
type lostNonceReply struct {
	*memstore.Store
	lost atomic.Bool
}

func (s *lostNonceReply) RecordNonce(ctx context.Context, key storage.Key, nonce string, expiresAt time.Time) error {
	if err := s.Store.RecordNonce(ctx, key, nonce, expiresAt); err != nil {
		return err
	}
	if s.lost.CompareAndSwap(false, true) {
		return errors.New("record nonce: connection reset after the write")
	}
	return nil
}

// Decrypt is at most once: when the nonce was recorded but the answer
// lost (a 503), the retry of the same blob is a 409, and the client
// encrypts again with a fresh nonce, which opens.
func TestDecryptIsAtMostOnce(t *testing.T) {
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	mem.PutTokens(testTokens()...)
	store := &lostNonceReply{Store: mem}
	h, err := connecthttp.New(newEngineOver(t, store, store), apiKeys)
	if err != nil {
		t.Fatal(err)
	}
	g := newGatewayOver(t, h)
	s := g.create(`{}`)
	pub := g.PublicKey(s)
	target := connecttest.DecryptTarget("1234", s.ClientSessionID)
	blob := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(1), nil))
	g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).
		WantError(t, http.StatusServiceUnavailable, sderrors.ErrUnavailable.Code(), "")
	g.Server(http.MethodPost, target, connecttest.DecryptBody(blob), defaultSigner).
		WantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), "")
	fresh := connecttest.Seal(t, connecttest.ServedKey(t, pub), pub.KeyID, connecttest.CardPayload(s.ClientSessionID, connecttest.Nonce(2), nil))
	if got, _ := g.Server(http.MethodPost, target, connecttest.DecryptBody(fresh), defaultSigner).Decrypted(t); got.Nonce != connecttest.Nonce(2) {
		t.Errorf("the blob encrypted again opened with nonce %q; want %q", got.Nonce, connecttest.Nonce(2))
	}
}
