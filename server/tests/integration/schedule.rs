//! The PEP schedule over a real database: what is created, with which due date and words, that a
//! second run creates nothing, and that every creation is audited with the PEP's first revision.

use app::features::pep_schedule::server::schedule_peps;
use app::infra::sql::sql;
use chrono::NaiveDate;
use server::demo::seed;

use super::support::TestDb;
use super::support::seeded_apps;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A child of the demo council with one care episode and one school, and no PEP yet.
async fn add_child(
    db: &app::infra::db::Db,
    id: &str,
    in_care: NaiveDate,
    emergency: bool,
    school: &str,
    since: NaiveDate,
) {
    {
        sql("INSERT INTO children (id, council_id, first_name, last_name, date_of_birth, gender, ethnicity, first_language, sen_status, created_at, updated_at) VALUES ($1, 'demo-council', 'Test', $1, $2, 'female', 'White British', 'English', 'none', $3, $3)")
            .bind(id).bind(d(2016, 5, 4)).bind(chrono::Utc::now())
            .execute(db).await.unwrap();
        sql("INSERT INTO care_episodes (id, child_id, started_on, legal_status, placement_type, emergency_placement) VALUES ($1, $2, $3, 'Section 20', 'Foster placement', $4)")
            .bind(format!("{id}-care")).bind(id).bind(in_care).bind(emergency)
            .execute(db).await.unwrap();
        sql("INSERT INTO education_episodes (id, child_id, school_id, status, started_on) VALUES ($1, $2, $3, 'on_roll', $4)")
            .bind(format!("{id}-edu")).bind(id).bind(school).bind(since)
            .execute(db).await.unwrap();
    };
}

