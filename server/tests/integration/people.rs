//! The Virtual School's admin functions: people, roles, deactivation, assignments and the stored
//! section rights, on both backends, through HTTP as the pages call them.

use super::support::seeded_apps;
use super::support::{TestApp, TestDb, spawn_app};
use super::support::{call, session};
use app::infra::sql::sql;
use server::demo::seed;

const HEAD: &str = "helen.okafor@northdale.example";
const CARER: &str = "linda.bennett@example.com";
const SOCIAL_WORKER: &str = "tom.gallagher@northdale.example";

async fn user_id(app: &TestApp, email: &str) -> String {
    sql("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_value(&app.db.db)
        .await
        .unwrap()
}

async fn version(app: &TestApp, user_id: &str) -> String {
    let version: i64 = sql("SELECT version FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
    version.to_string()
}

async fn audit_count(app: &TestApp, action: &str, entity_id: &str) -> i64 {
    sql("SELECT COUNT(*) FROM audit_events WHERE action = $1 AND (entity_id = $2 OR detail_json LIKE $3)").bind(action).bind(entity_id).bind(format!("%{entity_id}%")).fetch_value(&app.db.db).await.unwrap()
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.unwrap()
}

async fn child_ids(app: &TestApp, cookie: &str) -> Vec<String> {
    let list = json(call(app, "/api/children/mine", &[], Some(cookie)).await).await;
    list["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivation_ends_every_session_at_once_and_is_audited() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;
        let carer = session(&app, CARER, true).await;
        let carer_id = user_id(&app, CARER).await;
        assert_eq!(
            call(&app, "/api/auth/my_sessions", &[], Some(&carer))
                .await
                .status(),
            200
        );

        // A stale version is refused with the reason, and changes nothing.
        let stale = call(
            &app,
            "/api/people/set_active",
            &[
                ("user_id", &carer_id),
                ("active", "false"),
                ("version", "0"),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(stale.status(), 422, "{backend}");
        assert!(
            json(stale)
                .await
                .to_string()
                .contains("changed this person just now")
        );

        let v = version(&app, &carer_id).await;
        let deactivated = call(
            &app,
            "/api/people/set_active",
            &[("user_id", &carer_id), ("active", "false"), ("version", &v)],
            Some(&head),
        )
        .await;
        assert_eq!(deactivated.status(), 200, "{backend}");
        // The carer's old cookie is dead on the very next request.
        assert_eq!(
            call(&app, "/api/auth/my_sessions", &[], Some(&carer))
                .await
                .status(),
            401,
            "{backend}"
        );
        let sessions: i64 = sql("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(&carer_id)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(sessions, 0, "{backend}");
        assert_eq!(audit_count(&app, "user.deactivated", &carer_id).await, 1);
        // Signing in again is refused while deactivated (the same answer as a wrong password).
        let refused = call(
            &app,
            "/api/auth/sign_in",
            &[("email", CARER), ("password", server::demo::DEMO_PASSWORD)],
            None,
        )
        .await;
        assert_eq!(refused.status(), 401, "{backend}");

        let list = json(call(&app, "/api/people/list", &[], Some(&head)).await).await;
        let row = list["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == carer_id.as_str())
            .unwrap()
            .clone();
        assert_eq!(row["active"], false, "{backend}");

        let v = version(&app, &carer_id).await;
        let reactivated = call(
            &app,
            "/api/people/set_active",
            &[("user_id", &carer_id), ("active", "true"), ("version", &v)],
            Some(&head),
        )
        .await;
        assert_eq!(reactivated.status(), 200, "{backend}");
        assert_eq!(audit_count(&app, "user.reactivated", &carer_id).await, 1);
        session(&app, CARER, true).await;

        // Nobody deactivates themselves.
        let head_id = user_id(&app, HEAD).await;
        let v = version(&app, &head_id).await;
        let own = call(
            &app,
            "/api/people/set_active",
            &[("user_id", &head_id), ("active", "false"), ("version", &v)],
            Some(&head),
        )
        .await;
        assert_eq!(own.status(), 422, "{backend}");
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_give_and_take_away_access_at_once() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;
        let worker = session(&app, SOCIAL_WORKER, true).await;
        let worker_id = user_id(&app, SOCIAL_WORKER).await;
        let before = child_ids(&app, &worker).await;
        let child = {
            let all: Vec<String> = sql("SELECT id FROM children ORDER BY id")
                .fetch_column(&app.db.db)
                .await
                .unwrap();
            all.into_iter().find(|c| !before.contains(c)).unwrap()
        };

        let assigned = call(
            &app,
            "/api/people/assign",
            &[
                ("user_id", &worker_id),
                ("child_id", &child),
                ("starts_on", ""),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(assigned.status(), 200, "{backend}");
        assert!(child_ids(&app, &worker).await.contains(&child), "{backend}");
        let audited: i64 = sql("SELECT COUNT(*) FROM audit_events WHERE action = 'assignment.created' AND child_id = $1").bind(&child).fetch_value(&app.db.db).await.unwrap();
        assert_eq!(audited, 1, "{backend}");

        // Twice is refused with a reason; so is a bad date and a child of nobody's council.
        for (child_id, starts_on, expected) in [
            (child.as_str(), "", "already assigned"),
            (child.as_str(), "31/11/2026", "real date"),
            ("no-such-child", "", "Choose a child from the list"),
        ] {
            let refused = call(
                &app,
                "/api/people/assign",
                &[
                    ("user_id", &worker_id),
                    ("child_id", child_id),
                    ("starts_on", starts_on),
                ],
                Some(&head),
            )
            .await;
            assert_eq!(refused.status(), 422, "{backend} {expected}");
            assert!(
                json(refused).await.to_string().contains(expected),
                "{backend} {expected}"
            );
        }

        // The role cannot change while the person has current assignments.
        let v = version(&app, &worker_id).await;
        let refused = call(
            &app,
            "/api/people/change_role",
            &[("user_id", &worker_id), ("role", "carer"), ("version", &v)],
            Some(&head),
        )
        .await;
        assert_eq!(refused.status(), 422, "{backend}");
        assert!(
            json(refused)
                .await
                .to_string()
                .contains("before changing the role")
        );

        // Ending a link that started today withdraws it: access goes at once.
        let detail = json(
            call(
                &app,
                "/api/people/detail",
                &[("user_id", &worker_id)],
                Some(&head),
            )
            .await,
        )
        .await;
        let assignment_ids: Vec<String> = detail["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["current"] == true)
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        assert!(!assignment_ids.is_empty(), "{backend}");
        for id in &assignment_ids {
            let ended = call(
                &app,
                "/api/people/end_assignment",
                &[("assignment_id", id)],
                Some(&head),
            )
            .await;
            assert_eq!(ended.status(), 200, "{backend}");
        }
        assert!(child_ids(&app, &worker).await.is_empty(), "{backend}");
        let withdrawn: i64 = sql("SELECT COUNT(*) FROM audit_events WHERE action IN ('assignment.ended', 'assignment.withdrawn')").fetch_value(&app.db.db).await.unwrap();
        assert_eq!(withdrawn as usize, assignment_ids.len(), "{backend}");

        // Now the role can change; the person is signed out so the new rules apply.
        let v = version(&app, &worker_id).await;
        let changed = call(
            &app,
            "/api/people/change_role",
            &[("user_id", &worker_id), ("role", "carer"), ("version", &v)],
            Some(&head),
        )
        .await;
        assert_eq!(changed.status(), 200, "{backend}");
        assert_eq!(
            call(&app, "/api/auth/my_sessions", &[], Some(&worker))
                .await
                .status(),
            401,
            "{backend}"
        );
        assert_eq!(audit_count(&app, "user.role_changed", &worker_id).await, 1);
        let role: String = sql("SELECT role FROM users WHERE id = $1")
            .bind(&worker_id)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(role, "carer", "{backend}");

        // A designated teacher needs a school; a head needs no assignment.
        let v = version(&app, &worker_id).await;
        let no_school = call(
            &app,
            "/api/people/change_role",
            &[
                ("user_id", &worker_id),
                ("role", "designated_teacher"),
                ("version", &v),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(no_school.status(), 422, "{backend}");
        assert!(json(no_school).await.to_string().contains("school"));
        let head_id = user_id(&app, HEAD).await;
        let needless = call(
            &app,
            "/api/people/assign",
            &[
                ("user_id", &head_id),
                ("child_id", &child),
                ("starts_on", ""),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(needless.status(), 422, "{backend}");
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn section_rights_are_read_from_the_councils_stored_table() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, HEAD, true).await;
        let carer_cell = |table: &serde_json::Value| -> String {
            let carer_column = table["roles"]
                .as_array()
                .unwrap()
                .iter()
                .position(|r| r == "carer")
                .unwrap();
            let row = table["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row[0] == "Carer's contribution")
                .unwrap();
            row[1][carer_column].as_str().unwrap().to_string()
        };
        let form = [("state", "contributions")];
        let table = json(call(&app, "/api/council/section_rights", &form, Some(&head)).await).await;
        assert_eq!(carer_cell(&table), "edit", "{backend}: {table}");

        // The council changes its policy: the page shows the stored value, not the default.
        {
            sql("UPDATE section_rights SET access = 'read' WHERE council_id = 'demo-council' AND role = 'carer' AND section = 'carer_contribution' AND pep_state = 'contributions'").execute(&app.db.db).await.unwrap();
        };
        let table = json(call(&app, "/api/council/section_rights", &form, Some(&head)).await).await;
        assert_eq!(carer_cell(&table), "read", "{backend}: {table}");

        let unknown = call(
            &app,
            "/api/council/section_rights",
            &[("state", "finished")],
            Some(&head),
        )
        .await;
        assert_eq!(unknown.status(), 422, "{backend}");
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_councils_people_are_out_of_reach() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let now = chrono::Utc::now();
    {
        sql(
            "INSERT INTO councils (id, name, created_at) VALUES ('other-council', 'Southmoor', $1)",
        )
        .bind(now)
        .execute(&app.db.db)
        .await
        .unwrap();
        sql("INSERT INTO users (id, council_id, email, display_name, role, status, created_at, updated_at) VALUES ('other-person', 'other-council', 'someone@southmoor.example', 'Someone Else', 'carer', 'active', $1, $1)").bind(now).execute(&app.db.db).await.unwrap();
    };
    let head = session(&app, HEAD, true).await;
    for (path, form) in [
        ("/api/people/detail", vec![("user_id", "other-person")]),
        (
            "/api/people/set_active",
            vec![
                ("user_id", "other-person"),
                ("active", "false"),
                ("version", "1"),
            ],
        ),
    ] {
        assert_eq!(
            call(&app, path, &form, Some(&head)).await.status(),
            403,
            "{path}"
        );
    }
    let list = json(call(&app, "/api/people/list", &[], Some(&head)).await).await;
    assert!(!list.to_string().contains("southmoor"), "{list}");
    app.db.finish().await;
}
