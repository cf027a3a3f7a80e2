-- Edits of synced records (see ARCHITECTURE.md, "The sync protocol").

-- Every version of a record that has been edited, with what changed: values_json has
-- the shape of records.values_json, personal and sensitive values sealed under the
-- record's data key with "<field>@v<version>" as the field of their additional data.
-- Version 1 is written when the first edit arrives.
CREATE TABLE record_versions (
    record_id       TEXT NOT NULL REFERENCES records (id),
    version         BIGINT NOT NULL,
    values_json     TEXT NOT NULL,
    changed_fields  TEXT NOT NULL,
    author_id       TEXT REFERENCES users (id),
    device_id       TEXT REFERENCES devices (id),
    device_seq      BIGINT,
    created_at_ms   BIGINT NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- Each edit a device sent, keyed by (record, device, sequence number), with the hash
-- of what it signed and the answer it got: a replay gets the same answer and changes
-- nothing; the same key with another payload is a conflict.
CREATE TABLE record_edits (
    record_id      TEXT NOT NULL REFERENCES records (id),
    device_id      TEXT NOT NULL REFERENCES devices (id),
    device_seq     BIGINT NOT NULL,
    payload_hash   TEXT NOT NULL,
    result_json    TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (record_id, device_id, device_seq)
);

-- Field edits that met a different change on the server; a manager keeps one value.
-- device_value is {"v": ...} or {"c": sealed} like records.values_json (additional
-- data field "<field>@conflict:<id>"), or NULL when the device cleared the field.
CREATE TABLE record_conflicts (
    id              TEXT PRIMARY KEY NOT NULL,
    record_id       TEXT NOT NULL REFERENCES records (id),
    field_key       TEXT NOT NULL,
    base_version    BIGINT NOT NULL,
    server_version  BIGINT NOT NULL,
    device_value    TEXT,
    author_id       TEXT NOT NULL REFERENCES users (id),
    device_id       TEXT NOT NULL REFERENCES devices (id),
    device_seq      BIGINT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    resolved_at_ms  BIGINT,
    resolved_by     TEXT REFERENCES users (id),
    resolution      TEXT CHECK (resolution IN ('server', 'device'))
);
CREATE INDEX record_conflicts_open ON record_conflicts (resolved_at_ms, created_at_ms);
CREATE INDEX record_conflicts_record ON record_conflicts (record_id);
