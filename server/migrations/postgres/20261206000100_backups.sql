-- Backups (issue #24): one row per backup the servers made or were asked to make, with
-- its off-site copy and its restore drill. No personal data: file names, sizes,
-- hashes, counts and the audit head.
CREATE TABLE backups (
    id                  TEXT PRIMARY KEY NOT NULL,
    -- 'requested' rows wait for a server to take them (an admin's "back up now").
    state               TEXT NOT NULL
        CHECK (state IN ('requested', 'running', 'done', 'failed', 'expired')),
    trigger             TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    requested_by        TEXT REFERENCES users (id),
    file_name           TEXT NOT NULL,
    database_kind       TEXT NOT NULL,
    started_at_ms       BIGINT NOT NULL,
    finished_at_ms      BIGINT,
    size_bytes          BIGINT NOT NULL,
    sha256              TEXT NOT NULL,
    audit_seq           BIGINT NOT NULL,
    audit_head          TEXT NOT NULL,
    counts_json         TEXT NOT NULL,
    error               TEXT,
    offsite             TEXT NOT NULL
        CHECK (offsite IN ('not_configured', 'pending', 'copied', 'failed')),
    offsite_at_ms       BIGINT,
    offsite_attempts    BIGINT NOT NULL,
    offsite_error       TEXT,
    next_attempt_at_ms  BIGINT,
    -- Whether the failure was told to the alerts' webhook and e-mail.
    alerted             BIGINT NOT NULL,
    drill_json          TEXT,
    expired_at_ms       BIGINT,
    -- The folder the file was written to (on the server that made it).
    local_dir           TEXT NOT NULL
);
CREATE INDEX backups_by_time ON backups (started_at_ms);
CREATE INDEX backups_by_state ON backups (state, next_attempt_at_ms);
