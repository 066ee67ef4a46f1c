-- The PEP schedule (SQLite; migrations/postgres/0006_pep_schedule.sql is the same for PostgreSQL).
-- A scheduled PEP keeps the words that explain its due date, as they were when it was scheduled,
-- and the date of the event it follows (coming into care, a school move).
ALTER TABLE peps ADD COLUMN due_explanation TEXT NOT NULL DEFAULT '';
ALTER TABLE peps ADD COLUMN trigger_on TEXT;
-- The dashboard finds each child's next PEP still being written.
CREATE INDEX peps_open_by_child ON peps (child_id, due_on) WHERE state NOT IN ('submitted', 'approved');
