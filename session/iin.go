package session

import (
	"context"
	"slices"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

// IINDetails is what the Client API's getIINdetails answers for a card
// number's first digits: the card's payment product, whether this session
// may use it in the payment context, and, when several products of the
// catalog hold the digits, all of them as co-brands.
type IINDetails struct {
	PaymentProductID   int32
	IsAllowedInContext bool
	// CoBrands lists every product holding the digits, PaymentProductID
	// included, most specific range first; nil when there is only one.
	CoBrands []IINCoBrand
}

// IINCoBrand is one of the products that hold a card number's digits.
type IINCoBrand struct {
	PaymentProductID   int32
	IsAllowedInContext bool
}

// IINDetails looks up the card product of bin (the first 6 to 19 digits of
// a card number) in the merchant's catalog, for session s in payment
// context pc.
//
// A product is allowed in context exactly when Products(ctx, s, pc) lists
// it: the same resolution (filters, country, currency, amount, recurring)
// decides. The answer's product is the first allowed one among the
// matches of filter.Catalog.MatchIIN (most specific range first, then
// display order), or the first match when none is allowed; a card of a
// product the session's filters exclude thus comes back as existing but
// not allowed in context.
//
// Errors: an empty bin is sderrors.ErrParameterNotFound, a malformed one
// sderrors.ErrInvalidValue, both at "bin" (checked first, before pc); a
// malformed pc is a 400 at "countryCode", "currencyCode" or "amount" as in
// Products; digits that no product of the catalog holds are
// sderrors.ErrIINNotFound (404) at "bin". No error repeats the digits.
func (e *Engine) IINDetails(ctx context.Context, s Session, bin string, pc filter.Context) (IINDetails, error) {
	b, err := filter.ParseBIN(bin)
	if err != nil {
		return IINDetails{}, err
	}
	catalog, filters, _, err := e.sessionView(ctx, s, pc)
	if err != nil {
		return IINDetails{}, err
	}
	var buf [8]filter.IINMatch
	matches := catalog.AppendIINMatches(buf[:0], b)
	if len(matches) == 0 {
		return IINDetails{}, sderrors.ErrIINNotFound.WithProperty("bin")
	}
	available := catalog.Resolve(pc, filters)
	allowed := func(id int32) bool { return slices.Contains(available, id) }

	primary := 0
	for i, m := range matches {
		if allowed(m.ProductID) {
			primary = i
			break
		}
	}
	out := IINDetails{PaymentProductID: matches[primary].ProductID, IsAllowedInContext: allowed(matches[primary].ProductID)}
	if len(matches) > 1 {
		out.CoBrands = make([]IINCoBrand, len(matches))
		for i, m := range matches {
			out.CoBrands[i] = IINCoBrand{PaymentProductID: m.ProductID, IsAllowedInContext: allowed(m.ProductID)}
		}
	}
	return out, nil
}
