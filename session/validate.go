package session

import (
	stderrors "errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/token"
)

// The shape rules of a create request — what can be judged from the
// request alone, without the merchant's catalog or token store — are
// checked once per create, by Create, whatever made the request
// (DecodeCreateRequest, a transport's own decoder, Go code):
//
//   - tokens: at most WithMaxTokens ids (validator tag "maxtokens"), each
//     token.WellFormed (tag "token"); every bad id is reported.
//   - paymentProductFilters: filter.Filters.ValidateWithin the engine's
//     WithFilterLimits (list lengths, ids, duplicates).
//
// The validator is built once per engine, with wire names in its paths
// and the two tags registered; byTag maps its tags to our errors. Create
// then checks what needs the catalog (known groups) and the token
// repository.
func newValidator(maxTokens int) (*validator.Validate, map[string]*sderrors.Error, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonFieldName)
	for tag, fn := range map[string]validator.Func{
		"maxtokens": func(fl validator.FieldLevel) bool { return fl.Field().Len() <= maxTokens },
		"token":     func(fl validator.FieldLevel) bool { return token.WellFormed(fl.Field().String()) },
	} {
		if err := v.RegisterValidation(tag, fn); err != nil {
			return nil, nil, sderrors.ErrInternal.WithCause(err)
		}
	}
	byTag := map[string]*sderrors.Error{
		"maxtokens": sderrors.ErrTooManyTokens.WithMessage(
			"at most " + strconv.Itoa(maxTokens) + " tokens are allowed"),
		"token": sderrors.ErrInvalidTokenFormat,
	}
	return v, byTag, nil
}

// validateShape checks the shape rules of req (see newValidator).
func (e *Engine) validateShape(req *CreateRequest) error {
	if err := e.validate.Struct(req); err != nil {
		return fromValidator(err, e.byTag)
	}
	if req.PaymentProductFilters != nil {
		if err := req.PaymentProductFilters.ValidateWithin(e.filterLimits); err != nil {
			return prefix(err, "paymentProductFilters")
		}
	}
	return nil
}

// jsonFieldName names struct fields by their JSON name, so that validation
// errors carry wire property paths instead of Go field names.
func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// fromValidator translates an error of the validator into ours: one
// *sderrors.Error per field error, joined, each at its wire path (the
// namespace without the root type's name: "tokens[2]"), with the sentinel
// byTag names (ErrInvalidValue for a tag it does not name). The field
// error is not kept as a cause: it holds the rejected value. An error that
// is not a validation error is a bug: ErrInternal.
func fromValidator(err error, byTag map[string]*sderrors.Error) error {
	var fieldErrs validator.ValidationErrors
	if !stderrors.As(err, &fieldErrs) {
		return sderrors.ErrInternal.WithCause(err)
	}
	out := make([]error, 0, len(fieldErrs))
	for _, fe := range fieldErrs {
		sentinel, ok := byTag[fe.Tag()]
		if !ok {
			sentinel = sderrors.ErrInvalidValue
		}
		path := fe.Namespace()
		if _, rest, ok := strings.Cut(path, "."); ok {
			path = rest
		}
		out = append(out, sentinel.WithProperty(path))
	}
	if len(out) == 1 {
		return out[0]
	}
	return stderrors.Join(out...)
}
