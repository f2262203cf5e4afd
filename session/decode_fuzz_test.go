package session_test

import (
	"context"
	"errors"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

// FuzzCreate feeds untrusted request bodies through DecodeCreateRequest and
// Create: never a panic; every rejection is a 4xx-kind *sderrors.Error; an
// accepted session authenticates, and its products never include a product
// its exclude filter names.
func FuzzCreate(f *testing.F) {
	f.Add(`{}`)                                                                                 // the spec's empty request
	f.Add(`{"tokens":["126166b16ed04b3ab85fb06da1d7a167","126166b16ed04b3ab85fb06da1d7a167"]}`) // duplicates
	f.Add(`{"paymentProductFilters":{"restrictTo":{"groups":["cards"],"products":[840]},"exclude":{"products":[3]}}}`)
	f.Add(`{"paymentProductFilters":{"exclude":{"groups":["cards","wallets"]}}}`) // unknown group at [1]
	f.Add(`{"paymentProductFilters":{"restrictTo":{"products":[0,-1,2147483648,1.5,1e3]}}}`)
	f.Add(`{"paymentProductFilters":null,"tokens":null}`) // null where object/array belong
	f.Add(`{"tokens":[""],"extra":1}`)                    // empty token, unknown property
	f.Add(`{"tokens":["a"]} trailing`)                    // trailing data
	f.Add(`[1,2,3]`)                                      // not an object
	f.Add("{\"tokens\":[\"\u00e9\"]}")                    // non-ASCII token
	fx := newFixture(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body string) {
		resp, err := fx.tryCreate(merchant, body)
		if err != nil {
			e := sderrors.Find(err)
			if e == nil {
				t.Fatalf("error %v is not an *sderrors.Error", err)
			}
			if status := e.Kind().HTTPStatus(); status < 400 || status > 499 {
				t.Fatalf("body %q: error %v has status %d; want 4xx", body, err, status)
			}
			// What decoding accepted, Create refuses only for what needs the
			// merchant's catalog: never for a rule of the request's shape.
			if _, derr := fx.engine.DecodeCreateRequest([]byte(body)); derr == nil && !errors.Is(err, sderrors.ErrUnknownGroup) {
				t.Fatalf("body %q: decoded, then Create refused it: %v", body, err)
			}
			return
		}
		s, err := fx.engine.Authenticate(ctx, resp.CustomerID, resp.ClientSessionID)
		if err != nil {
			t.Fatalf("a created session does not authenticate: %v", err)
		}
		products, err := fx.engine.Products(ctx, s, filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000})
		if err != nil {
			t.Fatalf("Products: %v", err)
		}
		req, _ := fx.engine.DecodeCreateRequest([]byte(body))
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
