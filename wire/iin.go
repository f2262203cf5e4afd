package wire

import (
	"encoding/json"
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson"
	"github.com/clientsession/engine/session"
)

// UnknownIssuerCountry is the countryCode of every IIN details answer. The
// engine knows card products by their IIN ranges, not the issuing bank's
// country, and the Connect platform itself answers "99" (an unknown
// country) for the sandbox's test cards. Sending the payment context's
// country instead would state a fact nobody checked; the client SDKs copy
// the value into their response object and never base a decision on it.
const UnknownIssuerCountry = "99"

// IINDetailsRequest is the body of POST
// /client/v1/{customerId}/services/getIINdetails, as connect-sdk-client-js
// sends it:
//
//	{"bin":"41111111","paymentContext":{"countryCode":"NL","isRecurring":false,
//	 "isInstallments":false,"amountOfMoney":{"amount":1000,"currencyCode":"EUR"}}}
//
// plus "accountOnFileId" when the consumer picked an account on file.
type IINDetailsRequest struct {
	// BIN is the card number's first digits as sent (the SDK sends 6 or 8);
	// session.Engine.IINDetails checks them.
	BIN string
	// PaymentContext is the context the products are resolved in.
	PaymentContext filter.Context
	// IsInstallments is read and not used: the engine has no installment
	// rules, so it changes no answer.
	IsInstallments bool
	// AccountOnFileID is read and not used: the answer is about the digits,
	// whichever account the page has selected.
	AccountOnFileID *int64
}

// DecodeIINDetailsRequest decodes the getIINdetails body strictly (one
// object, known members only, each once, no null) and validates it. Errors
// are 400s naming the property: bin first (filter.ParseBIN: missing is
// PARAMETER_NOT_FOUND_IN_REQUEST, not 6 to 19 digits INVALID_VALUE), then
// the payment context with filter.Context.Validate's rules at
// "paymentContext.countryCode", "paymentContext.amountOfMoney.currencyCode"
// and "paymentContext.amountOfMoney.amount". A body without paymentContext
// is thus a 400 at paymentContext.countryCode: the engine resolves
// products per country and currency, and the SDK always sends both when
// the page gave them.
func DecodeIINDetailsRequest(body []byte) (IINDetailsRequest, error) {
	var req IINDetailsRequest
	err := strictjson.Object(body, map[string]strictjson.Member{
		"bin": func(raw json.RawMessage) error { return decodeString(raw, &req.BIN) },
		"paymentContext": func(raw json.RawMessage) error {
			return strictjson.Object(raw, map[string]strictjson.Member{
				"countryCode": func(raw json.RawMessage) error {
					return decodeString(raw, &req.PaymentContext.CountryCode)
				},
				"isRecurring": func(raw json.RawMessage) error {
					return decodeBool(raw, &req.PaymentContext.IsRecurring)
				},
				"isInstallments": func(raw json.RawMessage) error { return decodeBool(raw, &req.IsInstallments) },
				"amountOfMoney": func(raw json.RawMessage) error {
					return strictjson.Object(raw, map[string]strictjson.Member{
						"amount":       func(raw json.RawMessage) error { return decodeInt(raw, &req.PaymentContext.Amount) },
						"currencyCode": func(raw json.RawMessage) error { return decodeString(raw, &req.PaymentContext.CurrencyCode) },
					})
				},
			})
		},
		"accountOnFileId": func(raw json.RawMessage) error {
			var n int64
			if err := decodeInt(raw, &n); err != nil {
				return err
			}
			req.AccountOnFileID = &n
			return nil
		},
	})
	if err != nil {
		return IINDetailsRequest{}, err
	}
	if _, err := filter.ParseBIN(req.BIN); err != nil {
		return IINDetailsRequest{}, err
	}
	if err := req.PaymentContext.Validate(); err != nil {
		if e := sderrors.Find(err); e != nil {
			return IINDetailsRequest{}, e.WithProperty(IINContextPath(e.Property()))
		}
		return IINDetailsRequest{}, err
	}
	return req, nil
}

// IINContextPath is the path in the getIINdetails body of a property of
// filter.Context.Validate: "paymentContext.countryCode",
// "paymentContext.amountOfMoney.currencyCode",
// "paymentContext.amountOfMoney.amount" (and
// "paymentContext.isRecurring"). It is the one owner of that mapping: the
// gRPC request message has the body's shape, and its errors name the same
// paths.
func IINContextPath(property string) string {
	switch property {
	case "currencyCode", "amount":
		return "paymentContext.amountOfMoney." + property
	}
	return "paymentContext." + property
}

func decodeString(raw json.RawMessage, dst *string) error {
	switch {
	case string(raw) == "null":
		return sderrors.ErrNullNotAllowed.WithMessage("expected a string, got null")
	case len(raw) == 0 || raw[0] != '"':
		return sderrors.ErrInvalidType.WithMessage("expected a string")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return sderrors.ErrInvalidJSON.WithCause(err)
	}
	return nil
}

func decodeBool(raw json.RawMessage, dst *bool) error {
	switch string(raw) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	case "null":
		return sderrors.ErrNullNotAllowed.WithMessage("expected true or false, got null")
	default:
		return sderrors.ErrInvalidType.WithMessage("expected true or false")
	}
	return nil
}

func decodeInt(raw json.RawMessage, dst *int64) error {
	switch {
	case string(raw) == "null":
		return sderrors.ErrNullNotAllowed.WithMessage("expected an integer, got null")
	case len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')):
		return sderrors.ErrInvalidType.WithMessage("expected an integer")
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return sderrors.ErrInvalidValue.WithMessage("expected an integer from -2^63 to 2^63-1, without fraction or exponent")
	}
	*dst = n
	return nil
}

// IINDetailsResponse is the answer of getIINdetails, the Connect
// GetIINDetailsResponse. isAllowedInContext is always sent: the client SDK
// reads its presence as "the server checked the context" and otherwise
// makes an extra product call. coBrands is left out when one product holds
// the digits.
type IINDetailsResponse struct {
	PaymentProductID   int32      `json:"paymentProductId"`
	CountryCode        string     `json:"countryCode"`
	IsAllowedInContext bool       `json:"isAllowedInContext"`
	CoBrands           []IINBrand `json:"coBrands,omitempty"`
}

// IINBrand is one co-brand of an IIN details answer.
type IINBrand struct {
	PaymentProductID   int32 `json:"paymentProductId"`
	IsAllowedInContext bool  `json:"isAllowedInContext"`
}

// NewIINDetailsResponse maps the engine's IIN details; countryCode is
// UnknownIssuerCountry.
func NewIINDetailsResponse(d session.IINDetails) IINDetailsResponse {
	out := IINDetailsResponse{
		PaymentProductID:   d.PaymentProductID,
		CountryCode:        UnknownIssuerCountry,
		IsAllowedInContext: d.IsAllowedInContext,
	}
	if d.CoBrands != nil {
		out.CoBrands = make([]IINBrand, len(d.CoBrands))
		for i, c := range d.CoBrands {
			out.CoBrands[i] = IINBrand{PaymentProductID: c.PaymentProductID, IsAllowedInContext: c.IsAllowedInContext}
		}
	}
	return out
}
