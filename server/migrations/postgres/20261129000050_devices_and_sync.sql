-- Staff devices: each holds an ed25519 key and signs the records it syncs.
CREATE TABLE devices (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    name            TEXT NOT NULL,
    public_key      TEXT NOT NULL UNIQUE,
    created_at_ms   BIGINT NOT NULL,
    revoked_at_ms   BIGINT,
    last_seq        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_user ON devices (user_id);

-- Where a synced record came from, and the hash of what was signed.
ALTER TABLE records ADD COLUMN device_id TEXT REFERENCES devices (id);
ALTER TABLE records ADD COLUMN device_seq BIGINT;
ALTER TABLE records ADD COLUMN device_signature TEXT;
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
