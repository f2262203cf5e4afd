package session_test

import (
	"context"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/token"
)

// FuzzCreate feeds untrusted request bodies through DecodeCreateRequest and
// Create: never a panic; every rejection is a 4xx-kind *sderrors.Error;
// Create answers a decoded request exactly as it answers a literal of the
// same values (a decoded request carries no state that skips a check); a
// request Create accepts keeps every shape rule (token count and format,
// filter caps, ids, duplicates); an accepted session authenticates, and
// its products never include a product its exclude filter names.
func FuzzCreate(f *testing.F) {
	f.Add(`{}`)                                                                                 // the spec's empty request
	f.Add(`{"tokens":["126166b16ed04b3ab85fb06da1d7a167","126166b16ed04b3ab85fb06da1d7a167"]}`) // duplicates
	f.Add(`{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}}}`)
	f.Add(`{"paymentProductFilters":{"exclude":{"groups":["cards","wallets"]}}}`) // unknown group at [1]
	f.Add(`{"paymentProductFilters":{"restrictTo":{"products":[0,-1,2147483648,1.5,1e3]}}}`)
	f.Add(`{"paymentProductFilters":{"exclude":{"products":[3,3]}}}`) // duplicate id
	f.Add(`{"paymentProductFilters":null,"tokens":null}`)             // null where object/array belong
	f.Add(`{"tokens":[""],"extra":1}`)                                // empty token, unknown property
	f.Add(`{"tokens":["has space",""]}`)                              // two bad tokens
	f.Add(`{"tokens":["a"]} trailing`)                                // trailing data
	f.Add(`[1,2,3]`)                                                  // not an object
	f.Add("{\"tokens\":[\"\u00e9\"]}")                                // non-ASCII token
	fx := newFixture(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body string) {
		req, err := fx.engine.DecodeCreateRequest([]byte(body))
		if err != nil {
			want4xx(t, body, err)
			return
		}
		literal := session.CreateRequest{PaymentProductFilters: req.PaymentProductFilters, Tokens: req.Tokens}
		resp, err := fx.engine.Create(ctx, merchant, req)
		_, litErr := fx.engine.Create(ctx, merchant, literal)
		if got, want := problems(err), problems(litErr); (err == nil) != (litErr == nil) || got != want {
			t.Fatalf("body %q: Create of the decoded request = %v %s, of a literal = %v %s", body, err, got, litErr, want)
		}
		if err != nil {
			want4xx(t, body, err)
			return
		}
		if len(req.Tokens) > token.DefaultMaxTokens {
			t.Fatalf("body %q: accepted %d tokens", body, len(req.Tokens))
		}
		for i, id := range req.Tokens {
			if !token.WellFormed(id) {
				t.Fatalf("body %q: accepted the malformed tokens[%d] %q", body, i, id)
			}
		}
		if req.PaymentProductFilters != nil {
			if err := req.PaymentProductFilters.Validate(); err != nil {
				t.Fatalf("body %q: accepted filters that break a shape rule: %v", body, err)
			}
		}
		s, err := fx.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
		if err != nil {
			t.Fatalf("a created session does not authenticate: %v", err)
		}
		products, err := fx.engine.Products(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000})
		if err != nil {
			t.Fatalf("Products: %v", err)
		}
		if req.PaymentProductFilters == nil || req.PaymentProductFilters.Exclude == nil {
			return
		}
		for _, p := range products {
			for _, id := range req.PaymentProductFilters.Exclude.Products {
				if p.ID == id {
					t.Fatalf("product %d is shown although excluded", id)
				}
			}
		}
	})
}

// want4xx fails t unless err is an *sderrors.Error of a 4xx kind.
func want4xx(t *testing.T, body string, err error) {
	t.Helper()
	e := sderrors.Find(err)
	if e == nil {
		t.Fatalf("body %q: error %v is not an *sderrors.Error", body, err)
	}
	if status := e.Kind().HTTPStatus(); status < 400 || status > 499 {
		t.Fatalf("body %q: error %v has status %d; want 4xx", body, err, status)
	}
}
