package wire_test

import (
	"net/url"
	"strings"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/wire"
)

// checkClientQuery: ParseClientQuery(raw) gives what url.ParseQuery
// followed by ParsePaymentContext and HideFields gives, errors included
// (code, property and message).
func checkClientQuery(t *testing.T, raw string) {
	t.Helper()
	q, _ := url.ParseQuery(raw)
	wantPC, wantErr := wire.ParsePaymentContext(q)
	wantHide := wire.HideFields(q)
	pc, hide, err := wire.ParseClientQuery(raw)
	if pc != wantPC || hide != wantHide || (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: %+v, hide %v, %v; want %+v, hide %v, %v", raw, pc, hide, err, wantPC, wantHide, wantErr)
	}
	if err != nil {
		got, want := sderrors.ToResponse(err, sderrors.WithErrorID(func() string { return "" })),
			sderrors.ToResponse(wantErr, sderrors.WithErrorID(func() string { return "" }))
		if len(got.Errors) != 1 || len(want.Errors) != 1 || got.Errors[0] != want.Errors[0] {
			t.Fatalf("%q: error %+v, want %+v", raw, got.Errors, want.Errors)
		}
	}
}

func TestParseClientQuery(t *testing.T) {
	for _, raw := range []string{
		"countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false&locale=en_GB&cacheBust=1",
		"countryCode=NL&currencyCode=EUR&amount=1000&hide=fields",
		"hide=x&hide=fields&countryCode=NL&currencyCode=EUR",
		"hide=Fields&countryCode=NL&currencyCode=EUR",
		"countryCode=NL&currencyCode=EUR&countryCode=BE",
		"country%43ode=NL&currency%43ode=%45UR&amount=1%30",
		"countryCode=N%4&countryCode=BE&currencyCode=EUR",       // a bad escape: that pair is left out
		"countryCode=NL;x&countryCode=BE&currencyCode=EUR",      // a ';': that pair is left out
		"countryCode=NL&currencyCode=EUR&amount=+1000",          // '+' is a space
		"countryCode=NL&currencyCode=EUR&isRecurring=true&&&=&", // empty pairs
		"countryCode&currencyCode=EUR",
		"", "?", "=", "&", "%zz", "amount=-1&countryCode=NL&currencyCode=EUR",
		"countryCode=NL&currencyCode=EUR&amount=99999999999999999999",
		"countryCode=NL&currencyCode=EUR&isRecurring=yes",
		strings.Repeat("a=b&", 70) + "countryCode=NL&currencyCode=EUR&hide=fields", // past the scanned count
		strings.Repeat("&", 10001) + "countryCode=NL&currencyCode=EUR",             // past net/url's limit
	} {
		checkClientQuery(t, raw)
	}
}

// FuzzParseClientQuery: for any query, ParseClientQuery agrees with
// url.ParseQuery and ParsePaymentContext.
func FuzzParseClientQuery(f *testing.F) {
	f.Add("countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false&hide=fields")
	f.Add("country%43ode=NL&currencyCode=EUR;&amount=%zz&hide=fields&hide=x")
	f.Add("isRecurring=true&isRecurring=maybe&countryCode=+NL")
	f.Add(strings.Repeat("x&", 70) + "countryCode=NL")
	f.Fuzz(checkClientQuery)
}
