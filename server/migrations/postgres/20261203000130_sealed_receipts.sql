-- Issue #18: a receipt stored in clear let anyone holding the database recover phone and
-- ID numbers from its salted subject hash. Receipts are now sealed under their record's
-- data key (receipt_sealed), with the key of a format-2 statement's hashes beside them
-- (hash_key_sealed). Expand step: the server seals the receipts of older rows at start
-- and empties receipt_json (server/src/upgrade.rs); a later release drops it.
ALTER TABLE consent_receipts ADD COLUMN receipt_sealed TEXT;
ALTER TABLE consent_receipts ADD COLUMN hash_key_sealed TEXT;
-- records.content_hash held the statement's hash of the answers, which let guesses of a
-- record's sealed values be tested. Nothing reads it; emptied now, dropped later.
UPDATE records SET content_hash = '';
-- upgrade.rs looks at every start for rows still to seal or key: these partial indexes
-- hold only those rows, so once they are done the look reads an empty index.
CREATE INDEX consent_receipts_unsealed ON consent_receipts (receipt_id)
    WHERE receipt_sealed IS NULL;
CREATE INDEX record_edits_plain_hash ON record_edits (record_id)
    WHERE payload_hash LIKE 'sha256:%';
