-- The PEP meeting as held (SQLite; migrations/postgres/0013_pep_meetings.sql is the same for
-- PostgreSQL): started and ended by whoever writes the meeting record, with who attended and how.
-- One per PEP; `peps.meeting_at` stays the time it was booked for.
CREATE TABLE pep_meetings (
    pep_id TEXT PRIMARY KEY REFERENCES peps (id),
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL REFERENCES users (id),
    ended_at TEXT,
    -- [{"name", "role" (or null), "attendance": in_person | online | apologies}]
    attendees_json TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1
);
