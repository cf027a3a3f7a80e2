-- The server's ed25519 signing keys. The secret half is sealed under the master key;
-- retired keys stay so that what they signed remains verifiable.
CREATE TABLE server_keys (
    key_id          TEXT PRIMARY KEY NOT NULL,
    public_key      TEXT NOT NULL,
    secret_sealed   TEXT NOT NULL,
    master_key_id   TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    retired_at_ms   BIGINT
);

-- The tamper-evident audit log. Rows are only ever inserted (see shared::audit).
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY NOT NULL,
    at_ms         BIGINT NOT NULL,
    actor_id      TEXT,
    actor_role    TEXT,
    action        TEXT NOT NULL,
    target_kind   TEXT,
    target_id     TEXT,
    ip            TEXT,
    user_agent    TEXT,
    details_json  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, at_ms);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at_ms);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id);

-- One row: the newest entry, updated in the same transaction as each insert so that
-- appends from several server replicas serialise on it.
CREATE TABLE audit_chain (
    id         BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq   BIGINT NOT NULL,
    last_hash  TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, 'sha256:0000000000000000000000000000000000000000000000000000000000000000');

-- Signed statements of the chain's head, so that cutting entries off the end shows.
CREATE TABLE audit_heads (
    seq        BIGINT PRIMARY KEY NOT NULL,
    hash       TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL
);
