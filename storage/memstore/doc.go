// Package memstore is the engine's embedded default store: sessions,
// their nonces and tokens in the memory of one process, with the standard
// library only.
//
// A [Store] implements storage.Repository, token.Repository,
// storage.Sweeper and storage.NonceRecorder, and passes the conformance
// suite of package storage/storagetest under the race detector. It suits
// a single gateway instance, tests and demos; several instances share
// sessions through a server-backed adapter (redisstore, pgstore) instead.
//
// # Rules
//
//   - Safe for concurrent use. The session key space is split into
//     shards (32 by default, see [WithShards]), each with its own
//     sync.RWMutex, so parallel loads of different sessions scale.
//   - Values in and out are copies: Save copies the payload, Load returns
//     a fresh payload slice, PutTokens and Tokens copy tokens.
//   - Expiry is judged by the caller's time. Load never returns a session
//     that expired at or before its now argument, and removes it. No
//     goroutine is started: besides Load, every Save examines a few
//     sessions of its shard (4, and one more per expired one found, at
//     most 16) and removes the expired ones, judged by the latest time a
//     Load or DeleteExpired of that shard was given; DeleteExpired removes
//     them all. A gateway that wants a hard bound on memory calls
//     DeleteExpired from its own scheduler.
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
// Load allocates once (the payload copy) and takes a read lock of one
// shard. A session takes one map slot of 64 bytes (the 32-byte key, one
// string for merchantId, customerId and payload, the expiry and two
// offsets) plus that string: when the customerId starts with the
// merchantId, as the ids the engine mints do, the merchantId is not
// stored twice. A merchantId is at most 64 KiB, a record at most 4 GiB.
// See the package benchmarks for measured figures.
package memstore
