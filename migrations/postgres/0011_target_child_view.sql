-- How a target links to the child's own views (PostgreSQL; migrations/sqlite/0011_target_child_view.sql
-- is the same for SQLite): DOMAIN.md's check 8, a warning while it is empty.
ALTER TABLE targets ADD COLUMN child_view TEXT NOT NULL DEFAULT '';
