package connectgrpc

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
	pb "github.com/clientsession/engine/transport/connectgrpc/clientsessionv1"
	"github.com/clientsession/engine/wire"
)

// The metadata of idempotent creates: the HTTP transport's headers
// (connecthttp.IdempotenceKeyHeader, connecthttp.IdempotenceTimestampHeader)
// in gRPC's lower case.
const (
	// IdempotenceKeyMetadata is the request metadata key that carries the
	// key of an idempotent CreateSession (session.ValidIdempotenceKey: 1
	// to 40 printable ASCII characters), and the field of the BadRequest
	// violation of the errors about it.
	IdempotenceKeyMetadata = "x-gcs-idempotence-key"
	// IdempotenceTimestampMetadata is the response header metadata of
	// every repeat: the first attempt's time in milliseconds since the
	// epoch.
	IdempotenceTimestampMetadata = "x-gcs-idempotence-request-timestamp"
)

// createIdempotent runs a create through session.Engine.Idempotent, with
// the rules of the HTTP transport: the first attempt runs; a repeat after
// it finished gets its answer, a repeat while it runs AlreadyExists 1409;
// every repeat's header metadata carry IdempotenceTimestampMetadata. The
// answer kept is the transport-neutral wire.CreateAnswer (the HTTP
// status and Connect JSON body), so that a key used over HTTP too replays
// the same answer there; every answer of this path, the first attempt's
// included, is rendered from it (renderAnswer), so the first answer and
// its replays are the same status, errorId included. The create limiter
// is asked only when the attempt runs.
func (s *Service) createIdempotent(ctx context.Context, merchantID string, keys []string, req *pb.CreateSessionRequest) (*pb.CreateSessionResponse, error) {
	key := keys[0]
	if len(keys) > 1 {
		key = "" // two keys: refused as malformed, as over HTTP
	}
	// What identifies the request (WithStrictIdempotence compares it): the
	// message's deterministic encoding. A repeat over HTTP is other bytes
	// (its JSON body): under strict idempotence it is a changed request.
	fingerprint, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return nil, statusErr(sderrors.ErrInternal.WithCause(err))
	}
	var limited *status.Status
	res, err := s.engine.Idempotent(ctx, merchantID, key, fingerprint, func(ctx context.Context) session.Answer {
		if limited = s.allowCreate(merchantID); limited != nil {
			return wire.CreateAnswer(session.CreateResponse{}, errTooManyCreates) // resource exhausted: not kept
		}
		return wire.CreateAnswer(s.engine.Create(ctx, merchantID, createRequest(req)))
	})
	if !res.FirstAttemptAt.IsZero() {
		_ = grpc.SetHeader(ctx, metadata.Pairs(IdempotenceTimestampMetadata, strconv.FormatInt(res.FirstAttemptAt.UnixMilli(), 10)))
	}
	switch {
	case err != nil:
		return nil, statusErr(atKeyMetadata(err))
	case limited != nil:
		return nil, limited.Err()
	}
	return renderAnswer(res.Answer)
}

// atKeyMetadata names the idempotence key's metadata as the property of
// the engine's errors about the key: Idempotent returns them without one
// (the engine knows no carrier), as the only InvalidArgument and Conflict
// errors without a property.
func atKeyMetadata(err error) error {
	e := sderrors.Find(err)
	if e == nil || e.Property() != "" {
		return err
	}
	switch e.Kind() {
	case sderrors.KindInvalidArgument, sderrors.KindConflict:
		return e.WithProperty(IdempotenceKeyMetadata)
	default:
		return err
	}
}

// renderAnswer is a kept create answer over gRPC: the message of a 200,
// else the status of its ErrorResponse — the code of its HTTP status's
// kind, the first answer's message, errorId and properties (a create's
// properties are the request message's paths already).
func renderAnswer(a session.Answer) (*pb.CreateSessionResponse, error) {
	resp, errResp, err := wire.ReadCreateAnswer(a)
	switch {
	case err != nil:
		return nil, statusErr(err)
	case errResp != nil:
		return nil, responseStatus(codeOfHTTPStatus(errResp.HTTPStatus()), *errResp, nil, 0).Err()
	}
	return sessionResponse(&resp), nil
}

var errTooManyCreates = sderrors.ErrTooManyRequests.WithMessage("too many session creates for this merchant; retry after the delay in the RetryInfo")

// allowCreate asks the create limiter, if any, for one create of
// merchantID; nil when it may go on, else the ResourceExhausted status
// to answer, whose RetryInfo is the limiter's wait in whole seconds, at
// least one.
func (s *Service) allowCreate(merchantID string) *status.Status {
	if s.limiter == nil {
		return nil
	}
	ok, wait := s.limiter.AllowCreate(merchantID)
	if ok {
		return nil
	}
	seconds := max(1, int64((wait+time.Second-1)/time.Second))
	return newStatus(errTooManyCreates, nil, time.Duration(seconds)*time.Second)
}
