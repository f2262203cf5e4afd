package main

import (
	"net/http"

	"github.com/clientsession/engine/encryption"
	"github.com/clientsession/engine/session"
)

// keyOptions turns the key file into the engine's key set (client-side
// encryption): the first key is current, the others still open blobs made
// under them. No key file (tests) means no client-side encryption.
func keyOptions(kf *keyFile) ([]session.Option, error) {
	if kf == nil || len(kf.Keys) == 0 {
		return nil, nil
	}
	set, err := encryption.NewKeySet(kf.Keys[0], kf.Keys[1:]...)
	if err != nil {
		return nil, err
	}
	return []session.Option{session.WithKeys(set)}, nil
}

// publicKey is GET /client/v1/{customerId}/crypto/publickey.
func (s *server) publicKey(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.clientAuth(w, r)
	if !ok {
		return
	}
	pub, err := s.engine.PublicKey(sess)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, pub)
}

// decryptResponse is the answer of the decrypt endpoint: the opened input
// in the payload's shape, with cardNumber masked and cvv left out.
type decryptResponse struct {
	ClientSessionID  string           `json:"clientSessionId"`
	Nonce            string           `json:"nonce"`
	PaymentProductID int32            `json:"paymentProductId"`
	PaymentValues    []decryptedValue `json:"paymentValues"`
	Tokenize         bool             `json:"tokenize"`
	AccountOnFileID  *int             `json:"accountOnFileId,omitempty"`
	TokenID          string           `json:"tokenId,omitempty"`
}

// decrypt is POST /v1/{merchantId}/sessions/{clientSessionId}/decrypt, our
// own endpoint for integration tests: it opens an encryptedCustomerInput
// made in that session, once.
func (s *server) decrypt(w http.ResponseWriter, r *http.Request) {
	merchantID, ok := s.serverAuth(w, r)
	if !ok {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	req, err := decodeDecryptRequest(body)
	if err != nil {
		writeError(w, err)
		return
	}
	in, err := s.engine.OpenCustomerInput(r.Context(), merchantID, r.PathValue("clientSessionId"), req.EncryptedCustomerInput)
	if err != nil {
		writeError(w, err)
		return
	}
	p := in.Payload
	keys := make([]string, len(p.PaymentValues))
	values := make([]string, len(p.PaymentValues))
	for i, v := range p.PaymentValues {
		keys[i], values[i] = v.Key, v.Value
	}
	writeJSON(w, http.StatusOK, decryptResponse{
		ClientSessionID:  p.ClientSessionID,
		Nonce:            p.Nonce,
		PaymentProductID: p.PaymentProductID,
		PaymentValues:    maskedValues(keys, values),
		Tokenize:         p.Tokenize,
		AccountOnFileID:  p.AccountOnFileID,
		TokenID:          in.TokenID,
	})
}
