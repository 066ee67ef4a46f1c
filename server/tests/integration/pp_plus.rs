//! PP+ over HTTP: requests saved with their target (a half-written one kept, money that does not
//! read refused by field), the child's allocation for the PEP's financial year less the child's
//! other PEPs of that year, the Virtual School's decision at a version (a reason to decline, never
//! past the allocation), and a changed request sent back for a new decision.

use super::support::TestApp;
use super::support::seeded_apps;
use super::support::session;
use app::infra::sql::sql;

const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";
const AMELIA_LAST_PEP: &str = "demo-child-amelia-pep-2025-summer";

/// A save of the target as the form holds it, with `requests` as its PP+ lines:
/// (id, item, provider, cost per session, sessions a week, weeks).
pub(super) fn target_form(
    target: &serde_json::Value,
    version: i64,
    requests: &[(&str, &str, &str, &str, &str, &str)],
) -> Vec<(String, String)> {
    let draft = &target["draft"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut form = vec![
        ("pep_id".to_string(), AMELIA_PEP.to_string()),
        ("target_id".to_string(), text(&target["id"])),
        ("version".to_string(), version.to_string()),
    ];
    for part in [
        "need_area",
        "reason_baseline",
        "statement",
        "success_measure",
        "target_date",
        "override_reason",
    ] {
        form.push((format!("target[{part}]"), text(&draft[part])));
    }
    for (n, action) in draft["actions"].as_array().unwrap().iter().enumerate() {
        for part in ["id", "description", "owner_role", "frequency"] {
            form.push((format!("target[actions][{n}][{part}]"), text(&action[part])));
        }
    }
    for (n, (id, item, provider, unit_cost, sessions, weeks)) in requests.iter().enumerate() {
        for (part, value) in [
            ("id", id),
            ("item", item),
            ("provider", provider),
            ("unit_cost", unit_cost),
            ("sessions", sessions),
            ("weeks", weeks),
        ] {
            form.push((format!("target[pp_plus][{n}][{part}]"), value.to_string()));
        }
    }
    form
}

async fn post(
    app: &TestApp,
    path: &str,
    form: &[(String, String)],
    cookie: &str,
) -> (u16, serde_json::Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.answer(path, &form, cookie).await
}

async fn decide(
    app: &TestApp,
    cookie: &str,
    request_id: &str,
    version: i64,
    decision: &str,
    reason: &str,
) -> (u16, serde_json::Value) {
    let form = [
        ("pep_id", AMELIA_PEP),
        ("request_id", request_id),
        ("version", &version.to_string()),
        ("decision", decision),
        ("reason", reason),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    post(app, "/api/pep/decide_pp_plus", &form, cookie).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pp_plus_requests_are_itemised_decided_by_the_virtual_school_and_kept_within_the_allocation()
 {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let advisor = session(&app, "daniel.reid@northdale.example", true).await;
        let social_worker = session(&app, "priya.sharma@northdale.example", true).await;
        let targets = |cookie: String| {
            let app = &app;
            async move {
                app.json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&cookie))
                    .await["targets"]
                    .clone()
            }
        };

        // Amelia's autumn 2026 PEP falls in April 2026 to March 2027, with nothing asked yet.
        let part = targets(teacher.clone()).await;
        assert_eq!(
            part["pp_plus"],
            serde_json::json!({ "financial_year": 2026, "allocation_pence": 257000, "committed_elsewhere_pence": 0 }),
            "{backend}"
        );
        assert_eq!(part["decides_pp_plus"], false);
        assert_eq!(
            targets(advisor.clone()).await["decides_pp_plus"],
            true,
            "{backend}"
        );
        let maths = part["targets"][1].clone();
        let maths_id = maths["id"].as_str().unwrap().to_string();
        let request_id = format!("{maths_id}-p1");
        let version = maths["version"].as_i64().unwrap();
        // Saves the maths target at `at` with one tuition request as given.
        let tuition = |at: i64,
                       provider: &'static str,
                       unit: &'static str,
                       sessions: &'static str,
                       weeks: &'static str| {
            let (app, maths, request_id, teacher) = (&app, &maths, &request_id, &teacher);
            async move {
                let form = target_form(
                    maths,
                    at,
                    &[(
                        request_id,
                        "1:1 maths tuition",
                        provider,
                        unit,
                        sessions,
                        weeks,
                    )],
                );
                post(app, "/api/pep/save_target", &form, teacher).await
            }
        };

        // A half-written request is kept as it is; money that does not read is refused by field.
        assert_eq!(
            tuition(version, "", "45.50", "", "").await.0,
            200,
            "{backend}"
        );
        let (status, body) = tuition(version + 1, "Northdale Tutors", "45,5O", "2", "10").await;
        assert_eq!(status, 422, "{backend}: {body}");
        assert!(
            body.to_string()
                .contains("PP+ request 1: “45,5O” is not an amount in pounds"),
            "{backend}: {body}"
        );
        let foreign = target_form(
            &maths,
            version + 1,
            &[("someone-elses-target-p1", "Laptop", "Shop", "400", "1", "1")],
        );
        assert_eq!(
            post(&app, "/api/pep/save_target", &foreign, &teacher)
                .await
                .0,
            422,
            "{backend}"
        );
        let stored = &targets(teacher.clone()).await["targets"][1]["draft"]["pp_plus"];
        assert_eq!(stored.as_array().unwrap().len(), 1, "{backend}: {stored}");
        assert_eq!(stored[0]["unit_cost"], "45.50");
        assert_eq!(stored[0]["provider"], "");
        assert_eq!(stored[0]["status"], "requested");

        // Itemised: £45.50 × 2 a week × 10 weeks.
        assert_eq!(
            tuition(version + 1, "Northdale Tutors", "£45.50", "2", "10")
                .await
                .0,
            200,
            "{backend}"
        );
        let request = targets(advisor.clone()).await["targets"][1]["draft"]["pp_plus"][0].clone();
        let request_version = request["version"].as_i64().unwrap();

        // Only the Virtual School decides; declining needs a reason; a stale version is refused.
        assert_eq!(
            decide(&app, &teacher, &request_id, request_version, "approved", "")
                .await
                .0,
            403,
            "{backend}"
        );
        assert_eq!(
            decide(
                &app,
                &social_worker,
                &request_id,
                request_version,
                "approved",
                ""
            )
            .await
            .0,
            403,
            "{backend}"
        );
        let (status, body) = decide(
            &app,
            &advisor,
            &request_id,
            request_version,
            "declined",
            " ",
        )
        .await;
        assert_eq!(status, 422, "{backend}");
        assert!(
            body.to_string().contains("Say why the request is declined"),
            "{body}"
        );
        let (status, declined_version) = decide(
            &app,
            &advisor,
            &request_id,
            request_version,
            "declined",
            "Ask the school's tutor first",
        )
        .await;
        assert_eq!(status, 200, "{backend}");
        let (status, body) =
            decide(&app, &advisor, &request_id, request_version, "approved", "").await;
        assert_eq!(status, 422, "{backend}");
        assert!(
            body.to_string()
                .contains("changed since you opened the page"),
            "{body}"
        );
        let seen = targets(teacher.clone()).await["targets"][1]["draft"]["pp_plus"][0].clone();
        assert_eq!(
            (seen["status"].as_str(), seen["decision_reason"].as_str()),
            (Some("declined"), Some("Ask the school's tutor first")),
            "{backend}"
        );
        let approved_version = decide(
            &app,
            &advisor,
            &request_id,
            declined_version.as_i64().unwrap(),
            "approved",
            "",
        )
        .await;
        assert_eq!(approved_version.0, 200, "{backend}");

        // Saved again unchanged ("45.50" is "£45.50"), the decision stands; a change sends it back.
        assert_eq!(
            tuition(version + 2, "Northdale Tutors", "45.50", "2", "10")
                .await
                .0,
            200,
            "{backend}"
        );
        assert_eq!(
            targets(teacher.clone()).await["targets"][1]["draft"]["pp_plus"][0]["status"],
            "approved",
            "{backend}"
        );
        assert_eq!(
            tuition(version + 3, "Northdale Tutors", "45.50", "2", "12")
                .await
                .0,
            200,
            "{backend}"
        );
        let changed = targets(teacher.clone()).await["targets"][1]["draft"]["pp_plus"][0].clone();
        assert_eq!(
            (
                changed["status"].as_str(),
                changed["decision_reason"].as_str()
            ),
            (Some("requested"), Some("")),
            "{backend}"
        );

        // The child's last PEP (summer 2026, the same financial year) was given £1,500.
        let (last_target, now): (String, _) = (
            sql("SELECT id FROM targets WHERE pep_id = $1 ORDER BY position LIMIT 1")
                .bind(AMELIA_LAST_PEP)
                .fetch_value(&app.db.db)
                .await
                .unwrap(),
            chrono::Utc::now(),
        );
        {
            sql("INSERT INTO pp_plus_requests (id, pep_id, target_id, position, item, provider, unit_cost_pence, sessions, weeks, status, created_at, updated_at) VALUES ($1, $2, $3, 0, 'Reading tutor', 'Tutors', 15000, 1, 10, 'approved', $4, $4)")
                .bind(format!("{last_target}-p1")).bind(AMELIA_LAST_PEP).bind(&last_target).bind(now)
                .execute(&app.db.db).await.unwrap();
        };
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert_eq!(
            form["targets"]["pp_plus"]["committed_elsewhere_pence"], 150000,
            "{backend}"
        );
        // £45.50 × 2 × 12 = £1,092 fits in the £1,070 left? No: the PEP cannot be marked ready.
        let problems = form["ready_problems"].to_string();
        assert!(
            problems.contains("This PEP asks for £1,092.00 of PP+, but only £1,070.00 is left of the child's £2,570.00 for April 2026 to March 2027"),
            "{backend}: {problems}"
        );
        // Nor can the Virtual School approve past the allocation.
        let request = form["targets"]["targets"][1]["draft"]["pp_plus"][0].clone();
        let (status, body) = decide(
            &app,
            &advisor,
            &request_id,
            request["version"].as_i64().unwrap(),
            "approved",
            "",
        )
        .await;
        assert_eq!(status, 422, "{backend}: {body}");
        assert!(body.to_string().contains("would give the child £2,592.00 of PP+ for April 2026 to March 2027, over the £2,570.00 allocation"), "{backend}: {body}");
        // Ten weeks fit.
        assert_eq!(
            tuition(version + 4, "Northdale Tutors", "45.50", "2", "10")
                .await
                .0,
            200,
            "{backend}"
        );
        let form = app
            .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(&teacher))
            .await;
        assert!(
            !form["ready_problems"].to_string().contains("PP+"),
            "{backend}: {}",
            form["ready_problems"]
        );

        // A council that gives more says so in its policy.
        {
            sql("INSERT INTO council_policies (council_id, key, value_json, updated_at) VALUES ('demo-council', 'pp_plus', '{\"allocation_pence\": 300000}', $1)")
                .bind(now).execute(&app.db.db).await.unwrap();
        };
        assert_eq!(
            targets(teacher.clone()).await["pp_plus"]["allocation_pence"],
            300000,
            "{backend}"
        );

        // Each decision is audited with the amount, never the words.
        let audited: Vec<String> = sql(
            "SELECT detail_json FROM audit_events WHERE action = 'pp_plus.decided' ORDER BY id",
        )
        .fetch_column(&app.db.db)
        .await
        .unwrap();
        assert_eq!(audited.len(), 2, "{backend}: {audited:?}");
        assert!(
            audited[0].contains("declined") && audited[0].contains("91000"),
            "{audited:?}"
        );
        assert!(!audited[0].contains("tutor"), "{audited:?}");
        app.db.finish().await;
    }
}