async fn peps_of(db: &app::infra::db::Db, child: &str) -> Vec<(String, String, NaiveDate, String)> {
    sql("SELECT kind, term, due_on, due_explanation FROM peps WHERE child_id = $1 ORDER BY due_on")
        .bind(child)
        .fetch_all(db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_creates_what_is_due_once_with_its_reason() {
    for test_db in TestDb::each_backend().await {
        let db = &test_db.db;
        let backend = db.backend_name();
        seed(db).await.unwrap();

        // The demo's autumn PEPs are all there: nothing to add in autumn.
        let autumn = schedule_peps(db, d(2026, 11, 28), None).await.unwrap();
        assert_eq!(autumn.created(), 0, "{backend}: {autumn:?}");
        assert_eq!(autumn.problems, Vec::new(), "{backend}");

        // An emergency placement at Riverside Academy: the initial PEP in 10 working days.
        add_child(
            db,
            "test-child-emergency",
            d(2026, 11, 20),
            true,
            "demo-school-riverside",
            d(2025, 9, 3),
        )
        .await;
        // A school move during half-term at Northdale High, in care since 2025.
        add_child(
            db,
            "test-child-mover",
            d(2025, 2, 3),
            false,
            "demo-school-northdale-high",
            d(2026, 10, 28),
        )
        .await;
        let report = schedule_peps(db, d(2026, 11, 23), None).await.unwrap();
        assert_eq!(report.created(), 2, "{backend}: {report:?}");
        let emergency = peps_of(db, "test-child-emergency").await;
        assert_eq!(emergency.len(), 1, "{backend}: {emergency:?}");
        assert_eq!(emergency[0].0, "initial");
        assert_eq!(emergency[0].2, d(2026, 12, 4));
        assert_eq!(
            emergency[0].3,
            "10 working days from the emergency placement on 20 November 2026: due 4 December 2026"
        );
        let mover = peps_of(db, "test-child-mover").await;
        assert_eq!(mover.len(), 1, "{backend}: {mover:?}");
        assert_eq!(
            (mover[0].0.as_str(), mover[0].1.as_str()),
            ("new_school", "autumn")
        );
        assert_eq!(mover[0].2, d(2026, 11, 27), "{backend}: {}", mover[0].3);
        assert!(mover[0].3.starts_with("20 school days from the move to Northdale High School on 28 October 2026, skipping the Autumn half-term"), "{}", mover[0].3);

        // Audited as the PEP's first revision, by nobody (the schedule).
        let audited: Vec<(Option<String>, i64)> = sql(
            "SELECT a.actor_id, a.revision FROM audit_events a JOIN peps p ON p.id = a.pep_id \
             WHERE a.action = 'pep.scheduled' AND p.child_id IN ('test-child-emergency', 'test-child-mover')")
            .fetch_all(db).await.unwrap();
        assert_eq!(audited, vec![(None, 1), (None, 1)], "{backend}");

        // Running again the same day changes nothing (several servers may run it).
        let again = schedule_peps(db, d(2026, 11, 23), None).await.unwrap();
        assert_eq!(again.created(), 0, "{backend}");

        // The spring term: a termly review for every eligible child, due on the council's final
        // date for spring, and only once.
        let spring = schedule_peps(db, d(2027, 1, 4), None).await.unwrap();
        let eligible_children: i64 = sql("SELECT COUNT(*) FROM children")
            .fetch_value(db)
            .await
            .unwrap();
        assert!(
            spring.created() >= 10 && spring.created() as i64 <= eligible_children,
            "{backend}: {spring:?}"
        );
        let spring_peps: Vec<(NaiveDate, String)> = sql(
            "SELECT due_on, due_explanation FROM peps WHERE academic_year = 2026 AND term = 'spring' AND kind = 'termly'")
            .fetch_all(db).await.unwrap();
        assert_eq!(spring_peps.len(), spring.created(), "{backend}");
        for (due, explanation) in &spring_peps {
            assert_eq!(*due, d(2027, 3, 19), "{backend}");
            assert_eq!(
                explanation,
                "The council's final date for spring term 2026/27 PEP meetings: due 19 March 2027"
            );
        }
        assert_eq!(
            schedule_peps(db, d(2027, 1, 5), None)
                .await
                .unwrap()
                .created(),
            0,
            "{backend}"
        );
        test_db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_virtual_school_changes_the_rules_and_the_next_pep_follows_them() {
    use super::support::spawn_app;
    use super::support::{call, session};
    for test_db in TestDb::each_backend().await {
        seed(&test_db.db).await.unwrap();
        let app = spawn_app(test_db).await;
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let rules: serde_json::Value = call(&app, "/api/council/deadline_rules", &[], Some(&head))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            rules["new_to_care_or_school"], "20 school days",
            "{backend}"
        );
        assert!(
            rules["termly_final_dates"]
                .as_str()
                .unwrap()
                .contains("2026/27 spring: 2027-03-19")
        );

        let form = |new_to_care: &'static str| {
            vec![
                ("rules[initial_pep]", "10 working days"),
                ("rules[new_to_care_or_school]", new_to_care),
                ("rules[submission_after_meeting]", "10 working days"),
                ("rules[social_worker_contribution]", "10 working days"),
                ("rules[carer_contribution]", "5 working days"),
                ("rules[young_person_contribution]", "5 working days"),
                ("rules[termly_final_dates]", "2026/27 autumn: 2026-12-11"),
                ("rules[trigger_day_counted]", "no"),
                ("rules[inset_days_are_school_days]", "no"),
            ]
        };
        let bad = call(
            &app,
            "/api/council/save_deadline_rules",
            &form("twenty days"),
            Some(&head),
        )
        .await;
        assert_eq!(bad.status(), 422, "{backend}");
        assert!(bad.text().await.unwrap().contains("new_to_care_or_school"));
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        assert_eq!(
            call(
                &app,
                "/api/council/save_deadline_rules",
                &form("20 working days"),
                Some(&teacher)
            )
            .await
            .status(),
            403
        );
        assert_eq!(
            call(
                &app,
                "/api/council/save_deadline_rules",
                &form("20 working days"),
                Some(&head)
            )
            .await
            .status(),
            200
        );

        // A school move in half-term now counts working days: half-term is not skipped.
        add_child(
            &app.db.db,
            "test-child-rules",
            d(2025, 2, 3),
            false,
            "demo-school-northdale-high",
            d(2026, 10, 28),
        )
        .await;
        schedule_peps(&app.db.db, d(2026, 10, 28), Some("test-child-rules"))
            .await
            .unwrap();
        let peps = peps_of(&app.db.db, "test-child-rules").await;
        assert_eq!(peps[0].2, d(2026, 11, 25), "{backend}: {}", peps[0].3);
        assert!(
            peps[0]
                .3
                .starts_with("20 working days from the move to Northdale High School"),
            "{}",
            peps[0].3
        );
        let audited: i64 = sql(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'council.deadline_rules_changed'",
        )
        .fetch_value(&app.db.db)
        .await
        .unwrap();
        assert_eq!(audited, 1, "{backend}");
        app.db.finish().await;
    }
}

/// Recording a move hands the PEP being written to the new school (no second PEP), due no later
/// than 20 school days after the move on the new school's calendar, and the page is told what
/// happened. Before, a move made nothing: an existing PEP due after the move stopped the schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_move_hands_the_pep_being_written_to_the_new_school() {
    use super::support::session;
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let riverside = session(&app, "i.hussain@riverside.example", true).await;
        let northdale_high = session(&app, "m.osei@northdale-high.example", true).await;
        for (child, school, teacher) in [
            ("demo-child-tyler", "demo-school-riverside", &riverside),
            (
                "demo-child-aisha",
                "demo-school-northdale-high",
                &northdale_high,
            ),
            // Amelia's PEP is being written at Brookfield: it is handed over, not doubled.
            ("demo-child-amelia", "demo-school-riverside", &riverside),
        ] {
            let open = |db: &app::infra::db::Db| {
                let db = db.clone();
                async move {
                    let rows: Vec<(String, NaiveDate, Option<String>, String)> = sql(
                        "SELECT id, due_on, school_id, due_explanation FROM peps WHERE child_id = $1 \
                         AND state NOT IN ('submitted', 'approved') ORDER BY due_on")
                        .bind(child).fetch_all(&db).await.unwrap();
                    rows
                }
            };
            let before = open(&app.db.db).await;
            let all_before = peps_of(&app.db.db, child).await.len();
            let today = app::domain::uk_time::uk_today(chrono::Utc::now());
            let (status, saved) = app
                .answer(
                    "/api/register/add_education_episode",
                    &[
                        ("child_id", child),
                        ("episode[started_on]", &today.to_string()),
                        ("episode[status]", "on_roll"),
                        ("episode[school_id]", school),
                    ],
                    &head,
                )
                .await;
            assert_eq!(status, 200, "{backend} {child}: {saved}");
            let after = open(&app.db.db).await;
            let told = format!("{} {}", saved["peps_scheduled"], saved["peps_changed"]);
            if before.is_empty() {
                // Nothing being written: a new-to-school PEP.
                assert_eq!(after.len(), 1, "{backend} {child}: {after:?}");
                assert!(
                    told.contains("new school PEP, due"),
                    "{backend} {child}: {told}"
                );
            } else {
                assert_eq!(
                    peps_of(&app.db.db, child).await.len(),
                    all_before,
                    "{backend} {child}: no second PEP"
                );
                let (id, due, led_by, explanation) = &after[0];
                assert_eq!(*id, before[0].0);
                assert!(*due <= before[0].1, "{backend} {child}: never later");
                assert_eq!(
                    led_by.as_deref(),
                    Some(school),
                    "{backend} {child}: led by the new school"
                );
                assert!(
                    told.contains("the PEP being written"),
                    "{backend} {child}: {told}"
                );
                if *due < before[0].1 {
                    assert!(explanation.contains("brought forward"), "{explanation}");
                }
            }
            // The new school's designated teacher opens it.
            let (status, _) = app
                .answer("/api/pep/form", &[("pep_id", &after[0].0)], teacher)
                .await;
            assert_eq!(status, 200, "{backend} {child}: the new designated teacher");
            // Running the schedule again changes nothing more.
            let again = schedule_peps(&app.db.db, today, Some(child)).await.unwrap();
            assert_eq!(
                (again.created(), again.changed_peps.len()),
                (0, 0),
                "{backend} {child}: {again:?}"
            );
        }
        app.db.finish().await;
    }
}
