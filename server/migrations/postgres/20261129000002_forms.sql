-- Forms: a mutable draft, and immutable published versions named by their content hash.
CREATE TABLE forms (
    id              TEXT PRIMARY KEY NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    draft_json      TEXT NOT NULL,
    draft_revision  BIGINT NOT NULL DEFAULT 1,
    created_by      TEXT REFERENCES users (id),
    created_at_ms   BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);

-- Rows here are never updated or deleted: a published version is evidence.
CREATE TABLE form_versions (
    form_id          TEXT NOT NULL REFERENCES forms (id),
    version_number   BIGINT NOT NULL,
    version_hash     TEXT NOT NULL,
    definition_json  TEXT NOT NULL,
    published_by     TEXT REFERENCES users (id),
    published_at_ms  BIGINT NOT NULL,
    PRIMARY KEY (form_id, version_number),
    UNIQUE (form_id, version_hash)
);
