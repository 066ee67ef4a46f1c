//! The children register over HTTP: adding a child, changing details at a version, care and
//! education episodes that end the current one and schedule the PEP they make due, each problem
//! named by field, and who may do it.

use super::support::seeded_apps;
use super::support::{call, session};
use app::infra::sql::sql;
use chrono::Duration;

fn details<'a>(last_name: &'a str, upn: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("details[first_name]", "Nia"),
        ("details[last_name]", last_name),
        ("details[preferred_name]", ""),
        ("details[date_of_birth]", "2015-03-02"),
        ("details[upn]", upn),
        ("details[gender]", "female"),
        ("details[ethnicity]", "Black British – Caribbean"),
        ("details[first_language]", "English"),
        ("details[sen_status]", "sen_support"),
        ("details[nc_year_override]", ""),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_records_a_child_and_their_history_and_schedules_what_is_due() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let today = app::domain::uk_time::uk_today(chrono::Utc::now());

        // A bad UPN and an empty name: both named, nothing stored.
        let mut bad = details("", "A801200001001");
        bad.retain(|(k, _)| *k != "details[last_name]");
        bad.push(("details[last_name]", ""));
        let response = call(&app, "/api/register/save_child", &bad, Some(&head)).await;
        assert_eq!(response.status(), 422, "{backend}");
        let body = response.text().await.unwrap();
        assert!(
            body.contains("last_name") && body.contains("check letter"),
            "{backend}: {body}"
        );

        // Added by the Virtual School; a UPN already on the register is refused by field.
        let created: serde_json::Value = call(
            &app,
            "/api/register/save_child",
            &details("Brooks", "H801200001001"),
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        let child_id = created["child_id"].as_str().unwrap().to_string();
        assert_eq!(created["version"], 1, "{backend}");
        let duplicate = call(
            &app,
            "/api/register/save_child",
            &details("Other", "H801200001001"),
            Some(&head),
        )
        .await;
        assert_eq!(duplicate.status(), 422, "{backend}");
        assert!(duplicate.text().await.unwrap().contains("already recorded"));

        // Coming into care three days ago, in an emergency: the initial PEP is scheduled at once.
        let care_start = (today - Duration::days(3)).to_string();
        let care: serde_json::Value = call(
            &app,
            "/api/register/add_care_episode",
            &[
                ("child_id", child_id.as_str()),
                ("episode[started_on]", care_start.as_str()),
                ("episode[legal_status]", "Police protection, then s20"),
                ("episode[placement_type]", "Emergency foster placement"),
                ("episode[emergency_placement]", "true"),
            ],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        let scheduled = care["peps_scheduled"].to_string();
        assert!(scheduled.contains("initial PEP, due"), "{backend}: {care}");
        let explanation: String =
            sql("SELECT due_explanation FROM peps WHERE child_id = $1 AND kind = 'initial'")
                .bind(&child_id)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
        assert!(
            explanation.starts_with("10 working days from the emergency placement on "),
            "{explanation}"
        );

        // A second episode must start after the current one.
        let same_day = call(
            &app,
            "/api/register/add_care_episode",
            &[
                ("child_id", child_id.as_str()),
                ("episode[started_on]", care_start.as_str()),
                ("episode[legal_status]", "Care order (s31)"),
                ("episode[placement_type]", "Foster placement"),
                ("episode[emergency_placement]", "false"),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(same_day.status(), 422, "{backend}");

        // On a roll needs a school; then the move is recorded, covered by the initial PEP.
        let no_school = call(
            &app,
            "/api/register/add_education_episode",
            &[
                ("child_id", child_id.as_str()),
                ("episode[started_on]", today.to_string().as_str()),
                ("episode[status]", "on_roll"),
                ("episode[school_id]", ""),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(no_school.status(), 422, "{backend}");
        assert!(no_school.text().await.unwrap().contains("school_id"));
        let moved = call(
            &app,
            "/api/register/add_education_episode",
            &[
                ("child_id", child_id.as_str()),
                ("episode[started_on]", today.to_string().as_str()),
                ("episode[status]", "on_roll"),
                ("episode[school_id]", "demo-school-riverside"),
            ],
            Some(&head),
        )
        .await;
        assert_eq!(moved.status(), 200, "{backend}");

        // The record shows the history; the designated teacher at Riverside now reaches the child.
        let record: serde_json::Value = call(
            &app,
            "/api/children/record",
            &[("child_id", &child_id)],
            Some(&head),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            record["care_history"].as_array().unwrap().len(),
            1,
            "{backend}"
        );
        assert!(
            record["care_history"][0]["description"]
                .as_str()
                .unwrap()
                .ends_with("emergency placement")
        );
        assert!(
            record["education_history"][0]["description"]
                .as_str()
                .unwrap()
                .starts_with("Riverside Academy")
        );
        assert_eq!(record["can_edit_register"], true);
        let teacher = session(&app, "i.hussain@riverside.example", true).await;
        let as_teacher: serde_json::Value = call(
            &app,
            "/api/children/record",
            &[("child_id", &child_id)],
            Some(&teacher),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(as_teacher["can_edit_register"], false, "{backend}");
        // ...but may not change the register.
        let refused = call(
            &app,
            "/api/register/entry",
            &[("child_id", &child_id)],
            Some(&teacher),
        )
        .await;
        assert_eq!(refused.status(), 403, "{backend}");

        // Details change at the version read; a stale version is refused, nothing overwritten.
        let mut update = details("Brooks-Hall", "H801200001001");
        update.push(("child_id", child_id.as_str()));
        update.push(("version", "1"));
        let updated: serde_json::Value =
            call(&app, "/api/register/save_child", &update, Some(&head))
                .await
                .json()
                .await
                .unwrap();
        assert_eq!(updated["version"], 2, "{backend}: {updated}");
        let mut stale = details("Someone Else", "H801200001001");
        stale.push(("child_id", child_id.as_str()));
        stale.push(("version", "1"));
        let stale = call(&app, "/api/register/save_child", &stale, Some(&head)).await;
        assert_eq!(stale.status(), 422, "{backend}");
        assert!(stale.text().await.unwrap().contains("Someone else changed"));
        let last_name: String = sql("SELECT last_name FROM children WHERE id = $1")
            .bind(&child_id)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(last_name, "Brooks-Hall");

        // The child's social worker keeps the entry; another social worker may not.
        let priya = session(&app, "priya.sharma@northdale.example", true).await;
        assert_eq!(
            call(
                &app,
                "/api/register/entry",
                &[("child_id", "demo-child-ruby")],
                Some(&priya)
            )
            .await
            .status(),
            200
        );
        assert_eq!(
            call(
                &app,
                "/api/register/entry",
                &[("child_id", "demo-child-sophie")],
                Some(&priya)
            )
            .await
            .status(),
            403
        );

        // An advisor who adds a child follows them (advisors reach children by assignment).
        let daniel = session(&app, "daniel.reid@northdale.example", true).await;
        let added: serde_json::Value = call(
            &app,
            "/api/register/save_child",
            &details("Advised", ""),
            Some(&daniel),
        )
        .await
        .json()
        .await
        .unwrap();
        let advised = added["child_id"].as_str().unwrap();
        assert_eq!(
            call(
                &app,
                "/api/register/entry",
                &[("child_id", advised)],
                Some(&daniel)
            )
            .await
            .status(),
            200,
            "{backend}"
        );

        let audited: Vec<String> = sql("SELECT action FROM audit_events WHERE child_id = $1 AND actor_id IS NOT NULL AND action <> 'child.read' ORDER BY id").bind(&child_id).fetch_column(&app.db.db).await.unwrap();
        assert_eq!(
            audited,
            [
                "child.created",
                "care_episode.added",
                "education_episode.added",
                "child.updated"
            ],
            "{backend}"
        );
        app.db.finish().await;
    }
}
