// Package pgstore keeps payment tokens, client sessions and their
// encryption nonces in PostgreSQL, for gateways whose tokens live in their
// database and that run several instances. It is its own Go module, so that
// the engine's root module does not depend on pgx.
//
//	pool, err := pgxpool.New(ctx, dsn)
//	store, err := pgstore.New(pool)            // or pgstore.New(tx): any DB
//	err = store.Migrate(ctx)                   // idempotent
//	engine, err := session.New(store, store, session.WithCatalog(c), session.WithDatacenters(dcs))
//
// The store also implements storage.Idempotency in a fourth table
// (Tables.Idempotency, default client_session_idempotency): a claim is one
// INSERT ... ON CONFLICT DO UPDATE ... RETURNING, which of concurrent
// claims lets exactly one insert and returns the winner's row to the
// others; finishing and releasing are one statement each; DeleteExpired
// removes expired answers with the sessions.
//
// # Schema
//
// schema.sql, embedded, with configurable table names ([WithTables];
// identifiers only, always quoted): sessions keyed by the SHA-256 of the
// clientSessionId (the id itself is never stored), nonces keyed by
// (session, nonce), tokens keyed by id. [Store.Migrate] creates what is
// missing under a transaction-scoped advisory lock, so instances may run it
// at once. Times are TIMESTAMPTZ: expiries are kept to the microsecond
// (truncated, so a lifetime is never lengthened).
//
// # Statements
//
// One statement for each operation: Save is an upsert; Load one SELECT;
// Delete (merchant-scoped) and DeleteExpired one statement each that also
// removes the nonces; RecordNonce one INSERT ... ON CONFLICT DO NOTHING (a
// replay wraps storage.ErrAlreadyExists); Tokens one SELECT ... WHERE id =
// ANY($1) whatever the number of ids; PutTokens one upsert over unnest
// arrays. Load ignores a session that expired at or before the caller's
// now (expires_at > $2 in its one SELECT) and leaves the row, with its
// nonces, for [Store.DeleteExpired], which a gateway runs on a schedule of
// its own: the store starts no goroutines.
//
// Tokens are looked up by id alone: other merchants' tokens come back too,
// and the engine reports them exactly as unknown ones, so the wire cannot
// tell them apart.
//
// # Failures
//
// A missing session wraps storage.ErrNotFound; any other failure
// (connection refused, server restart, timeout) is returned wrapped, never
// as not-found, and the engine turns it into a retryable error. The store
// never logs.
//
// # Failover and durability
//
// The store is as durable as the commits of its database. With a
// streaming standby and asynchronous replication (PostgreSQL's default), a
// commit returns before the standby has it: when the primary's host is
// lost and the standby is promoted, the last acknowledged writes are gone
// — measured through the engine with a standby 10 ms behind (see
// docs/failover.md in the repository): sessions lost, nonces accepted
// twice, idempotent creates run twice, revocations undone.
//
// The durable mode is synchronous replication, set on the primary:
// synchronous_standby_names naming the standby (or '*') and
// synchronous_commit = on (a commit returns once the standby has flushed
// its WAL; remote_apply waits for it to apply it too, which matters only
// to reads on the standby; remote_write is not enough for the loss of both
// hosts' memory). With it the failover tests lose nothing acknowledged.
// The price is a round trip to the standby in every commit (measured in
// docs/failover.md), and a primary whose synchronous standby is gone does
// not commit at all: its writes wait, each until its context ends, and
// fail with a retryable error. A failover manager therefore promotes the
// standby without synchronous_standby_names (it accepts writes alone until
// a new standby joins; a manager's "strict" mode refuses them instead).
// A commit whose wait was cancelled is committed on the primary but was
// never acknowledged: a session so saved is harmless (its id was never
// given out), a nonce so recorded makes a retry of its blob a 409 (nonces
// are at most once), an idempotency claim or finish so written leaves the
// key running until it is released or expires.
//
// Give a gateway every host, with target_session_attrs=read-write
// (host=a,b port=5432,5432 ... target_session_attrs=read-write; pgx tries
// them in order and keeps the first that accepts writes), and a
// connect_timeout: after a promotion new connections find the new primary.
// A stale old primary must never come back read-write (fence it: stop it,
// or rejoin it as a standby with pg_rewind): it would accept connections
// that list it first, answer reads from its old data and, without
// synchronous replication, acknowledge writes that the new primary never
// sees (measured in docs/failover.md).
package pgstore
