-- Teams group staff under managers. A manager sees the records of their team's members
-- and unassigned records; staff see only the records they collected or own.
CREATE TABLE teams (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL UNIQUE,
    created_at_ms  BIGINT NOT NULL
);
ALTER TABLE users ADD COLUMN team_id TEXT REFERENCES teams (id);
CREATE INDEX users_team ON users (team_id);
