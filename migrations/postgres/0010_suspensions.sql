-- Suspensions and exclusions (PostgreSQL; migrations/sqlite/0010_suspensions.sql is the same for
-- SQLite): recorded on the child (a school year's days count across PEPs and schools)
-- from a PEP's "Suspensions and exclusions" section, with who was told when. The school year's
-- total against the 45-day limit is worked out from these rows, never stored.
CREATE TABLE suspensions (
    id                      TEXT PRIMARY KEY,
    child_id                TEXT NOT NULL REFERENCES children(id),
    -- The PEP it was recorded from, for the audit trail.
    pep_id                  TEXT REFERENCES peps(id) ON DELETE SET NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('suspension', 'lunchtime', 'permanent_exclusion')),
    starts_on               DATE NOT NULL,
    -- School days, or lunchtimes for a lunchtime suspension; 0 for a permanent exclusion.
    days                    BIGINT NOT NULL,
    reason                  TEXT NOT NULL,
    reintegration_on        DATE,
    virtual_school_told_on  DATE,
    social_worker_told_on   DATE,
    recorded_by             TEXT NOT NULL REFERENCES users(id),
    created_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX suspensions_by_child ON suspensions (child_id, starts_on);
