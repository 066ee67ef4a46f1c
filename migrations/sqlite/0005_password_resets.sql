-- Password reset links (SQLite; migrations/postgres/0005_password_resets.sql is the same for
-- PostgreSQL). Single use, one hour; the link's token is stored as SHA-256.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);
