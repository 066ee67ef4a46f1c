-- A target's override reason ("why this target stands as it is") is shared text too
-- (PostgreSQL; see migrations/sqlite/0018), so its part may have a version.
ALTER TABLE target_text_versions DROP CONSTRAINT target_text_versions_part_check;
ALTER TABLE target_text_versions ADD CONSTRAINT target_text_versions_part_check
    CHECK (part IN ('reason_baseline', 'statement', 'success_measure', 'child_view', 'override_reason'));
