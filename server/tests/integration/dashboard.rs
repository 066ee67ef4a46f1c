//! The Virtual School dashboard over HTTP: every child reached, soonest deadline first, each
//! filter, pages of fifty, and nobody else let in.

use super::support::TestDb;
use super::support::seeded_apps;
use super::support::{call, session};
use app::infra::sql::sql;
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
    for app in seeded_apps().await {
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
        {
            for n in 0..120 {
                sql("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, 'demo-council', 'Page', $1, '2015-03-02', 'male', 'White British', 'English', 'none', $2, $2)")
                    .bind(format!("page-child-{n:03}")).bind(now)
                    .execute(&app.db.db).await.unwrap();
            }
        };
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

/// Overdue counts late parts, not only a PEP past its own date: before the meeting a
/// contribution past its date while its owner's sections are not completed, after it the
/// submission; a done PEP (approved, or awaiting quality assurance) is never overdue, and a child
/// whose PEP is approved shows it as approved rather than "No PEP on the go".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_means_a_late_part_and_approved_peps_are_shown_as_approved() {
    use app::features::dashboard::DashboardFilter;
    use app::features::dashboard::server::dashboard_for;
    use chrono::NaiveDate;

    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let backend = db.db.backend_name();
        let head = server::demo::virtual_school_head();
        let on = |day: &str| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let row = |dashboard: &app::features::dashboard::Dashboard, name: &str| {
            dashboard
                .rows
                .iter()
                .find(|r| r.name == name)
                .unwrap_or_else(|| panic!("{name} listed"))
                .clone()
        };
        let all = DashboardFilter::default();
        // Kai's PEP is open for contributions, its meeting planned for 8 December.
        let early = dashboard_for(&db.db, &head, &all, on("2026-11-16"))
            .await
            .unwrap();
        let kai = row(&early, "Kai Thompson");
        assert!(kai.late.is_empty() && !kai.overdue, "{backend}: {kai:?}");
        let meeting_day = dashboard_for(&db.db, &head, &all, on("2026-12-08"))
            .await
            .unwrap();
        let kai = row(&meeting_day, "Kai Thompson");
        assert!(kai.overdue, "{backend}: {kai:?}");
        assert!(
            kai.late.contains(&"Carer's contribution".to_string()),
            "{backend}: {kai:?}"
        );
        // Once the carer's section is completed, her part is no longer late.
        let now = chrono::Utc::now();
        {
            sql("INSERT INTO pep_sections (pep_id, section, status, updated_at) VALUES ('demo-child-kai-pep-2026-autumn', 'carer_contribution', 'completed', $1) ON CONFLICT (pep_id, section) DO UPDATE SET status = 'completed'")
                .bind(now).execute(&db.db).await.unwrap();
        };
        let kai = row(
            &dashboard_for(&db.db, &head, &all, on("2026-12-08"))
                .await
                .unwrap(),
            "Kai Thompson",
        );
        assert!(
            !kai.late.contains(&"Carer's contribution".to_string()),
            "{backend}: {kai:?}"
        );
        // Jayden's meeting was on 27 November: the submission is late after its date only.
        let jayden = |day| {
            let head = head.clone();
            let db = &db.db;
            async move {
                row(
                    &dashboard_for(db, &head, &DashboardFilter::default(), on(day))
                        .await
                        .unwrap(),
                    "Jayden Walker",
                )
            }
        };
        assert!(jayden("2026-11-30").await.late.is_empty(), "{backend}");
        assert_eq!(
            jayden("2026-12-09").await.late,
            ["Submission to the Virtual School"],
            "{backend}"
        );
        // The overdue filter and the count agree with the rows.
        let overdue_only = DashboardFilter {
            overdue: true,
            ..DashboardFilter::default()
        };
        let filtered = dashboard_for(&db.db, &head, &overdue_only, on("2026-12-09"))
            .await
            .unwrap();
        assert_eq!(
            filtered.matching,
            overdue_count_on(&db.db, &head, "2026-12-09").await,
            "{backend}"
        );
        assert!(filtered.rows.iter().all(|r| r.overdue), "{backend}");
        // Approved a year on: shown as approved, never overdue, and found by its own filter.
        let approved = DashboardFilter {
            state: Some("approved".into()),
            ..DashboardFilter::default()
        };
        let later = dashboard_for(&db.db, &head, &approved, on("2027-12-01"))
            .await
            .unwrap();
        assert!(later.matching >= 1, "{backend}");
        assert!(
            later
                .rows
                .iter()
                .all(|r| r.approved && !r.overdue && r.pep.is_some()),
            "{backend}: {:?}",
            later.rows
        );
        assert!(
            later.rows.iter().any(|r| r.name == "Chloe Evans"),
            "{backend}"
        );
        db.finish().await;
    }
}

/// How many children the unfiltered dashboard marks overdue on `day`.
async fn overdue_count_on(
    db: &app::infra::db::Db,
    head: &app::features::auth::CurrentUser,
    day: &str,
) -> usize {
    let today = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let all = app::features::dashboard::server::dashboard_for(db, head, &Default::default(), today)
        .await
        .unwrap();
    assert_eq!(all.overdue, all.rows.iter().filter(|r| r.overdue).count());
    all.overdue
}
