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
