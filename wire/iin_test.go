package wire_test

import (
	"encoding/json"
	"fmt"
	"testing"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/session"
	"github.com/clientsession/engine/wire"
)

func TestDecodeIINDetailsRequest(t *testing.T) {
	body := `{"bin":"41111111","accountOnFileId":3,"paymentContext":{"countryCode":"NL","isRecurring":true,"isInstallments":true,"amountOfMoney":{"amount":1000,"currencyCode":"EUR"}}}`
	req, err := wire.DecodeIINDetailsRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := filter.Context{CountryCode: "NL", CurrencyCode: "EUR", Amount: 1000, IsRecurring: true}
	if req.BIN != "41111111" || req.PaymentContext != want || !req.IsInstallments || req.AccountOnFileID == nil || *req.AccountOnFileID != 3 {
		t.Errorf("decoded %+v", req)
	}
}

// TestNewIINDetailsResponse: the Connect shape, countryCode "99",
// isAllowedInContext always present, coBrands only when several products
// hold the digits.
func TestNewIINDetailsResponse(t *testing.T) {
	tests := []struct {
		in   session.IINDetails
		want string
	}{
		{session.IINDetails{PaymentProductID: 2}, `{"paymentProductId":2,"countryCode":"99","isAllowedInContext":false}`},
		{session.IINDetails{PaymentProductID: 114, IsAllowedInContext: true, CoBrands: []session.IINCoBrand{{PaymentProductID: 114, IsAllowedInContext: true}, {PaymentProductID: 1}}},
			`{"paymentProductId":114,"countryCode":"99","isAllowedInContext":true,"coBrands":[{"paymentProductId":114,"isAllowedInContext":true},{"paymentProductId":1,"isAllowedInContext":false}]}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(wire.NewIINDetailsResponse(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}

// FuzzDecodeIINDetailsRequest: any body gives a valid request or a 400,
// never a panic.
func FuzzDecodeIINDetailsRequest(f *testing.F) {
	f.Add([]byte(`{"bin":"41111111","paymentContext":{"countryCode":"NL","isRecurring":false,"isInstallments":false,"amountOfMoney":{"amount":1000,"currencyCode":"EUR"}}}`))
	f.Add([]byte(`{"bin":"411111","accountOnFileId":1,"paymentContext":{"countryCode":"NL","amountOfMoney":{"currencyCode":"EUR"}}}`))
	f.Add([]byte(`{"bin":"4111"}`))
	f.Add([]byte(`{"bin":null}`))
	f.Add([]byte(`{"bin":"411111","paymentContext":{"amountOfMoney":{"amount":1e3}}}`))
	f.Add([]byte(`{"bin":"411111","paymentContext":{"amountOfMoney":{"amount":99999999999999999999}}}`))
	f.Add([]byte(`{"bin":"411111","bin":"411111"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := wire.DecodeIINDetailsRequest(body)
		if err != nil {
			if s := sderrors.ToResponse(err).HTTPStatus(); s != 400 {
				t.Fatalf("body %q: status %d, want 400", body, s)
			}
			return
		}
		if _, err := filter.ParseBIN(req.BIN); err != nil {
			t.Fatalf("body %q: accepted bin %q: %v", body, req.BIN, err)
		}
		if err := req.PaymentContext.Validate(); err != nil {
			t.Fatalf("body %q: accepted context %+v: %v", body, req.PaymentContext, err)
		}
	})
}

func ExampleNewIINDetailsResponse() {
	out, _ := json.Marshal(wire.NewIINDetailsResponse(session.IINDetails{PaymentProductID: 2, IsAllowedInContext: false}))
	fmt.Println(string(out))
	// Output: {"paymentProductId":2,"countryCode":"99","isAllowedInContext":false}
}
