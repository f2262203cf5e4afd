package errors

import (
	"context"
	stderrors "errors"
	"strings"
)

// Error is the one error type of the engine. Values are immutable: the
// package-level sentinels (ErrInvalidJSON, ...) are shared, and every
// With... method returns a modified copy, never changing the receiver.
//
// An Error carries a stable [Code] (the wire "code"), a transport-neutral
// [Kind], the wire "id" (a short upper-case name such as
// PARAMETER_NOT_FOUND_IN_REQUEST), a public message that never holds
// secrets, token values, card data or internal causes, an optional property
// path in wire form (JSON names with indices, e.g.
// paymentProductFilters.restrictTo.groups[0]) and an optional cause, which
// is reachable through errors.Unwrap but never rendered on the wire.
//
// Two Errors match under errors.Is when their codes are equal, so
// errors.Is(err, sderrors.ErrUnknownGroup) holds for any error built from
// that sentinel, whatever its property or message.
type Error struct {
	code     Code
	kind     Kind
	id       string
	msg      string
	property string
	cause    error
}

// Define returns a new error value with the given code, kind, wire id and
// public message. The engine's own catalogue is in codes.go; gateways may
// define errors of their own with codes outside the ranges listed in the
// package documentation.
func Define(code Code, kind Kind, id, msg string) *Error {
	return &Error{code: code, kind: kind, id: id, msg: msg}
}

// Error returns the public message, prefixed by the property path when there
// is one. It never includes the cause.
func (e *Error) Error() string {
	if e.property == "" {
		return e.msg
	}
	return e.property + ": " + e.msg
}

// Unwrap returns the cause, or nil.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	if !stderrors.As(target, &t) {
		return false
	}
	return t.code == e.code
}

// Code returns the stable wire code, e.g. "20000000".
func (e *Error) Code() Code { return e.code }

// Kind returns the transport-neutral category.
func (e *Error) Kind() Kind { return e.kind }

// ID returns the wire id, a short upper-case name such as UNKNOWN_PRODUCT_ID.
func (e *Error) ID() string { return e.id }

// Message returns the public message without the property path.
func (e *Error) Message() string { return e.msg }

// Property returns the wire property path, or "".
func (e *Error) Property() string { return e.property }

// Retryable reports whether the same request may succeed later unchanged.
func (e *Error) Retryable() bool { return e.kind.Retryable() }

// WithProperty returns a copy of e that names the property at path
// (wire form: JSON names and [index], e.g. tokens[3]).
func (e *Error) WithProperty(path string) *Error {
	c := *e
	c.property = path
	return &c
}

// WithMessage returns a copy of e with another public message. The message
// is sent to clients: it must not contain secrets, token values or card data.
func (e *Error) WithMessage(msg string) *Error {
	c := *e
	c.msg = msg
	return &c
}

// WithCause returns a copy of e that wraps cause. The cause is never
// rendered in Error() or on the wire; errors.Is and errors.As reach it.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Prefix returns a copy of e whose property path is prefix followed by its
// own path, joined with a dot (or directly when the path starts with "[").
// Decoders of nested wire objects use it to turn "restrictTo.groups[1]" into
// "paymentProductFilters.restrictTo.groups[1]".
func (e *Error) Prefix(prefix string) *Error {
	switch {
	case prefix == "":
		return e
	case e.property == "":
		return e.WithProperty(prefix)
	case strings.HasPrefix(e.property, "["):
		return e.WithProperty(prefix + e.property)
	default:
		return e.WithProperty(prefix + "." + e.property)
	}
}

// Find returns the first *Error in err's chain (depth first, through
// errors.Join), or nil. Unlike the standard library's errors.As, it takes
// no target: it is the one way to get at an error's code, kind and
// property when err may wrap one.
func Find(err error) *Error {
	var e *Error
	if stderrors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of the first *Error in err's chain. A nil error
// has code "". A bare context cancellation or deadline maps to the codes of
// ErrCanceled and ErrUnavailable; anything else to ErrInternal's code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return classify(err).code
}

// KindOf returns the kind of err as CodeOf classifies it; KindUnknown for nil.
func KindOf(err error) Kind {
	if err == nil {
		return KindUnknown
	}
	return classify(err).kind
}

// HasCode reports whether err's chain holds an *Error with code c.
func HasCode(err error, c Code) bool {
	for _, e := range all(err) {
		if e.code == c {
			return true
		}
	}
	return false
}

// IsRetryable reports whether err is worth retrying unchanged: the kind is
// KindUnavailable (a failing dependency, a deadline).
func IsRetryable(err error) bool { return err != nil && classify(err).kind.Retryable() }

// FromDependency maps the failure of a dependency (a store, a repository,
// a resolver) that is not one of ours: ErrCanceled when err's chain holds
// context.Canceled (the caller gave up), else the retryable ErrUnavailable
// (the dependency failed or a deadline passed). The result wraps err, so
// errors.Is(result, context.Canceled) and the like still hold; the wire
// shows none of err's text. This is the one place where context errors
// get their codes.
func FromDependency(err error) *Error {
	return contextSentinel(err, ErrUnavailable).WithCause(err)
}

// contextSentinel is the code of a context error in err's chain, or
// otherwise.
func contextSentinel(err error, otherwise *Error) *Error {
	switch {
	case stderrors.Is(err, context.Canceled):
		return ErrCanceled
	case stderrors.Is(err, context.DeadlineExceeded):
		return ErrUnavailable
	default:
		return otherwise
	}
}

// classify maps any error onto an *Error of the catalogue: its own, or the
// code of a bare context error, or ErrInternal.
func classify(err error) *Error {
	if e := Find(err); e != nil {
		return e
	}
	return contextSentinel(err, ErrInternal)
}

// all returns every *Error reachable from err, depth first, following both
// Unwrap() error and Unwrap() []error (errors.Join).
func all(err error) []*Error { return collect(err, false) }

// entries returns the *Errors that are answers of their own: those
// reachable from err without passing through another *Error. The cause of
// an *Error is internal detail, even when it is itself an *Error (an
// invalid configuration behind ErrInternal), and gives no entry.
func entries(err error) []*Error { return collect(err, true) }

func collect(err error, stopAtError bool) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		for err != nil {
			if e, ok := err.(*Error); ok { //nolint:errorlint // walking the chain by hand
				out = append(out, e)
				if stopAtError {
					return
				}
			}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, inner := range j.Unwrap() {
					walk(inner)
				}
				return
			}
			err = stderrors.Unwrap(err)
		}
	}
	walk(err)
	return out
}
