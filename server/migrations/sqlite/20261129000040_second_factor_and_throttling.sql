-- A second factor per account (TOTP, RFC 6238). The secret is never stored in clear: it
-- is a data key wrapped by the master key with the user id bound as context. A row with
-- enabled = 0 is a secret set up but not yet confirmed with a code. last_used_step is the
-- newest 30-second step whose code was accepted; older or equal steps are refused, so a
-- code works once.
CREATE TABLE user_totp (
    user_id         TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_wrapped  TEXT NOT NULL,
    master_key_id   TEXT NOT NULL,
    enabled         BIGINT NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    last_used_step  BIGINT,
    created_at_ms   BIGINT NOT NULL,
    enabled_at_ms   BIGINT
);

-- Failed sign-ins per client address, shared by every replica: a sliding window of
-- recent failures, pruned as new ones arrive.
CREATE TABLE sign_in_failures (
    id     TEXT PRIMARY KEY NOT NULL,
    ip     TEXT NOT NULL,
    at_ms  BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_ip ON sign_in_failures (ip, at_ms);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at_ms);
