-- The records list pages over (created_at_ms, id), newest or oldest first, across
-- forms: keyset paging needs both columns in one index.
CREATE INDEX records_created_id ON records (created_at_ms, id);
