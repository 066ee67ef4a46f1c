-- Concerns raised about a child (PostgreSQL; migrations/sqlite/0008_concerns.sql is the same for
-- SQLite): a carer or professional tells the child's Virtual School advisor, and the
-- concern stays on the child's record. The email says only that there is one (no child data).
CREATE TABLE concerns (
    id              TEXT PRIMARY KEY,
    child_id        TEXT NOT NULL REFERENCES children(id),
    raised_by       TEXT NOT NULL REFERENCES users(id),
    concern         TEXT NOT NULL,
    -- How many Virtual School staff were emailed.
    notified        BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX concerns_by_child ON concerns (child_id, created_at);
