// Package storage is the storage contract of the engine, and a leaf: the
// stored session [Record], the session [Repository], the [Key] sessions
// are stored under, the sentinel errors and the optional capabilities a
// store may implement. It imports nothing of the project, only the
// standard library, so that an adapter (storage/memstore,
// storage/redisstore, storage/pgstore) depends on this contract and never
// on the engine: package session consumes it. The gateway's token store
// is token.Repository, declared with the token rules.
//
// An adapter implements the interfaces and proves it by running the
// conformance suite of package storage/storagetest from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, newStores)
//		storagetest.RunConcurrency(t, newStores)
//	}
//
// # Rules every adapter keeps
//
//   - Safe for concurrent use by any number of goroutines.
//   - Values passed in and returned are the caller's: a store never keeps
//     the caller's slices and never hands out its own. A Record's payload
//     is a string, immutable, so a store may keep it and hand it out
//     shared (memstore's Load allocates nothing).
//   - "Not found" is an error wrapping [ErrNotFound]; a duplicate where
//     none is allowed (a nonce seen before) wraps [ErrAlreadyExists]; a
//     write refused because the store is at its bound wraps [ErrFull]
//     (nothing was stored, nothing live was evicted to make room; the
//     engine answers it with a retryable 503). Callers test with
//     errors.Is. Any other error means the store could not answer; it is
//     never a disguised "not found".
//   - Expiry is judged by the caller's time (the now argument), never by
//     a clock of the store's own, so that an engine with a fake clock and a
//     store agree. A server-backed store may in addition drop a record
//     when its own clock passes the record's expiry.
//   - A context that is already canceled or past its deadline makes every
//     method return an error wrapping ctx.Err() without doing anything.
//   - No goroutine is started by a constructor: expired records are
//     reclaimed lazily or by an explicit [Sweeper.DeleteExpired].
//   - Sessions are stored under the SHA-256 of their clientSessionId
//     ([Key]), so a dump of a store holds no usable credential.
//
// # Optional capabilities
//
// Found by type assertion on the session store:
//
//   - [Sweeper]: the store keeps expired records until told to remove
//     them (memstore, SQL stores); a gateway calls DeleteExpired from its
//     own scheduler.
//     [SweepEvery] runs one on a schedule until its context ends; the
//     engine's Sweep calls every Sweeper it was given.
//   - [TimeObserver]: the store reclaims expired records lazily and is
//     told the caller's time before every write (memstore), so that
//     write-only traffic reclaims too.
//   - [Idempotency]: the store keeps the answers of idempotent creates
//     under the SHA-256 of merchant and idempotence key, with the attempt
//     that claimed each key: of concurrent claims exactly one wins. A
//     running claim holds its key until its LeaseUntil, a finished answer
//     until its ExpiresAt ([IdempotencyRecord.LiveUntil]); a claim after
//     that takes the key over as a new attempt, and the old attempt's
//     finish (which then wraps [ErrNotFound]) or release changes nothing.
//     A Sweeper removes what is past its time with the sessions.
//
// # Every record has a release
//
// Whatever a store keeps ends without anyone's help: a session at its
// ExpiresAt, its nonces with it, an idempotency claim at the end of its
// lease when its attempt never finishes (the process died, the finish was
// lost), a finished answer at its ExpiresAt. A store reclaims them lazily,
// by a Sweeper, or by its server's own expiry; none is left to hold a key
// or memory forever because the step after its write failed.
//   - [NonceRecorder]: the store remembers the nonces of client-side
//     encrypted payloads per session, for the session's lifetime, so that
//     a payload opens only once. Of two concurrent records of the same
//     nonce for the same session exactly one succeeds.
package storage
