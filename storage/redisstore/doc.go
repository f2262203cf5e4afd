// Package redisstore keeps client sessions and their encryption nonces in
// Redis, for gateways that run several instances: a session created on one
// instance authenticates on any other. It is its own Go module, so that the
// engine's root module does not depend on go-redis.
//
//	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	store, err := redisstore.New(client)
//	engine, err := session.New(store, tokens, session.WithCatalog(c), session.WithDatacenter(dc))
//
// New takes a redis.UniversalClient: a single node, Sentinel or Cluster.
// Tokens stay in the gateway's own database (see storage/pgstore).
//
// The store also implements storage.Idempotency: the answer of an
// idempotent create lives in a hash under
// "{prefix}{<hex SHA-256 of merchant and key>}:i", expiring with its TTL;
// claiming, finishing and releasing are one Lua script each (one round
// trip).
//
// # Keys
//
// A session lives under "{prefix}{<hex SHA-256 of the clientSessionId>}:s",
// its nonces in a set under "...:n". The hex in braces is a Cluster hash
// tag: both keys of a session are in one slot, so the scripts below work on
// Cluster (the tests run the conformance suite on a Cluster node too,
// which refuses keys of different slots). No key holds a usable credential. The prefix is "cs:" by
// default ([WithPrefix]).
//
// # Round trips and expiry
//
// Every engine operation is one round trip: Save is one SET with PXAT at
// the session's expiry, so Redis drops it then; Load is one GET; Delete
// (revocation, merchant-scoped) and RecordNonce (set-if-absent, expiring
// with the session) are one Lua script each. A Load that finds a session
// expired by the engine's clock (a clock slightly ahead of Redis's) also
// deletes it with its nonces: a second round trip, only then. Expiry is
// kept to the nanosecond in the value and to the millisecond in Redis.
//
// # Failures
//
// A missing or expired session wraps storage.ErrNotFound and a replayed
// nonce storage.ErrAlreadyExists. Any other failure (connection refused,
// timeout, a server loading or failing over) is returned wrapped, never as
// not-found; the engine turns it into a retryable error. The store starts
// no goroutines and never logs; go-redis itself reports dial failures
// through its own logger, which the owner of the client may replace
// (redis.SetLogger).
//
// A nonce record and a delete are marked so that go-redis does not resend
// them after a network error (its MaxRetries): one that did run would
// answer "already exists" or "not found" the second time, a false 409 or
// 404. The caller gets the retryable error instead; the other writes are
// safe to resend (a save, and an idempotency claim, finish or release,
// which name their attempt).
//
// # Failover and durability
//
// Redis acknowledges a write once its primary holds it in memory, and
// replicates it afterwards: when the primary's host is lost, a replica
// promoted in its place lacks the last writes the primary acknowledged.
// Measured through the engine with a replica 10 ms behind (see
// docs/failover.md in the repository): acknowledged sessions lost, nonces
// accepted twice (an encrypted card blob opened twice), idempotent creates
// run twice and revocations undone.
//
// [WithReplicaAcks] closes that gap: every write is followed by
// WAIT n timeout on the same connection, in the same pipeline (one round
// trip; on a Cluster, on a connection of the primary that owns the key,
// since WAIT has no key), and fewer acknowledgements than n fail the call
// with an error wrapping [ErrNotReplicated], which the engine answers as a
// retryable 503. With it, the failover tests lose nothing acknowledged.
// Every write waits: a session save, a nonce record, a revocation (an
// acknowledged revocation that a failover undid would bring the session
// back), an idempotency claim (a claim lost while its attempt runs would
// let a repeat run too), finish and release. A replay of a finished
// idempotent answer rewrites the record's done flag, unchanged, so that
// its WAIT also covers an answer that another connection has just
// written. Reads do not wait.
//
// What a write that failed its acknowledgement leaves on the primary, and
// what releases it: a session saved but not acknowledged is harmless (its
// id was never given out) and expires with its lifetime; a nonce recorded
// but not acknowledged makes a retry of the same blob a 409 (nonces are
// at most once: the client encrypts again with a fresh nonce) and expires
// with its session; an idempotency claim not acknowledged is taken back at
// once (a release, best effort); an idempotency finish not acknowledged
// leaves the claim running (the engine answers 503, not the answer) until
// the claim's release or expiry, or the engine's idempotency lease.
//
// The price: a replica's round trip on every write (throughput and latency,
// measured in docs/failover.md: 37% of the save throughput kept on
// loopback, 4% across a 5 ms link), and availability: while fewer
// than n replicas are attached, every write fails. With one replica per
// primary, a failover leaves the new primary with none, and writes fail
// until a replica is back (the old primary returning as a replica, or a new
// one): give each primary two replicas to keep writing through a failover
// with n = 1 — but then Sentinel or Cluster may promote the replica that
// did not acknowledge a write; only n equal to the number of replicas that
// may be promoted guarantees it. Redis's own min-replicas-to-write refuses
// writes on a primary that lost its replicas (a stale primary cut off from
// them), which complements, but does not replace, WAIT.
//
// WAITAOF (Redis 7.2) would add the fsync of the append-only file on
// replicas and on the primary to the acknowledgement; the store does not use
// it: a failover promotes a replica that holds the write in memory, which
// WAIT guarantees, and Redis 7.0 (Debian 12's) has no WAITAOF.
//
// # Timeouts and recovery
//
// The store bounds nothing itself: each call is bounded by its context and
// by the client's timeouts, which its owner sets. No call should wait for a
// dead or stalled node much longer than a second, so that a failover costs
// retryable errors for seconds and a stalled Cluster shard does not hold up
// the requests that need the others. The reference gateway uses: dial,
// read, write and pool timeouts of 1 s (the read and pool timeouts plus the
// acknowledgement timeout with WithReplicaAcks: a WAIT reads with the read
// timeout, which must be longer than the acknowledgement timeout — New
// checks it), MaxRetries 1, ContextTimeoutEnabled.
//
// After a Cluster failover go-redis keeps sending a slot's keys to its
// dead primary until it reloads its slot map, which it does by itself only
// on a MOVED reply or every ClusterStateReloadInterval (60 s by default).
// The store makes a *redis.ClusterClient reload its map (ReloadState) after
// every failed call; go-redis runs one reload at a time, 200 ms apart. Run
// the Cluster with cluster-require-full-coverage no, so that the shards
// that are up keep serving while one fails over. A Sentinel failover client
// (redis.NewFailoverClient) follows the sentinels' +switch-master by
// itself. Measured: the store serves again within 2 s of a promotion, and
// a call to a shard that is up takes milliseconds while another is
// stalled.
package redisstore
