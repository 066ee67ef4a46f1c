-- A target's override reason ("why this target stands as it is") is shared text too (SQLite;
-- migrations/postgres/0018 is the same for PostgreSQL), so its part may have a version. SQLite
-- cannot change a CHECK: the table is made again with the versions it holds.
CREATE TABLE target_text_versions_new (
    target_id TEXT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    part TEXT NOT NULL CHECK (part IN ('reason_baseline', 'statement', 'success_measure', 'child_view', 'override_reason')),
    version INTEGER NOT NULL,
    PRIMARY KEY (target_id, part)
);
INSERT INTO target_text_versions_new (target_id, part, version)
    SELECT target_id, part, version FROM target_text_versions;
DROP TABLE target_text_versions;
ALTER TABLE target_text_versions_new RENAME TO target_text_versions;
