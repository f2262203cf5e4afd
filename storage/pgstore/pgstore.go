package pgstore

import (
	"bytes"
	"context"
	_ "embed" // the schema
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	sderrors "github.com/clientsession/engine/errors"
	"github.com/clientsession/engine/storage"
	"github.com/clientsession/engine/token"
)

// DB is what the store needs of PostgreSQL: both *pgxpool.Pool and pgx.Tx
// implement it (and *pgx.Conn, for a single connection).
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Tables names the store's tables. Names are plain identifiers
// ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes), quoted in every statement.
type Tables struct {
	Sessions string
	Nonces   string
	Tokens   string
	// Idempotency holds the answers of idempotent creates; empty means
	// Sessions + "_idempotency".
	Idempotency string
}

// DefaultTables are the table names used unless WithTables says otherwise.
func DefaultTables() Tables {
	return Tables{Sessions: "client_sessions", Nonces: "client_session_nonces", Tokens: "payment_tokens",
		Idempotency: "client_session_idempotency"}
}

// An Option configures a Store built by New. The set of options is
// closed: only this package defines them. New validates every option.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tables Tables
	sderrors.ConfigProblems
}

// WithTables sets the table names; each must be a plain identifier.
func WithTables(t Tables) Option {
	return optionFunc(func(c *config) {
		if t.Idempotency == "" && len(t.Sessions) <= 63-len("_idempotency") {
			t.Idempotency = t.Sessions + "_idempotency"
		}
		for _, n := range []struct{ property, name string }{
			{"tables.sessions", t.Sessions}, {"tables.nonces", t.Nonces}, {"tables.tokens", t.Tokens},
			{"tables.idempotency", t.Idempotency},
		} {
			if !identifier.MatchString(n.name) {
				c.Fail(n.property, fmt.Sprintf("%q is not a table name: use [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes", n.name))
				return
			}
		}
		c.tables = t
	})
}

// Store keeps sessions, their encryption nonces and payment tokens in
// PostgreSQL. It is safe for concurrent use when db is (a pool is; a
// transaction is not) and starts no goroutines.
type Store struct {
	db     DB
	tables Tables
	q      queries
}

var (
	_ storage.Repository    = (*Store)(nil)
	_ token.Repository      = (*Store)(nil)
	_ storage.NonceRecorder = (*Store)(nil)
	_ storage.Sweeper       = (*Store)(nil)
	_ storage.Idempotency   = (*Store)(nil)
)

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// New returns a store over db. It does not touch the database: call
// Migrate once to create the tables. A nil db or a bad option is an
// sderrors.ErrInvalidConfiguration.
func New(db DB, opts ...Option) (*Store, error) {
	c := config{tables: DefaultTables(), ConfigProblems: sderrors.ConfigProblems{Prefix: "pgstore: "}}
	if db == nil {
		c.Fail("db", "the database must not be nil")
	}
	sderrors.ApplyOptions(&c.ConfigProblems, opts, func(o Option) { o.apply(&c) })
	if err := c.Err(); err != nil {
		return nil, err
	}
	return &Store{db: db, tables: c.tables, q: newQueries(c.tables)}, nil
}

// Tables returns the table names of the store, e.g. to open a second store
// on the same tables over a transaction.
func (s *Store) Tables() Tables { return s.tables }

//go:embed schema.sql
var schemaSQL string

