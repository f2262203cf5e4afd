package session

import (
	"context"
	stderrors "errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/clientsession/engine/encryption"

	"github.com/go-playground/validator/v10"
	"github.com/samber/lo"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/sessionpayload"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// Engine runs client sessions. Build it with New; it is safe for concurrent
// use and starts no goroutines.
type Engine struct {
	sessions     storage.Repository
	checker      *token.Checker
	clock        func() time.Time
	lifetime     time.Duration
	datacenters  DatacenterResolver
	catalogs     CatalogSource
	filterLimits filter.Limits
	validate     *validator.Validate
	byTag        map[string]*sderrors.Error
	keys         *encryption.KeySet
	nonces       storage.NonceRecorder // set when keys is
	observeTime  storage.TimeObserver  // set when sessions is one
	sweepers     []storage.Sweeper     // the engine's stores that keep expired records
	idem         storage.Idempotency   // nil: no idempotent creates
	idemTTL      time.Duration
	idemLease    time.Duration
	idemStrict   bool
	obs          *observer

	randomMu sync.Mutex
	random   io.Reader // nil: crypto/rand
}

// New returns an engine over a session store and the gateway's token
// repository. It validates every option: a catalog source (WithCatalogs or
// WithCatalog) and a datacenter resolver (WithDatacenters or
// WithDatacenter) are required. Errors are sderrors.ErrInvalidConfiguration.
func New(sessions storage.Repository, tokens token.Repository, opts ...Option) (*Engine, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if sessions == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("sessions").WithMessage("the session repository must not be nil")
	}
	if tokens == nil {
		return nil, sderrors.ErrInvalidConfiguration.WithProperty("tokens").WithMessage("the token repository must not be nil")
	}
	checker, err := token.NewChecker(tokens)
	if err != nil {
		return nil, err
	}
	v, byTag, err := newValidator(c.maxTokens)
	if err != nil {
		return nil, err
	}
	nonces, err := nonceRecorder(sessions, c.keys)
	if err != nil {
		return nil, err
	}
	observeTime, _ := sessions.(storage.TimeObserver)
	var sweepers []storage.Sweeper
	if sw, ok := sessions.(storage.Sweeper); ok {
		sweepers = append(sweepers, sw)
	}
	idem := c.idem
	if idem == nil {
		idem, _ = sessions.(storage.Idempotency)
	} else if sw, ok := idem.(storage.Sweeper); ok && any(sw) != any(sessions) {
		sweepers = append(sweepers, sw)
	}
	obs := observer(c.observer)
	return &Engine{
		observeTime:  observeTime,
		idem:         idem,
		idemTTL:      c.idemTTL,
		idemLease:    c.idemLease,
		idemStrict:   c.idemStrict,
		obs:          &obs,
		sweepers:     sweepers,
		sessions:     sessions,
		checker:      checker,
		clock:        c.clock,
		lifetime:     c.lifetime,
		datacenters:  c.datacenters,
		catalogs:     c.catalogs,
		filterLimits: c.filterLimits,
		validate:     v,
		byTag:        byTag,
		random:       c.random,
		keys:         c.keys,
		nonces:       nonces,
	}, nil
}

// Now returns the engine's time (WithClock; time.Now by default). It is
// the one clock of a gateway built on the engine: transports date what
// they check with it (connecthttp's v1HMAC verifier does unless given a
// clock of its own), so that a gateway gives its clock once.
func (e *Engine) Now() time.Time { return e.clock() }

// CreateRequest is the wire SessionRequest.
type CreateRequest struct {
	PaymentProductFilters *filter.Filters `json:"paymentProductFilters,omitempty" validate:"-"`
	Tokens                []string        `json:"tokens,omitempty" validate:"omitempty,maxtokens,dive,token"`
}

