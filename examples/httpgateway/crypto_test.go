package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
)

// sealCard encrypts a card payload for the gateway's current key, as the
// client SDK does.
func sealCard(t *testing.T, pub encryption.PublicKey, clientSessionID, nonce string) string {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: key, KeyID: pub.KeyID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(`{"clientSessionId":"` + clientSessionID + `","nonce":"` + nonce + `","paymentProductId":1,"tokenize":true,` +
		`"paymentValues":[{"key":"cardNumber","value":"4012000033330026"},{"key":"expiryDate","value":"1230"},{"key":"cvv","value":"123"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

func decryptBody(blob string) string {
	b, _ := json.Marshal(map[string]string{"encryptedCustomerInput": blob})
	return string(b)
}

func TestPublicKeyAndDecrypt(t *testing.T) {
	g := newGateway(t)
	s := g.create(`{}`)
	r := g.client(s.CustomerID, s.ClientSessionID, "crypto/publickey")
	if r.status != http.StatusOK {
		t.Fatalf("publickey: %d %s", r.status, r.body)
	}
	var pub encryption.PublicKey
	r.json(t, &pub)
	if pub.KeyID != "test-key" || pub.PublicKey == "" {
		t.Fatalf("publickey = %+v", pub)
	}
	g.client(s.CustomerID, "", "crypto/publickey").wantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")

	nonce := strings.Repeat("ab", 16)
	blob := sealCard(t, pub, s.ClientSessionID, nonce)
	target := "/v1/1234/sessions/" + s.ClientSessionID + "/decrypt"
	r = g.server(http.MethodPost, target, decryptBody(blob), defaultSigner)
	if r.status != http.StatusOK {
		t.Fatalf("decrypt: %d %s", r.status, r.body)
	}
	var got decryptResponse
	r.json(t, &got)
	values := map[string]string{}
	for _, v := range got.PaymentValues {
		values[v.Key] = v.Value
	}
	if got.ClientSessionID != s.ClientSessionID || got.Nonce != nonce || got.PaymentProductID != 1 || !got.Tokenize {
		t.Errorf("decrypt answer %+v", got)
	}
	if values["cardNumber"] != "401200******0026" || values["expiryDate"] != "1230" || len(values) != 2 {
		t.Errorf("paymentValues = %v; want masked card number, expiry, no cvv", values)
	}
	if strings.Contains(string(r.body), "4012000033330026") || strings.Contains(string(r.body), `"123"`) {
		t.Errorf("decrypt answer leaks card data: %s", r.body)
	}

	// Replay: 409.
	g.server(http.MethodPost, target, decryptBody(blob), defaultSigner).
		wantError(t, http.StatusConflict, sderrors.ErrDuplicateRequest.Code(), "")
	// A blob of this session submitted for another one: 400.
	other := g.create(`{}`)
	g.server(http.MethodPost, "/v1/1234/sessions/"+other.ClientSessionID+"/decrypt",
		decryptBody(sealCard(t, pub, s.ClientSessionID, strings.Repeat("cd", 16))), defaultSigner).
		wantError(t, http.StatusBadRequest, sderrors.ErrSessionMismatch.Code(), "")
	// Tampered: 400.
	tampered := []byte(sealCard(t, pub, s.ClientSessionID, strings.Repeat("ef", 16)))
	tampered[len(tampered)-5] ^= 1
	g.server(http.MethodPost, target, decryptBody(string(tampered)), defaultSigner).
		wantError(t, http.StatusBadRequest, sderrors.ErrInvalidEncryptedInput.Code(), "")
	// Malformed body: 400 naming the property.
	g.server(http.MethodPost, target, `{"encryptedCustomerInput":1}`, defaultSigner).
		wantError(t, http.StatusBadRequest, sderrors.ErrInvalidType.Code(), "encryptedCustomerInput")
	g.server(http.MethodPost, target, `{}`, defaultSigner).
		wantError(t, http.StatusBadRequest, sderrors.ErrParameterNotFound.Code(), "encryptedCustomerInput")
	// Unsigned: 401.
	g.server(http.MethodPost, target, decryptBody(blob), signedOpts{keyID: "testKeyId", secret: "wrong"}).
		wantError(t, http.StatusUnauthorized, sderrors.ErrUnauthorized.Code(), "")
}
