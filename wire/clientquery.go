package wire

import (
	"net/url"
	"strings"

	"github.com/clientsession/engine/filter"
)

// maxScannedParams is the number of query parameters up to which
// ParseClientQuery reads the query itself; a longer query goes through
// net/url, whose limit on the number of parameters then applies.
const maxScannedParams = 64

// ParseClientQuery reads the query of a Client API call, as sent (the raw
// query, without "?"): its payment context as ParsePaymentContext reads it
// and whether it asks to leave the fields out as HideFields says. The
// result is that of url.ParseQuery followed by those two, errors
// included, without building the map: a pair with a ';' or a bad %
// escape is ignored, the first value of a parameter counts, and hide may
// be given several times. Queries of more than 64 parameters are handed
// to url.ParseQuery.
func ParseClientQuery(rawQuery string) (pc filter.Context, hideFields bool, err error) {
	if strings.Count(rawQuery, "&") >= maxScannedParams {
		q, _ := url.ParseQuery(rawQuery) // as url.URL.Query: a bad pair is left out
		pc, err = ParsePaymentContext(q)
		return pc, HideFields(q), err
	}
	var country, currency, amount, recurring firstValue
	for rest := rawQuery; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" || strings.IndexByte(pair, ';') >= 0 {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		var ok bool
		if key, ok = unescapeQuery(key); !ok {
			continue
		}
		if value, ok = unescapeQuery(value); !ok {
			continue
		}
		switch key {
		case "countryCode":
			country.take(value)
		case "currencyCode":
			currency.take(value)
		case "amount":
			amount.take(value)
		case "isRecurring":
			recurring.take(value)
		case "hide":
			hideFields = hideFields || value == "fields"
		}
	}
	pc, err = paymentContext(country.v, currency.v, amount.v, recurring.v)
	return pc, hideFields, err
}

// firstValue is the first value given to a query parameter.
type firstValue struct {
	v   string
	set bool
}

func (f *firstValue) take(v string) {
	if !f.set {
		f.v, f.set = v, true
	}
}

// unescapeQuery is url.QueryUnescape, without a copy when s has nothing
// to unescape.
func unescapeQuery(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}
