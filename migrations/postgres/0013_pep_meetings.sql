-- The PEP meeting as held (PostgreSQL; see migrations/sqlite/0013 for what it holds).
CREATE TABLE pep_meetings (
    pep_id TEXT PRIMARY KEY REFERENCES peps (id),
    started_at TIMESTAMPTZ NOT NULL,
    started_by TEXT NOT NULL REFERENCES users (id),
    ended_at TIMESTAMPTZ,
    attendees_json TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL DEFAULT 1
);
