-- Pupil Premium Plus requests (SQLite; migrations/postgres/0009_pp_plus.sql is the same for
-- PostgreSQL): itemised, each paying for one of a PEP's targets, approved or declined by the
-- Virtual School. What a child has left for a financial year is worked out from these rows
-- (requests of the child's PEPs due in that year), never stored beside them.
CREATE TABLE pp_plus_requests (
    -- "{target id}-p...", made by the page so a retried save never adds a request twice.
    id              TEXT PRIMARY KEY,
    pep_id          TEXT NOT NULL REFERENCES peps(id) ON DELETE CASCADE,
    target_id       TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    item            TEXT NOT NULL DEFAULT '',
    provider        TEXT NOT NULL DEFAULT '',
    -- Empty while not yet typed: a half-written request is kept.
    unit_cost_pence BIGINT,
    sessions        BIGINT,
    weeks           BIGINT,
    status          TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'declined')),
    decision_reason TEXT,
    decided_by      TEXT REFERENCES users(id),
    decided_at      TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX pp_plus_requests_by_pep ON pp_plus_requests (pep_id, target_id, position);
