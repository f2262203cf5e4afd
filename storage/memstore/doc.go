// Package memstore is the engine's embedded default store: sessions,
// their nonces and tokens in the memory of one process, with the standard
// library only.
//
// A [Store] implements storage.Repository, token.Repository,
// storage.Sweeper, storage.NonceRecorder, storage.TimeObserver and
// storage.Idempotency (answers of idempotent creates, in a map under one
// mutex: a running claim holds its key until its lease ends, a finished
// answer until its expiry; a claim takes over what is past its time, and
// DeleteExpired removes it), and passes the conformance
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
//   - Errors wrap storage.ErrNotFound or storage.ErrAlreadyExists; a miss
//     allocates nothing.
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
