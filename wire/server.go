package wire

import (
	"encoding/json"

	"github.com/clientsession/engine/encryption"
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson"
	"github.com/clientsession/engine/session"
)

// SessionResponse is the answer of POST /v1/{merchantId}/sessions, as the
// Connect API reference and the server SDKs define it. It goes to the
// merchant's server only: clientSessionId is the credential the merchant
// hands to its consumer's browser, and invalidTokens are the merchant's own
// token ids.
type SessionResponse struct {
	AssetURL        string   `json:"assetUrl"`
	ClientAPIURL    string   `json:"clientApiUrl"`
	ClientSessionID string   `json:"clientSessionId"`
	CustomerID      string   `json:"customerId"`
	InvalidTokens   []string `json:"invalidTokens"`
	Region          string   `json:"region"`
}

// NewSessionResponse maps the engine's answer. invalidTokens is [] rather
// than null when every token is valid (this is the one place of that
// rule: the engine's InvalidTokens may be nil); the reasons the engine
// keeps (session.CreateResponse.Invalid) are not sent.
func NewSessionResponse(r session.CreateResponse) SessionResponse {
	invalid := r.InvalidTokens
	if invalid == nil {
		invalid = []string{}
	}
	return SessionResponse{
		AssetURL:        r.AssetURL,
		ClientAPIURL:    r.ClientAPIURL,
		ClientSessionID: r.ClientSessionID,
		CustomerID:      r.CustomerID,
		InvalidTokens:   invalid,
		Region:          r.Region,
	}
}

// PublicKey is the answer of GET /client/v1/{customerId}/crypto/publickey:
// the key id the client names in the JWE and the public key as standard
// base64 of its DER SubjectPublicKeyInfo.
type PublicKey struct {
	KeyID     string `json:"keyId"`
	PublicKey string `json:"publicKey"`
}

// NewPublicKey maps the engine's current public key.
func NewPublicKey(k encryption.PublicKey) PublicKey {
	return PublicKey{KeyID: k.KeyID, PublicKey: k.PublicKey}
}

// DecryptRequest is the body of POST
// /v1/{merchantId}/sessions/{clientSessionId}/decrypt, our own Server API
// extension (see the package documentation).
type DecryptRequest struct {
	EncryptedCustomerInput string `json:"encryptedCustomerInput"`
}

// DecodeDecryptRequest decodes the decrypt body strictly: one object,
// member names exact and given once, no unknown member,
// encryptedCustomerInput present and a non-empty string, never null.
// Errors are 400s naming the property.
func DecodeDecryptRequest(body []byte) (DecryptRequest, error) {
	var req DecryptRequest
	err := strictjson.Object(body, map[string]strictjson.Member{
		"encryptedCustomerInput": func(raw json.RawMessage) error {
			switch {
			case string(raw) == "null":
				return sderrors.ErrNullNotAllowed.WithMessage("encryptedCustomerInput must be a string, got null")
			case len(raw) == 0 || raw[0] != '"':
				return sderrors.ErrInvalidType.WithMessage("encryptedCustomerInput must be a string")
			}
			if err := json.Unmarshal(raw, &req.EncryptedCustomerInput); err != nil {
				return sderrors.ErrInvalidJSON.WithCause(err)
			}
			return nil
		},
	})
	if err != nil {
		return DecryptRequest{}, err
	}
	if req.EncryptedCustomerInput == "" {
		return DecryptRequest{}, sderrors.ErrParameterNotFound.WithProperty("encryptedCustomerInput")
	}
	return req, nil
}

// DecryptResponse is the answer of the decrypt extension: the opened input
// in the payload's shape, with card numbers masked and security codes left
// out (MaskPaymentValues), and the id of the token behind accountOnFileId
// (the merchant's own token id; this answer goes to the merchant's server
// only).
type DecryptResponse struct {
	ClientSessionID  string           `json:"clientSessionId"`
	Nonce            string           `json:"nonce"`
	PaymentProductID int32            `json:"paymentProductId"`
	PaymentValues    []DecryptedValue `json:"paymentValues"`
	Tokenize         bool             `json:"tokenize"`
	AccountOnFileID  *int             `json:"accountOnFileId,omitempty"`
	TokenID          string           `json:"tokenId,omitempty"`
}

// DecryptedValue is one paymentValues entry of DecryptResponse.
type DecryptedValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// NewDecryptResponse maps opened customer input, masked.
func NewDecryptResponse(in session.OpenedInput) DecryptResponse {
	p := in.Payload
	return DecryptResponse{
		ClientSessionID:  p.ClientSessionID,
		Nonce:            p.Nonce,
		PaymentProductID: p.PaymentProductID,
		PaymentValues:    MaskPaymentValues(p.PaymentValues),
		Tokenize:         p.Tokenize,
		AccountOnFileID:  p.AccountOnFileID,
		TokenID:          in.TokenID,
	}
}

// ExplainResponse is the answer of GET
// /v1/{merchantId}/sessions/{clientSessionId}/explain, our own Server API
// extension: for the session in the query's payment context, why each
// product of the merchant's catalog (and each unknown id the session's
// filters name) is available or not, and why each of the session's tokens
// is shown as an account on file or hidden.
//
// Tokens found invalid when the session was created are not part of the
// session: create's invalidTokens named them, and their reasons are not
// kept, so they do not appear here.
type ExplainResponse struct {
	PaymentContext  ExplainedContext   `json:"paymentContext"`
	PaymentProducts []ExplainedProduct `json:"paymentProducts"`
	Tokens          []ExplainedToken   `json:"tokens"`
}

// ExplainedContext echoes the payment context the explanation is for.
type ExplainedContext struct {
	CountryCode  string `json:"countryCode"`
	CurrencyCode string `json:"currencyCode"`
	Amount       int64  `json:"amount"`
	IsRecurring  bool   `json:"isRecurring"`
}

// ExplainedProduct says why one product is or is not available. Reason is
// "available" or the first rule that hides it, e.g. "not in restrictTo" or
// "currency USD not accepted".
type ExplainedProduct struct {
	ID        int32  `json:"id"`
	Known     bool   `json:"known"`
	Available bool   `json:"available"`
	Reason    string `json:"reason"`
}

// ExplainedToken says why one of the session's valid tokens is shown as
// account on file accountOnFileId or hidden. Token is the merchant's token
// id, as the merchant sent it at create.
type ExplainedToken struct {
	Token           string `json:"token"`
	AccountOnFileID int    `json:"accountOnFileId"`
	Shown           bool   `json:"shown"`
	Reason          string `json:"reason"`
}

// NewExplainResponse maps the engine's explanation of a session in pc.
func NewExplainResponse(pc filter.Context, e session.Explanation) ExplainResponse {
	out := ExplainResponse{
		PaymentContext: ExplainedContext{
			CountryCode: pc.CountryCode, CurrencyCode: pc.CurrencyCode, Amount: pc.Amount, IsRecurring: pc.IsRecurring,
		},
		PaymentProducts: make([]ExplainedProduct, 0, len(e.Products)),
		Tokens:          make([]ExplainedToken, 0, len(e.Tokens)),
	}
	for _, p := range e.Products {
		out.PaymentProducts = append(out.PaymentProducts, ExplainedProduct{
			ID: p.ProductID, Known: p.Known, Available: p.Available, Reason: p.Reason,
		})
	}
	for _, t := range e.Tokens {
		out.Tokens = append(out.Tokens, ExplainedToken{
			Token: t.ID, AccountOnFileID: t.AccountOnFileID, Shown: t.Shown, Reason: t.Reason,
		})
	}
	return out
}
