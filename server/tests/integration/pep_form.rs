//! The PEP form over HTTP: every section read and written as the council's stored table says, in
//! every state and for every role; two people saving one field see each other's words instead of
//! one overwriting the other; bad values are refused by field and nothing is stored.

use super::support::seeded_apps;
use super::support::{TestDb, spawn_app};
use super::support::{USERS, call, field_version, fixture_child, fixture_pep, session};
use app::domain::pep::{PepState, Phase, SectionKey};
use app::domain::pep_form::{fields, sections_for};
use app::domain::policy::{Access, default_section_access};
use app::domain::roles::Role;
use app::features::pep_form::PepForm;
use app::infra::sql::sql;
use server::demo::seed;

const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_section_is_read_and_written_as_the_councils_table_says_in_every_state() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        // A council may give a section to someone else: the social worker writes SEMH in draft.
        {
            sql("UPDATE section_rights SET access = 'edit' WHERE council_id = 'demo-council' AND role = 'social_worker' AND section = 'semh' AND pep_state = 'draft'")
                .execute(&app.db.db).await.unwrap();
        };
        let stored = |role: Role, section: SectionKey, state: PepState| {
            if role == Role::SocialWorker && section == SectionKey::Semh && state == PepState::Draft
            {
                Access::Edit
            } else {
                default_section_access(role, section, state)
            }
        };
        let mut calls = 0;
        for &(role, email) in USERS {
            let cookie = session(&app, email, true).await;
            let user_id: String = sql("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
            let child_id = fixture_child(
                &app,
                &user_id,
                role,
                app::domain::access::Relationship::Current,
            )
            .await;
            for &state in PepState::ALL {
                let pep_id = fixture_pep(&app, &child_id, state).await;
                let context = format!("{backend} | {role:?} | {state:?}");
                let form: PepForm = app
                    .typed("/api/pep/form", &[("pep_id", &pep_id)], Some(&cookie))
                    .await;
                let shown: Vec<(SectionKey, bool)> =
                    form.sections.iter().map(|s| (s.key, s.editable)).collect();
                let expected: Vec<(SectionKey, bool)> = sections_for(Phase::SchoolAge)
                    .filter(|&s| !fields(s).is_empty() && stored(role, s, state) != Access::None)
                    .map(|s| (s, stored(role, s, state) == Access::Edit))
                    .collect();
                assert_eq!(shown, expected, "{context}");
                for section in sections_for(Phase::SchoolAge).filter(|&s| !fields(s).is_empty()) {
                    let field = fields(section)[0].key;
                    let version = field_version(&app, &pep_id, section.as_str(), field)
                        .await
                        .to_string();
                    let response = call(
                        &app,
                        "/api/pep/save_field",
                        &[
                            ("pep_id", pep_id.as_str()),
                            ("section", section.as_str()),
                            ("field", field),
                            ("value", "7"),
                            ("version", &version),
                        ],
                        Some(&cookie),
                    )
                    .await;
                    let expected = if stored(role, section, state) == Access::Edit {
                        200
                    } else {
                        403
                    };
                    assert_eq!(
                        response.status().as_u16(),
                        expected,
                        "{context} | {section:?}"
                    );
                    calls += 1;
                }
            }
        }
        let sections = sections_for(Phase::SchoolAge)
            .filter(|&s| !fields(s).is_empty())
            .count();
        assert_eq!(
            calls,
            USERS.len() * PepState::ALL.len() * sections,
            "{backend}"
        );
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_saving_one_field_see_both_values_and_nothing_is_lost() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let social_worker = session(&app, "priya.sharma@northdale.example", true).await;
        let revision_before: i64 = sql("SELECT revision FROM peps WHERE id = $1")
            .bind(AMELIA_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let save = |cookie: String, value: &'static str, version: &'static str| {
            let app = &app;
            async move {
                let response = call(
                    app,
                    "/api/pep/save_field",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("section", "child_details"),
                        ("field", "corrections"),
                        ("value", value),
                        ("version", version),
                    ],
                    Some(&cookie),
                )
                .await;
                assert_eq!(response.status(), 200, "{backend} {value}");
                response.json::<serde_json::Value>().await.unwrap()
            }
        };

        // Both start from the empty field; the teacher saves first.
        let first = save(
            teacher.clone(),
            "Her first language is Polish, not English.",
            "0",
        )
        .await;
        assert_eq!(
            first,
            serde_json::json!({ "outcome": "saved", "version": 1 }),
            "{backend}"
        );
        let second = save(
            social_worker.clone(),
            "Date into care should be 3 March.",
            "0",
        )
        .await;
        assert_eq!(second["outcome"], "conflict", "{backend}: {second}");
        assert_eq!(
            second["value"],
            "Her first language is Polish, not English."
        );
        assert_eq!(second["version"], 1);
        assert_eq!(second["by"], "Sarah Whitfield", "{backend}: {second}");
        // The social worker keeps theirs over version 1; the teacher's stale save is refused.
        let kept = save(
            social_worker.clone(),
            "Polish first language; into care 3 March.",
            "1",
        )
        .await;
        assert_eq!(
            kept,
            serde_json::json!({ "outcome": "saved", "version": 2 }),
            "{backend}"
        );
        let stale = save(teacher.clone(), "Anything", "1").await;
        assert_eq!(stale["outcome"], "conflict");
        assert_eq!(stale["value"], "Polish first language; into care 3 March.");

        // The form shows the saved words, their version and who changed them last.
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        let details = form["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "child_details")
            .unwrap();
        let corrections = &details["fields"][0];
        assert_eq!(
            corrections["value"],
            "Polish first language; into care 3 March."
        );
        assert_eq!(corrections["version"], 2);
        assert!(
            corrections["last_change"]
                .as_str()
                .unwrap()
                .starts_with("Priya Sharma, "),
            "{backend}: {corrections}"
        );
        // Section A waits to be checked until someone says the details are right.
        assert_eq!(details["status"], "needs_checking", "{backend}");
        let facts = form["child_details"].to_string();
        assert!(
            facts.contains("Amelia") || facts.contains("Date of birth"),
            "{backend}: {facts}"
        );

        // Two saves, two audit rows carrying the PEP's next revisions; conflicts change nothing.
        let audited: Vec<(i64, String)> = sql("SELECT revision, detail_json FROM audit_events WHERE pep_id = $1 AND action = 'pep.field_saved' ORDER BY revision").bind(AMELIA_PEP).fetch_all(&app.db.db).await.unwrap();
        assert_eq!(audited.len(), 2, "{backend}");
        assert_eq!(audited[0].0, revision_before + 1);
        assert_eq!(audited[1].0, revision_before + 2);
        assert!(
            !audited[1].1.contains("Polish"),
            "the log keeps no words: {}",
            audited[1].1
        );

        // Marking the section: the teacher checks the details, then the meeting record is done.
        app.json(
            "/api/pep/section_status",
            &[
                ("pep_id", AMELIA_PEP),
                ("section", "child_details"),
                ("status", "completed"),
            ],
            Some(&teacher),
        )
        .await;
        let status: String =
            sql("SELECT status FROM pep_sections WHERE pep_id = $1 AND section = 'child_details'")
                .bind(AMELIA_PEP)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
        assert_eq!(status, "completed", "{backend}");
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_values_are_refused_by_field_and_nothing_is_stored() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
    let attempt =
        |section: &'static str, field: &'static str, value: &'static str, version: &'static str| {
            let (app, teacher) = (&app, teacher.clone());
            async move {
                call(
                    app,
                    "/api/pep/save_field",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("section", section),
                        ("field", field),
                        ("value", value),
                        ("version", version),
                    ],
                    Some(&teacher),
                )
                .await
            }
        };
    for (section, field, value, version, expected) in [
        (
            "attendance",
            "sessions_possible",
            "about 120",
            "0",
            "whole number",
        ),
        (
            "meeting_record",
            "next_meeting",
            "12/03/2027",
            "0",
            "2027-03-12",
        ),
        (
            "meeting_record",
            "no_such_question",
            "x",
            "0",
            "no question",
        ),
        (
            "early_years_learning",
            "eyfs_areas",
            "x",
            "0",
            "no question",
        ),
        ("no_such_section", "x", "x", "0", "no question"),
        ("meeting_record", "gone_well", "x", "-1", "0 or more"),
    ] {
        let response = attempt(section, field, value, version).await;
        assert_eq!(response.status(), 422, "{section}.{field}");
        let body = response.text().await.unwrap();
        assert!(body.contains(expected), "{section}.{field}: {body}");
    }
    let stored: i64 = sql("SELECT COUNT(*) FROM pep_fields WHERE pep_id = $1 AND section IN ('attendance', 'early_years_learning') OR field = 'next_meeting'").bind(AMELIA_PEP).fetch_value(&app.db.db).await.unwrap();
    assert_eq!(stored, 0);
    let refused = call(
        &app,
        "/api/pep/section_status",
        &[
            ("pep_id", AMELIA_PEP),
            ("section", "semh"),
            ("status", "not_started"),
        ],
        Some(&teacher),
    )
    .await;
    assert_eq!(refused.status(), 422);
    // Another council's PEP, or none at all: the same answer as a child not reached.
    let missing = call(
        &app,
        "/api/pep/form",
        &[("pep_id", "no-such-pep")],
        Some(&teacher),
    )
    .await;
    assert_eq!(missing.status(), 403);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_are_saved_whole_their_actions_come_and_go_one_by_one_and_a_stale_save_gets_the_other_version()
 {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let advisor = session(&app, "daniel.reid@northdale.example", true).await;
        let form = |cookie: String| {
            let app = &app;
            async move {
                app.json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&cookie))
                    .await
            }
        };
        // The demo's three targets, with the review window and Amelia's key stage (Year 3).
        let before = form(teacher.clone()).await;
        let part = &before["targets"];
        assert_eq!(part["editable"], true, "{backend}: {part}");
        assert_eq!(part["key_stage"], 2, "{backend}");
        assert_eq!(part["rule"]["targets_per_pep"], 3);
        assert_eq!(part["targets"].as_array().unwrap().len(), 3, "{backend}");
        assert_eq!(part["targets"][1]["draft"]["need_area"], "maths");
        // The action log: each target's action with its owner and, while open, its countdown.
        let log = before["action_log"].as_array().unwrap();
        assert_eq!(log.len(), 3, "{backend}: {log:?}");
        assert!(
            log.iter()
                .all(|a| a["owner"] == "Designated teacher" && a["status"] == "open")
        );
        assert!(
            log.iter().all(|a| a["due"]["due"].is_string()),
            "{backend}: {log:?}"
        );
        assert!(
            part["window"]["next_review"].as_str().unwrap()
                > part["window"]["starts"].as_str().unwrap()
        );

        // A new target, written with two actions.
        let added: serde_json::Value = app
            .json(
                "/api/pep/add_target",
                &[("pep_id", AMELIA_PEP)],
                Some(&teacher),
            )
            .await;
        let id = added["id"].as_str().unwrap().to_string();
        assert_eq!(added["version"], 1);
        let first_action = format!("{id}-a1");
        let second_action = format!("{id}-a2");
        // Actions are added one by one with the page's ids; sent again, one is added once.
        let add_action = |action_id: String, cookie: String| {
            let (app, id) = (&app, id.clone());
            async move {
                call(
                    app,
                    "/api/pep/add_target_action",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("target_id", &id),
                        ("action_id", &action_id),
                    ],
                    Some(&cookie),
                )
                .await
                .status()
                .as_u16()
            }
        };
        assert_eq!(
            add_action(first_action.clone(), teacher.clone()).await,
            200,
            "{backend}"
        );
        assert_eq!(
            add_action(second_action.clone(), teacher.clone()).await,
            200,
            "{backend}"
        );
        assert_eq!(
            add_action(first_action.clone(), teacher.clone()).await,
            200,
            "{backend}"
        );
        // Not this target's (no id prefix), and not by someone who only reads the targets.
        assert_eq!(
            add_action(
                "demo-child-amelia-pep-2026-autumn-target-0-a9".into(),
                teacher.clone()
            )
            .await,
            422,
            "{backend}"
        );
        assert_eq!(
            add_action(format!("{id}-a3"), advisor.clone()).await,
            403,
            "{backend}"
        );
        // Their words are shared text, like the target's.
        let typed: serde_json::Value = app
            .json(
                "/api/pep/edit_text",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("section", "targets"),
                    ("field", &format!("{first_action}.description")),
                    ("base", "0"),
                    ("op", r#"["Daily sentence-building"]"#),
                    ("edit_id", "first-action-words"),
                ],
                Some(&teacher),
            )
            .await;
        assert_eq!(
            typed,
            serde_json::json!({ "outcome": "accepted", "version": 1 }),
            "{backend}"
        );
        let target = |statement: &'static str, version: &'static str, with_second: bool| {
            let mut form = vec![
                ("pep_id", AMELIA_PEP.to_string()),
                ("target_id", id.clone()),
                ("version", version.to_string()),
                ("target[need_area]", "writing".to_string()),
                (
                    "target[reason_baseline]",
                    "Writes 2 sentences unaided.".to_string(),
                ),
                ("target[statement]", statement.to_string()),
                (
                    "target[success_measure]",
                    "5 sentences in 4 of 5 pieces.".to_string(),
                ),
                ("target[target_date]", "2027-03-12".to_string()),
                ("target[override_reason]", String::new()),
                ("target[actions][0][id]", first_action.clone()),
                // Not written by a save: the words are shared text.
                (
                    "target[actions][0][description]",
                    "Words from an old page".to_string(),
                ),
                (
                    "target[actions][0][owner_role]",
                    "designated_teacher".to_string(),
                ),
                ("target[actions][0][frequency]", "daily".to_string()),
            ];
            if with_second {
                form.extend([
                    ("target[actions][1][id]", second_action.clone()),
                    (
                        "target[actions][1][description]",
                        "Write a postcard home".to_string(),
                    ),
                    ("target[actions][1][owner_role]", "carer".to_string()),
                    ("target[actions][1][frequency]", "weekly".to_string()),
                ]);
            }
            form
        };
        let save = |form: Vec<(&'static str, String)>, cookie: String| {
            let app = &app;
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                call(app, "/api/pep/save_target", &form, Some(&cookie)).await
            }
        };
        let saved: serde_json::Value = save(
            target("Amelia will write 5 sentences.", "1", true),
            teacher.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            saved,
            serde_json::json!({ "outcome": "saved", "version": 2 }),
            "{backend}"
        );
        // The same save again (a retry after a lost answer) adds nothing twice: it is stale.
        let retried: serde_json::Value = save(
            target("Amelia will write 5 sentences.", "1", true),
            teacher.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(retried["outcome"], "conflict", "{backend}: {retried}");
        assert_eq!(retried["value"]["target_date"], "2027-03-12");
        // The text parts are shared text (`pep/edit_text`): a whole save does not write them.
        assert_eq!(retried["value"]["statement"], "", "{backend}");
        assert_eq!(retried["value"]["actions"].as_array().unwrap().len(), 2);
        assert_eq!(
            retried["value"]["actions"][0]["description"], "Daily sentence-building",
            "{backend}"
        );
        assert_eq!(retried["value"]["actions"][1]["owner_role"], "carer");
        assert_eq!(retried["by"], "Sarah Whitfield");
        // Saved over version 2 by a page that lacks the carer's action (one that has not heard
        // of it yet): the action stays, for only removing it removes it.
        let trimmed: serde_json::Value = save(
            target("Amelia will write 5 sentences in a piece.", "2", false),
            teacher.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(trimmed["version"], 3, "{backend}: {trimmed}");
        let actions = || async {
            let rows: Vec<(String, Option<String>, String)> = sql(
                "SELECT id, owner_role, description FROM actions WHERE target_id = $1 ORDER BY id",
            )
            .bind(&id)
            .fetch_all(&app.db.db)
            .await
            .unwrap();
            rows
        };
        assert_eq!(
            actions().await,
            vec![
                (
                    first_action.clone(),
                    Some("designated_teacher".to_string()),
                    "Daily sentence-building".to_string()
                ),
                (
                    second_action.clone(),
                    Some("carer".to_string()),
                    String::new()
                ),
            ],
            "{backend}"
        );
        // Removed on its own (again: nothing to do); by a reader: refused.
        for (cookie, status) in [(&advisor, 403), (&teacher, 200), (&teacher, 200)] {
            let removed = call(
                &app,
                "/api/pep/remove_target_action",
                &[("pep_id", AMELIA_PEP), ("action_id", &second_action)],
                Some(cookie),
            )
            .await;
            assert_eq!(removed.status(), status, "{backend}");
        }
        assert_eq!(
            actions().await.into_iter().map(|a| a.0).collect::<Vec<_>>(),
            vec![first_action.clone()],
            "{backend}"
        );
        // Its words can no longer be written, and the page is told why.
        let (status, answer) = app
            .answer(
                "/api/pep/edit_text",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("section", "targets"),
                    ("field", &format!("{second_action}.frequency")),
                    ("base", "0"),
                    ("op", r#"["weekly"]"#),
                    ("edit_id", "removed-action-words"),
                ],
                &teacher,
            )
            .await;
        assert_eq!(status, 422, "{backend}: {answer}");
        assert!(
            answer.to_string().contains("This action has been removed"),
            "{backend}: {answer}"
        );

        // Bad parts are refused by name; an action id of another target is refused.
        let mut bad = target("x", "3", false);
        bad.retain(|(k, _)| *k != "target[need_area]");
        bad.push(("target[need_area]", "astrology".into()));
        let response = save(bad, teacher.clone()).await;
        assert_eq!(response.status(), 422, "{backend}");
        assert!(response.text().await.unwrap().contains("astrology"));
        let mut stolen = target("x", "3", false);
        stolen.retain(|(k, _)| *k != "target[actions][0][id]");
        stolen.push((
            "target[actions][0][id]",
            "demo-child-amelia-pep-2026-autumn-target-0-action".into(),
        ));
        assert_eq!(
            save(stolen, teacher.clone()).await.status(),
            422,
            "{backend}"
        );

        // The advisor may read the targets but not change them in draft.
        let read = form(advisor.clone()).await;
        assert_eq!(read["targets"]["editable"], false, "{backend}");
        assert_eq!(read["targets"]["targets"].as_array().unwrap().len(), 4);
        assert_eq!(
            save(target("x", "3", false), advisor.clone())
                .await
                .status(),
            403
        );

        // Removing needs the version on screen; then the target and its actions are gone.
        let stale = call(
            &app,
            "/api/pep/remove_target",
            &[("pep_id", AMELIA_PEP), ("target_id", &id), ("version", "2")],
            Some(&teacher),
        )
        .await;
        assert_eq!(stale.status(), 422, "{backend}");
        let removed = call(
            &app,
            "/api/pep/remove_target",
            &[("pep_id", AMELIA_PEP), ("target_id", &id), ("version", "3")],
            Some(&teacher),
        )
        .await;
        assert_eq!(removed.status(), 200, "{backend}");
        let left: i64 = sql("SELECT COUNT(*) FROM actions WHERE target_id = $1")
            .bind(&id)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(left, 0);
        let words_left: i64 = sql("SELECT COUNT(*) FROM text_edits WHERE field LIKE $1")
            .bind(format!("{id}%"))
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(words_left, 0, "{backend}");
        let audited: Vec<String> =
            sql("SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id")
                .bind(&id)
                .fetch_column(&app.db.db)
                .await
                .unwrap();
        assert_eq!(
            audited,
            vec![
                "target.added",
                "target.saved",
                "target.saved",
                "target.removed"
            ],
            "{backend}"
        );
        app.db.finish().await;
    }
}

