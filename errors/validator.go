package errors

import (
	stderrors "errors"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// JSONFieldName is a validator tag-name function (for
// validator.Validate.RegisterTagNameFunc) that names fields by their JSON
// name, so that validation errors carry wire property paths instead of Go
// field names. Fields tagged json:"-" are named "".
func JSONFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// FromValidator translates an error returned by go-playground/validator
// into our errors: one *Error per field error, joined with errors.Join, each
// naming its wire property path (the validator namespace without the root
// type's name; register [JSONFieldName] so the namespace uses JSON names).
//
// byTag maps a validator tag ("required", "unique", "max", ...) to the
// sentinel to use; "required" defaults to ErrParameterNotFound, "unique" to
// ErrDuplicateItem and every other tag to ErrInvalidValue. Errors that are
// not validation errors (an *validator.InvalidValidationError: a bug) become
// ErrInternal with the original as the cause. A nil error gives nil.
func FromValidator(err error, byTag map[string]*Error) error {
	if err == nil {
		return nil
	}
	var fieldErrs validator.ValidationErrors
	if !stderrors.As(err, &fieldErrs) {
		return ErrInternal.WithCause(err)
	}
	out := make([]error, 0, len(fieldErrs))
	for _, fe := range fieldErrs {
		sentinel, ok := byTag[fe.Tag()]
		if !ok {
			sentinel = defaultForTag(fe.Tag())
		}
		out = append(out, sentinel.WithProperty(wirePath(fe.Namespace())).WithCause(fe))
	}
	if len(out) == 1 {
		return out[0]
	}
	return stderrors.Join(out...)
}

func defaultForTag(tag string) *Error {
	switch tag {
	case "required":
		return ErrParameterNotFound
	case "unique":
		return ErrDuplicateItem
	default:
		return ErrInvalidValue
	}
}

// wirePath drops the root type's name from a validator namespace:
// "CreateRequest.tokens[2]" becomes "tokens[2]".
func wirePath(namespace string) string {
	if _, rest, ok := strings.Cut(namespace, "."); ok {
		return rest
	}
	return namespace
}
