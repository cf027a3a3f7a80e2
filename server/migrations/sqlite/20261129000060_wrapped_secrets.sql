-- Server secrets other than signing keys (the subkey root), wrapped under the master key.
CREATE TABLE wrapped_secrets (
    name           TEXT PRIMARY KEY NOT NULL,
    sealed         TEXT NOT NULL,
    master_key_id  TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL
);
