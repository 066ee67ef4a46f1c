-- Shared text (SQLite; migrations/postgres/0016 is the same for PostgreSQL): every edit of a
-- free-text field as the server applied it, in the field's order (`version` is the field's
-- version it made, as in pep_fields), so an edit made against an older version is transformed
-- past those since (domain::shared_text). `op_json` is the edit in ot.js form; `pep_revision` is
-- the PEP's revision it took, for the live channel's catch-up. Old rows are pruned per field; a
-- page whose base was pruned reads the text afresh.
CREATE TABLE text_edits (
    pep_id TEXT NOT NULL REFERENCES peps (id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    field TEXT NOT NULL,
    version INTEGER NOT NULL,
    op_json TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    edit_id TEXT NOT NULL,
    pep_revision INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (pep_id, section, field, version)
);
CREATE INDEX text_edits_by_revision ON text_edits (pep_id, pep_revision);
