//! "My actions" over HTTP: each person's open actions on the children they reach, soonest
//! first; marking one done takes it off the list; nobody marks someone else's.

use super::access_matrix::session;
use super::support::{TestDb, spawn_app};
use app::on_db;
use server::demo::seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_sees_and_marks_only_their_own_open_actions() {
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let app = spawn_app(db).await;
        let backend = app.db.db.backend_name();
        let brookfield = session(&app, "s.whitfield@brookfield.example", true).await;
        let riverside = session(&app, "i.hussain@riverside.example", true).await;
        let linda = session(&app, "linda.bennett@example.com", false).await;
        let grace = session(&app, "grace.adeyemi@example.com", false).await;

        // The demo's open actions belong to the designated teacher of each pupil's school.
        let mine = app.json("/api/actions/mine", &[], Some(&brookfield)).await;
        let actions = mine["actions"].as_array().unwrap().clone();
        assert!(!actions.is_empty(), "{backend}");
        let pupils = ["Ruby", "Leo", "Kai", "Amelia", "Tyler", "Maya"];
        assert!(
            actions.iter().all(|a| pupils
                .iter()
                .any(|p| a["child_name"].as_str().unwrap().starts_with(p))),
            "{backend}: {actions:?}"
        );
        let dues: Vec<&str> = actions
            .iter()
            .map(|a| a["due"]["due"].as_str().unwrap())
            .collect();
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted, "{backend}: soonest first");
        assert!(actions[0]["target"].as_str().is_some());

        // Another school's teacher cannot mark it; its own teacher can, and it leaves the list.
        let first = actions[0]["id"].as_str().unwrap();
        let refused = app
            .call(
                "/api/actions/set_status",
                &[("action_id", first), ("done", "true")],
                Some(&riverside),
            )
            .await;
        assert_eq!(refused.status(), 403, "{backend}");
        app.json(
            "/api/actions/set_status",
            &[("action_id", first), ("done", "true")],
            Some(&brookfield),
        )
        .await;
        let after = app.json("/api/actions/mine", &[], Some(&brookfield)).await;
        assert_eq!(
            after["actions"].as_array().unwrap().len(),
            actions.len() - 1,
            "{backend}"
        );
        let status: String = on_db!(&app.db.db, pool => sqlx::query_scalar("SELECT status FROM actions WHERE id = $1").bind(first).fetch_one(pool).await.unwrap());
        assert_eq!(status, "done");

        // A carer's action on Jayden's PEP: Linda (his carer) has it, Grace does not.
        let now = chrono::Utc::now();
        on_db!(&app.db.db, pool => {
            sqlx::query("INSERT INTO actions (id, pep_id, description, owner_role, frequency, due_on, status, created_at, updated_at) VALUES ('carer-action', 'demo-child-jayden-pep-2026-autumn', 'Hear Jayden read', 'carer', 'every evening', $1, 'open', $2, $2)")
                .bind(chrono::NaiveDate::from_ymd_opt(2027, 2, 12).unwrap()).bind(now)
                .execute(pool).await.unwrap();
        });
        let hers = app.json("/api/actions/mine", &[], Some(&linda)).await;
        let ids: Vec<&str> = hers["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["carer-action"], "{backend}");
        assert_eq!(hers["actions"][0]["child_name"], "Jayden Walker");
        let not_hers = app.json("/api/actions/mine", &[], Some(&grace)).await;
        assert_eq!(not_hers["actions"], serde_json::json!([]), "{backend}");
        let refused = app
            .call(
                "/api/actions/set_status",
                &[("action_id", "carer-action"), ("done", "true")],
                Some(&grace),
            )
            .await;
        assert_eq!(refused.status(), 403, "{backend}");
        app.db.finish().await;
    }
}
