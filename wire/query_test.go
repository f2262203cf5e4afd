package wire_test

import (
	"errors"
	"net/url"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/wire"
)

func TestParsePaymentContext(t *testing.T) {
	tests := []struct {
		query    string
		want     filter.Context
		err      *sderrors.Error
		property string
	}{
		{"countryCode=NL&currencyCode=EUR&amount=1000&isRecurring=false&locale=en_GB&cacheBust=1",
			filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000}, nil, ""},
		{"countryCode=NL&currencyCode=EUR&isRecurring=true", filter.Context{CountryCode: "NL", CurrencyCode: "EUR", IsRecurring: true}, nil, ""},
		{"countryCode=NL&currencyCode=EUR&countryCode=BE", filter.Context{CountryCode: "NL", CurrencyCode: "EUR"}, nil, ""},
		{"currencyCode=EUR", filter.Context{}, sderrors.ErrParameterNotFound, "countryCode"},
		{"countryCode=NL", filter.Context{}, sderrors.ErrParameterNotFound, "currencyCode"},
		{"countryCode=nl&currencyCode=EUR", filter.Context{}, sderrors.ErrInvalidPaymentContext, "countryCode"},
		{"countryCode=NL&currencyCode=EURO", filter.Context{}, sderrors.ErrInvalidPaymentContext, "currencyCode"},
		{"countryCode=NL&currencyCode=EUR&amount=1.5", filter.Context{}, sderrors.ErrInvalidPaymentContext, "amount"},
		{"countryCode=NL&currencyCode=EUR&amount=-1", filter.Context{}, sderrors.ErrInvalidPaymentContext, "amount"},
		{"countryCode=NL&currencyCode=EUR&amount=99999999999999999999", filter.Context{}, sderrors.ErrInvalidPaymentContext, "amount"},
		{"countryCode=NL&currencyCode=EUR&isRecurring=yes", filter.Context{}, sderrors.ErrInvalidPaymentContext, "isRecurring"},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := wire.ParsePaymentContext(q)
		switch {
		case tt.err == nil && (err != nil || got != tt.want):
			t.Errorf("%s: %+v, %v; want %+v", tt.query, got, err, tt.want)
		case tt.err != nil && (!errors.Is(err, tt.err) || sderrors.Find(err).Property() != tt.property):
			t.Errorf("%s: err = %v, want %v at %q", tt.query, err, tt.err, tt.property)
		}
	}
}

func TestHideFields(t *testing.T) {
	for q, want := range map[string]bool{"hide=fields": true, "hide=x&hide=fields": true, "hide=Fields": false, "": false} {
		v, _ := url.ParseQuery(q)
		if got := wire.HideFields(v); got != want {
			t.Errorf("HideFields(%q) = %t, want %t", q, got, want)
		}
	}
}

func TestParseProductID(t *testing.T) {
	if id, err := wire.ParseProductID("809"); id != 809 || err != nil {
		t.Errorf("ParseProductID(809) = %d, %v", id, err)
	}
	for raw, msg := range map[string]string{"0": "0", "-1": "", "abc": "", "2147483648": "2147483648", "99999999999": "", "1.5": ""} {
		_, err := wire.ParseProductID(raw)
		e := sderrors.Find(err)
		if !errors.Is(err, sderrors.ErrUnknownProduct) || e.Property() != "productId" {
			t.Errorf("ParseProductID(%q) = %v, want 404 at productId", raw, err)
			continue
		}
		if msg != "" && e.Message() != msg {
			t.Errorf("ParseProductID(%q) message = %q, want the id", raw, e.Message())
		}
		if msg == "" && e.Message() == raw {
			t.Errorf("ParseProductID(%q) echoes a non-id", raw)
		}
	}
}
