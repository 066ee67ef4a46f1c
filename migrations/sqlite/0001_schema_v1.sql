-- Schema v1 (SQLite). migrations/postgres/0001_schema_v1.sql is the same schema for PostgreSQL:
-- keep the two in step (a test compares their version lists).
-- Conventions: text primary keys (UUIDv7 strings, or readable ids for demo data); dates as ISO
-- 'YYYY-MM-DD' text; instants as RFC 3339 UTC text; booleans as 0/1; JSON as text.

-- Councils and their configurable policy ------------------------------------------------------

CREATE TABLE councils (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- Bank holiday division used for working days ('england-and-wales').
    bank_holiday_division TEXT NOT NULL DEFAULT 'england-and-wales',
    created_at  TEXT NOT NULL
);

-- Council settings by key, each value a JSON document (deadline rules, SMART mix rule, QA grading).
CREATE TABLE council_policies (
    council_id  TEXT NOT NULL REFERENCES councils(id),
    key         TEXT NOT NULL,
    value_json  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (council_id, key)
);

CREATE TABLE roles (
    code        TEXT PRIMARY KEY,
    label       TEXT NOT NULL
);

-- Role x section x PEP state: what each role may do with each section.
CREATE TABLE section_rights (
    council_id  TEXT NOT NULL REFERENCES councils(id),
    role        TEXT NOT NULL REFERENCES roles(code),
    section     TEXT NOT NULL,
    pep_state   TEXT NOT NULL,
    access      TEXT NOT NULL CHECK (access IN ('none', 'read', 'edit')),
    PRIMARY KEY (council_id, role, section, pep_state)
);

-- Schools and their calendars -----------------------------------------------------------------

CREATE TABLE schools (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils(id),
    name        TEXT NOT NULL,
    urn         TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('community', 'academy', 'free', 'foundation',
                    'voluntary_aided', 'independent', 'special', 'early_years_setting', 'college')),
    phase       TEXT NOT NULL,
    local_authority TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- A calendar belongs to one school, or (school_id NULL) is the council default copied to new schools.
