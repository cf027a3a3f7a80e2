-- Collected records. Each value knows its field, sensitivity and purposes (values_json);
-- personal and sensitive values are sealed under the record's data key, which is itself
-- wrapped by the master key. Ordinary values are stored as they are.
CREATE TABLE records (
    id              TEXT PRIMARY KEY NOT NULL,
    form_id         TEXT NOT NULL REFERENCES forms (id),
    form_version    BIGINT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('web', 'staff', 'import')),
    collected_by    TEXT REFERENCES users (id),
    owner_id        TEXT REFERENCES users (id),
    key_version     BIGINT NOT NULL,
    wrapped_key     TEXT NOT NULL,
    master_key_id   TEXT NOT NULL,
    values_json     TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    created_at_ms   BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL,
    FOREIGN KEY (form_id, form_version) REFERENCES form_versions (form_id, version_number)
);
CREATE INDEX records_form ON records (form_id, created_at_ms);
CREATE INDEX records_owner ON records (owner_id);

-- Keyed hashes of identifiers (phone, email, ID number) for exact-match lookups.
CREATE TABLE record_lookup (
    blind_index  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    PRIMARY KEY (blind_index, record_id)
);

-- Consent receipts as countersigned. statement_hash lets a retried submission be told
-- apart from a different one that reuses its id.
CREATE TABLE consent_receipts (
    receipt_id           TEXT PRIMARY KEY NOT NULL,
    record_id            TEXT NOT NULL REFERENCES records (id),
    form_id              TEXT NOT NULL,
    form_version         BIGINT NOT NULL,
    statement_hash       TEXT NOT NULL,
    receipt_json         TEXT NOT NULL,
    withdraw_token_hash  TEXT NOT NULL UNIQUE,
    purposes_granted     TEXT NOT NULL,
    purposes_withdrawn   TEXT NOT NULL DEFAULT '{}',
    received_at_ms       BIGINT NOT NULL
);
CREATE INDEX consent_receipts_record ON consent_receipts (record_id);

-- Each withdrawal, with the receipt the server signed for it.
CREATE TABLE consent_withdrawals (
    id               TEXT PRIMARY KEY NOT NULL,
    receipt_id       TEXT NOT NULL REFERENCES consent_receipts (receipt_id),
    purposes         TEXT NOT NULL,
    withdrawn_at_ms  BIGINT NOT NULL,
    receipt_json     TEXT NOT NULL
);
