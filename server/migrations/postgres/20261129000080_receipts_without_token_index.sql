-- A withdrawal link names its receipt, so the token's hash is only compared with the
-- row found by receipt id, never searched for: its UNIQUE index cost one write to a
-- random page per submission.
ALTER TABLE consent_receipts DROP CONSTRAINT IF EXISTS consent_receipts_withdraw_token_hash_key;
