-- Sessions (SQLite; migrations/postgres/0002_sessions.sql is the same for PostgreSQL).
-- The cookie holds a random token; only its SHA-256 is stored, so a copy of the database cannot be
-- used to sign in. A session ends at sign-out, after 30 minutes idle, after 12 hours, or when its
-- person is deactivated (checked on every request).
CREATE TABLE sessions (
    token_hash          TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    second_factor_done  INTEGER NOT NULL DEFAULT 0,
    user_agent          TEXT,
    ip                  TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
