//! The Virtual School dashboard over HTTP: every child reached, soonest deadline first, each
//! filter, pages of fifty, and nobody else let in.

use super::access_matrix::{call, session};
use super::support::{TestDb, spawn_app};
use app::on_db;
use server::demo::seed;

async fn dashboard(
    app: &super::support::TestApp,
    cookie: &str,
    form: &[(&str, &str)],
) -> serde_json::Value {
    let response = call(app, "/api/dashboard/children", form, Some(cookie)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn names(dashboard: &serde_json::Value) -> Vec<String> {
    dashboard["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_virtual_school_filters_every_child_by_school_phase_state_and_deadline() {
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let app = spawn_app(db).await;
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;

        let all = dashboard(&app, &head, &[]).await;
        assert_eq!(all["matching"], 12, "{backend}: {all}");
        // Soonest first; children with nothing on the go (all approved) last.
        let due: Vec<&str> = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["pep"]["countdown"]["due"].as_str())
            .collect();
        let mut sorted = due.clone();
        sorted.sort();
        assert_eq!(due, sorted, "{backend}");
        // Submitted PEPs wait for quality assurance: counted, and not overdue.
        assert_eq!(all["awaiting_qa"], 1, "{backend}");

        let drafts = dashboard(&app, &head, &[("state", "draft")]).await;
        assert!(drafts["matching"].as_u64().unwrap() >= 1);
        for row in drafts["rows"].as_array().unwrap() {
            assert_eq!(row["pep"]["state"], "draft", "{backend}: {row}");
        }
        let early_years = dashboard(&app, &head, &[("phase", "early_years")]).await;
        let mut early = names(&early_years);
        early.sort();
        assert_eq!(early, ["Leo Mensah", "Ruby Clarke"], "{backend}");
        let riverside = dashboard(&app, &head, &[("school", "demo-school-riverside")]).await;
        for row in riverside["rows"].as_array().unwrap() {
            assert_eq!(row["school"], "Riverside Academy", "{backend}: {row}");
        }
        let overdue = dashboard(&app, &head, &[("overdue", "true")]).await;
        assert_eq!(overdue["matching"], all["overdue"], "{backend}");
        for row in overdue["rows"].as_array().unwrap() {
            assert_eq!(row["overdue"], true);
        }
        // A state that does not exist is a 422 that says what to do, not an empty list.
        let bad = call(
            &app,
            "/api/dashboard/children",
            &[("state", "lost")],
            Some(&head),
        )
        .await;
        assert_eq!(bad.status(), 422, "{backend}");
        assert!(
            bad.text()
                .await
                .unwrap()
                .contains("choose a state from the list")
        );

        // Fifty to a page; a page past the end shows the last one.
        let now = chrono::Utc::now();
        on_db!(&app.db.db, pool => {
            for n in 0..120 {
                sqlx::query("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, 'demo-council', 'Page', $1, '2015-03-02', 'male', 'White British', 'English', 'none', $2, $2)")
                    .bind(format!("page-child-{n:03}")).bind(now)
                    .execute(pool).await.unwrap();
            }
        });
        let last = dashboard(&app, &head, &[("page", "99")]).await;
        assert_eq!(last["matching"], 132, "{backend}");
        assert_eq!(
            (last["page"].as_u64(), last["pages"].as_u64()),
            (Some(3), Some(3))
        );
        assert_eq!(last["rows"].as_array().unwrap().len(), 32, "{backend}");

        // Other roles are turned away.
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let refused = call(&app, "/api/dashboard/children", &[], Some(&teacher)).await;
        assert_eq!(refused.status(), 403, "{backend}");
        app.db.finish().await;
    }
}
