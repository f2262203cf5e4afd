package errors

import (
	"crypto/rand"
	"encoding/hex"
)

// ErrorResponse is the wire body of every error answer, exactly as the
// Connect API reference shows it.
type ErrorResponse struct {
	ErrorID string     `json:"errorId"`
	Errors  []APIError `json:"errors"`
}

// APIError is one entry of ErrorResponse.Errors.
type APIError struct {
	Category       string `json:"category,omitempty"`
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode,omitempty"`
	ID             string `json:"id,omitempty"`
	Message        string `json:"message,omitempty"`
	PropertyName   string `json:"propertyName,omitempty"`
	RequestID      string `json:"requestId,omitempty"`
}

// HTTPStatus returns the status an HTTP transport should answer with: the
// status of the first error (all errors of one response share it in
// practice), or 500 for an empty response.
func (r ErrorResponse) HTTPStatus() int {
	if len(r.Errors) == 0 || r.Errors[0].HTTPStatusCode == 0 {
		return 500
	}
	return r.Errors[0].HTTPStatusCode
}

// A ResponseOption changes how [ToResponse] builds a response.
type ResponseOption interface{ apply(*responseConfig) }

type responseConfig struct {
	errorID   func() string
	requestID string
}

type responseOptionFunc func(*responseConfig)

func (f responseOptionFunc) apply(c *responseConfig) { f(c) }

// WithErrorID makes ToResponse take errorId from next instead of crypto/rand.
// Tests use it for stable output.
func WithErrorID(next func() string) ResponseOption {
	return responseOptionFunc(func(c *responseConfig) { c.errorID = next })
}

// WithRequestID fills requestId in every entry.
func WithRequestID(id string) ResponseOption {
	return responseOptionFunc(func(c *responseConfig) { c.requestID = id })
}

// NewErrorID returns a fresh random errorId: a UUID-shaped string of 16
// bytes from crypto/rand.
func NewErrorID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// ToResponse turns any error into the wire ErrorResponse. Each *Error in
// err's chain (errors.Join gives several) becomes one entry keeping its
// code, id, status, message and property; the cause of an *Error is never
// an entry, even when it is an *Error itself. An error that holds no *Error
// becomes 9999 UNKNOWN_SERVER_ERROR / 500 with no internal text; a bare
// context error becomes ErrCanceled or ErrUnavailable. errorId is fresh
// from crypto/rand unless WithErrorID says otherwise.
func ToResponse(err error, opts ...ResponseOption) ErrorResponse {
	cfg := responseConfig{errorID: NewErrorID}
	for _, o := range opts {
		o.apply(&cfg)
	}
	errs := entries(err)
	if len(errs) == 0 {
		errs = []*Error{classify(err)}
	}
	resp := ErrorResponse{ErrorID: cfg.errorID(), Errors: make([]APIError, 0, len(errs))}
	for _, e := range errs {
		resp.Errors = append(resp.Errors, e.apiError(cfg.requestID))
	}
	return resp
}

func (e *Error) apiError(requestID string) APIError {
	category := CategoryPlatform
	if e.kind == KindUnavailable {
		category = CategoryIO
	}
	return APIError{
		Category:       category,
		Code:           string(e.code),
		HTTPStatusCode: e.kind.HTTPStatus(),
		ID:             e.id,
		Message:        e.msg,
		PropertyName:   e.property,
		RequestID:      requestID,
	}
}
