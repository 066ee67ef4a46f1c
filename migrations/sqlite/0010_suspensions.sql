-- Suspensions and exclusions (SQLite; migrations/postgres/0010_suspensions.sql is the same for
-- PostgreSQL): recorded on the child (a school year's days count across PEPs and schools)
-- from a PEP's "Suspensions and exclusions" section, with who was told when. The school year's
-- total against the 45-day limit is worked out from these rows, never stored.
CREATE TABLE suspensions (
    id                      TEXT PRIMARY KEY,
    child_id                TEXT NOT NULL REFERENCES children(id),
    -- The PEP it was recorded from, for the audit trail.
    pep_id                  TEXT REFERENCES peps(id) ON DELETE SET NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('suspension', 'lunchtime', 'permanent_exclusion')),
    starts_on               TEXT NOT NULL,
    -- School days, or lunchtimes for a lunchtime suspension; 0 for a permanent exclusion.
    days                    BIGINT NOT NULL,
    reason                  TEXT NOT NULL,
    reintegration_on        TEXT,
    virtual_school_told_on  TEXT,
    social_worker_told_on   TEXT,
    recorded_by             TEXT NOT NULL REFERENCES users(id),
    created_at              TEXT NOT NULL
);
CREATE INDEX suspensions_by_child ON suspensions (child_id, starts_on);