CREATE TABLE calendars (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils(id),
    school_id   TEXT UNIQUE REFERENCES schools(id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Terms, and the holidays, INSET and closure days inside or between them (same shape as CSV import).
CREATE TABLE calendar_periods (
    id          TEXT PRIMARY KEY,
    calendar_id TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('term', 'holiday', 'inset', 'closure')),
    label       TEXT NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX calendar_periods_by_calendar ON calendar_periods (calendar_id, starts_on);

CREATE TABLE bank_holidays (
    division    TEXT NOT NULL,
    holiday_on  TEXT NOT NULL,
    title       TEXT NOT NULL,
    PRIMARY KEY (division, holiday_on)
);

-- Children and their episodes -----------------------------------------------------------------

CREATE TABLE children (
    id              TEXT PRIMARY KEY,
    council_id      TEXT NOT NULL REFERENCES councils(id),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    preferred_name  TEXT,
    date_of_birth   TEXT NOT NULL,
    upn             TEXT UNIQUE,
    gender          TEXT NOT NULL,
    ethnicity       TEXT NOT NULL,
    first_language  TEXT NOT NULL,
    sen_status      TEXT NOT NULL CHECK (sen_status IN ('none', 'sen_support', 'ehcp')),
    nc_year_override BIGINT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE care_episodes (
    id              TEXT PRIMARY KEY,
    child_id        TEXT NOT NULL REFERENCES children(id),
    started_on      TEXT NOT NULL,
    ended_on        TEXT,
    legal_status    TEXT NOT NULL,
    placement_type  TEXT NOT NULL,
    emergency_placement INTEGER NOT NULL DEFAULT 0,
    CHECK (ended_on IS NULL OR started_on <= ended_on)
);
CREATE INDEX care_episodes_by_child ON care_episodes (child_id, started_on);

-- Where the child is educated. school_id is NULL when there is no school (early years at home,
-- NEET, between schools); status says which.
CREATE TABLE education_episodes (
    id              TEXT PRIMARY KEY,
    child_id        TEXT NOT NULL REFERENCES children(id),
    school_id       TEXT REFERENCES schools(id),
    status          TEXT NOT NULL CHECK (status IN ('on_roll', 'early_years_setting', 'neet',
                        'employment_training', 'not_in_setting', 'missing_education')),
    started_on      TEXT NOT NULL,
    ended_on        TEXT,
    CHECK (ended_on IS NULL OR started_on <= ended_on)
);
CREATE INDEX education_episodes_by_child ON education_episodes (child_id, started_on);
CREATE INDEX education_episodes_by_school ON education_episodes (school_id, ended_on);

CREATE TABLE attendance_records (
    id                  TEXT PRIMARY KEY,
    child_id            TEXT NOT NULL REFERENCES children(id),
    school_id           TEXT NOT NULL REFERENCES schools(id),
    period_start        TEXT NOT NULL,
    period_end          TEXT NOT NULL,
    sessions_possible   BIGINT NOT NULL CHECK (sessions_possible >= 0),
    sessions_attended   BIGINT NOT NULL CHECK (sessions_attended >= 0 AND sessions_attended <= sessions_possible),
    recorded_at         TEXT NOT NULL
);
CREATE INDEX attendance_by_child ON attendance_records (child_id, period_end);

-- People and what they may reach --------------------------------------------------------------

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    council_id      TEXT NOT NULL REFERENCES councils(id),
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL REFERENCES roles(code),
    -- A designated teacher's school: they reach the looked-after pupils on its roll.
    school_id       TEXT REFERENCES schools(id),
    status          TEXT NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    password_hash   TEXT,
    totp_secret     TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- A person reaches a child only through an assignment in force on the day (ends_on inclusive).
CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id),
    child_id        TEXT NOT NULL REFERENCES children(id),
    relationship    TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT REFERENCES users(id),
    CHECK (ends_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX assignments_by_user ON assignments (user_id, child_id);
CREATE INDEX assignments_by_child ON assignments (child_id);

-- PEPs ----------------------------------------------------------------------------------------

CREATE TABLE peps (
    id              TEXT PRIMARY KEY,
    child_id        TEXT NOT NULL REFERENCES children(id),
    academic_year   BIGINT NOT NULL,          -- the year it starts: 2026 for 2026/27
    term            TEXT NOT NULL CHECK (term IN ('autumn', 'spring', 'summer')),
    kind            TEXT NOT NULL CHECK (kind IN ('initial', 'new_school', 'termly', 'interim')),
    phase           TEXT NOT NULL CHECK (phase IN ('early_years', 'school_age', 'post_16')),
    state           TEXT NOT NULL CHECK (state IN ('scheduled', 'contributions', 'meeting', 'draft',
                        'ready', 'submitted', 'returned', 'approved')),
    school_id       TEXT REFERENCES schools(id),
    due_on          TEXT NOT NULL,
    meeting_at      TEXT,
    submitted_at    TEXT,
    approved_at     TEXT,
    returned_reason TEXT,
    -- The last audit_events revision for this PEP: clients catch up from it.
    revision        BIGINT NOT NULL DEFAULT 0,
    -- Optimistic concurrency on the PEP row itself (state changes).
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (child_id, academic_year, term, kind)
);
CREATE INDEX peps_by_child ON peps (child_id, academic_year, term);
CREATE INDEX peps_by_state ON peps (state, due_on);

-- Section status for the task list.
CREATE TABLE pep_sections (
    pep_id      TEXT NOT NULL REFERENCES peps(id) ON DELETE CASCADE,
    section     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'completed', 'needs_checking')),
    due_on      TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (pep_id, section)
);

-- Each field of each section, separately versioned so co-editors only conflict on the same field.
CREATE TABLE pep_fields (
    pep_id      TEXT NOT NULL REFERENCES peps(id) ON DELETE CASCADE,
    section     TEXT NOT NULL,
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT REFERENCES users(id),
    PRIMARY KEY (pep_id, section, field)
);

CREATE TABLE targets (
    id                  TEXT PRIMARY KEY,
    pep_id              TEXT NOT NULL REFERENCES peps(id) ON DELETE CASCADE,
    position            BIGINT NOT NULL,
    need_area           TEXT NOT NULL,
    reason_baseline     TEXT NOT NULL DEFAULT '',
    statement           TEXT NOT NULL DEFAULT '',
    success_measure     TEXT NOT NULL DEFAULT '',
    target_date         TEXT,
    -- Set at the next PEP: achieved, partly or not achieved, with evidence.
    evaluation          TEXT CHECK (evaluation IS NULL OR evaluation IN ('achieved', 'partly', 'not_achieved')),
    evaluation_evidence TEXT,
    carried_from_id     TEXT REFERENCES targets(id),
    override_reason     TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX targets_by_pep ON targets (pep_id, position);

CREATE TABLE actions (
    id              TEXT PRIMARY KEY,
    pep_id          TEXT NOT NULL REFERENCES peps(id) ON DELETE CASCADE,
    target_id       TEXT REFERENCES targets(id) ON DELETE SET NULL,
    description     TEXT NOT NULL,
    owner_role      TEXT REFERENCES roles(code),
    owner_user_id   TEXT REFERENCES users(id),
    frequency       TEXT,
    due_on          TEXT,
    status          TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    pp_plus_cost_pence BIGINT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX actions_by_pep ON actions (pep_id);
CREATE INDEX actions_by_owner ON actions (owner_user_id, status, due_on);

-- The audit log, which is also each PEP's event log ---------------------------------------------
-- Rows about a PEP carry that PEP's next revision (peps.revision + 1, in the same transaction),
-- so live clients catch up with "everything for PEP P after revision R".
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TEXT NOT NULL,
    actor_id    TEXT REFERENCES users(id),
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    child_id    TEXT REFERENCES children(id),
    pep_id      TEXT REFERENCES peps(id),
    revision    BIGINT,
    detail_json TEXT NOT NULL DEFAULT '{}',
    request_id  TEXT,
    CHECK ((pep_id IS NULL) = (revision IS NULL)),
    UNIQUE (pep_id, revision)
);
CREATE INDEX audit_events_by_child ON audit_events (child_id, id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, id);

INSERT INTO roles (code, label) VALUES
    ('virtual_school_head', 'Virtual School head'),
    ('education_advisor', 'Virtual School education advisor'),
    ('designated_teacher', 'designated teacher'),
    ('social_worker', 'social worker'),
    ('carer', 'carer'),
    ('young_person', 'young person');
