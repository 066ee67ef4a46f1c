-- Shared text for the text parts of a target's actions (SQLite; migrations/postgres/0019 is
-- the same for PostgreSQL): what is to be done and how often are edited like a target's text
-- parts (`text_edits`, section 'targets', field '<action id>.<part>'), so each has a version of
-- its own. The text stays in the action's column; an action is added and removed on its own
-- (`pep/add_target_action`, `pep/remove_target_action`), and its owner is saved with the
-- target's structured parts. No row: version 0.
CREATE TABLE action_text_versions (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    part TEXT NOT NULL CHECK (part IN ('description', 'frequency')),
    version INTEGER NOT NULL,
    PRIMARY KEY (action_id, part)
);
