package session

import (
	"strconv"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson"
)

// DecodeCreateRequest decodes untrusted request bytes strictly, then
// validates them. Every error is an *sderrors.Error naming the wire
// property: a body over the limit is ErrBodyTooLarge; an unknown property,
// null, a wrong type or trailing data are ErrUnknownProperty,
// ErrNullNotAllowed, ErrInvalidType, ErrInvalidJSON at their path (e.g.
// "paymentProductFilters.restrictTo.products[1]"); too many tokens is
// ErrTooManyTokens at "tokens", a malformed token ErrInvalidTokenFormat at
// "tokens[i]" (several such problems come joined with errors.Join); a bad
// or duplicate product id or a duplicate group is ErrInvalidProductID or
// ErrDuplicateItem at its path. Every rule that the request alone decides
// is checked here, so Create refuses a decoded request only for what needs
// the merchant (an unknown merchant or group) or a dependency.
func (e *Engine) DecodeCreateRequest(body []byte) (CreateRequest, error) {
	if len(body) > e.maxBodyBytes {
		return CreateRequest{}, sderrors.ErrBodyTooLarge.WithMessage(
			"the body is larger than " + strconv.Itoa(e.maxBodyBytes) + " bytes")
	}
	req, err := decodeStrict(body)
	if err != nil {
		return CreateRequest{}, err
	}
	if err := e.validateShape(&req); err != nil {
		return CreateRequest{}, err
	}
	req.shapeChecked = true
	return req, nil
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
