// Package memstore is the engine's embedded default store: sessions,
// their nonces and tokens in the memory of one process, with the standard
// library only.
//
// A [Store] implements storage.Repository, token.Repository,
// storage.Sweeper, storage.NonceRecorder, storage.TimeObserver and
// storage.Idempotency (answers of idempotent creates, in a map under one
// mutex: a running claim holds its key until its lease ends, a finished
// answer until its expiry; a claim takes over what is past its time, and
// DeleteExpired removes it), can bound the memory its records take
// (WithMaxBytes), and passes the conformance
// suite of package storage/storagetest under the race detector. It suits
// a single gateway instance, tests and demos; several instances share
// sessions through a server-backed adapter (redisstore, pgstore) instead.
//
// # Rules
//
//   - Safe for concurrent use. The session key space is split into
//     shards (32 by default, see [WithShards]), each with its own
//     sync.RWMutex, so parallel loads of different sessions scale.
//   - Save copies the record's strings into one; Load hands out
//     substrings of it (strings are immutable: sharing is not aliasing);
//     PutTokens and Tokens copy tokens.
//   - Expiry is judged by the caller's time. Load never returns a session
//     that expired at or before its now argument, and removes it. No
//     goroutine is started: besides Load, every Save examines a few
//     sessions of its shard (4, and one more per expired one found, at
//     most 16) and removes the expired ones, judged by the latest caller
//     time the store was given: by a Load or DeleteExpired of that shard,
//     or by ObserveTime (storage.TimeObserver), which the engine calls
//     before every create, so that create-only traffic reclaims too (six
//     simulated hours of creates hold about 1.3 times the live sessions).
//     DeleteExpired removes them all: a gateway that wants a hard bound
//     runs the engine's Sweep on its own schedule (storage.SweepEvery).
//   - ExpiresAt is kept to the nanosecond between the years 1678 and 2262
//     and returned in UTC; earlier times are always expired, later ones
//     never are.
//   - Nonces (RecordNonce) are kept as long as their session and removed
//     with it (by Delete, by a Load or sweep that finds it expired, by
//     DeleteExpired). Recording a nonce twice for a session gives an error
//     wrapping storage.ErrAlreadyExists; of concurrent records exactly one
//     succeeds. Replacing a session with Save keeps its nonces.
//   - Tokens returns the found tokens of every merchant, each once, in
//     the order of the ids: the checker reports another merchant's token
//     as such (and the wire as unknown).
//   - A context already done makes every method return an error wrapping
//     ctx.Err() before it does anything.
//   - Errors wrap storage.ErrNotFound, storage.ErrAlreadyExists or
//     storage.ErrFull; a miss allocates nothing.
//
// # Memory bound
//
// [WithMaxBytes] bounds the memory of the records: a Save, a RecordNonce,
// a ClaimIdempotency or a FinishIdempotency that would take the account
// past the bound first removes what expired (its shard's lazy sweep; then,
// at most once per second of caller time and by one caller at a time,
// every expired record, as DeleteExpired does) and, when that did not make
// room, is refused with an error wrapping storage.ErrFull. Nothing is
// stored then, and no live session is ever evicted to make room: room
// comes back as sessions expire or are revoked. A finish whose answer does
// not fit removes its claim (as a release does), so that a repeat runs
// again rather than answering 409 until the claim's lease ends. The engine
// answers storage.ErrFull with a retryable 503 (sderrors.ErrStoreFull).
//
// The account ([Store.Bytes]) is kept with or without a bound. Each
// record is charged the bytes of its strings plus twice its map slot (a
// Go map doubles when 7/8 full, so its free slots cost as much again, on
// average). On 64-bit platforms: a session, the length of its one string
// (merchantId when stored apart, customerId, payload) plus 128; the
// nonces of a session key, 144 for the set plus each nonce's length plus
// 32; an idempotency record, its answer's length plus 384. Not charged:
// the rounding of allocations to size classes (at most 1/8), the maps'
// control bytes, the store's fixed part, and tokens (PutTokens: the
// gateway's data, not traffic). Over 20,000 sessions of 200 and 2,000-byte
// payloads the heap grew by 0.98 and 1.00 times the account
// (TestAccountTracksHeap). One global atomic counter holds the account,
// so that the bound is exact across shards (per-shard budgets would
// refuse a save into a full shard while others have room); a write adds
// to it with one compare-and-swap. A process takes more memory than the
// account: the garbage collector lets the heap grow to about twice the
// live data between collections (GOGC=100), and requests in flight need
// memory of their own.
//
// # Cost
//
// Load allocates nothing (the payload is a substring of the stored
// string) and takes a read lock of one shard. A session takes one map slot of 64 bytes (the 32-byte key, one
// string for merchantId, customerId and payload, the expiry and two
// offsets) plus that string: when the customerId starts with the
// merchantId, as the ids the engine mints do, the merchantId is not
// stored twice. A merchantId is at most 64 KiB, a record at most 4 GiB.
// See the package benchmarks for measured figures.
package memstore
