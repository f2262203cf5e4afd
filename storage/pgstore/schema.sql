-- Schema of pgstore. {{.Sessions}}, {{.Nonces}}, {{.Tokens}} and
-- {{.Idempotency}} are the quoted table names; {{.SessionsExpiry}},
-- {{.NoncesExpiry}}, {{.IdempotencyExpiry}} and {{.IdempotencyLease}} index
-- names.
CREATE TABLE IF NOT EXISTS {{.Sessions}} (
    key         BYTEA       PRIMARY KEY,  -- SHA-256 of the clientSessionId, never the id itself
    merchant_id TEXT        NOT NULL,
    customer_id TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    payload     BYTEA       NOT NULL      -- the engine's encoding of filters and valid tokens
);
CREATE INDEX IF NOT EXISTS {{.SessionsExpiry}} ON {{.Sessions}} (expires_at);

CREATE TABLE IF NOT EXISTS {{.Nonces}} (
    session_key BYTEA       NOT NULL,
    nonce       TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_key, nonce)
);
CREATE INDEX IF NOT EXISTS {{.NoncesExpiry}} ON {{.Nonces}} (expires_at);

CREATE TABLE IF NOT EXISTS {{.Tokens}} (
    id                 TEXT     PRIMARY KEY,
    merchant_id        TEXT     NOT NULL,
    payment_product_id INTEGER  NOT NULL,
    status             SMALLINT NOT NULL,            -- 1 active, 2 deleted, 3 revoked
    expiry_month       SMALLINT NOT NULL DEFAULT 0,  -- 0: no expiry known
    expiry_year        INTEGER  NOT NULL DEFAULT 0,
    alias              TEXT     NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS {{.Idempotency}} (
    key         BYTEA       PRIMARY KEY,  -- SHA-256 of merchant id and idempotence key
    attempt     BYTEA       NOT NULL,     -- random id of the attempt that claimed the key
    started_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    fingerprint BYTEA       NOT NULL,     -- SHA-256 of the first request
    done        BOOLEAN     NOT NULL,
    status      INTEGER     NOT NULL,
    body        BYTEA,                    -- the answer, once done
    lease_until TIMESTAMPTZ               -- a running claim ends then; NULL: no lease
);
CREATE INDEX IF NOT EXISTS {{.IdempotencyExpiry}} ON {{.Idempotency}} (expires_at);
-- Tables created before leases: add the column (NULL: those claims run
-- until expires_at, as they did) and the sweep's index of running claims.
ALTER TABLE {{.Idempotency}} ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS {{.IdempotencyLease}} ON {{.Idempotency}} (lease_until) WHERE NOT done;
