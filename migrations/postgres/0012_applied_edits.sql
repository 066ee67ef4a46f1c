-- Edits applied, by the id the browser gave them (PostgreSQL; see migrations/sqlite/0012 for why).
CREATE TABLE applied_edits (
    edit_id TEXT PRIMARY KEY,
    pep_id TEXT NOT NULL REFERENCES peps (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX applied_edits_by_pep ON applied_edits (pep_id);