// CreateResponse is the engine's answer to a create, for the merchant's
// server: the ids, the datacenter's URLs and the tokens found invalid, with
// their reasons (Invalid) for the caller (logs, metrics). Its JSON is
// wire.SessionResponse's (wire.NewSessionResponse), which owns the wire
// names and shows invalidTokens as [] when InvalidTokens is empty or nil;
// the reasons are never sent.
type CreateResponse struct {
	AssetURL        string
	ClientAPIURL    string
	ClientSessionID string
	CustomerID      string
	InvalidTokens   []string // the ids of Invalid, in request order
	Region          string
	Invalid         []token.Invalid
}

// Create checks the shape of req, validates it against merchantID's
// catalog, checks its tokens in one batch, mints the ids, stores the
// session and answers. The shape rules (see validateShape: token count and
// format, filter list caps, ids and duplicates) run here for every
// request, whether DecodeCreateRequest made it or Go code built or edited
// it, and before the merchant is looked at.
//
// Errors: token count and format problems are 400s at "tokens" and
// "tokens[i]" (every bad token reported); filter problems are 400s at
// "paymentProductFilters..." (list over its cap, bad or duplicate id,
// duplicate or unknown group); a malformed merchant id (see
// ValidMerchantID) or one the catalog source or datacenter resolver does
// not know is sderrors.ErrUnknownMerchant at "merchantId"; a failing token
// repository, session store, catalog source or datacenter resolver is a
// retryable sderrors.ErrUnavailable, and a session store at its memory
// bound (storage.ErrFull) the retryable sderrors.ErrStoreFull; then
// nothing is stored.
func (e *Engine) Create(ctx context.Context, merchantID string, req CreateRequest) (CreateResponse, error) {
	if err := e.validateShape(&req); err != nil {
		return CreateResponse{}, err
	}
	if !ValidMerchantID(merchantID) {
		return CreateResponse{}, errBadMerchant
	}
	catalog, err := e.catalog(ctx, merchantID)
	if err != nil {
		return CreateResponse{}, err
	}
	var filters filter.Filters
	if req.PaymentProductFilters != nil {
		if err := catalog.KnownGroups(*req.PaymentProductFilters); err != nil {
			return CreateResponse{}, prefix(err, "paymentProductFilters")
		}
		filters = req.PaymentProductFilters.Normalize()
	}
	dc, err := e.datacenter(ctx, merchantID)
	if err != nil {
		return CreateResponse{}, err
	}
	now := e.clock()
	exists := func(id int32) bool { _, ok := catalog.Product(id); return ok }
	checked, err := e.checker.Check(ctx, merchantID, req.Tokens, exists, now)
	if err != nil {
		return CreateResponse{}, dependency(err)
	}
	minted, err := e.mintIDs()
	if err != nil {
		return CreateResponse{}, err
	}
	sessionID := string(minted.session[:])
	customerID := merchantID + "-" + string(minted.customer[:])
	if e.observeTime != nil {
		e.observeTime.ObserveTime(now)
	}
	start := time.Now()
	err = e.sessions.Save(ctx, storage.Record{
		Key:        KeyOf(sessionID),
		MerchantID: merchantID,
		CustomerID: customerID,
		ExpiresAt:  now.Add(e.lifetime),
		Payload:    sessionpayload.Encode(filters, checked.Valid),
	})
	e.obs.storeCall("save", start, err)
	if err != nil {
		return CreateResponse{}, storeFailure(err)
	}
	e.obs.sessionCreated(merchantID)
	e.obs.tokensInvalid(checked.Invalid)
	return CreateResponse{
		AssetURL:        dc.Origin + "/",
		ClientAPIURL:    dc.Origin + "/client",
		ClientSessionID: sessionID,
		CustomerID:      customerID,
		InvalidTokens:   checked.InvalidIDs(),
		Region:          dc.Region,
		Invalid:         checked.Invalid,
	}, nil
}

