-- Changes of key fields that wait for approval live beside edit conflicts: a row of
-- record_conflicts with kind 'approval' (the device's value sealed as for a conflict;
-- taking it approves, keeping the server's rejects). The decider's comment is sealed
-- under the record's data key ("#decision:<id>").
ALTER TABLE record_conflicts ADD COLUMN kind TEXT NOT NULL DEFAULT 'conflict';
ALTER TABLE record_conflicts ADD COLUMN comment_sealed TEXT;

-- The approved change a version applied (record_conflicts.id), for its history.
ALTER TABLE record_versions ADD COLUMN change_id TEXT;
