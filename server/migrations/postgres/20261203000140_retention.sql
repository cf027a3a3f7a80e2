-- Issue #19: retention and erasure (see ARCHITECTURE.md, "Retention").

-- The day the customer relationship ended, which starts the clocks counted from it.
ALTER TABLE records ADD COLUMN relationship_ended_at_ms BIGINT;
-- What retention did to each processed field: {"field": {"action", "at_ms",
-- "anonymised"?}}. Values themselves are gone from values_json and the history.
ALTER TABLE records ADD COLUMN retention_json TEXT;
-- The earliest moment a value the record still holds is due; NULL until a run (or
-- forecast) computed it, or after anything that moves a clock (an edit, a withdrawal,
-- a relationship end); 9223372036854775807 when no value has an end.
ALTER TABLE records ADD COLUMN retention_due_at_ms BIGINT;
CREATE INDEX records_retention_due ON records (retention_due_at_ms);

-- Leases in the database: among several replicas, one holds a named lease at a time
-- and renews it while it works; when it dies the lease runs out and another takes it.
CREATE TABLE leases (
    name           TEXT PRIMARY KEY NOT NULL,
    holder         TEXT NOT NULL,
    expires_at_ms  BIGINT NOT NULL
);

-- Retention runs and their execution reports (ids, field keys and counts only).
CREATE TABLE retention_runs (
    id              TEXT PRIMARY KEY NOT NULL,
    run_trigger     TEXT NOT NULL CHECK (run_trigger IN ('schedule', 'manual')),
    started_by      TEXT REFERENCES users (id),
    status          TEXT NOT NULL CHECK (status IN ('running', 'done')),
    as_of_ms        BIGINT NOT NULL,
    started_at_ms   BIGINT NOT NULL,
    finished_at_ms  BIGINT,
    report_json     TEXT NOT NULL
);
CREATE INDEX retention_runs_started ON retention_runs (started_at_ms);
-- At most one run is going at any time, whichever replica started it.
CREATE UNIQUE INDEX retention_runs_one_running ON retention_runs (status)
    WHERE status = 'running';

-- Legal holds: a record, a person (by the blind index of an identifier) or a form
-- whose data runs skip. The reason is sealed (it may name the person or the case).
CREATE TABLE legal_holds (
    id             TEXT PRIMARY KEY NOT NULL,
    scope          TEXT NOT NULL CHECK (scope IN ('record', 'person', 'form')),
    record_id      TEXT REFERENCES records (id),
    form_id        TEXT REFERENCES forms (id),
    blind_index    TEXT,
    lookup_kind    TEXT,
    reason_sealed  TEXT NOT NULL,
    created_by     TEXT REFERENCES users (id),
    created_at_ms  BIGINT NOT NULL,
    ends_at_ms     BIGINT,
    lifted_at_ms   BIGINT,
    lifted_by      TEXT REFERENCES users (id)
);
CREATE INDEX legal_holds_open ON legal_holds (lifted_at_ms);

-- Withdrawals staff or an admin recorded at the customer's request: who did, and the
-- customer's signature or the stated reason, sealed under the record's data key.
ALTER TABLE consent_withdrawals ADD COLUMN recorded_by TEXT REFERENCES users (id);
ALTER TABLE consent_withdrawals ADD COLUMN evidence_sealed TEXT;