// Authenticate returns the live session with this clientSessionId and
// customerId. Unknown, expired, revoked, mismatched and malformed all give
// the same sderrors.ErrUnauthorized; a failing store gives a retryable
// sderrors.ErrUnavailable. The customerId is compared in constant time. It
// allocates at most what the store's Load does (nothing on memstore); the
// payload is decoded only when Products, Explain or Tokens need it.
func (e *Engine) Authenticate(ctx context.Context, customerID, clientSessionID string) (Session, error) {
	if !validSessionID(clientSessionID) {
		e.obs.authRefused()
		return Session{}, sderrors.ErrUnauthorized
	}
	if _, _, ok := splitCustomerID(customerID); !ok {
		e.obs.authRefused()
		return Session{}, sderrors.ErrUnauthorized
	}
	now := e.clock()
	rec, err := e.load(ctx, KeyOf(clientSessionID), now)
	if err != nil {
		if stderrors.Is(err, storage.ErrNotFound) {
			e.obs.authRefused()
			return Session{}, sderrors.ErrUnauthorized
		}
		return Session{}, sderrors.FromDependency(err)
	}
	if !sameCustomer(rec.CustomerID, customerID) || !now.Before(rec.ExpiresAt) {
		e.obs.authRefused()
		return Session{}, sderrors.ErrUnauthorized
	}
	return Session{rec: rec}, nil
}

// Lookup returns merchantID's live session with this clientSessionId, for
// server-side calls (e.g. opening encrypted customer input for a payment of
// that merchant). Unknown, expired, malformed and another merchant's
// sessions all give sderrors.ErrSessionNotFound; a failing store a
// retryable sderrors.ErrUnavailable.
func (e *Engine) Lookup(ctx context.Context, merchantID, clientSessionID string) (Session, error) {
	if !validSessionID(clientSessionID) || !ValidMerchantID(merchantID) {
		return Session{}, sderrors.ErrSessionNotFound
	}
	now := e.clock()
	rec, err := e.load(ctx, KeyOf(clientSessionID), now)
	if err != nil {
		if stderrors.Is(err, storage.ErrNotFound) {
			return Session{}, sderrors.ErrSessionNotFound
		}
		return Session{}, sderrors.FromDependency(err)
	}
	if rec.MerchantID != merchantID || !now.Before(rec.ExpiresAt) {
		return Session{}, sderrors.ErrSessionNotFound
	}
	return Session{rec: rec}, nil
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
	// Catalog is the catalog the product was resolved in; nil in a value
	// built by hand. Encoders use it to find what they derived from that
	// catalog once (package wire: each product's JSON, see
	// filter.Catalog.Derived); a Product that differs from the catalog's
	// is encoded as it is.
	Catalog *filter.Catalog
}

// Products returns the products s may show in pc, in display order, each
// with the session's tokens of that product as accounts on file (ID = the
// 1-based position of the token in the session, see Session.AccountOnFile).
// A malformed pc is a 400 naming "countryCode", "currencyCode" or "amount".
// The tokens were checked when the session was created; they are not
// checked again.
func (e *Engine) Products(ctx context.Context, s Session, pc filter.Context) ([]AvailableProduct, error) {
	catalog, filters, toks, err := e.sessionView(ctx, s, pc)
	if err != nil {
		return nil, err
	}
	ids := catalog.Resolve(pc, filters)
	out := make([]AvailableProduct, 0, len(ids))
	for _, id := range ids {
		p, _ := catalog.Product(id)
		out = append(out, AvailableProduct{Product: p, AccountsOnFile: accountsOf(toks, id), Catalog: catalog})
	}
	return out, nil
}

// Product returns product id if s may show it in pc; otherwise
// sderrors.ErrUnknownProduct at "productId".
func (e *Engine) Product(ctx context.Context, s Session, pc filter.Context, id int32) (AvailableProduct, error) {
	catalog, filters, toks, err := e.sessionView(ctx, s, pc)
	if err != nil {
		return AvailableProduct{}, err
	}
	for _, got := range catalog.Resolve(pc, filters) {
		if got == id {
			p, _ := catalog.Product(id)
			return AvailableProduct{Product: p, AccountsOnFile: accountsOf(toks, id), Catalog: catalog}, nil
		}
	}
	return AvailableProduct{}, sderrors.ErrUnknownProduct.WithProperty("productId").
		WithMessage("payment product " + strconv.Itoa(int(id)) + " is not available to this session")
}

