-- Data-subject requests (see ARCHITECTURE.md, "requests/"). Everything a person wrote
-- or an officer noted is sealed under the server subkey "subject-request" with the
-- request id and a place name as additional data; only what the register sorts and
-- counts by stays clear.
CREATE TABLE subject_requests (
    id                    TEXT PRIMARY KEY NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('access', 'copy', 'correction',
                            'erasure', 'withdrawal', 'restriction')),
    status                TEXT NOT NULL CHECK (status IN ('new', 'identity_check',
                            'in_progress', 'answered', 'refused')),
    filed_by_customer     BIGINT NOT NULL,
    receipt_id            TEXT,
    requester_sealed      TEXT NOT NULL,
    received_at_ms        BIGINT NOT NULL,
    due_at_ms             BIGINT NOT NULL,
    assignee_id           TEXT REFERENCES users (id),
    identity_method       TEXT,
    identity_by           TEXT REFERENCES users (id),
    identity_at_ms        BIGINT,
    identity_note_sealed  TEXT,
    extended_at_ms        BIGINT,
    extended_by           TEXT REFERENCES users (id),
    extension_sealed      TEXT,
    refusal_sealed        TEXT,
    closed_at_ms          BIGINT,
    created_by            TEXT REFERENCES users (id),
    created_at_ms         BIGINT NOT NULL
);
CREATE INDEX subject_requests_by_status ON subject_requests (status, due_at_ms);

-- The records a request concerns, and how each was found ('receipt' or an identifier
-- kind).
CREATE TABLE subject_request_records (
    request_id    TEXT NOT NULL REFERENCES subject_requests (id),
    record_id     TEXT NOT NULL REFERENCES records (id),
    found_by      TEXT NOT NULL,
    linked_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (request_id, record_id)
);
CREATE INDEX subject_request_records_by_record ON subject_request_records (record_id);

-- What happened to a request, notes included; the text is sealed.
CREATE TABLE subject_request_events (
    id            TEXT PRIMARY KEY NOT NULL,
    request_id    TEXT NOT NULL REFERENCES subject_requests (id),
    at_ms         BIGINT NOT NULL,
    by_user       TEXT REFERENCES users (id),
    kind          TEXT NOT NULL,
    text_sealed   TEXT NOT NULL
);
CREATE INDEX subject_request_events_by_request ON subject_request_events (request_id, at_ms);

-- One-time downloads of a request's answer package. The package itself is never
-- stored: it is built from the records when downloaded.
CREATE TABLE request_packages (
    id                TEXT PRIMARY KEY NOT NULL,
    request_id        TEXT NOT NULL REFERENCES subject_requests (id),
    prepared_by       TEXT REFERENCES users (id),
    prepared_at_ms    BIGINT NOT NULL,
    expires_at_ms     BIGINT NOT NULL,
    downloaded_at_ms  BIGINT
);
CREATE INDEX request_packages_by_request ON request_packages (request_id, prepared_at_ms);

-- Why a version of a record was made ('device_edit', 'conflict_resolved',
-- 'request_correction'; NULL for versions written before: version 1 is 'collected', the
-- rest device edits or resolutions) and the request behind a correction.
ALTER TABLE record_versions ADD COLUMN cause TEXT;
ALTER TABLE record_versions ADD COLUMN request_id TEXT;
