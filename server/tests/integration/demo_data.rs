//! The demo data: loads on both backends, looks like a real Virtual School, and loads once.

use super::support::TestDb;
use app::domain::pep::PepState;
use app::infra::sql::sql;
use server::demo::{SeedOutcome, seed};

async fn count(t: &TestDb, query: &str) -> i64 {
    sql(query).fetch_value::<i64>(&t.db).await.unwrap()
}

#[tokio::test]
async fn demo_data_covers_every_role_phase_and_state_and_loads_once() {
    for t in TestDb::each_backend().await {
        let name = t.db.backend_name();
        let first = seed(&t.db).await.expect("demo loads");
        assert!(
            matches!(
                first,
                SeedOutcome::Loaded {
                    children: 12,
                    users: 11,
                    ..
                }
            ),
            "{name}: {first:?}"
        );

        assert_eq!(count(&t, "SELECT COUNT(*) FROM schools").await, 3, "{name}");
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM children").await,
            12,
            "{name}"
        );
        assert_eq!(
            count(&t, "SELECT COUNT(DISTINCT role) FROM users").await,
            6,
            "{name}"
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM users WHERE role = 'designated_teacher'"
            )
            .await,
            3
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM users WHERE role = 'social_worker'"
            )
            .await,
            2
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM users WHERE role = 'carer'").await,
            2
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM users WHERE role = 'young_person'").await,
            2
        );
        assert_eq!(
            count(&t, "SELECT COUNT(DISTINCT phase) FROM peps").await,
            3,
            "{name}"
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM education_episodes WHERE status = 'neet'"
            )
            .await,
            1
        );
        let states: Vec<String> = sql("SELECT DISTINCT state FROM peps ORDER BY state")
            .fetch_column(&t.db)
            .await
            .unwrap();
        assert_eq!(
            states.len(),
            PepState::ALL.len(),
            "{name}: a PEP in each state: {states:?}"
        );
        // The academy's two-week October half-term and its own INSET days.
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM calendar_periods WHERE calendar_id = 'demo-calendar-riverside' AND kind = 'holiday' AND starts_on = '2026-10-19' AND ends_on = '2026-10-30'").await,
            1, "{name}"
        );
        assert!(count(&t, "SELECT COUNT(*) FROM calendar_periods WHERE calendar_id = 'demo-calendar-riverside' AND kind = 'inset'").await >= 3);
        // Every role × section × state has a stored right.
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM section_rights").await as usize,
            app::domain::policy::default_section_rights().len()
        );
        // One ended assignment, for testing access that has lapsed.
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM assignments WHERE ends_on IS NOT NULL"
            )
            .await,
            1
        );

        let before = count(&t, "SELECT COUNT(*) FROM audit_events").await;
        assert_eq!(
            seed(&t.db).await.unwrap(),
            SeedOutcome::AlreadyPresent,
            "{name}"
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM audit_events").await,
            before,
            "{name}: second load writes nothing"
        );
        assert_eq!(count(&t, "SELECT COUNT(*) FROM children").await, 12);
        t.finish().await;
    }
}

#[tokio::test]
async fn each_pep_event_log_counts_up_from_one_to_the_pep_revision() {
    for t in TestDb::each_backend().await {
        seed(&t.db).await.unwrap();
        let rows: Vec<(String, i64, i64, i64)> = sql(
            "SELECT p.id, p.revision, COUNT(a.id), COALESCE(MAX(a.revision), 0) \
             FROM peps p LEFT JOIN audit_events a ON a.pep_id = p.id GROUP BY p.id, p.revision",
        )
        .fetch_all(&t.db)
        .await
        .unwrap();
        assert!(rows.len() >= 12);
        for (pep, revision, events, max_revision) in rows {
            assert!(events >= 1, "{pep} has no events");
            assert_eq!(revision, events, "{pep}: revisions are 1..=n without gaps");
            assert_eq!(revision, max_revision, "{pep}");
        }
        // The database refuses a second event with the same revision.
        let duplicate = sql(
            "INSERT INTO audit_events (occurred_at, action, entity, pep_id, revision) \
             VALUES ($1, 'test', 'pep', 'demo-child-kai-pep-2026-autumn', 1)",
        )
        .bind(chrono::Utc::now())
        .execute(&t.db)
        .await
        .map(|_| ());
        assert!(duplicate.is_err(), "{}", t.db.backend_name());
        t.finish().await;
    }
}

#[tokio::test]
async fn demo_passwords_are_stored_as_argon2id_hashes() {
    let t = TestDb::sqlite().await;
    seed(&t.db).await.unwrap();
    let hashes: Vec<String> = sql("SELECT password_hash FROM users")
        .fetch_column(&t.db)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 11);
    for hash in &hashes {
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(server::demo::DEMO_PASSWORD));
        let parsed = argon2::PasswordHash::new(hash).unwrap();
        argon2::PasswordVerifier::verify_password(
            &argon2::Argon2::default(),
            server::demo::DEMO_PASSWORD.as_bytes(),
            &parsed,
        )
        .expect("the demo password verifies against its hash");
        assert!(
            argon2::PasswordVerifier::verify_password(
                &argon2::Argon2::default(),
                b"wrong",
                &parsed
            )
            .is_err()
        );
    }
    let unique: std::collections::HashSet<_> = hashes.iter().collect();
    assert_eq!(unique.len(), hashes.len(), "every hash has its own salt");
    t.finish().await;
}

#[tokio::test]
async fn every_demo_upn_has_the_right_check_letter() {
    let t = TestDb::sqlite().await;
    seed(&t.db).await.unwrap();
    let upns: Vec<String> = sql("SELECT upn FROM children WHERE upn IS NOT NULL")
        .fetch_column(&t.db)
        .await
        .unwrap();
    assert_eq!(upns.len(), 10);
    for upn in upns {
        assert_eq!(
            app::domain::child::check_upn(&upn).as_deref(),
            Ok(upn.as_str())
        );
    }
    t.finish().await;
}

/// Each demo section's words are attributed to whoever owns the section (the young person's views
/// were "last changed by" his social worker, and every seeded action was the teacher's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_words_and_actions_belong_to_whoever_owns_them() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let by = |section: &'static str| {
        let db = db.db.clone();
        async move {
            let who: Option<String> = sql("SELECT updated_by FROM pep_fields WHERE pep_id = 'demo-child-jayden-pep-2026-autumn' AND section = $1 LIMIT 1").bind(section).fetch_value(&db).await.unwrap();
            who
        }
    };
    assert_eq!(
        by("young_person_views").await.as_deref(),
        Some("demo-user-yp-jayden")
    );
    assert_eq!(
        by("carer_contribution").await.as_deref(),
        Some("demo-user-carer-linda")
    );
    assert_eq!(
        by("meeting_record").await.as_deref(),
        Some("demo-user-dt-northdale-high")
    );
    assert_eq!(
        by("care_journey").await.as_deref(),
        Some("demo-user-sw-tom")
    );
    let carers: i64 = sql(
        "SELECT COUNT(*) FROM actions WHERE owner_role = 'carer' AND description LIKE 'Carer to %'",
    )
    .fetch_value(&db.db)
    .await
    .unwrap();
    assert!(
        carers > 0,
        "the targets' carer parts are the carers' actions"
    );
    db.finish().await;
}
