package session

import (
	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson"
)

// DecodeCreateRequest decodes untrusted request bytes strictly, and only
// that: the JSON itself (syntax, one object, trailing data, a member given
// twice), its types, unknown properties, null, and what cannot even be
// represented (a product id that is not an integer from 1 to 2147483647).
// It takes the bytes it is given: the transport bounds a body's size
// before reading it whole (see wire.DefaultMaxRequestBytes). Every error is
// an *sderrors.Error naming the wire property: an unknown property, null,
// a wrong type or trailing data are ErrUnknownProperty, ErrNullNotAllowed,
// ErrInvalidType, ErrInvalidJSON at their path (e.g.
// "paymentProductFilters.restrictTo.products[1]"); a product id out of
// range is ErrInvalidProductID at its path.
//
// The rules of the request's shape (token count and format, filter list
// caps and duplicates) are not checked here: Create checks them, once, for
// every request, decoded or built in Go, so that a decoded request edited
// afterwards is checked like any other.
func (e *Engine) DecodeCreateRequest(body []byte) (CreateRequest, error) {
	return decodeStrict(body)
}

// decodeStrict is the strict JSON walk of a create request.
func decodeStrict(body []byte) (CreateRequest, error) {
	var req CreateRequest
	err := strictjson.Members(body, func(name, raw []byte) error {
		switch string(name) {
		case "paymentProductFilters":
			f, err := filter.Decode(raw)
			if err != nil {
				return err
			}
			req.PaymentProductFilters = &f
			return nil
		case "tokens":
			ids, err := strictjson.Strings(raw)
			req.Tokens = ids
			return err
		}
		return sderrors.ErrUnknownProperty
	})
	if err != nil {
		return CreateRequest{}, err
	}
	return req, nil
}
