-- The compliance dashboard (issue #23): the evidence of the separate consent to
-- sensitive data kept beside each receipt, when each device last synced, the daily
-- snapshots of the checks, the kept compliance reports and their deliveries.

-- 1 when the signed statement carried the separate consent to sensitive data, 0 when
-- not; NULL in rows written before this column (the check opens their receipts).
ALTER TABLE consent_receipts ADD COLUMN sensitive_consent BIGINT;

-- When the device last reached the sync endpoint (any batch, even an empty one).
ALTER TABLE devices ADD COLUMN last_sync_at_ms BIGINT;
UPDATE devices SET last_sync_at_ms =
    (SELECT MAX(created_at_ms) FROM records WHERE records.device_id = devices.id);

-- One row per day and scope ('all', 'team:<id>', 'form:<id>'): the checks' figures
-- (no personal data: check names and counts).
CREATE TABLE compliance_snapshots (
    day_ms          BIGINT NOT NULL,
    scope           TEXT NOT NULL,
    passed          BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    checks_json     TEXT NOT NULL,
    computed_at_ms  BIGINT NOT NULL,
    audit_seq       BIGINT NOT NULL,
    audit_hash      TEXT NOT NULL,
    PRIMARY KEY (day_ms, scope)
);

-- Kept reports, sealed (they hold request ids and dates, never a value; sealed all the
-- same, as every report is).
CREATE TABLE compliance_reports (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('weekly', 'monthly', 'on_demand')),
    period_from_ms  BIGINT NOT NULL,
    period_to_ms    BIGINT NOT NULL,
    computed_at_ms  BIGINT NOT NULL,
    created_by      TEXT REFERENCES users (id),
    passed          BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    report_sealed   TEXT NOT NULL
);
-- A scheduled report is made once per period, whichever replica makes it.
CREATE UNIQUE INDEX compliance_reports_scheduled ON compliance_reports (kind, period_from_ms)
    WHERE kind <> 'on_demand';
CREATE INDEX compliance_reports_by_time ON compliance_reports (computed_at_ms);

CREATE TABLE report_deliveries (
    report_id        TEXT NOT NULL REFERENCES compliance_reports (id),
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_ms  BIGINT,
    last_error       TEXT,
    PRIMARY KEY (report_id, channel)
);
CREATE INDEX report_deliveries_due ON report_deliveries (status, next_attempt_ms);
