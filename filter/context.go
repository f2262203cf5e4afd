package filter

import (
	sderrors "github.com/clientsession/engine/errors"
)

// Context is the payment context of a client call.
type Context struct {
	CountryCode  string // ISO 3166 alpha-2, upper case, required
	CurrencyCode string // ISO 4217, upper case, required
	Amount       int64  // minor units, >= 0
	IsRecurring  bool
}

// Validate checks the context; errors name the wire query parameter
// (countryCode, currencyCode, amount): ErrParameterNotFound when missing,
// ErrInvalidPaymentContext when malformed.
func (pc Context) Validate() error {
	switch {
	case pc.CountryCode == "":
		return sderrors.ErrParameterNotFound.WithProperty("countryCode")
	case !isCode(pc.CountryCode, 2):
		return sderrors.ErrInvalidPaymentContext.WithProperty("countryCode").
			WithMessage("countryCode must be an ISO 3166 alpha-2 code in upper case, e.g. NL")
	case pc.CurrencyCode == "":
		return sderrors.ErrParameterNotFound.WithProperty("currencyCode")
	case !isCode(pc.CurrencyCode, 3):
		return sderrors.ErrInvalidPaymentContext.WithProperty("currencyCode").
			WithMessage("currencyCode must be an ISO 4217 code in upper case, e.g. EUR")
	case pc.Amount < 0:
		return sderrors.ErrInvalidPaymentContext.WithProperty("amount").
			WithMessage("amount must be zero or more, in minor units")
	}
	return nil
}

// IsCountryCode reports whether s has the form of an ISO 3166 alpha-2
// country code: two ASCII upper-case letters.
func IsCountryCode(s string) bool { return isCode(s, 2) }

// IsCurrencyCode reports whether s has the form of an ISO 4217 currency
// code: three ASCII upper-case letters.
func IsCurrencyCode(s string) bool { return isCode(s, 3) }

// isCode reports whether s is exactly n ASCII upper-case letters.
func isCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
