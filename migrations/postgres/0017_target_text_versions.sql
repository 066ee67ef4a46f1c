-- Shared text for the text parts of targets (PostgreSQL; see migrations/sqlite/0017):
-- a target's reason, statement, success measure and link to the child's views are
-- edited like the PEP's free-text fields (`text_edits`, section 'targets', field
-- '<target id>.<part>'), so each part has a version of its own. The text stays in the target's
-- column; the target's `version` is for its structured parts (need area, date, actions, PP+),
-- so someone changing the date never clashes with someone typing the statement. No row: version 0.
CREATE TABLE target_text_versions (
    target_id TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    part TEXT NOT NULL CHECK (part IN ('reason_baseline', 'statement', 'success_measure', 'child_view')),
    version BIGINT NOT NULL,
    PRIMARY KEY (target_id, part)
);
