-- Failed sign-in attempts and second-factor guesses (PostgreSQL; see migrations/sqlite/0014).
CREATE TABLE throttle_counters (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at TIMESTAMPTZ NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    noticed_at TIMESTAMPTZ
);
CREATE INDEX throttle_counters_by_last_failure ON throttle_counters (last_failure_at);
