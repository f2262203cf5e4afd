package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	stderrors "errors"
	"time"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
)

// Idempotent requests, as the Connect platform documents them: the
// engine keeps the mechanism (claim, finish, release through
// storage.Idempotency; the key rule; the TTL; the lease; strict mode; the
// first attempt's time); a transport owns where the key travels (an HTTP
// header, a metadata key) and how answers and times are written.
const (
	// MaxIdempotenceKeyLength is the longest idempotence key.
	MaxIdempotenceKeyLength = 40
	// DefaultIdempotenceTTL is how long an answer is kept for repeats.
	DefaultIdempotenceTTL = 24 * time.Hour
	// DefaultIdempotenceLease is how long the claim of a running attempt
	// holds its key (WithIdempotenceLease): a little above the longest a
	// create can run behind connecthttp.NewServer, whose WriteTimeout (20
	// seconds) ends what the client can still receive. An attempt past
	// that answers no one, so a repeat after the lease may run again, and
	// the margin covers the clock skew between instances.
	DefaultIdempotenceLease = 30 * time.Second
)

// ValidIdempotenceKey reports whether key is an idempotence key: 1 to 40
// printable ASCII characters (space to tilde). It is the one definition of
// the rule: transports call it.
func ValidIdempotenceKey(key string) bool {
	if len(key) == 0 || len(key) > MaxIdempotenceKeyLength {
		return false
	}
	for i := range len(key) {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Answer is what a transport answered to one attempt of an idempotent
// request: kept, and replayed byte for byte, for the repeats.
type Answer struct {
	// Status and Body are the transport's own (e.g. an HTTP status and the
	// body as sent): the engine stores them and hands them back unchanged,
	// and never reads them.
	Status int
	Body   []byte
	// Err is the outcome of the attempt: nil when it succeeded, else the
	// error the transport answered. Its kind decides whether the answer is
	// kept (see Engine.Idempotent). It is not stored: a replayed Answer has
	// a nil Err.
	Err error
}

// keep reports whether the answer of an attempt is final, so that repeats
// replay it: a success is, and so is a failure a retry does not change
// (invalid argument, unauthenticated, permission denied, not found,
// conflict, unimplemented, unsupported media type). A failure a retry may change is not: a failing
// dependency (unavailable), a timeout, a rate limit (resource exhausted),
// a canceled call, and an internal or unknown error (a bug, or an error
// that is not ours); then a repeat runs again.
func (a Answer) keep() bool {
	if a.Err == nil {
		return true
	}
	switch sderrors.KindOf(a.Err) {
	case sderrors.KindInvalidArgument, sderrors.KindUnauthenticated, sderrors.KindPermissionDenied,
		sderrors.KindNotFound, sderrors.KindConflict, sderrors.KindUnimplemented, sderrors.KindUnsupportedMediaType:
		return true
	default:
		return false
	}
}

// IdempotentResult is the outcome of Engine.Idempotent.
type IdempotentResult struct {
	Answer
	// Replayed is set when Answer is the first attempt's, not this one's.
	Replayed bool
	// FirstAttemptAt is the first attempt's time, set on every repeat
	// (a replay, or the ErrDuplicateRequest of a repeat while the first
	// runs, or the refusal of a changed request under
	// WithStrictIdempotence) and never on the first attempt itself.
	FirstAttemptAt time.Time
}

// The errors about the idempotence key carry no property: the transport
// names where it received the key (see Engine.Idempotent).
var (
	errBadIdempotenceKey = sderrors.ErrInvalidValue.WithMessage("idempotence keys are 1 to 40 printable ASCII characters")
	errStillRunning      = sderrors.ErrDuplicateRequest.WithMessage("a request with this idempotence key is still being processed; retry later")
	errChangedRequest    = sderrors.ErrInvalidValue.WithMessage("the idempotence key was used with a different request")
	errNoIdempotency     = sderrors.ErrInternal.WithMessage(
		"idempotent requests need a session store with storage.Idempotency, or WithIdempotenceStore")
	errLeaseLost = sderrors.ErrUnavailable.WithMessage(
		"this attempt outlived its idempotence lease and another attempt took the key over; retry to get that attempt's answer")
)

// SupportsIdempotence reports whether the engine keeps idempotent answers:
// its session store implements storage.Idempotency, or
// WithIdempotenceStore named one.
func (e *Engine) SupportsIdempotence() bool { return e.idem != nil }

// Idempotent runs run at most once per merchant and idempotence key among
// the attempts of the engine's idempotence TTL (WithIdempotenceTTL,
// default 24 hours), and answers every repeat with the first attempt's
// answer:
//
//   - the first attempt runs, and its Answer is kept when its outcome
//     (Answer.Err) is final: a success, or an error of kind invalid
//     argument, unauthenticated, permission denied, not found, conflict or
//     unimplemented. An error of kind unavailable, timeout, resource
//     exhausted, canceled, internal or unknown is not kept, so that a
//     retry runs again;
//   - a repeat after it finished gets the same Answer, Replayed, with
//     FirstAttemptAt, even when its request differs, unless
//     WithStrictIdempotence: then a different request is
//     sderrors.ErrInvalidValue;
//   - a repeat while the first runs gets sderrors.ErrDuplicateRequest
//     (code 1409) with FirstAttemptAt set in the result;
//   - of concurrent attempts exactly one runs.
//
// Every claim has a release. The attempt that runs holds the key for the
// engine's lease (WithIdempotenceLease, default 30 seconds), and run gets
// a context that ends with the lease. When the attempt never finishes —
// its process died, or the store call that finishes or releases it
// failed — a repeat after the lease runs as a new attempt (a repeat
// during it gets 1409). An attempt whose key was taken over that way
// cannot store its answer (the store checks the attempt id), and its
// caller gets a retryable sderrors.ErrUnavailable instead of it: the
// answers given for a key are always the one answer its repeats replay.
// A session such an attempt stored anyway is never handed out and
// expires unused.
//
// request is the bytes that identify the request (e.g. the body): only its
// SHA-256 is kept. A malformed key (ValidIdempotenceKey) is
// sderrors.ErrInvalidValue. The errors about the key — malformed, still
// running, used with another request — are the only InvalidArgument and
// Conflict errors without a property that Idempotent returns: a transport
// names the key's carrier (its header, its metadata key) as their
// property. A malformed merchant id is
// sderrors.ErrUnknownMerchant at "merchantId"; a failing store a retryable
// sderrors.ErrUnavailable (sderrors.ErrStoreFull when it is at its memory
// bound), and run does not run. When a final answer could not be stored
// (the store failed, or could not make it durable, e.g. no replica
// acknowledged it), the result is a retryable error and not the answer:
// an answer given once must be the answer of every repeat, and a store
// failover could lose one that was not stored. What run did is then never
// handed out (a session created meanwhile expires unused); a retry gets
// ErrDuplicateRequest while the claim is running, and runs again once it
// is released or its lease ended.
func (e *Engine) Idempotent(ctx context.Context, merchantID, key string, request []byte, run func(context.Context) Answer) (IdempotentResult, error) {
	if !ValidIdempotenceKey(key) {
		return IdempotentResult{}, errBadIdempotenceKey
	}
	if !ValidMerchantID(merchantID) {
		return IdempotentResult{}, errBadMerchant
	}
	if e.idem == nil {
		return IdempotentResult{}, errNoIdempotency
	}
	now := e.clock()
	rec := storage.IdempotencyRecord{StartedAt: now, LeaseUntil: now.Add(e.idemLease), ExpiresAt: now.Add(e.idemTTL),
		Fingerprint: sha256.Sum256(request)}
	_, _ = rand.Read(rec.Attempt[:]) // never fails (Go 1.24+)
	k := idempotencyKey(merchantID, key)
	start := time.Now()
	// The lease, on the real clock (the store judges it by the engine's):
	// run stops when its claim can be taken over.
	leaseEnd := start.Add(e.idemLease)
	got, err := e.idem.ClaimIdempotency(ctx, k, rec)
	e.obs.storeCall("claim_idempotency", start, err)
	if err != nil {
		return IdempotentResult{}, storeFailure(err)
	}
	if got.Attempt != rec.Attempt {
		first := IdempotentResult{FirstAttemptAt: got.StartedAt}
		if e.idemStrict && got.Fingerprint != rec.Fingerprint {
			return first, errChangedRequest
		}
		if !got.Done {
			e.obs.idempotent("conflict")
			return first, errStillRunning
		}
		e.obs.idempotent("replayed")
		first.Answer, first.Replayed = Answer{Status: got.Status, Body: got.Body}, true
		return first, nil
	}
	// The first attempt: what it did is recorded even if the caller gives
	// up meanwhile, but not after the caller's deadline, nor, without one,
	// one more lease after the lease ended: no store call outlives the
	// request's time (a store that cannot commit, e.g. a primary without
	// its synchronous standby, would hold it forever), and by then the key
	// is free for another attempt anyway.
	bg := context.WithoutCancel(ctx)
	end, ok := ctx.Deadline()
	if !ok {
		end = leaseEnd.Add(e.idemLease)
	}
	bg, cancelBg := context.WithDeadline(bg, end)
	defer cancelBg()
	finished := false
	defer func() {
		if !finished { // run panicked: let a retry run
			_ = e.idem.ReleaseIdempotency(bg, k, rec.Attempt)
		}
	}()
	runCtx, cancel := context.WithDeadline(ctx, leaseEnd)
	defer cancel()
	ans := run(runCtx)
	finished = true
	e.obs.idempotent("first")
	start = time.Now()
	if !ans.keep() {
		err = e.idem.ReleaseIdempotency(bg, k, rec.Attempt)
		e.obs.storeCall("release_idempotency", start, err)
		return IdempotentResult{Answer: ans}, nil
	}
	err = e.idem.FinishIdempotency(bg, k, rec.Attempt, ans.Status, ans.Body)
	e.obs.storeCall("finish_idempotency", start, ignoreNotFound(err))
	switch {
	case stderrors.Is(err, storage.ErrNotFound):
		// Taken over after the lease: the key's answer is another
		// attempt's, and this one must not be given.
		return IdempotentResult{}, errLeaseLost
	case err != nil:
		return IdempotentResult{}, storeFailure(err)
	}
	return IdempotentResult{Answer: ans}, nil
}

// idempotencyKey is the store key of a merchant's idempotence key: the
// SHA-256 of both, so that no store sees either.
func idempotencyKey(merchantID, key string) storage.Key {
	h := sha256.New()
	h.Write([]byte("idempotence\x00"))
	h.Write([]byte(merchantID))
	h.Write([]byte{0})
	h.Write([]byte(key))
	var k storage.Key
	h.Sum(k[:0])
	return k
}
