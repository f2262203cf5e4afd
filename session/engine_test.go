package session_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/testwait"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/storage/memstore"
	"github.com/clientsession/engine/token"
)

var (
	sessionIDPattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	customerIDPattern = regexp.MustCompile(`^1234-[0-9a-f]{32}$`)
)

func TestNewValidatesConfiguration(t *testing.T) {
	t.Parallel()
	store := newMemstore(t)
	cat := testCatalog(t)
	dc := session.Datacenter{Origin: origin, Region: "EU"}
	base := []session.Option{session.WithCatalog(cat), session.WithDatacenter(dc)}
	tests := []struct {
		name     string
		opts     []session.Option
		property string
	}{
		{"no catalog", []session.Option{session.WithDatacenter(dc)}, "catalogs"},
		{"no datacenter", []session.Option{session.WithCatalog(cat)}, "datacenters"},
		{"nil catalog", append(base, session.WithCatalog(nil)), "catalog"},
		{"nil catalog source", append(base, session.WithCatalogs(nil)), "catalogs"},
		{"nil resolver", append(base, session.WithDatacenters(nil)), "datacenters"},
		{"nil clock", append(base, session.WithClock(nil)), "clock"},
		{"nil random", append(base, session.WithRandom(nil)), "random"},
		{"nil option", append(base, nil), "options[2]"},
		{"lifetime zero", append(base, session.WithLifetime(0)), "lifetime"},
		{"lifetime negative", append(base, session.WithLifetime(-time.Second)), "lifetime"},
		{"lifetime over 2h", append(base, session.WithLifetime(2*time.Hour+time.Nanosecond)), "lifetime"},
		{"max tokens zero", append(base, session.WithMaxTokens(0)), "maxTokens"},
		{"origin with path", append(base, session.WithDatacenter(session.Datacenter{Origin: origin + "/client", Region: "EU"})), "datacenter.origin"},
		{"origin with trailing slash", append(base, session.WithDatacenter(session.Datacenter{Origin: origin + "/", Region: "EU"})), "datacenter.origin"},
		{"origin without scheme", append(base, session.WithDatacenter(session.Datacenter{Origin: "payment.example.com", Region: "EU"})), "datacenter.origin"},
		{"origin ftp", append(base, session.WithDatacenter(session.Datacenter{Origin: "ftp://h", Region: "EU"})), "datacenter.origin"},
		{"origin bad port", append(base, session.WithDatacenter(session.Datacenter{Origin: "http://h:99999", Region: "EU"})), "datacenter.origin"},
		{"region unknown", append(base, session.WithDatacenter(session.Datacenter{Origin: origin, Region: "APAC"})), "datacenter.region"},
		{"region lower case", append(base, session.WithDatacenter(session.Datacenter{Origin: origin, Region: "eu"})), "datacenter.region"},
		{"idempotence lease zero", append(base, session.WithIdempotenceLease(0)), "idempotenceLease"},
		{"idempotence lease negative", append(base, session.WithIdempotenceLease(-time.Second)), "idempotenceLease"},
		{"idempotence lease over the default TTL", append(base, session.WithIdempotenceLease(session.DefaultIdempotenceTTL+time.Nanosecond)), "idempotenceLease"},
		{"idempotence lease over the TTL", append(base, session.WithIdempotenceLease(time.Hour), session.WithIdempotenceTTL(time.Minute)), "idempotenceLease"},
		{"idempotence TTL under the default lease", append(base, session.WithIdempotenceTTL(session.DefaultIdempotenceLease-time.Nanosecond)), "idempotenceLease"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := session.New(store, store, tt.opts...)
			if e != nil {
				t.Errorf("New returned an engine with an error")
			}
			wantError(t, "New", err, sderrors.ErrInvalidConfiguration.Code(), tt.property)
		})
	}
	if _, err := session.New(nil, store, base...); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil sessions) error = %v; want ErrInvalidConfiguration", err)
	}
	if _, err := session.New(store, nil, base...); !errors.Is(err, sderrors.ErrInvalidConfiguration) {
		t.Errorf("New(nil tokens) error = %v; want ErrInvalidConfiguration", err)
	}
	// A lease equal to the TTL is allowed, whatever the order of the options.
	if _, err := session.New(store, store, append(base, session.WithIdempotenceLease(time.Minute), session.WithIdempotenceTTL(time.Minute))...); err != nil {
		t.Errorf("New with a lease equal to the TTL: %v", err)
	}
	for _, o := range []string{"http://localhost:8080", "https://a.b-c.example", "http://127.0.0.1", "http://[::1]:8080"} {
		if _, err := session.New(store, store, session.WithCatalog(cat), session.WithDatacenter(session.Datacenter{Origin: o, Region: "PAR"})); err != nil {
			t.Errorf("New with origin %s: %v", o, err)
		}
	}
}

func TestCreateResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp := f.create(t, `{}`)
	if resp.ClientAPIURL != origin+"/client" || resp.AssetURL != origin+"/" || resp.Region != "EU" {
		t.Errorf("urls = %s, %s, %s; want %s/client, %s/, EU", resp.ClientAPIURL, resp.AssetURL, resp.Region, origin, origin)
	}
	if !sessionIDPattern.MatchString(resp.ClientSessionID) {
		t.Errorf("clientSessionId = %q; want 32 lowercase hex", resp.ClientSessionID)
	}
	if !customerIDPattern.MatchString(resp.CustomerID) {
		t.Errorf("customerId = %q; want 1234-{32 lowercase hex}", resp.CustomerID)
	}
	if len(resp.InvalidTokens) != 0 || len(resp.Invalid) != 0 {
		t.Errorf("invalid tokens %v %v; want none", resp.InvalidTokens, resp.Invalid)
	}
}

func TestDatacenterPerMerchant(t *testing.T) {
	t.Parallel()
	resolver := session.DatacenterFunc(func(_ context.Context, m string) (session.Datacenter, error) {
		switch m {
		case merchant:
			return session.Datacenter{Origin: "https://eu.example.com", Region: "EU"}, nil
		case other:
			return session.Datacenter{Origin: "https://us.example.com:8443", Region: "US"}, nil
		case "broken":
			return session.Datacenter{}, errBroken
		case "misconfigured":
			return session.Datacenter{Origin: "https://x.example.com/", Region: "US"}, nil
		}
		return session.Datacenter{}, sderrors.ErrUnknownMerchant
	})
	f := newFixture(t, session.WithDatacenters(resolver))
	for _, tt := range []struct{ merchant, api, region string }{
		{merchant, "https://eu.example.com/client", "EU"},
		{other, "https://us.example.com:8443/client", "US"},
	} {
		resp, err := f.tryCreate(tt.merchant, `{}`)
		if err != nil || resp.ClientAPIURL != tt.api || resp.Region != tt.region {
			t.Errorf("Create(%s) = %s %s, %v; want %s %s", tt.merchant, resp.ClientAPIURL, resp.Region, err, tt.api, tt.region)
		}
	}
	_, err := f.tryCreate("nobody", `{}`)
	wantError(t, "Create for an unknown merchant", err, sderrors.ErrUnknownMerchant.Code(), "merchantId")
	_, err = f.tryCreate("broken", `{}`)
	if !sderrors.IsRetryable(err) {
		t.Errorf("Create with a failing resolver: %v; want retryable", err)
	}
	_, err = f.tryCreate("misconfigured", `{}`)
	if sderrors.CodeOf(err) != sderrors.ErrInternal.Code() {
		t.Errorf("Create with an invalid datacenter: %v; want ErrInternal", err)
	}
}

func TestCatalogPerMerchant(t *testing.T) {
	t.Parallel()
	small, err := filter.NewCatalog([]filter.Product{{ID: 840, Label: "PayPal", PaymentMethod: "redirect"}})
	if err != nil {
		t.Fatal(err)
	}
	full := testCatalog(t)
	source := session.CatalogFunc(func(_ context.Context, m string) (*filter.Catalog, error) {
		switch m {
		case merchant:
			return full, nil
		case other:
			return small, nil
		case "broken":
			return nil, errBroken
		}
		return nil, sderrors.ErrUnknownMerchant
	})
	f := newFixture(t, session.WithCatalogs(source))
	if _, err := f.tryCreate(merchant, `{"paymentProductFilters":{"exclude":{"groups":["cards"]}}}`); err != nil {
		t.Errorf("Create(%s, cards): %v", merchant, err)
	}
	_, err = f.tryCreate(other, `{"paymentProductFilters":{"exclude":{"groups":["cards"]}}}`)
	wantError(t, "Create for a merchant without cards", err, sderrors.ErrUnknownGroup.Code(), "paymentProductFilters.exclude.groups[0]")
	_, err = f.tryCreate("nobody", `{}`)
	wantError(t, "Create for an unknown merchant", err, sderrors.ErrUnknownMerchant.Code(), "merchantId")
	_, err = f.tryCreate("broken", `{}`)
	if !sderrors.IsRetryable(err) {
		t.Errorf("Create with a failing catalog source: %v; want retryable", err)
	}
}

