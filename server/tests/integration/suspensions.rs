//! Suspensions and exclusions over HTTP: recorded on the child from the PEP's section by whoever
//! may edit it (others refused), refused by field with nothing stored, listed for the PEP's
//! school year only, and audited without the reason's words.

use super::support::seeded_apps;
use super::support::session;
use app::infra::sql::sql;

const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspensions_are_recorded_by_the_sections_editor_and_counted_for_the_peps_school_year() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let social_worker = session(&app, "priya.sharma@northdale.example", true).await;
        let record = |cookie: String, parts: Vec<(&'static str, &'static str)>| {
            let app = &app;
            async move {
                let mut form = vec![("pep_id", AMELIA_PEP)];
                form.extend(parts);
                app.answer("/api/pep/record_suspension", &form, &cookie)
                    .await
            }
        };
        let suspensions = |cookie: String| {
            let app = &app;
            async move {
                app.json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&cookie))
                    .await["suspensions"]
                    .clone()
            }
        };
        let stored = || async {
            sql("SELECT COUNT(*) FROM suspensions WHERE child_id = 'demo-child-amelia'")
                .fetch_value::<i64>(&app.db.db)
                .await
                .unwrap()
        };

        let empty = suspensions(teacher.clone()).await;
        assert_eq!(
            empty,
            serde_json::json!({ "editable": true, "academic_year": 2026, "records": [] }),
            "{backend}"
        );

        // Nothing given: every part named, nothing stored.
        let (status, body) = record(teacher.clone(), vec![("suspension[kind]", "")]).await;
        assert_eq!(status, 422, "{backend}: {body}");
        for part in [
            "Choose whether it was a suspension",
            "Give the first day",
            "Give the number of school days",
            "Give the reason",
        ] {
            assert!(
                body.to_string().contains(part),
                "{backend}: {body} lacks {part}"
            );
        }
        assert_eq!(stored().await, 0, "{backend}");

        // A six-day suspension, the Virtual School told the same day; then two lunchtimes.
        let (status, six) = record(
            teacher.clone(),
            vec![
                ("suspension[kind]", "suspension"),
                ("suspension[starts_on]", "2026-11-03"),
                ("suspension[days]", "6"),
                ("suspension[reason]", "Assault on a member of staff"),
                ("suspension[virtual_school_told_on]", "2026-11-03"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{backend}: {six}");
        assert_eq!(six["recorded_by"], "Sarah Whitfield");
        assert_eq!(six["social_worker_told_on"], serde_json::Value::Null);
        let lunchtimes = vec![
            ("suspension[kind]", "lunchtime"),
            ("suspension[starts_on]", "2026-11-20"),
            ("suspension[days]", "2"),
            ("suspension[reason]", "Fighting at lunch"),
        ];
        assert_eq!(
            record(teacher.clone(), lunchtimes).await.0,
            200,
            "{backend}"
        );
        // Last school year's counts in last year's PEPs, not this one.
        let last_year = vec![
            ("suspension[kind]", "suspension"),
            ("suspension[starts_on]", "2026-07-01"),
            ("suspension[days]", "10"),
            ("suspension[reason]", "Damage"),
        ];
        assert_eq!(record(teacher.clone(), last_year).await.0, 200, "{backend}");
        assert_eq!(stored().await, 3, "{backend}");

        // The social worker reads them (her right to this section is read) and may not add one.
        let read = suspensions(social_worker.clone()).await;
        assert_eq!(read["editable"], false, "{backend}");
        let records = read["records"].as_array().unwrap();
        assert_eq!(records.len(), 2, "{backend}: {read}");
        assert_eq!(
            (
                records[0]["kind"].as_str(),
                records[0]["days"].as_i64(),
                records[1]["kind"].as_str()
            ),
            (Some("suspension"), Some(6), Some("lunchtime")),
            "{backend}"
        );
        let (status, _) = record(
            social_worker.clone(),
            vec![
                ("suspension[kind]", "suspension"),
                ("suspension[starts_on]", "2026-11-03"),
                ("suspension[days]", "1"),
                ("suspension[reason]", "x"),
            ],
        )
        .await;
        assert_eq!(status, 403, "{backend}");
        assert_eq!(stored().await, 3, "{backend}");

        // Audited with the kind and days, never the reason.
        let audited: Vec<String> = sql(
            "SELECT detail_json FROM audit_events WHERE action = 'suspension.recorded' ORDER BY id",
        )
        .fetch_column(&app.db.db)
        .await
        .unwrap();
        assert_eq!(audited.len(), 3, "{backend}");
        assert!(
            audited[0].contains("\"days\":6") && !audited[0].contains("Assault"),
            "{audited:?}"
        );
        app.db.finish().await;
    }
}
