-- Governed exports (see ARCHITECTURE.md, "exports/"): the ledger of every export, its
-- decision and its one download. The reason and the decider's comment are sealed under
-- the server subkey "export" with the export id as additional data; the filter is a
-- form and dates, never personal data. The file itself is never stored: it is written
-- as it is downloaded.
CREATE TABLE exports (
    id               TEXT PRIMARY KEY NOT NULL,
    requested_by     TEXT NOT NULL REFERENCES users (id),
    requested_at_ms  BIGINT NOT NULL,
    form_id          TEXT NOT NULL REFERENCES forms (id),
    format           TEXT NOT NULL,
    unmasked         BIGINT NOT NULL,
    reason_sealed    TEXT,
    locale           TEXT NOT NULL,
    from_ms          BIGINT,
    to_ms            BIGINT,
    row_count        BIGINT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('awaiting_approval', 'ready',
                       'downloaded', 'rejected', 'expired', 'cancelled')),
    decided_by       TEXT REFERENCES users (id),
    decided_at_ms    BIGINT,
    comment_sealed   TEXT,
    expires_at_ms    BIGINT,
    downloaded_at_ms BIGINT,
    downloaded_from  TEXT,
    file_sha256      TEXT
);
CREATE INDEX exports_by_requester ON exports (requested_by, requested_at_ms);
CREATE INDEX exports_by_time ON exports (requested_at_ms);

-- Settings an admin changes in the console, by name, as JSON.
CREATE TABLE org_settings (
    name   TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);