// Migrate creates the tables and indexes when they are missing. It is
// idempotent and safe to run from several gateway instances at once: it
// holds a transaction-scoped advisory lock derived from the table names.
func (s *Store) Migrate(ctx context.Context) error {
	schema, err := template.New("schema").Parse(schemaSQL)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	var ddl bytes.Buffer
	err = schema.Execute(&ddl, map[string]string{
		"Sessions":          quote(s.tables.Sessions),
		"Nonces":            quote(s.tables.Nonces),
		"Tokens":            quote(s.tables.Tokens),
		"Idempotency":       quote(s.tables.Idempotency),
		"IdempotencyExpiry": quote(s.tables.Idempotency + "_expires_at"),
		"IdempotencyLease":  quote(s.tables.Idempotency + "_lease_until"),
		"SessionsExpiry":    quote(s.tables.Sessions + "_expires_at"),
		"NoncesExpiry":      quote(s.tables.Nonces + "_expires_at"),
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	h := fnv.New64a()
	_, _ = h.Write([]byte("pgstore:" + s.tables.Sessions + ":" + s.tables.Nonces + ":" + s.tables.Tokens))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil { //nolint:gosec // a hash's bits
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, ddl.String()); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// queries are the store's statements, built once for its table names.
type queries struct {
	save, load, deleteSession, nonce, sweep, tokens, putTokens string
	claim, finish, release                                     string
}

func newQueries(t Tables) queries {
	ss, ns, ts, is := quote(t.Sessions), quote(t.Nonces), quote(t.Tokens), quote(t.Idempotency)
	// A claim replaces a record that is no longer live by the caller's
	// time: expired, or running past its lease (a NULL lease, from before
	// leases, compares as NULL: no lease).
	expired := `(t.expires_at <= EXCLUDED.started_at OR (NOT t.done AND t.lease_until <= EXCLUDED.started_at))`
	pick := func(col string) string {
		return col + ` = CASE WHEN ` + expired + ` THEN EXCLUDED.` + col + ` ELSE t.` + col + ` END`
	}
	return queries{
		// One statement; ON CONFLICT DO UPDATE locks the row and returns
		// the latest committed version, so that of concurrent claims the
		// first inserts and every other one reads its record.
		claim: `INSERT INTO ` + is + ` AS t (key, attempt, started_at, expires_at, fingerprint, done, status, body, lease_until)
			VALUES ($1, $2, $3, $4, $5, false, 0, NULL, $6)
			ON CONFLICT (key) DO UPDATE SET ` + pick("attempt") + `, ` + pick("started_at") + `, ` + pick("expires_at") + `, ` +
			pick("fingerprint") + `, ` + pick("done") + `, ` + pick("status") + `, ` + pick("body") + `, ` + pick("lease_until") + `
			RETURNING attempt, started_at, expires_at, fingerprint, done, status, body, lease_until`,
		finish:  `UPDATE ` + is + ` SET done = true, status = $3, body = $4 WHERE key = $1 AND attempt = $2`,
		release: `DELETE FROM ` + is + ` WHERE key = $1 AND attempt = $2 AND NOT done`,
		save: `INSERT INTO ` + ss + ` (key, merchant_id, customer_id, expires_at, payload) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (key) DO UPDATE SET merchant_id = EXCLUDED.merchant_id, customer_id = EXCLUDED.customer_id,
			expires_at = EXCLUDED.expires_at, payload = EXCLUDED.payload`,
		load: `SELECT merchant_id, customer_id, expires_at, payload FROM ` + ss + ` WHERE key = $1 AND expires_at > $2`,
		deleteSession: `WITH s AS (DELETE FROM ` + ss + ` WHERE key = $1 AND merchant_id = $2 RETURNING key),
			n AS (DELETE FROM ` + ns + ` WHERE session_key IN (SELECT key FROM s))
			SELECT count(*) FROM s`,
		nonce: `INSERT INTO ` + ns + ` (session_key, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		sweep: `WITH s AS (DELETE FROM ` + ss + ` WHERE expires_at <= $1 RETURNING key),
			n AS (DELETE FROM ` + ns + ` WHERE expires_at <= $1 OR session_key IN (SELECT key FROM s)),
			i AS (DELETE FROM ` + is + ` WHERE expires_at <= $1 OR (NOT done AND lease_until <= $1) RETURNING key)
			SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM i)`,
		tokens: `SELECT id, merchant_id, payment_product_id, status, expiry_month, expiry_year, alias FROM ` + ts +
			` WHERE id = ANY($1)`,
		putTokens: `INSERT INTO ` + ts + ` (id, merchant_id, payment_product_id, status, expiry_month, expiry_year, alias)
			SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::smallint[], $5::smallint[], $6::int[], $7::text[])
			ON CONFLICT (id) DO UPDATE SET merchant_id = EXCLUDED.merchant_id, payment_product_id = EXCLUDED.payment_product_id,
			status = EXCLUDED.status, expiry_month = EXCLUDED.expiry_month, expiry_year = EXCLUDED.expiry_year, alias = EXCLUDED.alias`,
	}
}

func wrap(op string, err error) error { return fmt.Errorf("pgstore: %s: %w", op, err) }

// micro truncates t to PostgreSQL's precision, microseconds, so that what
// Load returns does not depend on how pgx encodes times (binary truncates,
// text would round) and a lifetime is never lengthened.
func micro(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// Save stores r (one statement; an existing key is replaced and keeps its
// nonces). ExpiresAt is kept to the microsecond, truncated.
func (s *Store) Save(ctx context.Context, r storage.Record) error {
	if err := ctx.Err(); err != nil {
		return wrap("save", err)
	}
	payload := []byte(r.Payload) // bytea; never nil, also for ""
	if _, err := s.db.Exec(ctx, s.q.save, r.Key[:], r.MerchantID, r.CustomerID, micro(r.ExpiresAt), payload); err != nil {
		return wrap("save", err)
	}
	return nil
}

// Load returns the record under key (one query). A record that expired at
// or before the caller's now is ignored, reported as not found, and left
// for DeleteExpired.
func (s *Store) Load(ctx context.Context, key storage.Key, now time.Time) (storage.Record, error) {
	if err := ctx.Err(); err != nil {
		return storage.Record{}, wrap("load", err)
	}
	r := storage.Record{Key: key}
	var payload []byte
	err := s.db.QueryRow(ctx, s.q.load, key[:], micro(now)).Scan(&r.MerchantID, &r.CustomerID, &r.ExpiresAt, &payload)
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.Record{}, wrap("load", storage.ErrNotFound)
	}
	if err != nil {
		return storage.Record{}, wrap("load", err)
	}
	r.ExpiresAt = r.ExpiresAt.UTC()
	r.Payload = string(payload)
	return r, nil
}

// Delete removes the session under key and its nonces if it belongs to
// merchantID (one statement).
func (s *Store) Delete(ctx context.Context, key storage.Key, merchantID string) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete", err)
	}
	var n int
	if err := s.db.QueryRow(ctx, s.q.deleteSession, key[:], merchantID).Scan(&n); err != nil {
		return wrap("delete", err)
	}
	if n == 0 {
		return wrap("delete", storage.ErrNotFound)
	}
	return nil
}

// RecordNonce records nonce for the session under key until expiresAt (one
// statement, INSERT ... ON CONFLICT DO NOTHING); a nonce recorded before
// gives an error wrapping storage.ErrAlreadyExists.
func (s *Store) RecordNonce(ctx context.Context, key storage.Key, nonce string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return wrap("record nonce", err)
	}
	tag, err := s.db.Exec(ctx, s.q.nonce, key[:], nonce, micro(expiresAt))
	if err != nil {
		return wrap("record nonce", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("record nonce", storage.ErrAlreadyExists)
	}
	return nil
}

// DeleteExpired removes the sessions that expired at or before now, with
// their nonces, and the idempotency records no longer live at now (expired,
// or running past their lease), and reports how many sessions and
// idempotency records it removed (one statement).
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, wrap("delete expired", err)
	}
	var n int
	if err := s.db.QueryRow(ctx, s.q.sweep, micro(now)).Scan(&n); err != nil {
		return 0, wrap("delete expired", err)
	}
	return n, nil
}

// Tokens returns the stored tokens among ids in one query, whatever their
// number. It looks tokens up by id alone and returns other merchants'
// tokens too: token.Evaluate reports them as invalid exactly like unknown
// ones, so the wire cannot tell them apart.
func (s *Store) Tokens(ctx context.Context, _ string, ids []string) ([]token.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, wrap("tokens", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, s.q.tokens, ids)
	if err != nil {
		return nil, wrap("tokens", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (token.Token, error) {
		var t token.Token
		var status, month int16
		var year int32
		err := row.Scan(&t.ID, &t.MerchantID, &t.PaymentProductID, &status, &month, &year, &t.Alias)
		t.Status = token.Status(status) //nolint:gosec // 1..3, written by PutTokens
		t.CardExpiry = token.Expiry{Month: time.Month(month), Year: int(year)}
		return t, err
	})
	if err != nil {
		return nil, wrap("tokens", err)
	}
	return out, nil
}

// PutTokens stores tokens, replacing those with the same id, in one
// statement. When an id is given twice the last one wins.
func (s *Store) PutTokens(ctx context.Context, tokens ...token.Token) error {
	if err := ctx.Err(); err != nil {
		return wrap("put tokens", err)
	}
	last := make(map[string]int, len(tokens))
	for i, t := range tokens {
		last[t.ID] = i
	}
	var ids, merchants, aliases []string
	var products, years []int32
	var statuses, months []int16
	for i, t := range tokens {
		if last[t.ID] != i {
			continue
		}
		ids = append(ids, t.ID)
		merchants = append(merchants, t.MerchantID)
		products = append(products, t.PaymentProductID)
		statuses = append(statuses, int16(t.Status))
		months = append(months, int16(t.CardExpiry.Month)) //nolint:gosec // 0..12
		years = append(years, int32(t.CardExpiry.Year))    //nolint:gosec // a card's four-digit year
		aliases = append(aliases, t.Alias)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.db.Exec(ctx, s.q.putTokens, ids, merchants, products, statuses, months, years, aliases); err != nil {
		return wrap("put tokens", err)
	}
	return nil
}

// ClaimIdempotency implements storage.Idempotency in one statement:
// INSERT ... ON CONFLICT (key) DO UPDATE, where each column takes the new
// attempt's value only when the old record is no longer live (expired, or
// running past its lease_until) and keeps its own otherwise, RETURNING the
// row either way, so that a loser reads the winner's record in the same
// round trip. Times are kept to the microsecond.
func (s *Store) ClaimIdempotency(ctx context.Context, key storage.Key, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return storage.IdempotencyRecord{}, wrap("claim idempotency", err)
	}
	var (
		out         storage.IdempotencyRecord
		attempt, fp []byte
		status      int32
		lease       *time.Time
	)
	err := s.db.QueryRow(ctx, s.q.claim, key[:], rec.Attempt[:], micro(rec.StartedAt), micro(rec.ExpiresAt), rec.Fingerprint[:],
		micro(rec.LiveUntil())).
		Scan(&attempt, &out.StartedAt, &out.ExpiresAt, &fp, &out.Done, &status, &out.Body, &lease)
	if err != nil {
		return storage.IdempotencyRecord{}, wrap("claim idempotency", err)
	}
	if len(attempt) != len(out.Attempt) || len(fp) != len(out.Fingerprint) {
		return storage.IdempotencyRecord{}, wrap("claim idempotency", errors.New("corrupt record"))
	}
	copy(out.Attempt[:], attempt)
	copy(out.Fingerprint[:], fp)
	out.Status = int(status)
	out.StartedAt, out.ExpiresAt = out.StartedAt.UTC(), out.ExpiresAt.UTC()
	if lease != nil {
		out.LeaseUntil = lease.UTC()
	}
	return out, nil
}

// FinishIdempotency implements storage.Idempotency in one statement. A
// claim whose lease ended is still its attempt's until another claim (or
// DeleteExpired) takes it.
func (s *Store) FinishIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt, status int, body []byte) error {
	if err := ctx.Err(); err != nil {
		return wrap("finish idempotency", err)
	}
	if body == nil {
		body = []byte{}
	}
	tag, err := s.db.Exec(ctx, s.q.finish, key[:], attempt[:], status, body)
	if err != nil {
		return wrap("finish idempotency", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("finish idempotency", fmt.Errorf("not this attempt's: %w", storage.ErrNotFound))
	}
	return nil
}

// ReleaseIdempotency implements storage.Idempotency in one statement.
func (s *Store) ReleaseIdempotency(ctx context.Context, key storage.Key, attempt storage.Attempt) error {
	if err := ctx.Err(); err != nil {
		return wrap("release idempotency", err)
	}
	if _, err := s.db.Exec(ctx, s.q.release, key[:], attempt[:]); err != nil {
		return wrap("release idempotency", err)
	}
	return nil
}
