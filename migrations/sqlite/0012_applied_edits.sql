-- Edits applied, by the id the browser gave them (SQLite; migrations/postgres/0012_applied_edits.sql
-- is the same for PostgreSQL). A browser that lost the answer to a save (network drop, server
-- restart, phone asleep) sends it again with the same id; the row, written in the save's own
-- transaction, makes the second one answer "saved" instead of applying it twice.
CREATE TABLE applied_edits (
    edit_id TEXT PRIMARY KEY,
    pep_id TEXT NOT NULL REFERENCES peps (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE INDEX applied_edits_by_pep ON applied_edits (pep_id);