// TestCreateTokenOutcomes: the token rules of package token through the engine.
func TestCreateTokenOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		tokens      []string
		wantInvalid []string
		wantReasons []token.Reason
		wantValid   []string // the session's tokens, in order
	}{
		{"none", nil, []string{}, nil, nil},
		{"valid", []string{tokVisa, tokPayPal}, []string{}, nil, []string{tokVisa, tokPayPal}},
		{"expired", []string{tokExpired}, []string{tokExpired}, []token.Reason{token.ReasonCardExpired}, nil},
		{"valid through the last day of its month", []string{tokExpiringOK}, []string{}, nil, []string{tokExpiringOK}},
		{"other merchant", []string{tokOther}, []string{tokOther}, []token.Reason{token.ReasonOtherMerchant}, nil},
		{"deleted", []string{tokDeleted}, []string{tokDeleted}, []token.Reason{token.ReasonDeleted}, nil},
		{"revoked", []string{tokRevoked}, []string{tokRevoked}, []token.Reason{token.ReasonRevoked}, nil},
		{"unknown", []string{tokUnknown}, []string{tokUnknown}, []token.Reason{token.ReasonUnknown}, nil},
		{"product gone", []string{tokGone}, []string{tokGone}, []token.Reason{token.ReasonProductGone}, nil},
		{"excluded product is valid", []string{tokMaster}, []string{}, nil, []string{tokMaster}},
		{"duplicates reported once, in request order",
			[]string{tokUnknown, tokVisa, tokExpired, tokUnknown, tokVisa, tokExpired},
			[]string{tokUnknown, tokExpired}, []token.Reason{token.ReasonUnknown, token.ReasonCardExpired}, []string{tokVisa}},
		{"mixed", []string{tokOther, tokAmex, tokDeleted, tokVisa, tokGone},
			[]string{tokOther, tokDeleted, tokGone},
			[]token.Reason{token.ReasonOtherMerchant, token.ReasonDeleted, token.ReasonProductGone},
			[]string{tokAmex, tokVisa}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			body := `{"paymentProductFilters":{"exclude":{"products":[3]}},"tokens":` + mustJSON(t, orEmpty(tt.tokens)) + `}`
			resp := f.create(t, body)
			if !slices.Equal(resp.InvalidTokens, tt.wantInvalid) {
				t.Errorf("invalidTokens = %#v; want %#v", resp.InvalidTokens, tt.wantInvalid)
			}
			var reasons []token.Reason
			for i, inv := range resp.Invalid {
				reasons = append(reasons, inv.Reason)
				if i < len(resp.InvalidTokens) && inv.ID != resp.InvalidTokens[i] {
					t.Errorf("Invalid[%d].ID = %s; want %s", i, inv.ID, resp.InvalidTokens[i])
				}
			}
			if !slices.Equal(reasons, tt.wantReasons) {
				t.Errorf("reasons = %v; want %v", reasons, tt.wantReasons)
			}
			toks, err := f.auth(t, resp).Tokens()
			if err != nil {
				t.Fatalf("Tokens: %v", err)
			}
			var ids []string
			for _, tok := range toks {
				ids = append(ids, tok.ID)
			}
			if !slices.Equal(ids, tt.wantValid) {
				t.Errorf("session tokens = %v; want %v", ids, tt.wantValid)
			}
			wantCalls := int64(1)
			if len(tt.tokens) == 0 {
				wantCalls = 0
			}
			if got := f.tokens.calls.Load(); got != wantCalls {
				t.Errorf("token repository calls = %d; want %d (one batch)", got, wantCalls)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestSessionKeepsTokenFields: the stored tokens keep id, product, expiry
// and alias through the payload.
func TestSessionKeepsTokenFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp := f.create(t, `{"tokens":["`+tokVisa+`","`+tokPayPal+`","`+tokVisa2+`"]}`)
	got, err := f.auth(t, resp).Tokens()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]token.Token{}
	for _, tok := range testTokens() {
		byID[tok.ID] = tok
	}
	want := []token.Token{byID[tokVisa], byID[tokPayPal], byID[tokVisa2]}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens() = %+v; want %+v", got, want)
	}
}

