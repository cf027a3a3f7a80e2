-- A withdrawal link names its receipt, so the token's hash is only compared with the
-- row found by receipt id, never searched for: its UNIQUE index cost one write to a
-- random page per submission. SQLite cannot drop a column's UNIQUE constraint, so the
-- table is rebuilt. sqlx runs this in a transaction, where foreign keys cannot be
-- switched off: the withdrawals that point at receipts are set aside first, so that
-- no step leaves a reference dangling, and put back at the end.
CREATE TABLE withdrawals_aside AS SELECT * FROM consent_withdrawals;
DELETE FROM consent_withdrawals;
CREATE TABLE consent_receipts_new (
    receipt_id           TEXT PRIMARY KEY NOT NULL,
    record_id            TEXT NOT NULL REFERENCES records (id),
    form_id              TEXT NOT NULL,
    form_version         BIGINT NOT NULL,
    statement_hash       TEXT NOT NULL,
    receipt_json         TEXT NOT NULL,
    withdraw_token_hash  TEXT NOT NULL,
    purposes_granted     TEXT NOT NULL,
    purposes_withdrawn   TEXT NOT NULL DEFAULT '{}',
    received_at_ms       BIGINT NOT NULL
);
INSERT INTO consent_receipts_new (receipt_id, record_id, form_id, form_version,
    statement_hash, receipt_json, withdraw_token_hash, purposes_granted,
    purposes_withdrawn, received_at_ms)
SELECT receipt_id, record_id, form_id, form_version, statement_hash, receipt_json,
    withdraw_token_hash, purposes_granted, purposes_withdrawn, received_at_ms
FROM consent_receipts;
DROP TABLE consent_receipts;
ALTER TABLE consent_receipts_new RENAME TO consent_receipts;
CREATE INDEX consent_receipts_record ON consent_receipts (record_id);
INSERT INTO consent_withdrawals (id, receipt_id, purposes, withdrawn_at_ms, receipt_json)
SELECT id, receipt_id, purposes, withdrawn_at_ms, receipt_json FROM withdrawals_aside;
DROP TABLE withdrawals_aside;
