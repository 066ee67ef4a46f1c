-- Failed sign-in attempts and second-factor guesses, counted in the database (SQLite;
-- migrations/postgres/0014 is the same for PostgreSQL) so a restart does not clear them and
-- several servers share them. `key` is the SHA-256 of what is counted ("pair" of account and
-- address, "address", "account", "second-factor" of a person), never the email or address itself.
CREATE TABLE throttle_counters (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TEXT NOT NULL,
    last_failure_at TEXT NOT NULL,
    -- When the account holder was last emailed about failures (account keys only).
    noticed_at TEXT
);
CREATE INDEX throttle_counters_by_last_failure ON throttle_counters (last_failure_at);
