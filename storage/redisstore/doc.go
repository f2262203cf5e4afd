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
// "{prefix}{<hex SHA-256 of merchant and key>}:i". A running claim
// expires (PXAT) at the end of its lease, so that a claim whose attempt
// never finished (the gateway died, the finish was lost) leaves Redis by
// itself; the finish moves the expiry to the answer's TTL. Claiming,
// finishing and releasing are one Lua script each (one round trip), and a
// finish or release by an attempt whose claim was taken over or is gone
// changes nothing.
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
package redisstore
