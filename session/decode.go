package session

import (
	"strconv"

	"github.com/go-playground/validator/v10"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/filter"
	"github.com/clientsession/engine/internal/strictjson"
	"github.com/clientsession/engine/token"
)

// newValidator builds the engine's one validator: wire names in error
// paths, and the token limit as the custom tag "maxtokens".
func newValidator(maxTokens int) (*validator.Validate, map[string]*sderrors.Error, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(sderrors.JSONFieldName)
	err := v.RegisterValidation("maxtokens", func(fl validator.FieldLevel) bool {
		return fl.Field().Len() <= maxTokens
	})
	if err == nil {
		err = v.RegisterValidation("tokenformat", func(fl validator.FieldLevel) bool {
			return tokenFormat(fl.Field().String())
		})
	}
	if err != nil {
		return nil, nil, sderrors.ErrInternal.WithCause(err)
	}
	byTag := map[string]*sderrors.Error{
		"maxtokens": sderrors.ErrTooManyTokens.WithMessage(
			"at most " + strconv.Itoa(maxTokens) + " tokens are allowed"),
		"tokenformat": sderrors.ErrInvalidTokenFormat,
	}
	return v, byTag, nil
}

// tokenFormat is the shape rule of one token id at decoding: 1 to 128
// printable ASCII characters (0x20 to 0x7E). It is the validator's
// min=1,max=128,printascii in one pass, without printascii's regular
// expression; the space is refused later by the token checker
// (token.WellFormed), which owns the token id rule.
func tokenFormat(id string) bool {
	if len(id) == 0 || len(id) > token.MaxIDLength {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// DecodeCreateRequest decodes untrusted request bytes strictly, then
// validates them. Every error is an *sderrors.Error naming the wire
// property: a body over the limit is ErrBodyTooLarge; an unknown property,
// null, a wrong type or trailing data are ErrUnknownProperty,
// ErrNullNotAllowed, ErrInvalidType, ErrInvalidJSON at their path (e.g.
// "paymentProductFilters.restrictTo.products[1]"); too many tokens is
// ErrTooManyTokens at "tokens", a malformed token ErrInvalidTokenFormat at
// "tokens[i]" (several such problems come joined with errors.Join). Rules
// that need the merchant's catalog (known groups, duplicates) are checked
// by Create.
func (e *Engine) DecodeCreateRequest(body []byte) (CreateRequest, error) {
	if len(body) > e.maxBodyBytes {
		return CreateRequest{}, sderrors.ErrBodyTooLarge.WithMessage(
			"the body is larger than " + strconv.Itoa(e.maxBodyBytes) + " bytes")
	}
	req, err := decodeStrict(body)
	if err != nil {
		return CreateRequest{}, err
	}
	if err := e.validate.Struct(&req); err != nil {
		return CreateRequest{}, sderrors.FromValidator(err, e.byTag)
	}
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
