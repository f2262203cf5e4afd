package session

import (
	"context"

	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/token"
)

// Engine runs client sessions. Build it with New; it is safe for concurrent
// use and starts no goroutines.
type Engine struct {
	// TODO(session)
}

// New returns an engine over a session store and the gateway's token
// repository. It validates every option.
func New(sessions Repository, tokens token.Repository, opts ...Option) (*Engine, error) {
	panic("TODO")
}

// CreateRequest is the wire SessionRequest.
type CreateRequest struct {
	PaymentProductFilters *filter.Filters `json:"paymentProductFilters,omitempty"`
	Tokens                []string        `json:"tokens,omitempty"`
}

// CreateResponse is the wire SessionResponse. Invalid keeps the reason of
// each invalid token for the caller (logs, metrics); it is not sent.
type CreateResponse struct {
	AssetURL        string          `json:"assetUrl"`
	ClientAPIURL    string          `json:"clientApiUrl"`
	ClientSessionID string          `json:"clientSessionId"`
	CustomerID      string          `json:"customerId"`
	InvalidTokens   []string        `json:"invalidTokens"`
	Region          string          `json:"region"`
	Invalid         []token.Invalid `json:"-"`
}

// DecodeCreateRequest decodes untrusted request bytes strictly.
func (e *Engine) DecodeCreateRequest(body []byte) (CreateRequest, error) { panic("TODO") }

// Create validates req against merchantID's catalog, checks its tokens in
// one batch, mints the ids, stores the session and answers.
func (e *Engine) Create(ctx context.Context, merchantID string, req CreateRequest) (CreateResponse, error) {
	panic("TODO")
}

// Session is an authenticated client session.
type Session struct {
	// TODO(session)
}

// Authenticate returns the live session with this clientSessionId and
// customerId. Unknown, expired, revoked and mismatched all give the same
// sderrors.ErrUnauthorized.
func (e *Engine) Authenticate(ctx context.Context, customerID, clientSessionID string) (Session, error) {
	panic("TODO")
}

// AccountOnFile is one of the session's valid tokens, as the Client API
// shows it: ID is small, stable for the session's life, and maps back to
// the token.
type AccountOnFile struct {
	ID    int
	Token token.Token
}

// AvailableProduct is a product the session may show, with its accounts on
// file.
type AvailableProduct struct {
	filter.Product
	AccountsOnFile []AccountOnFile
}

// Products returns the products s may show in pc, in display order.
func (e *Engine) Products(ctx context.Context, s Session, pc filter.Context) ([]AvailableProduct, error) {
	panic("TODO")
}

// Revoke ends the session at once. Another merchant's session, or an
// unknown one, is sderrors.ErrSessionNotFound.
func (e *Engine) Revoke(ctx context.Context, merchantID, clientSessionID string) error {
	panic("TODO")
}
