-- Accounts and sessions. Times are Unix milliseconds (BIGINT) on both backends.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY NOT NULL,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'manager', 'staff')),
    password_hash        TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    disabled             BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until_ms      BIGINT,
    created_at_ms        BIGINT NOT NULL,
    updated_at_ms        BIGINT NOT NULL
);

-- The session token is never stored: only its SHA-256.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token     TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    last_seen_ms   BIGINT NOT NULL,
    expires_at_ms  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at_ms);

-- Small server-wide facts (for example whether first-start seeding ran).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