/// The council's contributions rule: the sections it requires, not completed, stop "mark ready"
/// and "approve" until someone says why the PEP goes on without them; the reason is kept with the
/// PEP (every reader sees it) and in the audit row with the sections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_council_may_require_contributions_and_a_reason_lets_the_pep_go_on_without_them() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let rule = |sw: &'static str, carer: &'static str, young: &'static str| {
            [
                ("rule[requires_care_journey]", sw),
                ("rule[requires_carer_contribution]", carer),
                ("rule[requires_young_person_views]", young),
            ]
        };
        // Only the Virtual School sets it, and an unclear answer is refused on its field.
        let (status, _) = app
            .answer(
                "/api/council/save_contribution_rule",
                &rule("no", "yes", "yes"),
                &teacher,
            )
            .await;
        assert_eq!(status, 403, "{backend}");
        let (status, unclear) = app
            .answer(
                "/api/council/save_contribution_rule",
                &rule("no", "perhaps", "yes"),
                &head,
            )
            .await;
        assert_eq!(status, 422, "{backend}");
        assert!(
            unclear.to_string().contains("requires_carer_contribution"),
            "{unclear}"
        );
        // Before the council requires anything, nothing is missing.
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(
            form["missing_contributions"],
            serde_json::json!([]),
            "{backend}"
        );
        let (status, _) = app
            .answer(
                "/api/council/save_contribution_rule",
                &rule("no", "yes", "yes"),
                &head,
            )
            .await;
        assert_eq!(status, 200, "{backend}");
        let stored = app
            .json("/api/council/contribution_rule", &[], Some(&head))
            .await;
        assert_eq!(stored["requires_carer_contribution"], "yes", "{backend}");
        assert_eq!(stored["requires_care_journey"], "no", "{backend}");
        // Amelia's views are completed; her carer's contribution is not.
        sql("INSERT INTO pep_sections (pep_id, section, status, updated_at) VALUES ($1, 'young_person_views', 'completed', $2) ON CONFLICT (pep_id, section) DO UPDATE SET status = excluded.status").bind(AMELIA_PEP).bind(chrono::Utc::now()).execute(&app.db.db).await.unwrap().rows_affected();
        sql("INSERT INTO pep_sections (pep_id, section, status, updated_at) VALUES ($1, 'carer_contribution', 'in_progress', $2) ON CONFLICT (pep_id, section) DO UPDATE SET status = excluded.status").bind(AMELIA_PEP).bind(chrono::Utc::now()).execute(&app.db.db).await.unwrap().rows_affected();
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(
            form["missing_contributions"],
            serde_json::json!(["Carer's contribution (carer): in progress"]),
            "{backend}"
        );
        let version = |form: &serde_json::Value| form["version"].as_i64().unwrap().to_string();
        let mix = "Writing is the EHC plan's target this term.";
        let mv = |cookie: String, to: &'static str, version: String, without: &'static str| {
            let app = &app;
            async move {
                app.answer(
                    "/api/pep/change_state",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("to", to),
                        ("version", &version),
                        ("reason", if to == "ready" { mix } else { "" }),
                        ("without_reason", without),
                    ],
                    &cookie,
                )
                .await
            }
        };
        let (status, refused) = mv(teacher.clone(), "ready", version(&form), " ").await;
        assert_eq!(status, 422, "{backend}");
        let refused = refused.to_string();
        assert!(
            refused.contains("without_reason")
                && refused.contains("Carer's contribution (carer): in progress")
                && refused.contains("say why"),
            "{backend}: {refused}"
        );
        let why = "Ms Clarke was in hospital; her views were heard in the meeting.";
        let (status, moved) = mv(teacher.clone(), "ready", version(&form), why).await;
        assert_eq!(status, 200, "{backend}: {moved}");
        let ready = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        let kept = ready["went_on_without"].as_str().unwrap().to_string();
        assert!(
            kept.contains("Sarah Whitfield marked it ready without Carer's contribution")
                && kept.ends_with(why),
            "{backend}: {kept}"
        );
        let (status, _) = mv(teacher.clone(), "submitted", version(&ready), "").await;
        assert_eq!(status, 200, "{backend}");
        // The Virtual School is told the same before approving, and gives its own reason.
        let submitted = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&head))
            .await;
        assert_eq!(
            submitted["missing_contributions"],
            serde_json::json!(["Carer's contribution (carer): in progress"]),
            "{backend}"
        );
        assert!(submitted["went_on_without"].as_str().unwrap().contains(why));
        let (status, _) = mv(head.clone(), "approved", version(&submitted), "").await;
        assert_eq!(status, 422, "{backend}");
        let approve_why = "Agreed: the carer will add her part at the next review.";
        let (status, _) = mv(head.clone(), "approved", version(&submitted), approve_why).await;
        assert_eq!(status, 200, "{backend}");
        let approved: Option<String> = sql("SELECT went_on_without FROM peps WHERE id = $1")
            .bind(AMELIA_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let lines: Vec<String> = approved.unwrap().lines().map(String::from).collect();
        assert_eq!(lines.len(), 2, "{backend}: {lines:?}");
        assert!(lines[0].ends_with(why) && lines[1].ends_with(approve_why));
        assert!(lines[1].contains("approved it without Carer's contribution"));
        let audited: Vec<String> = sql("SELECT detail_json FROM audit_events WHERE pep_id = $1 AND action = 'pep.state_changed' AND actor_id IS NOT NULL ORDER BY revision").bind(AMELIA_PEP).fetch_column(&app.db.db).await.unwrap();
        let details: Vec<serde_json::Value> = audited
            .iter()
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        let ready_row = details.iter().find(|d| d["to"] == "ready").unwrap();
        assert_eq!(
            ready_row["went_on_without"],
            serde_json::json!(["carer_contribution"]),
            "{backend}"
        );
        assert_eq!(ready_row["without_reason"], why);
        let submitted_row = details.iter().find(|d| d["to"] == "submitted").unwrap();
        assert_eq!(submitted_row["went_on_without"], serde_json::json!([]));
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_checks_the_targets_needs_a_reason_to_return_and_locks_an_approved_pep() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let advisor = session(&app, "daniel.reid@northdale.example", true).await;
        let version = || async {
            let v: i64 = sql("SELECT version FROM peps WHERE id = $1")
                .bind(AMELIA_PEP)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
            v.to_string()
        };
        let mv = |cookie: String, to: &'static str, version: String, reason: &'static str| {
            let app = &app;
            async move {
                call(
                    app,
                    "/api/pep/change_state",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("to", to),
                        ("version", &version),
                        ("reason", reason),
                        ("without_reason", ""),
                    ],
                    Some(&cookie),
                )
                .await
            }
        };

        // The status of a move from the PEP's current version.
        let moved = |cookie: String, to: &'static str, reason: &'static str| {
            let (mv, version) = (&mv, &version);
            async move {
                mv(cookie, to, version().await, reason)
                    .await
                    .status()
                    .as_u16()
            }
        };

        // The demo's targets miss writing at key stage 2: the teacher is told before trying.
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(
            form["steps"][0]["to"], "ready",
            "{backend}: {}",
            form["steps"]
        );
        assert_eq!(
            form["ready_problems"],
            serde_json::json!(["At key stage 2 one target must be about writing"]),
            "{backend}"
        );
        let blocked = mv(teacher.clone(), "ready", version().await, "").await;
        assert_eq!(blocked.status(), 422, "{backend}");
        assert!(blocked.text().await.unwrap().contains("about writing"));
        // With the reason the targets stand, it is ready; the reason is kept for QA.
        let stale = version().await;
        let ready = mv(
            teacher.clone(),
            "ready",
            stale.clone(),
            "Writing is the EHC plan's target this term.",
        )
        .await;
        assert_eq!(ready.status(), 200, "{backend}");
        let kept: String =
            sql("SELECT value FROM pep_fields WHERE pep_id = $1 AND field = 'mix_override_reason'")
                .bind(AMELIA_PEP)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
        assert_eq!(kept, "Writing is the EHC plan's target this term.");
        // A page opened before that move cannot move it again.
        let twice = mv(teacher.clone(), "submitted", stale, "").await;
        assert_eq!(twice.status(), 422, "{backend}");
        assert!(twice.text().await.unwrap().contains("moved this PEP on"));
        assert_eq!(
            moved(teacher.clone(), "submitted", "").await,
            200,
            "{backend}"
        );
        // Only the Virtual School approves or returns, and a return needs its reason.
        assert_eq!(
            moved(teacher.clone(), "approved", "").await,
            403,
            "{backend}"
        );
        let no_reason = mv(advisor.clone(), "returned", version().await, " ").await;
        assert_eq!(no_reason.status(), 422, "{backend}");
        assert!(no_reason.text().await.unwrap().contains("Say why"));
        let reason = "Target 3 needs a baseline from the behaviour log.";
        assert_eq!(
            moved(advisor.clone(), "returned", reason).await,
            200,
            "{backend}"
        );
        let returned = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(returned["state"], "returned", "{backend}");
        assert_eq!(returned["returned_reason"], reason);
        assert_eq!(returned["steps"][0]["to"], "ready");
        // Amended and resubmitted (the kept reason still covers the mix rule), then approved.
        assert_eq!(moved(teacher.clone(), "ready", "").await, 200, "{backend}");
        assert_eq!(
            moved(teacher.clone(), "submitted", "").await,
            200,
            "{backend}"
        );
        assert_eq!(
            moved(advisor.clone(), "approved", "").await,
            200,
            "{backend}"
        );
        let approved = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(approved["steps"], serde_json::json!([]), "{backend}");
        assert!(
            approved["sections"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["editable"] == false)
        );
        let locked = call(
            &app,
            "/api/pep/save_field",
            &[
                ("pep_id", AMELIA_PEP),
                ("section", "meeting_record"),
                ("field", "gone_well"),
                ("value", "x"),
                ("version", "1"),
            ],
            Some(&teacher),
        )
        .await;
        assert_eq!(locked.status(), 403, "{backend}");
        let moves: Vec<String> = sql("SELECT detail_json FROM audit_events WHERE pep_id = $1 AND action = 'pep.state_changed' AND actor_id IS NOT NULL ORDER BY revision").bind(AMELIA_PEP).fetch_column(&app.db.db).await.unwrap();
        let path: Vec<String> = moves
            .iter()
            .map(|d| {
                serde_json::from_str::<serde_json::Value>(d).unwrap()["to"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            path,
            vec![
                "draft",
                "ready",
                "submitted",
                "returned",
                "ready",
                "submitted",
                "approved"
            ],
            "{backend}"
        );
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_peps_targets_are_evaluated_before_new_ones_in_the_same_area() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let advisor = session(&app, "daniel.reid@northdale.example", true).await;
        let previous_maths = "demo-child-amelia-pep-2025-summer-target-1";
        {
            sql("UPDATE targets SET evaluation = NULL, evaluation_evidence = NULL WHERE id = $1")
                .bind(previous_maths)
                .execute(&app.db.db)
                .await
                .unwrap();
        };
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        let part = &form["targets"];
        assert_eq!(
            part["previous_title"], "Summer 2025/26 termly review",
            "{backend}"
        );
        assert_eq!(part["previous"].as_array().unwrap().len(), 3);
        assert_eq!(part["previous"][1]["evaluation"], "");
        assert_eq!(part["previous"][2]["evaluation"], "not_achieved");
        let problems = form["ready_problems"].to_string();
        assert!(
            problems.contains("Target 2: Evaluate last PEP's Maths target"),
            "{backend}: {problems}"
        );

        let evaluate = |cookie: String,
                        target: &'static str,
                        version: &'static str,
                        evaluation: &'static str| {
            let app = &app;
            async move {
                call(
                    app,
                    "/api/pep/evaluate_target",
                    &[
                        ("pep_id", AMELIA_PEP),
                        ("target_id", target),
                        ("version", version),
                        ("evaluation[evaluation]", evaluation),
                        (
                            "evaluation[evidence]",
                            "18 of 25 on the multiplication check in November.",
                        ),
                    ],
                    Some(&cookie),
                )
                .await
            }
        };
        assert_eq!(
            evaluate(advisor.clone(), previous_maths, "1", "partly")
                .await
                .status(),
            403,
            "{backend}"
        );
        assert_eq!(
            evaluate(teacher.clone(), previous_maths, "1", "sort of")
                .await
                .status(),
            422
        );
        // A target of this PEP is not last PEP's to evaluate.
        assert_eq!(
            evaluate(
                teacher.clone(),
                "demo-child-amelia-pep-2026-autumn-target-1",
                "1",
                "partly"
            )
            .await
            .status(),
            403
        );
        let saved: serde_json::Value = evaluate(teacher.clone(), previous_maths, "1", "partly")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            saved,
            serde_json::json!({ "outcome": "saved", "version": 2 }),
            "{backend}"
        );
        let stale: serde_json::Value = evaluate(teacher.clone(), previous_maths, "1", "achieved")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stale["outcome"], "conflict");
        assert_eq!(stale["value"]["evaluation"], "partly");
        let after = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert!(
            !after["ready_problems"]
                .to_string()
                .contains("Evaluate last PEP"),
            "{backend}: {}",
            after["ready_problems"]
        );

        // Last PEP's actions still open come forward into this PEP's action log; done ones stay.
        {
            sql("UPDATE actions SET status = 'open' WHERE id = $1")
                .bind(format!("{previous_maths}-action"))
                .execute(&app.db.db)
                .await
                .unwrap();
        };
        let log = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await["action_log"]
            .clone();
        let carried: Vec<&serde_json::Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["from_last_pep"] == true)
            .collect();
        assert_eq!(carried.len(), 1, "{backend}: {log}");
        assert_eq!(carried[0]["status"], "open");
        assert_eq!(log.as_array().unwrap().len(), 4, "{backend}: {log}");
        app.db.finish().await;
    }
}
