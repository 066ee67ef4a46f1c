-- Second factor (SQLite; migrations/postgres/0003_second_factor.sql is the same for PostgreSQL).
-- users.totp_secret (base32) exists since v1; it counts only once confirmed with a first code.
-- totp_last_step is the last 30-second step accepted, so each code works once.
ALTER TABLE users ADD COLUMN totp_confirmed_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Ten single-use recovery codes per person, stored as SHA-256 (they are long and random).
CREATE TABLE recovery_codes (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (user_id, code_hash)
);
