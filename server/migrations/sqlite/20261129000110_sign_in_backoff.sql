-- Failed sign-ins are counted by a keyed hash of the client's address (HMAC-SHA-256
-- under a server subkey, an IPv6 address by its /64), never by the address itself:
-- addresses are personal data.
--
-- Per address, over every account (`auth::throttle`). This replaces `sign_in_failures`,
-- whose `ip` column held addresses in clear. Its rows are 15-minute counters, so they
-- are deleted rather than converted. The emptied table stays until a later release
-- drops it (the contract step), so that a replica of the previous version still running
-- against this database can write to it.
DELETE FROM sign_in_failures;
CREATE TABLE sign_in_address_failures (
    id           TEXT PRIMARY KEY NOT NULL,
    address_key  TEXT NOT NULL,
    at_ms        BIGINT NOT NULL
);
CREATE INDEX sign_in_address_failures_key ON sign_in_address_failures (address_key, at_ms);
CREATE INDEX sign_in_address_failures_at ON sign_in_address_failures (at_ms);

-- Per account and address (`auth::backoff`): the failures of a run, and until when the
-- pair must wait before its next try is checked. This replaces the lock of the whole
-- account (`users.failed_logins`, `users.locked_until_ms`, no longer read; they are
-- cleared here and dropped in a later release). A pair is forgotten after a quiet
-- window (see `Db::record_backoff_failure`).
UPDATE users SET failed_logins = 0, locked_until_ms = NULL;
CREATE TABLE sign_in_backoff (
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address_key         TEXT NOT NULL,
    failures            BIGINT NOT NULL,
    last_failure_at_ms  BIGINT NOT NULL,
    blocked_until_ms    BIGINT,
    PRIMARY KEY (user_id, address_key)
);
CREATE INDEX sign_in_backoff_last_failure ON sign_in_backoff (last_failure_at_ms);