// accountsOf returns the tokens of product id as accounts on file.
func accountsOf(toks []token.Token, id int32) []AccountOnFile {
	var out []AccountOnFile
	for i := range toks {
		if toks[i].PaymentProductID == id {
			out = append(out, AccountOnFile{ID: i + 1, Token: toks[i]})
		}
	}
	return out
}

// Explanation says, for a session in a payment context, why each product
// and each of the session's tokens is shown or not.
type Explanation struct {
	Products []filter.Explanation
	Tokens   []TokenExplanation
}

// TokenExplanation says why one of the session's valid tokens is shown as
// an account on file or hidden.
type TokenExplanation struct {
	ID              string `json:"-"` // the token id: never in JSON
	AccountOnFileID int
	Shown           bool
	Reason          string // "shown", "product 3 excluded: exclude.products contains 3", ...
}

// ReasonShown is the TokenExplanation.Reason of a token that is shown.
const ReasonShown = "shown"

// Explain says why each product of the catalog (and each unknown id named
// in the session's filters) is available or not in pc, and why each of the
// session's tokens is shown or hidden. Tokens found invalid at creation are
// not in the session; CreateResponse.Invalid has their reasons.
func (e *Engine) Explain(ctx context.Context, s Session, pc filter.Context) (Explanation, error) {
	catalog, filters, toks, err := e.sessionView(ctx, s, pc)
	if err != nil {
		return Explanation{}, err
	}
	products := catalog.Explain(pc, filters)
	byID := lo.KeyBy(products, func(p filter.Explanation) int32 { return p.ProductID })
	tokens := lo.Map(toks, func(t token.Token, i int) TokenExplanation {
		te := TokenExplanation{ID: t.ID, AccountOnFileID: i + 1}
		pid := strconv.Itoa(int(t.PaymentProductID))
		p, known := byID[t.PaymentProductID]
		switch {
		case !known || !p.Known:
			te.Reason = "product " + pid + " is no longer in the catalog"
		case p.Available:
			te.Shown, te.Reason = true, ReasonShown
		case !catalog.Permits(filters, t.PaymentProductID):
			te.Reason = "product " + pid + " " + p.Reason
		default:
			te.Reason = "product " + pid + " not available in this payment context: " + p.Reason
		}
		return te
	})
	return Explanation{Products: products, Tokens: tokens}, nil
}

// sessionView validates pc and returns what Products and Explain need.
func (e *Engine) sessionView(ctx context.Context, s Session, pc filter.Context) (*filter.Catalog, filter.Filters, []token.Token, error) {
	if err := pc.Validate(); err != nil {
		return nil, filter.Filters{}, nil, err
	}
	filters, toks, err := s.decode()
	if err != nil {
		return nil, filter.Filters{}, nil, err
	}
	catalog, err := e.catalog(ctx, s.rec.MerchantID)
	if err != nil {
		return nil, filter.Filters{}, nil, err
	}
	return catalog, filters, toks, nil
}

// Revoke ends the session at once. Another merchant's session, or an
// unknown or malformed id, is sderrors.ErrSessionNotFound; a failing store
// a retryable sderrors.ErrUnavailable.
func (e *Engine) Revoke(ctx context.Context, merchantID, clientSessionID string) error {
	if !validSessionID(clientSessionID) || !ValidMerchantID(merchantID) {
		return sderrors.ErrSessionNotFound
	}
	start := time.Now()
	err := e.sessions.Delete(ctx, KeyOf(clientSessionID), merchantID)
	e.obs.storeCall("delete", start, ignoreNotFound(err))
	switch {
	case err == nil:
		return nil
	case stderrors.Is(err, storage.ErrNotFound):
		return sderrors.ErrSessionNotFound
	default:
		return sderrors.FromDependency(err)
	}
}

