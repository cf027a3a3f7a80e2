-- Form assignments: the published forms staff and managers collect with, given to an
-- account directly or to a team (and so to each of its members). A row names exactly
-- one of the two. Who assigned and when stay as first written: replacing a form's
-- assignments only inserts the new ones and deletes the ones taken away.
CREATE TABLE form_assignments (
    id              TEXT PRIMARY KEY NOT NULL,
    form_id         TEXT NOT NULL REFERENCES forms (id),
    user_id         TEXT REFERENCES users (id),
    team_id         TEXT REFERENCES teams (id),
    assigned_by     TEXT REFERENCES users (id),
    assigned_at_ms  BIGINT NOT NULL,
    CHECK ((user_id IS NULL AND team_id IS NOT NULL) OR (user_id IS NOT NULL AND team_id IS NULL)),
    UNIQUE (form_id, user_id),
    UNIQUE (form_id, team_id)
);
CREATE INDEX form_assignments_user ON form_assignments (user_id);
CREATE INDEX form_assignments_team ON form_assignments (team_id);
