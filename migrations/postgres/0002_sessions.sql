-- Sessions (PostgreSQL; migrations/sqlite/0002_sessions.sql is the same for SQLite).
-- The cookie holds a random token; only its SHA-256 is stored, so a copy of the database cannot be
-- used to sign in. A session ends at sign-out, after 30 minutes idle, after 12 hours, or when its
-- person is deactivated (checked on every request).
CREATE TABLE sessions (
    token_hash          TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at          TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    expires_at          TIMESTAMPTZ NOT NULL,
    second_factor_done  BOOLEAN NOT NULL DEFAULT FALSE,
    user_agent          TEXT,
    ip                  TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
