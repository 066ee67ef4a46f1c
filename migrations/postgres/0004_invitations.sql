-- Invitations (PostgreSQL; migrations/sqlite/0004_invitations.sql is the same for SQLite).
-- The code travels only in the email; the table keeps its SHA-256. Single use, 7 days.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils(id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL REFERENCES roles(code),
    school_id   TEXT REFERENCES schools(id),
    code_hash   TEXT NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    used_by     TEXT REFERENCES users(id)
);
CREATE INDEX invitations_by_email ON invitations (email);
