-- How a target links to the child's own views (SQLite; migrations/postgres/0011_target_child_view.sql
-- is the same for PostgreSQL): DOMAIN.md's check 8, a warning while it is empty.
ALTER TABLE targets ADD COLUMN child_view TEXT NOT NULL DEFAULT '';
