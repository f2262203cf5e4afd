package filter

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
func (pc Context) Validate() error { panic("TODO") }
