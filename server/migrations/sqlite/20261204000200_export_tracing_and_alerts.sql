-- Governed exports, second part (see ARCHITECTURE.md, "exports/" and "alerts/").
-- An export's filter beyond form and dates (team, owner, consent state: ids and a word,
-- no personal data), its progress while it is written, how many invisible marks its
-- file carried, and the alert that held it.
ALTER TABLE exports ADD COLUMN filter_json TEXT;
ALTER TABLE exports ADD COLUMN rows_written BIGINT;
ALTER TABLE exports ADD COLUMN marks BIGINT;
ALTER TABLE exports ADD COLUMN held_by_alert TEXT;
-- Set when who asked cancels while the file is being written; the writer stops.
ALTER TABLE exports ADD COLUMN stop_requested BIGINT NOT NULL DEFAULT 0;

-- Reveals of masked values and records viewed, per user, counted for the burst rules
-- (ids and counts only); rows older than a day are pruned.
CREATE TABLE user_activity (
    user_id  TEXT NOT NULL REFERENCES users (id),
    kind     TEXT NOT NULL CHECK (kind IN ('reveal', 'view')),
    at_ms    BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    subject  TEXT
);
CREATE INDEX user_activity_by_user ON user_activity (user_id, kind, at_ms);

-- Alerts raised by the rules. The events are ids, actions, times and counts; the
-- handling note is sealed under the server subkey "alert" with the alert id as
-- additional data.
CREATE TABLE alerts (
    id            TEXT PRIMARY KEY NOT NULL,
    rule          TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    at_ms         BIGINT NOT NULL,
    observed      BIGINT NOT NULL,
    limit_value   BIGINT NOT NULL,
    events_json   TEXT NOT NULL,
    suspended     BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'dismissed')),
    handled_by    TEXT REFERENCES users (id),
    handled_at_ms BIGINT,
    note_sealed   TEXT
);
CREATE INDEX alerts_by_time ON alerts (at_ms);
CREATE INDEX alerts_by_user_rule ON alerts (user_id, rule, at_ms);

-- Users whose export permission a rule suspended, until an admin lifts it.
CREATE TABLE export_suspensions (
    user_id   TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    alert_id  TEXT NOT NULL REFERENCES alerts (id),
    since_ms  BIGINT NOT NULL
);

-- Each alert's sending to the webhook and by e-mail, retried with back-off by whichever
-- replica takes the row's turn (next_attempt_ms is claimed by an update).
CREATE TABLE alert_deliveries (
    alert_id         TEXT NOT NULL REFERENCES alerts (id),
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_ms  BIGINT,
    last_error       TEXT,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_ms);
