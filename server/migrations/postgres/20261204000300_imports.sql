-- Issue #22: imports from spreadsheets (see ARCHITECTURE.md, "imports/").
-- Each import: who, the file's SHA-256 and counts, the lawful basis and the purposes it
-- covers. The file's name, the evidence reference and the report (row numbers,
-- outcomes and reasons, never values) are sealed under the server subkey "import" with
-- the import id as additional data.
CREATE TABLE imports (
    id                 TEXT PRIMARY KEY NOT NULL,
    form_id            TEXT NOT NULL REFERENCES forms (id),
    form_version       BIGINT NOT NULL,
    created_by         TEXT REFERENCES users (id),
    created_at_ms      BIGINT NOT NULL,
    file_sha256        TEXT NOT NULL,
    file_name_sealed   TEXT NOT NULL,
    source             TEXT NOT NULL,
    rows_total         BIGINT NOT NULL,
    imported           BIGINT NOT NULL,
    skipped_invalid    BIGINT NOT NULL,
    skipped_duplicate  BIGINT NOT NULL,
    skipped_stored     BIGINT NOT NULL,
    basis              TEXT NOT NULL,
    purposes           TEXT NOT NULL,
    evidence_sealed    TEXT NOT NULL,
    on_problems        TEXT NOT NULL CHECK (on_problems IN ('skip', 'refuse')),
    report_sealed      TEXT NOT NULL,
    undo_until_ms      BIGINT NOT NULL,
    undone_at_ms       BIGINT,
    undone_by          TEXT REFERENCES users (id),
    undo_held          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX imports_by_time ON imports (created_at_ms);

-- The lawful basis an imported record is held on (it has no consent receipt), until
-- the person gives consent through a consent request: consented_at_ms is set then and
-- the receipt rules from that moment.
CREATE TABLE record_bases (
    record_id        TEXT PRIMARY KEY NOT NULL REFERENCES records (id),
    import_id        TEXT NOT NULL REFERENCES imports (id),
    basis            TEXT NOT NULL,
    purposes         TEXT NOT NULL,
    consented_at_ms  BIGINT
);
CREATE INDEX record_bases_by_import ON record_bases (import_id);

-- Consent requests for imported records: a link handed to the person, which opens a
-- page that asks for their consent and turns it into a receipt. The link's token is
-- 256 random bits, kept as its SHA-256; the statement's hash key is sealed under the
-- server subkey "import" with the request's id as additional data.
CREATE TABLE consent_invites (
    id               TEXT PRIMARY KEY NOT NULL,
    record_id        TEXT NOT NULL REFERENCES records (id),
    token_hash       TEXT NOT NULL UNIQUE,
    receipt_id       TEXT NOT NULL,
    hash_key_sealed  TEXT NOT NULL,
    created_by       TEXT REFERENCES users (id),
    created_at_ms    BIGINT NOT NULL,
    expires_at_ms    BIGINT NOT NULL,
    used_at_ms       BIGINT
);
CREATE INDEX consent_invites_by_record ON consent_invites (record_id);
