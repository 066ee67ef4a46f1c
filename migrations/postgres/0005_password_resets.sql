-- Password reset links (PostgreSQL; migrations/sqlite/0005_password_resets.sql is the same for
-- SQLite). Single use, one hour; the link's token is stored as SHA-256.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);
