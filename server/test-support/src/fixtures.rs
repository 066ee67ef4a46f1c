//! Fixtures on the demo data: one person of each role, children related to them as asked, PEPs
//! in a given state and empty targets, each made the first time it is needed.

use crate::db::TestDb;
use crate::served::{TestApp, spawn_app};
use app::domain::access::Relationship;
use app::domain::pep::PepState;
use app::domain::roles::Role;
use app::infra::sql::sql;

/// The app served on each backend (SQLite always, PostgreSQL when configured) with the demo data
/// seeded: what most tests start from. Each database is dropped when its app is, panic or not.
pub async fn seeded_apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in TestDb::each_backend().await {
        server::demo::seed(&db.db).await.unwrap();
        apps.push(spawn_app(db).await);
    }
    apps
}

/// One demo person of each role.
pub const USERS: &[(Role, &str)] = &[
    (Role::VirtualSchoolHead, "helen.okafor@northdale.example"),
    (Role::EducationAdvisor, "daniel.reid@northdale.example"),
    (Role::DesignatedTeacher, "s.whitfield@brookfield.example"),
    (Role::SocialWorker, "priya.sharma@northdale.example"),
    (Role::Carer, "linda.bennett@example.com"),
    (Role::YoungPerson, "jayden.walker@example.com"),
];

/// A new child related to `user_id` as asked: an assignment, or for a designated teacher a place
/// on their school's roll; ended ones finished in July 2025.
async fn add_child_related(
    app: &TestApp,
    child_id: &str,
    user_id: &str,
    role: Role,
    relationship: Relationship,
) {
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    let ended = (relationship == Relationship::Ended)
        .then(|| chrono::NaiveDate::from_ymd_opt(2025, 7, 18).unwrap());
    let now = chrono::Utc::now();
    {
        sql("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, 'demo-council', 'Matrix', $1, $2, 'female', 'White British', 'English', 'none', $3, $3)")
            .bind(child_id).bind(chrono::NaiveDate::from_ymd_opt(2014, 5, 1).unwrap()).bind(now)
            .execute(&app.db.db).await.unwrap();
        if relationship != Relationship::None {
            if role == Role::DesignatedTeacher {
                sql("INSERT INTO education_episodes (id, child_id, school_id, status, started_on, ended_on) VALUES ($1, $2, 'demo-school-brookfield', 'on_roll', $3, $4)")
                    .bind(format!("{child_id}-edu")).bind(child_id).bind(start).bind(ended)
                    .execute(&app.db.db).await.unwrap();
            } else {
                sql("INSERT INTO assignments (id, user_id, child_id, relationship, starts_on, ends_on, created_at) VALUES ($1, $2, $3, 'matrix', $4, $5, $6)")
                    .bind(format!("{child_id}-assignment")).bind(user_id).bind(child_id).bind(start).bind(ended).bind(now)
                    .execute(&app.db.db).await.unwrap();
            }
        }
    };
}

/// The child related to this user as asked, made the first time it is needed.
pub async fn fixture_child(
    app: &TestApp,
    user_id: &str,
    role: Role,
    relationship: Relationship,
) -> String {
    let child_id = format!("matrix-{user_id}-{relationship:?}").to_lowercase();
    let exists: i64 = sql("SELECT COUNT(*) FROM children WHERE id = $1")
        .bind(&child_id)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
    if exists == 0 {
        add_child_related(app, &child_id, user_id, role, relationship).await;
    }
    child_id
}

/// The child's autumn 2026 interim PEP (a kind the demo never schedules) in `state`, made the first time it is needed (the state is
/// set every time).
pub async fn fixture_pep(app: &TestApp, child_id: &str, state: PepState) -> String {
    let pep_id = format!("{child_id}-pep");
    let now = chrono::Utc::now();
    {
        sql("INSERT INTO peps (id, child_id, academic_year, term, kind, phase, state, due_on, created_at, updated_at) VALUES ($1, $2, 2026, 'autumn', 'interim', 'school_age', $3, $4, $5, $5) ON CONFLICT (id) DO UPDATE SET state = excluded.state")
            .bind(&pep_id).bind(child_id).bind(state.as_str())
            .bind(chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap()).bind(now)
            .execute(&app.db.db).await.unwrap();
    };
    pep_id
}

/// A new empty target on the PEP, at version 1, with an id like the ones `add_target` makes
/// (short enough that its actions' ids name shared-text fields).
pub async fn fixture_target(app: &TestApp, pep_id: &str) -> String {
    let target_id = uuid::Uuid::now_v7().to_string();
    let now = chrono::Utc::now();
    {
        sql("INSERT INTO targets (id, pep_id, position, need_area, created_at, updated_at) VALUES ($1, $2, 0, '', $3, $3)")
            .bind(&target_id).bind(pep_id).bind(now)
            .execute(&app.db.db).await.unwrap();
    };
    target_id
}

/// The field's current version (0: never written), to save over it.
pub async fn field_version(app: &TestApp, pep_id: &str, section: &str, field: &str) -> i64 {
    sql("SELECT version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3")
        .bind(pep_id)
        .bind(section)
        .bind(field)
        .fetch_optional_value::<i64>(&app.db.db)
        .await
        .unwrap()
        .unwrap_or(0)
}
