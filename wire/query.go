package wire

import (
	"slices"
	"strconv"
	"strings"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
)

// ParsePaymentContext reads the payment context of a Client API query
// (url.Values converts without a copy): countryCode, currencyCode, amount
// (minor units) and isRecurring ("true" or "false"); other parameters, such
// as locale and cacheBust, are ignored. The result is validated: errors
// are 400s whose propertyName is the query parameter (ErrParameterNotFound
// when countryCode or currencyCode is missing, ErrInvalidPaymentContext
// when a value is malformed).
func ParsePaymentContext(query map[string][]string) (filter.Context, error) {
	return paymentContext(first(query, "countryCode"), first(query, "currencyCode"), first(query, "amount"), first(query, "isRecurring"))
}

// paymentContext is ParsePaymentContext of the first value of each
// parameter ("" when absent).
func paymentContext(countryCode, currencyCode, amount, isRecurring string) (filter.Context, error) {
	pc := filter.Context{CountryCode: countryCode, CurrencyCode: currencyCode}
	if a := amount; a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return filter.Context{}, sderrors.ErrInvalidPaymentContext.WithProperty("amount").
				WithMessage("amount must be an integer number of minor units")
		}
		pc.Amount = n
	}
	switch isRecurring {
	case "", "false":
	case "true":
		pc.IsRecurring = true
	default:
		return filter.Context{}, sderrors.ErrInvalidPaymentContext.WithProperty("isRecurring").
			WithMessage("isRecurring must be true or false")
	}
	if err := pc.Validate(); err != nil {
		return filter.Context{}, err
	}
	return pc, nil
}

// HideFields reports whether a Client API query asks to leave the input
// fields out of products and groups (hide=fields).
func HideFields(query map[string][]string) bool {
	return slices.Contains(query["hide"], "fields")
}

// first is url.Values.Get without net/url.
func first(q map[string][]string, key string) string {
	if vs := q[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// ParseProductID parses the {paymentProductId} of a Client API path. An id
// that is not a product id (filter.ValidProductID) is the same 404 as an
// unavailable product (UnknownProduct).
func ParseProductID(raw string) (int32, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || !filter.ValidProductID(id) {
		return 0, UnknownProduct(raw)
	}
	return int32(id), nil //nolint:gosec // checked by filter.ValidProductID
}

// UnknownProduct is the 404 for a product the session may not show: code
// 1007 at "productId". As in the client SDK's own UNKNOWN_PRODUCT_ID error,
// the message is the id as given, when it is at most ten digits.
func UnknownProduct(raw string) error {
	if len(raw) == 0 || len(raw) > 10 || strings.Trim(raw, "0123456789") != "" {
		return sderrors.ErrUnknownProduct.WithProperty("productId")
	}
	return sderrors.ErrUnknownProduct.WithProperty("productId").WithMessage(raw)
}

// errUnknownGroup is the 404 for a product group the session may not show.
var errUnknownGroup = sderrors.ErrUnknownProduct.WithProperty("paymentProductGroupId").
	WithMessage("unknown payment product group")
