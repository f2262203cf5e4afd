package session

import (
	"context"
	"crypto/subtle"
	stderrors "errors"
	"fmt"
	"strconv"
	"time"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
)

// WithKeys turns on client-side encryption with the given key set:
// Engine.PublicKey serves its current key and Engine.OpenCustomerInput opens
// blobs made for any of its keys. The session store must implement
// storage.NonceRecorder (New fails otherwise), since every blob opens once.
func WithKeys(keys *encryption.KeySet) Option {
	return optionFunc(func(c *config) {
		if keys == nil {
			c.Fail("keys", "the key set must not be nil")
			return
		}
		c.keys = keys
	})
}

func nonceRecorder(sessions storage.Repository, keys *encryption.KeySet) (storage.NonceRecorder, error) {
	if keys == nil {
		return nil, nil //nolint:nilnil // no keys, no nonces: both nil is the answer
	}
	r, ok := sessions.(storage.NonceRecorder)
	if !ok {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("keys").
			WithMessage("client-side encryption needs a session store that records nonces (storage.NonceRecorder)")
	}
	return r, nil
}

var errNoKeys = sderrors.ErrUnknownKeyID.WithMessage("client-side encryption is not configured")

// PublicKey returns the key the client of s encrypts to (GET
// /crypto/publickey), or sderrors.ErrUnknownKeyID when the engine has no
// keys (WithKeys).
func (e *Engine) PublicKey(s Session) (encryption.PublicKey, error) {
	if s.rec.MerchantID == "" {
		return encryption.PublicKey{}, sderrors.ErrUnauthorized
	}
	if e.keys == nil {
		return encryption.PublicKey{}, errNoKeys
	}
	return e.keys.Current(), nil
}

// OpenedInput is encrypted customer input that opened, with what the engine
// checked. It holds card data (in Payload) and redacts itself when
// formatted.
type OpenedInput struct {
	Payload    encryption.Payload
	MerchantID string
	// TokenID is the token behind Payload.AccountOnFileID, or "". It is
	// never in the JSON form of an OpenedInput.
	TokenID string `json:"-"`
}

// String shows the input without card data.
func (in OpenedInput) String() string {
	return fmt.Sprintf("session.OpenedInput{merchant: %s, token: %q, payload: %s}", in.MerchantID, in.TokenID, in.Payload)
}

// GoString is String: %#v redacts too.
func (in OpenedInput) GoString() string { return in.String() }

// Format makes every fmt verb print the redacted String.
func (in OpenedInput) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, in.String()) }

// OpenCustomerInput opens blob, the encryptedCustomerInput a client made in
// a session of merchantID, and checks that it may be used, once:
//
//   - it opens with a key of the set (ErrUnknownKeyID,
//     ErrInvalidEncryptedInput, ErrInvalidPayload otherwise);
//   - when clientSessionID is not "", the payload's clientSessionId equals
//     it, compared in constant time (ErrSessionMismatch);
//   - the payload's clientSessionId names a live session of merchantID
//     (ErrSessionNotFound);
//   - the nonce is 32 lowercase hex characters (ErrInvalidPayload at
//     "nonce");
//   - the product is one the session's filters allow and the merchant's
//     catalog has (ErrUnknownProduct at "paymentProductId");
//   - an accountOnFileId names one of the session's valid tokens, of that
//     product (ErrUnknownAccountOnFile at "accountOnFileId"); TokenID is
//     the token's id;
//   - the nonce was not used before in the session (ErrDuplicateRequest,
//     409): recorded last and atomically, so of two concurrent opens of the
//     same blob exactly one succeeds, and a blob that fails a check above
//     uses up no nonce.
//
// A failing store is a retryable ErrUnavailable, one at its memory bound
// (storage.ErrFull) a retryable ErrStoreFull that uses up no nonce. Errors
// never contain any of the plaintext.
//
// Nonces are at-most-once: a blob opens at most once, never twice. When
// the nonce was recorded but the answer was lost — the store wrote it and
// its reply did not arrive (a retryable ErrUnavailable), or the caller
// never received the opened input — a retry with the same blob is
// ErrDuplicateRequest (409). The client then encrypts the input again,
// which gives a fresh nonce, and the new blob opens. A recorded nonce is
// released with its session (its lifetime, or a revocation).
func (e *Engine) OpenCustomerInput(ctx context.Context, merchantID, clientSessionID, blob string) (OpenedInput, error) {
	if e.keys == nil {
		return OpenedInput{}, errNoKeys
	}
	p, err := e.keys.Open(blob)
	if err != nil {
		return OpenedInput{}, err
	}
	if clientSessionID != "" {
		if subtle.ConstantTimeCompare([]byte(clientSessionID), []byte(p.ClientSessionID)) != 1 {
			return OpenedInput{}, sderrors.ErrSessionMismatch
		}
	}
	s, err := e.Lookup(ctx, merchantID, p.ClientSessionID)
	if err != nil {
		return OpenedInput{}, err
	}
	if !validNonce(p.Nonce) {
		return OpenedInput{}, sderrors.ErrInvalidPayload.WithProperty("nonce").
			WithMessage("the nonce is not 32 lowercase hexadecimal characters")
	}
	catalog, err := e.catalog(ctx, merchantID)
	if err != nil {
		return OpenedInput{}, err
	}
	filters, err := s.Filters()
	if err != nil {
		return OpenedInput{}, err
	}
	if !catalog.Permits(filters, p.PaymentProductID) {
		return OpenedInput{}, sderrors.ErrUnknownProduct.WithProperty("paymentProductId").
			WithMessage("payment product " + strconv.Itoa(int(p.PaymentProductID)) + " is not available to this session")
	}
	in := OpenedInput{Payload: p, MerchantID: merchantID}
	if p.AccountOnFileID != nil {
		tok, err := s.AccountOnFile(*p.AccountOnFileID)
		if err != nil {
			return OpenedInput{}, err
		}
		if tok.PaymentProductID != p.PaymentProductID {
			return OpenedInput{}, sderrors.ErrUnknownAccountOnFile.WithProperty("accountOnFileId").
				WithMessage("the account on file is not of payment product " + strconv.Itoa(int(p.PaymentProductID)))
		}
		in.TokenID = tok.ID
	}
	start := time.Now()
	err = e.nonces.RecordNonce(ctx, s.Key(), p.Nonce, s.ExpiresAt())
	e.obs.storeCall("record_nonce", start, ignoreNotFound(err))
	if err != nil {
		if stderrors.Is(err, storage.ErrAlreadyExists) {
			e.obs.nonceReplay()
			return OpenedInput{}, sderrors.ErrDuplicateRequest.WithMessage("this encrypted customer input was used before")
		}
		return OpenedInput{}, storeFailure(err)
	}
	return in, nil
}

// validNonce reports whether n is 32 lowercase hex characters.
func validNonce(n string) bool {
	if len(n) != 32 {
		return false
	}
	for i := range len(n) {
		c := n[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