// Sweep removes what expired at or before now from every store of the
// engine that keeps expired records until told (storage.Sweeper: memstore,
// pgstore; a Redis store expires its keys itself and needs none), and
// reports how many records were removed. The engine starts no goroutine: a
// gateway calls Sweep on its own schedule, for example
//
//	go storage.SweepEvery(ctx, storage.SweeperFunc(engine.Sweep), time.Minute, time.Now, nil)
//
// A failing store is a retryable sderrors.ErrUnavailable; the other stores
// are still swept.
func (e *Engine) Sweep(ctx context.Context, now time.Time) (int, error) {
	total := 0
	var errs []error
	for _, sw := range e.sweepers {
		start := time.Now()
		n, err := sw.DeleteExpired(ctx, now)
		e.obs.storeCall("sweep", start, err)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return total, sderrors.FromDependency(stderrors.Join(errs...))
	}
	return total, nil
}

// NeedsSweep reports whether any store of the engine keeps expired records
// until Sweep removes them: a gateway runs Sweep on a schedule when it does.
func (e *Engine) NeedsSweep() bool { return len(e.sweepers) > 0 }

// load loads a session and tells the observer.
func (e *Engine) load(ctx context.Context, key storage.Key, now time.Time) (storage.Record, error) {
	start := time.Now()
	rec, err := e.sessions.Load(ctx, key, now)
	e.obs.storeCall("load", start, ignoreNotFound(err))
	return rec, err
}

// ignoreNotFound is err unless it is a store's "not found" or "already
// exists" answer, which is no failure of the store.
func ignoreNotFound(err error) error {
	if stderrors.Is(err, storage.ErrNotFound) || stderrors.Is(err, storage.ErrAlreadyExists) {
		return nil
	}
	return err
}

// errBadMerchant answers a merchant id that cannot exist.
var errBadMerchant = sderrors.ErrUnknownMerchant.WithProperty("merchantId").WithMessage(
	"merchant ids are 1 to 64 characters of A-Z, a-z, 0-9 and -")

// catalog asks the catalog source for merchantID's catalog.
func (e *Engine) catalog(ctx context.Context, merchantID string) (*filter.Catalog, error) {
	c, err := e.catalogs.Catalog(ctx, merchantID)
	if err != nil {
		return nil, dependency(err)
	}
	if c == nil {
		return nil, sderrors.ErrInternal.WithMessage("the catalog source returned no catalog and no error")
	}
	return c, nil
}

// datacenter asks the resolver for merchantID's datacenter and checks it.
func (e *Engine) datacenter(ctx context.Context, merchantID string) (Datacenter, error) {
	dc, err := e.datacenters.Datacenter(ctx, merchantID)
	if err != nil {
		return Datacenter{}, dependency(err)
	}
	if err := dc.Validate(); err != nil {
		return Datacenter{}, sderrors.ErrInternal.WithMessage("the datacenter resolver returned an invalid datacenter").WithCause(err)
	}
	return dc, nil
}

// storeFailure maps the failure of a store's write (a session, a nonce, an
// idempotency claim): storage.ErrFull, the store at its memory bound, is
// the retryable sderrors.ErrStoreFull (503); anything else a failure of
// the dependency (sderrors.FromDependency).
func storeFailure(err error) *sderrors.Error {
	if stderrors.Is(err, storage.ErrFull) {
		return sderrors.ErrStoreFull.WithCause(err)
	}
	return sderrors.FromDependency(err)
}

// dependency maps an error of a configured dependency: our errors pass
// through (an unknown merchant gets its property), anything else is a
// failure of the dependency (sderrors.FromDependency).
func dependency(err error) error {
	if e := sderrors.Find(err); e != nil {
		if sderrors.HasCode(err, sderrors.ErrUnknownMerchant.Code()) && e.Property() == "" {
			return e.WithProperty("merchantId")
		}
		return err
	}
	return sderrors.FromDependency(err)
}

// prefix prefixes the property path of err when it is one of ours.
func prefix(err error, p string) error {
	if e := sderrors.Find(err); e != nil {
		return e.Prefix(p)
	}
	return err
}
