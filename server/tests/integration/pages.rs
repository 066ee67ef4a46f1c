//! Pages as a browser gets them from the server: refusals answer the API's status, and saved text
//! is text in the page whatever it holds.

use super::support::seeded_apps;
use super::support::session;
use super::support::{TestApp, TestDb, spawn_app};
use app::infra::sql::sql;
use server::demo::seed;

const LINDA: &str = "linda.bennett@example.com";
const TOM: &str = "tom.gallagher@northdale.example";
const JAYDEN_PEP: &str = "demo-child-jayden-pep-2026-autumn";
const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The carer saves markup into her part; the social worker's page shows it as text inside the
/// textarea (the browser test checks the page also hydrates and does not navigate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_markup_is_text_in_the_page_of_everyone_who_reads_it() {
    for app in seeded_apps().await {
        let linda = session(&app, LINDA, true).await;
        let hostile = "Reads nightly </textarea><meta http-equiv=\"refresh\" content=\"0;url=https://example.org\"><!-- ]]> </script>";
        let (status, saved) = app
            .answer(
                "/api/pep/save_field",
                &[
                    ("pep_id", JAYDEN_PEP),
                    ("section", "carer_contribution"),
                    ("field", "support_at_home"),
                    ("value", hostile),
                    ("version", &current_version(&app).await.to_string()),
                ],
                &linda,
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        let tom = session(&app, TOM, true).await;
        for (who, cookie) in [("carer", &linda), ("social worker", &tom)] {
            let (status, html) = page(&app, &format!("/peps/{JAYDEN_PEP}"), Some(cookie)).await;
            assert_eq!(status, 200, "{who}");
            assert!(
                !html.contains("<meta http-equiv=\"refresh\""),
                "{who}: markup in the page"
            );
            assert!(
                html.contains("Reads nightly &lt;/textarea&gt;&lt;meta http-equiv=\"refresh\""),
                "{who}: the text, escaped, inside its textarea"
            );
        }
        app.db.finish().await;
    }
}

/// A page that refuses the person answers 403 as its API does, with the refusal in words and the
/// page's own headers (the CSP its hydration needs); the same page for someone it is for is 200.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusal_pages_answer_403_and_pages_for_the_person_200() {
    for app in seeded_apps().await {
        let linda = session(&app, LINDA, true).await;
        let teacher = session(&app, "m.osei@northdale-high.example", true).await;
        let cases: [(&str, &str, &String, u16); 8] = [
            (
                "Linda's own child's PEP",
                "/peps/demo-child-jayden-pep-2026-autumn",
                &linda,
                200,
            ),
            (
                "a PEP of a child not hers",
                &format!("/peps/{AMELIA_PEP}"),
                &linda,
                403,
            ),
            (
                "a PEP that does not exist",
                "/peps/no-such-pep",
                &linda,
                403,
            ),
            (
                "her own child's record",
                "/children/demo-child-jayden",
                &linda,
                200,
            ),
            (
                "a child not hers",
                "/children/demo-child-amelia",
                &linda,
                403,
            ),
            (
                "the register of her own child",
                "/children/demo-child-jayden/edit",
                &linda,
                403,
            ),
            ("the People page", "/people", &teacher, 403),
            ("the dashboard", "/dashboard", &teacher, 403),
        ];
        for (what, path, cookie, expected) in cases {
            let response = app
                .client
                .get(format!("{}{path}", app.base))
                .header("cookie", cookie.as_str())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let csp = response.headers().get("content-security-policy").is_some();
            let html = response.text().await.unwrap();
            assert_eq!(status, expected, "{what} ({path})");
            assert!(csp, "{what}: the page keeps its CSP header");
            assert!(html.contains("</html>"), "{what}: the whole page is sent");
            let refusal_words = [
                "You are not assigned to this child",
                "Only the Virtual School and the child's social worker change the register",
                "Only Virtual School staff can use this page",
                "The dashboard is for Virtual School staff",
            ];
            assert_eq!(
                refusal_words.iter().any(|words| html.contains(words)),
                expected == 403,
                "{what}: the refusal in words exactly when refused"
            );
        }
        // Signed out is not a refusal: the page asks the person to sign in.
        let (status, _) = page(&app, &format!("/peps/{AMELIA_PEP}"), None).await;
        assert_eq!(status, 200);
        app.db.finish().await;
    }
}

async fn current_version(app: &TestApp) -> i64 {
    super::support::field_version(app, JAYDEN_PEP, "carer_contribution", "support_at_home").await
}

/// Finished work shows no countdown: every section of an approved PEP, and a completed section of
/// one being written; and no section is due after the PEP's own date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_work_has_no_countdown_and_no_part_is_due_after_the_pep() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
    let form = |pep: &'static str| {
        let app = &app;
        let teacher = teacher.clone();
        async move {
            app.json("/api/pep/form", &[("pep_id", pep)], Some(&teacher))
                .await
        }
    };
    let approved = form("demo-child-amelia-pep-2025-summer").await;
    assert_eq!(approved["state"], "approved");
    for section in approved["sections"].as_array().unwrap() {
        assert!(section["due"].is_null(), "approved: {}", section["key"]);
        // The demo's finished PEPs were finished: not "0 of 13 sections completed".
        assert_eq!(
            section["status"], "completed",
            "approved: {}",
            section["key"]
        );
    }
    let (status, _) = app
        .answer(
            "/api/pep/section_status",
            &[
                ("pep_id", AMELIA_PEP),
                ("section", "attendance"),
                ("status", "completed"),
            ],
            &teacher,
        )
        .await;
    assert_eq!(status, 200);
    let draft = form(AMELIA_PEP).await;
    let pep_due: chrono::NaiveDate = sql("SELECT due_on FROM peps WHERE id = $1")
        .bind(AMELIA_PEP)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
    let pep_due = Some(pep_due.to_string());
    let mut completed = 0;
    for section in draft["sections"].as_array().unwrap() {
        if section["status"] == "completed" {
            completed += 1;
            assert!(section["due"].is_null(), "completed: {}", section["key"]);
        } else if let (Some(due), Some(pep_due)) = (section["due"]["due"].as_str(), &pep_due) {
            assert!(
                due <= pep_due.as_str(),
                "{} due {due}, after the PEP's {pep_due}",
                section["key"]
            );
        }
    }
    assert!(
        completed > 0,
        "the demo has a completed section on Amelia's PEP"
    );
    app.db.finish().await;
}

/// The calendars page, loaded again and again, always renders both of its parts on the server
/// (about one load in four failed: a nested resource ran without the database in its context).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendars_page_renders_whole_every_time() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let head = session(&app, "helen.okafor@northdale.example", true).await;
    for n in 0..24 {
        let (status, html) =
            page(&app, "/calendars?school=demo-school-riverside", Some(&head)).await;
        assert_eq!(status, 200, "load {n}");
        assert!(
            html.contains("Countdowns skip the government"),
            "load {n}: bank holidays missing"
        );
        assert!(
            html.contains("Riverside Academy"),
            "load {n}: the calendar missing"
        );
        assert!(!html.contains("Something went wrong"), "load {n}");
    }
    app.db.finish().await;
}
