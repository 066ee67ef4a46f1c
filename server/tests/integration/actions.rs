//! "My actions" over HTTP: each person's open actions on the children they reach, soonest
//! first; marking one done takes it off the list; nobody marks someone else's.

use super::support::seeded_apps;
use super::support::session;
use app::features::actions::MyActions;
use app::features::pep_form::PepForm;
use app::infra::sql::sql;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_sees_and_marks_only_their_own_open_actions() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let brookfield = session(&app, "s.whitfield@brookfield.example", true).await;
        let riverside = session(&app, "i.hussain@riverside.example", true).await;
        let linda = session(&app, "linda.bennett@example.com", false).await;
        let grace = session(&app, "grace.adeyemi@example.com", false).await;

        // The demo's open actions belong to the designated teacher of each pupil's school.
        let mine: MyActions = app.typed("/api/actions/mine", &[], Some(&brookfield)).await;
        let actions = mine.actions;
        assert!(!actions.is_empty(), "{backend}");
        let pupils = ["Ruby", "Leo", "Kai", "Amelia", "Tyler", "Maya"];
        assert!(
            actions
                .iter()
                .all(|a| pupils.iter().any(|p| a.child_name.starts_with(p))),
            "{backend}: {actions:?}"
        );
        let dues: Vec<chrono::NaiveDate> = actions
            .iter()
            .map(|a| a.due.as_ref().unwrap().due)
            .collect();
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted, "{backend}: soonest first");
        assert!(actions[0].target.is_some());

        // Another school's teacher cannot mark it; its own teacher can, and it leaves the list.
        let first = actions[0].id.as_str();
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
        let after: MyActions = app.typed("/api/actions/mine", &[], Some(&brookfield)).await;
        assert_eq!(after.actions.len(), actions.len() - 1, "{backend}");
        let status: String = sql("SELECT status FROM actions WHERE id = $1")
            .bind(first)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(status, "done");

        // A carer's action on Jayden's PEP: Linda (his carer) has it, Grace does not.
        let now = chrono::Utc::now();
        {
            sql("INSERT INTO actions (id, pep_id, description, owner_role, frequency, due_on, status, created_at, updated_at) VALUES ('carer-action', 'demo-child-jayden-pep-2026-autumn', 'Hear Jayden read', 'carer', 'every evening', $1, 'open', $2, $2)")
                .bind(chrono::NaiveDate::from_ymd_opt(2027, 2, 12).unwrap()).bind(now)
                .execute(&app.db.db).await.unwrap();
        };
        let hers: MyActions = app.typed("/api/actions/mine", &[], Some(&linda)).await;
        let ids: Vec<&str> = hers.actions.iter().map(|a| a.id.as_str()).collect();
        assert!(ids.contains(&"carer-action"), "{backend}: {ids:?}");
        // The demo's targets that say "carer to …" are hers too, for her own children only.
        for action in &hers.actions {
            let child = action.child_name.as_str();
            assert!(
                child == "Jayden Walker" || child.starts_with("Tyler"),
                "{backend}: {child}"
            );
        }
        assert!(
            hers.actions
                .iter()
                .any(|a| a.description.starts_with("Carer to ")),
            "{backend}: {:?}",
            hers.actions
        );
        let not_hers: MyActions = app.typed("/api/actions/mine", &[], Some(&grace)).await;
        assert!(
            not_hers
                .actions
                .iter()
                .all(|a| a.id != "carer-action" && a.child_name != "Jayden Walker"),
            "{backend}: {:?}",
            not_hers.actions
        );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_added_to_the_log_for_a_named_person_reaches_their_actions() {
    const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let priya = session(&app, "priya.sharma@northdale.example", true).await;
        let add =
            |cookie: String, description: &'static str, owner: String, due_on: &'static str| {
                let app = &app;
                async move {
                    let form = [
                        ("pep_id", AMELIA_PEP),
                        ("action[description]", description),
                        ("action[owner]", owner.as_str()),
                        ("action[frequency]", "once"),
                        ("action[due_on]", due_on),
                    ];
                    app.answer("/api/pep/add_action", &form, &cookie).await
                }
            };

        // The teacher may add, and may name anyone who works with Amelia today.
        let form: PepForm = app
            .typed("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert!(form.adds_actions, "{backend}");
        let team: Vec<&str> = form.action_owners.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            team,
            ["Daniel Reid", "Priya Sharma", "Sarah Whitfield"],
            "{backend}"
        );

        // Refused by field, nothing stored: no words, someone outside the child's team, a bad date.
        let (status, body) = add(
            teacher.clone(),
            "",
            "person:demo-user-sw-tom".into(),
            "next week",
        )
        .await;
        assert_eq!(status, 422, "{backend}");
        for part in [
            "Say what is to be done",
            "Choose someone who works with the child now",
            "is not a date",
        ] {
            assert!(
                body.to_string().contains(part),
                "{backend}: {body} lacks {part}"
            );
        }
        let (status, added) = add(
            teacher.clone(),
            "Ask the GP about a hearing test",
            "person:demo-user-sw-priya".into(),
            "2027-01-15",
        )
        .await;
        assert_eq!(status, 200, "{backend}: {added}");
        assert_eq!(added["owner"], "Priya Sharma");
        assert!(added["due"]["due"].is_string(), "{backend}: {added}");
        assert_eq!(
            add(
                teacher.clone(),
                "Bring the reading record",
                "role:carer".into(),
                ""
            )
            .await
            .0,
            200,
            "{backend}"
        );

        // It reaches Priya's "My actions"; she reads the log but may not add to it.
        let hers: MyActions = app.typed("/api/actions/mine", &[], Some(&priya)).await;
        assert!(
            hers.actions
                .iter()
                .any(|a| a.description == "Ask the GP about a hearing test"),
            "{backend}: {:?}",
            hers.actions
        );
        let read: PepForm = app
            .typed("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&priya))
            .await;
        assert_eq!(
            (read.adds_actions, read.action_owners.len()),
            (false, 0),
            "{backend}"
        );
        assert_eq!(read.action_log.unwrap().len(), 5, "{backend}");
        assert_eq!(
            add(
                priya.clone(),
                "Visit school",
                "role:social_worker".into(),
                ""
            )
            .await
            .0,
            403,
            "{backend}"
        );
        app.db.finish().await;
    }
}
