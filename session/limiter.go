package session

import "time"

// A CreateLimiter caps the session creates of each merchant, e.g. with a
// token bucket per merchant (golang.org/x/time/rate). It is the one
// limiter interface of every transport (connecthttp.WithCreateLimiter,
// connectgrpc.WithCreateLimiter), so that one limiter can serve both and
// a merchant's budget is the same whichever transport it uses.
//
// A transport asks AllowCreate once per create it runs, after the caller
// was authenticated (a caller without the merchant's credentials cannot
// use up its budget) and only when a create actually runs: a repeat that
// Engine.Idempotent answers with the kept answer, or refuses while the
// first attempt runs, is not charged. AllowCreate reports whether the
// create may go on and, when not, how long the caller should wait; the
// transport answers sderrors.ErrTooManyRequests (429, gRPC
// ResourceExhausted), which is never kept for repeats. Implementations
// must be safe for concurrent use.
type CreateLimiter interface {
	AllowCreate(merchantID string) (ok bool, retryAfter time.Duration)
}
