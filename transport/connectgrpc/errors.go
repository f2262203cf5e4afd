package connectgrpc

import (
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	sderrors "github.com/clientsession/engine/errors"
)

// ErrorDomain is the domain of the google.rpc.ErrorInfo of every error the
// service answers with.
const ErrorDomain = "clientsession.engine"

// RetryDelay is the google.rpc.RetryInfo delay of every Unavailable status
// (a retryable failure of a dependency, a store at its memory bound): the
// HTTP transport's Retry-After.
const RetryDelay = time.Second

// Code returns the gRPC code of an error kind: the table of the package
// documentation. A kind the table does not know (there is none; a test
// fails when one is added to sderrors without a row here) gives
// codes.Unknown.
func Code(k sderrors.Kind) codes.Code {
	c, _ := kindCode(k)
	return c
}

// kindCode is the one kind-to-code table; ok is false for a kind it does
// not list.
func kindCode(k sderrors.Kind) (c codes.Code, ok bool) {
	switch k {
	case sderrors.KindUnknown:
		return codes.Unknown, true
	case sderrors.KindInvalidArgument:
		return codes.InvalidArgument, true
	case sderrors.KindUnauthenticated:
		return codes.Unauthenticated, true
	case sderrors.KindPermissionDenied:
		return codes.PermissionDenied, true
	case sderrors.KindNotFound:
		return codes.NotFound, true
	case sderrors.KindConflict:
		return codes.AlreadyExists, true
	case sderrors.KindInternal:
		return codes.Internal, true
	case sderrors.KindUnavailable:
		return codes.Unavailable, true
	case sderrors.KindCanceled:
		return codes.Canceled, true
	case sderrors.KindUnimplemented:
		return codes.Unimplemented, true
	case sderrors.KindTimeout:
		return codes.DeadlineExceeded, true
	case sderrors.KindResourceExhausted:
		return codes.ResourceExhausted, true
	case sderrors.KindUnsupportedMediaType:
		return codes.InvalidArgument, true
	}
	return codes.Unknown, false
}

// Status returns the gRPC status the service answers err with; nil gives
// an OK status. The code is Code(sderrors.KindOf(err)) and the message the
// error's public message. The details are a google.rpc.ErrorInfo (reason:
// the wire error id such as MISSING_OR_INVALID_AUTHORIZATION, domain:
// ErrorDomain, metadata: code, errorId, httpStatusCode and category as the
// HTTP ErrorResponse has them); when the error names properties, a
// google.rpc.BadRequest with one field violation per property (field: the
// error's property as it is, reason: the error id, description: the
// message; the service's own answers name the property's path in the
// request message instead, see the package documentation); and when the
// code is Unavailable (retryable), a google.rpc.RetryInfo whose delay is
// RetryDelay.
//
// An error that holds no *sderrors.Error becomes Internal "an unknown
// server error occurred" (9999), a bare context cancellation Canceled: no
// internal text, no cause, ever reaches the caller.
func Status(err error) *status.Status { return newStatus(err, nil, 0) }

// newStatus is Status with the property paths of a method (paths maps an
// error's property to the request's path; nil keeps it) and a retry delay
// (0: RetryDelay for Unavailable, none otherwise).
func newStatus(err error, paths func(string) string, retry time.Duration) *status.Status {
	if err == nil {
		return status.New(codes.OK, "")
	}
	return responseStatus(Code(sderrors.KindOf(err)), sderrors.ToResponse(err), paths, retry)
}

// responseStatus is the status of a wire ErrorResponse: the status of an
// error (newStatus), or of the ErrorResponse an idempotent create kept
// (the first answer's errorId, message and properties).
func responseStatus(code codes.Code, resp sderrors.ErrorResponse, paths func(string) string, retry time.Duration) *status.Status {
	first := resp.Errors[0]
	st := status.New(code, first.Message)
	info := &errdetails.ErrorInfo{
		Reason: first.ID,
		Domain: ErrorDomain,
		Metadata: map[string]string{
			"code":           first.Code,
			"errorId":        resp.ErrorID,
			"httpStatusCode": strconv.Itoa(first.HTTPStatusCode),
			"category":       first.Category,
		},
	}
	var violations []*errdetails.BadRequest_FieldViolation
	for _, e := range resp.Errors {
		if e.PropertyName != "" {
			field := e.PropertyName
			if paths != nil {
				field = paths(field)
			}
			violations = append(violations, &errdetails.BadRequest_FieldViolation{
				Field: field, Reason: e.ID, Description: e.Message,
			})
		}
	}
	details := []protoadapt.MessageV1{info}
	if violations != nil {
		details = append(details, &errdetails.BadRequest{FieldViolations: violations})
	}
	if retry == 0 && code == codes.Unavailable {
		retry = RetryDelay
	}
	if retry > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retry)})
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		return st // the details are our own messages: marshalling them cannot fail
	}
	return withDetails
}

// statusErr is Status(err).Err(): what the handlers return.
func statusErr(err error) error { return Status(err).Err() }

// codeOfHTTPStatus is the gRPC code of a kept answer's HTTP status: the
// code of the lowest kind with that status (sderrors.Kind.HTTPStatus; 500
// is KindInternal). The kept answers' kinds (invalid argument,
// unauthenticated, permission denied, not found, conflict, unimplemented)
// each have a status of their own; a status no kind has is Unknown.
func codeOfHTTPStatus(httpStatus int) codes.Code {
	for i := 1; i < 256; i++ {
		if k := sderrors.Kind(i); k.String() != "unknown" && k.HTTPStatus() == httpStatus {
			return Code(k)
		}
	}
	return codes.Unknown
}
