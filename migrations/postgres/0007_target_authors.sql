-- Who last changed a target (PostgreSQL; migrations/sqlite/0007_target_authors.sql is the same for
-- SQLite): a version conflict names the person whose words are shown beside yours.
ALTER TABLE targets ADD COLUMN updated_by TEXT REFERENCES users(id);
