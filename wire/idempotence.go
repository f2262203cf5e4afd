package wire

import (
	"encoding/json"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/session"
)

// StatusOK is the HTTP status of a successful create's kept answer.
const StatusOK = 200

// CreateAnswer is a create's answer as the engine keeps it for the repeats
// of an idempotent request (session.Engine.Idempotent), whatever the
// transport that ran it: Status is the HTTP status and Body the Connect
// JSON body — the SessionResponse of resp with 200 when err is nil, else
// sderrors.ToResponse(err) with its status (a fresh errorId, kept with
// the answer) — and Err is err, the outcome that decides whether the
// answer is kept.
//
// One form for every transport is what lets one idempotence key serve
// both: the HTTP transport writes Status and Body as they are, byte for
// byte, and a gRPC transport renders them (ReadCreateAnswer) as the
// message or the status the same answer is over gRPC. An answer kept by
// one transport is replayed by the other.
func CreateAnswer(resp session.CreateResponse, err error) session.Answer {
	status, body := AppendCreateAnswer(nil, resp, err)
	return session.Answer{Status: status, Body: body, Err: err}
}

// AppendCreateAnswer appends the body of CreateAnswer(resp, err) to b and
// returns its status: the one definition of a create's answer on the
// wire, which the HTTP transport writes as it is and every transport keeps
// for repeats.
func AppendCreateAnswer(b []byte, resp session.CreateResponse, err error) (int, []byte) {
	if err != nil {
		e := sderrors.ToResponse(err)
		return e.HTTPStatus(), AppendErrorResponse(b, e)
	}
	return StatusOK, NewSessionResponse(resp).AppendJSON(b)
}

// ReadCreateAnswer reads a kept create answer (CreateAnswer's, or one an
// earlier version of the HTTP transport kept, which has the same form):
// the SessionResponse of a 200, else the ErrorResponse, whose errorId is
// the first answer's. A body that does not decode (a store that lost
// bytes) is sderrors.ErrInternal, never a wrong answer.
func ReadCreateAnswer(a session.Answer) (SessionResponse, *sderrors.ErrorResponse, error) {
	if a.Status == StatusOK {
		var r SessionResponse
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return SessionResponse{}, nil, errBadAnswer.WithCause(err)
		}
		if r.InvalidTokens == nil {
			r.InvalidTokens = []string{}
		}
		return r, nil, nil
	}
	var e sderrors.ErrorResponse
	if err := json.Unmarshal(a.Body, &e); err != nil || len(e.Errors) == 0 {
		return SessionResponse{}, nil, errBadAnswer.WithCause(err)
	}
	return SessionResponse{}, &e, nil
}

var errBadAnswer = sderrors.ErrInternal.WithMessage("a kept idempotent answer could not be read")