func TestFailingTokenRepository(t *testing.T) {
	t.Parallel()
	store := newMemstore(t)
	f := newFixtureOver(t, store, failingTokens{})
	_, err := f.tryCreate(merchant, `{"tokens":["`+tokVisa+`"]}`)
	if !sderrors.IsRetryable(err) || !errors.Is(err, sderrors.ErrUnavailable) {
		t.Errorf("Create with a failing token repository: %v; want retryable ErrUnavailable", err)
	}
	if !errors.Is(err, errBroken) {
		t.Errorf("Create error %v does not wrap the cause", err)
	}
	if n := store.Len(); n != 0 {
		t.Errorf("sessions stored = %d; want 0", n)
	}
	if _, err := f.tryCreate(merchant, `{}`); err != nil {
		t.Errorf("Create without tokens does not call the repository: %v", err)
	}
}

func TestFailingSessionStore(t *testing.T) {
	t.Parallel()
	store := &flakySessions{Store: newMemstore(t)}
	store.PutTokens(testTokens()...)
	f := newFixtureOver(t, store, store.Store)
	resp := f.create(t, `{}`)

	store.fail(true, false, false)
	_, err := f.tryCreate(merchant, `{}`)
	if !errors.Is(err, sderrors.ErrUnavailable) || !sderrors.IsRetryable(err) {
		t.Errorf("Create with a failing store: %v; want retryable ErrUnavailable", err)
	}
	store.fail(false, true, false)
	_, err = f.engine.Authenticate(context.Background(), resp.CustomerID, resp.ClientSessionID)
	if !errors.Is(err, sderrors.ErrUnavailable) || errors.Is(err, sderrors.ErrUnauthorized) {
		t.Errorf("Authenticate with a failing store: %v; want ErrUnavailable, not ErrUnauthorized", err)
	}
	_, err = f.engine.Lookup(context.Background(), merchant, resp.ClientSessionID)
	if !errors.Is(err, sderrors.ErrUnavailable) {
		t.Errorf("Lookup with a failing store: %v; want ErrUnavailable", err)
	}
	store.fail(false, false, true)
	err = f.engine.Revoke(context.Background(), merchant, resp.ClientSessionID)
	if !errors.Is(err, sderrors.ErrUnavailable) {
		t.Errorf("Revoke with a failing store: %v; want ErrUnavailable", err)
	}
	store.fail(false, false, false)
	f.auth(t, resp)
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp := f.create(t, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, err := f.engine.DecodeCreateRequest([]byte(`{"tokens":["` + tokVisa + `"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Create(ctx, merchant, req); err == nil || sderrors.KindOf(err) == sderrors.KindInvalidArgument {
		t.Errorf("Create with a canceled context: %v; want a canceled or unavailable error", err)
	}
	if _, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); errors.Is(err, sderrors.ErrUnauthorized) || err == nil {
		t.Errorf("Authenticate with a canceled context: %v; want a canceled error, not 401", err)
	}
}

// TestIDs: format, uniqueness, and the random source.
func TestIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seen := map[string]bool{}
	for range 500 {
		resp := f.create(t, `{}`)
		if !sessionIDPattern.MatchString(resp.ClientSessionID) || !customerIDPattern.MatchString(resp.CustomerID) {
			t.Fatalf("ids %s, %s: wrong format", resp.ClientSessionID, resp.CustomerID)
		}
		random := strings.TrimPrefix(resp.CustomerID, merchant+"-")
		if seen[resp.ClientSessionID] || seen[random] || random == resp.ClientSessionID {
			t.Fatalf("id repeated after %d sessions", len(seen)/2)
		}
		seen[resp.ClientSessionID], seen[random] = true, true
	}
}

func TestIDsComeFromTheRandomSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, session.WithRandom(&counter{}))
	first, second := f.create(t, `{}`), f.create(t, `{}`)
	want := []string{
		"000102030405060708090a0b0c0d0e0f", "1234-101112131415161718191a1b1c1d1e1f",
		"202122232425262728292a2b2c2d2e2f", "1234-303132333435363738393a3b3c3d3e3f",
	}
	got := []string{first.ClientSessionID, first.CustomerID, second.ClientSessionID, second.CustomerID}
	if !slices.Equal(got, want) {
		t.Errorf("ids = %v; want %v", got, want)
	}
}

func TestFailingRandomSource(t *testing.T) {
	t.Parallel()
	store := newMemstore(t)
	f := newFixtureOver(t, store, store, session.WithRandom(io.LimitReader(&counter{}, 40)))
	f.create(t, `{}`)
	_, err := f.tryCreate(merchant, `{}`)
	if sderrors.CodeOf(err) != sderrors.ErrInternal.Code() {
		t.Errorf("Create with an exhausted random source: %v; want ErrInternal", err)
	}
	if n := store.Len(); n != 1 {
		t.Errorf("sessions stored = %d; want 1", n)
	}
}

// TestAbsoluteExpiry: alive strictly before creation + lifetime.
func TestAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		opts     []session.Option
		lifetime time.Duration
	}{
		{"default 2h", nil, 2 * time.Hour},
		{"30m", []session.Option{session.WithLifetime(30 * time.Minute)}, 30 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts...)
			resp := f.create(t, `{}`)
			ctx := context.Background()
			s := f.auth(t, resp)
			if want := start.Add(tt.lifetime); !s.ExpiresAt().Equal(want) {
				t.Errorf("ExpiresAt = %v; want %v", s.ExpiresAt(), want)
			}
			f.clock.add(tt.lifetime - time.Nanosecond)
			if _, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
				t.Errorf("Authenticate at +lifetime-1ns: %v; want alive", err)
			}
			// Authenticating at +lifetime-1ns did not extend the session.
			f.clock.add(time.Nanosecond)
			if _, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != sderrors.ErrUnauthorized { //nolint:errorlint // the very sentinel
				t.Errorf("Authenticate at +lifetime: %v; want ErrUnauthorized", err)
			}
			if _, err := f.engine.Lookup(ctx, merchant, resp.ClientSessionID); !errors.Is(err, sderrors.ErrSessionNotFound) {
				t.Errorf("Lookup at +lifetime: %v; want ErrSessionNotFound", err)
			}
		})
	}
}

// TestAuthenticateFailuresAreEqual: every failure is the same 401.
func TestAuthenticateFailuresAreEqual(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.create(t, `{}`), f.create(t, `{}`)
	revoked := f.create(t, `{}`)
	if err := f.engine.Revoke(context.Background(), merchant, revoked.ClientSessionID); err != nil {
		t.Fatal(err)
	}
	otherMerchant, err := f.tryCreate(other, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(s string) string { // change the last hex digit
		last := s[len(s)-1]
		return s[:len(s)-1] + map[bool]string{true: "1", false: "0"}[last == '0']
	}
	tests := []struct{ name, customer, sessionID string }{
		{"unknown session", a.CustomerID, flip(a.ClientSessionID)},
		{"customer of another session", b.CustomerID, a.ClientSessionID},
		{"customer one digit off", flip(a.CustomerID), a.ClientSessionID},
		{"customer of another merchant's session", otherMerchant.CustomerID, a.ClientSessionID},
		{"right random part, wrong merchant", other + a.CustomerID[len(merchant):], a.ClientSessionID},
		{"revoked", revoked.CustomerID, revoked.ClientSessionID},
		{"session id upper case", a.CustomerID, strings.ToUpper(a.ClientSessionID)},
		{"session id short", a.CustomerID, a.ClientSessionID[1:]},
		{"session id empty", a.CustomerID, ""},
		{"customer id empty", "", a.ClientSessionID},
		{"customer id without merchant", a.CustomerID[len(merchant):], a.ClientSessionID},
		{"customer id upper case", strings.ToUpper(a.CustomerID), a.ClientSessionID},
		{"customer id is the session id", a.ClientSessionID, a.ClientSessionID},
		{"arguments swapped", a.ClientSessionID, a.CustomerID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := f.engine.Authenticate(context.Background(), tt.customer, tt.sessionID)
			if err != sderrors.ErrUnauthorized { //nolint:errorlint // the very sentinel: nothing tells the cases apart
				t.Errorf("Authenticate(%q, %q) = %v; want exactly sderrors.ErrUnauthorized", tt.customer, tt.sessionID, err)
			}
			if s.MerchantID() != "" || s.CustomerID() != "" {
				t.Errorf("Authenticate(%q, %q) returned a session with an error", tt.customer, tt.sessionID)
			}
		})
	}
	f.auth(t, a)
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	own, theirs := f.create(t, `{}`), f.create(t, `{}`)
	if err := f.engine.Revoke(ctx, other, theirs.ClientSessionID); !errors.Is(err, sderrors.ErrSessionNotFound) {
		t.Errorf("Revoke by another merchant: %v; want ErrSessionNotFound", err)
	}
	f.auth(t, theirs) // still alive
	for _, id := range []string{"00000000000000000000000000000000", "not-an-id", ""} {
		if err := f.engine.Revoke(ctx, merchant, id); !errors.Is(err, sderrors.ErrSessionNotFound) {
			t.Errorf("Revoke(%q): %v; want ErrSessionNotFound", id, err)
		}
	}
	if err := f.engine.Revoke(ctx, merchant, own.ClientSessionID); err != nil {
		t.Fatalf("Revoke own: %v", err)
	}
	if _, err := f.engine.Authenticate(ctx, own.CustomerID, own.ClientSessionID); !errors.Is(err, sderrors.ErrUnauthorized) {
		t.Errorf("Authenticate after Revoke: %v; want ErrUnauthorized", err)
	}
	if err := f.engine.Revoke(ctx, merchant, own.ClientSessionID); !errors.Is(err, sderrors.ErrSessionNotFound) {
		t.Errorf("second Revoke: %v; want ErrSessionNotFound", err)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	resp := f.create(t, `{"tokens":["`+tokVisa+`"]}`)
	s, err := f.engine.Lookup(ctx, merchant, resp.ClientSessionID)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if s.CustomerID() != resp.CustomerID || s.MerchantID() != merchant || !s.Matches(resp.ClientSessionID) {
		t.Errorf("Lookup = %s %s; want %s %s", s.MerchantID(), s.CustomerID(), merchant, resp.CustomerID)
	}
	if s.Matches(strings.Repeat("0", 32)) {
		t.Errorf("Matches accepts another id")
	}
	if s.Key() != session.KeyOf(resp.ClientSessionID) {
		t.Errorf("Key() is not KeyOf(clientSessionId)")
	}
	for _, tt := range []struct{ merchant, id string }{
		{other, resp.ClientSessionID},
		{merchant, strings.Repeat("0", 32)},
		{merchant, "x"},
		{"", resp.ClientSessionID},
	} {
		if _, err := f.engine.Lookup(ctx, tt.merchant, tt.id); !errors.Is(err, sderrors.ErrSessionNotFound) {
			t.Errorf("Lookup(%q, %q): %v; want ErrSessionNotFound", tt.merchant, tt.id, err)
		}
	}
}

// TestStoreHoldsNoCredentials: the key is the SHA-256 of the id, and the
// record holds neither the id nor the key's preimage.
func TestStoreHoldsNoCredentials(t *testing.T) {
	t.Parallel()
	rec := &recordingSessions{}
	store := newMemstore(t)
	store.PutTokens(testTokens()...)
	rec.Store = store
	f := newFixtureOver(t, rec, store)
	resp := f.create(t, `{"tokens":["`+tokVisa+`"]}`)
	if rec.last.Key != session.KeyOf(resp.ClientSessionID) {
		t.Errorf("stored key is not the SHA-256 of the clientSessionId")
	}
	if strings.Contains(string(rec.last.Payload), resp.ClientSessionID) || rec.last.CustomerID != resp.CustomerID {
		t.Errorf("stored record = %+v", rec.last)
	}
	if got, want := rec.last.ExpiresAt, start.Add(2*time.Hour); !got.Equal(want) {
		t.Errorf("stored ExpiresAt = %v; want %v", got, want)
	}
	if len(rec.last.Payload) > 64 {
		t.Errorf("payload of a session with one token: %d bytes; want compact", len(rec.last.Payload))
	}
}

type recordingSessions struct {
	*memstore.Store
	last storage.Record
}

func (r *recordingSessions) Save(ctx context.Context, rec storage.Record) error {
	r.last = rec
	return r.Store.Save(ctx, rec)
}

// TestCorruptPayload: a damaged record authenticates but Products fails
// with ErrInternal, never a panic.
func TestCorruptPayload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp := f.create(t, `{}`)
	for _, payload := range [][]byte{{}, {0x02}, {0x01}, {0x01, 0x00, 0x05}, {0x01, 0x04, 0x00}, {0x01, 0x00, 0x00, 0xff}} {
		err := f.store.Save(context.Background(), storage.Record{
			Key: session.KeyOf(resp.ClientSessionID), MerchantID: merchant, CustomerID: resp.CustomerID,
			ExpiresAt: start.Add(time.Hour), Payload: string(payload),
		})
		if err != nil {
			t.Fatal(err)
		}
		s := f.auth(t, resp)
		_, err = f.engine.Products(context.Background(), s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR"})
		if sderrors.CodeOf(err) != sderrors.ErrInternal.Code() {
			t.Errorf("Products over payload %x: %v; want ErrInternal", payload, err)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				resp, err := f.tryCreate(merchant, `{"tokens":["`+tokVisa+`","`+tokExpired+`"]}`)
				if err != nil {
					errs <- err
					return
				}
				s, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
				if err != nil {
					errs <- err
					return
				}
				if _, err := f.engine.Products(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR"}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := range 8 {
		if err := testwait.Recv(t, errs, time.Minute, fmt.Sprintf("worker %d of 8 to finish", i+1)); err != nil {
			t.Error(err)
		}
	}
	if n := f.store.Len(); n != 400 {
		t.Errorf("sessions = %d; want 400", n)
	}
}

// TestAuthenticateAllocatesNothingOnMemstore: docs/performance.md and the package
// doc claim Authenticate allocates nothing over memstore (its Load hands
// out substrings of the stored string); this fails if a copy comes back.
// Not parallel: AllocsPerRun counts the whole process.
func TestAuthenticateAllocatesNothingOnMemstore(t *testing.T) {
	f := newFixture(t)
	resp := f.create(t, `{"paymentProductFilters":{"exclude":{"products":[3]}}}`)
	ctx := context.Background()
	key := session.KeyOf(resp.ClientSessionID)
	if n := testing.AllocsPerRun(100, func() {
		if _, err := f.store.Load(ctx, key, start); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("memstore Load allocates %.0f times per call; want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := f.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Authenticate allocates %.0f times per call; want 0", n)
	}
}

// TestMerchantOfCustomerID: the one reader of the customerId format gives
// the merchant of every id Create mints, and nothing for anything else.
func TestMerchantOfCustomerID(t *testing.T) {
	f := newFixture(t)
	for _, m := range []string{merchant, "a-B-9", strings.Repeat("m", 64)} {
		resp, err := f.tryCreate(m, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := session.MerchantOfCustomerID(resp.CustomerID); !ok || got != m {
			t.Errorf("MerchantOfCustomerID(%q) = %q, %t; want %q", resp.CustomerID, got, ok, m)
		}
	}
	hex := strings.Repeat("ab", 16)
	for _, id := range []string{
		"", hex, "-" + hex, "1234" + hex, "1234-" + hex[:31], "1234-" + hex + "0", "1234-" + strings.ToUpper(hex),
		"12_34-" + hex, strings.Repeat("m", 65) + "-" + hex, "1234-" + hex[:30] + "g0", "1234--" + hex[1:],
	} {
		if got, ok := session.MerchantOfCustomerID(id); ok || got != "" {
			t.Errorf("MerchantOfCustomerID(%q) = %q, %t; want nothing", id, got, ok)
		}
	}
	id := "1234-" + hex
	if a := testing.AllocsPerRun(100, func() { _, _ = session.MerchantOfCustomerID(id) }); a != 0 {
		t.Errorf("MerchantOfCustomerID allocates %v times; want 0", a)
	}
}

// TestNowIsTheEnginesClock: Engine.Now is the clock of WithClock.
func TestNowIsTheEnginesClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if got := f.engine.Now(); !got.Equal(start) {
		t.Errorf("Now() = %v; want the fixture's clock %v", got, start)
	}
	f.clock.add(time.Hour)
	if got := f.engine.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("Now() = %v; want %v", got, start.Add(time.Hour))
	}
}
