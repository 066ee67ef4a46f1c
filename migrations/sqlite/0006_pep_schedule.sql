-- The PEP schedule (SQLite; migrations/postgres/0006_pep_schedule.sql is the same for PostgreSQL).
-- A scheduled PEP keeps the words that explain its due date, as they were when it was scheduled,
-- and the date of the event it follows (coming into care, a school move).
ALTER TABLE peps ADD COLUMN due_explanation TEXT NOT NULL DEFAULT '';
ALTER TABLE peps ADD COLUMN trigger_on TEXT;
-- Lists and the dashboard find each child's earliest PEP not yet approved (or not yet submitted).
CREATE INDEX peps_by_child_due ON peps (child_id, due_on);
