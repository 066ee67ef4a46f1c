//! Invitations by email, and registering from one.

use super::support::{TestApp, TestDb, spawn_app};
use super::support::{call, session};
use app::infra::sql::sql;
use server::demo::seed;

const HEAD: &str = "helen.okafor@northdale.example";

async fn demo_app() -> TestApp {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    spawn_app(db).await
}

/// The code from the newest invitation email to `to`.
fn code_from_email(app: &TestApp, to: &str) -> String {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(app.db.mail_folder()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if text.contains(&format!("To: {to}\r\n")) {
            found.push(text);
        }
    }
    assert_eq!(found.len(), 1, "one email to {to}");
    let text = &found[0];
    assert!(text.contains("Subject: You are invited to ePEP"), "{text}");
    let link = text
        .lines()
        .find(|l| l.contains("/register?code="))
        .expect("a register link");
    link.split("code=").nth(1).unwrap().trim().to_string()
}

async fn register(app: &TestApp, code: &str, name: &str, password: &str) -> reqwest::Response {
    call(
        app,
        "/api/invitations/register",
        &[
            ("code", code),
            ("display_name", name),
            ("password", password),
        ],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_social_worker_registers_once_and_must_set_up_a_second_factor() {
    let app = demo_app().await;
    let head = session(&app, HEAD, true).await;
    let invited = call(
        &app,
        "/api/invitations/create",
        &[
            ("email", "Sam.Okoro@Northdale.example"),
            ("role", "social_worker"),
        ],
        Some(&head),
    )
    .await;
    assert_eq!(invited.status(), 200, "{}", invited.text().await.unwrap());
    let code = code_from_email(&app, "sam.okoro@northdale.example");

    let common = register(&app, &code, "Sam Okoro", "liverpool").await;
    assert_eq!(common.status(), 422);
    assert!(common.text().await.unwrap().contains("too common"));
    let short = register(&app, &code, "Sam Okoro", "short").await;
    assert_eq!(short.status(), 422);
    let no_name = register(&app, &code, " ", "a long and unusual passphrase").await;
    assert!(no_name.text().await.unwrap().contains("Enter your name"));

    let ok = register(&app, &code, "Sam Okoro", "kettle orbit wander 42").await;
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("epep_session=")
    );
    let outcome: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(outcome["user"]["role"], "social_worker");
    assert_eq!(outcome["next"], "/second-factor/setup");

    let again = register(&app, &code, "Someone Else", "kettle orbit wander 42").await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("already been used"));
    let wrong = register(&app, "not-a-code", "Sam Okoro", "kettle orbit wander 42").await;
    assert!(wrong.text().await.unwrap().contains("not right"));

    let events: i64 = sql("SELECT COUNT(*) FROM audit_events WHERE action IN ('invitation.created', 'user.registered')").fetch_value(&app.db.db).await.unwrap();
    assert_eq!(events, 2);
    // Inviting the same address again is refused: the person has an account now.
    let twice = call(
        &app,
        "/api/invitations/create",
        &[("email", "sam.okoro@northdale.example"), ("role", "carer")],
        Some(&head),
    )
    .await;
    assert_eq!(twice.status(), 422);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_invitation_says_when_it_expired() {
    let app = demo_app().await;
    let head = session(&app, HEAD, true).await;
    call(
        &app,
        "/api/invitations/create",
        &[("email", "late@example.org"), ("role", "carer")],
        Some(&head),
    )
    .await;
    let code = code_from_email(&app, "late@example.org");
    sql("UPDATE invitations SET expires_at = $1")
        .bind(chrono::Utc::now() - chrono::Duration::days(1))
        .execute(&app.db.db)
        .await
        .map(|_| ())
        .unwrap();
    let response = register(&app, &code, "Late Carer", "kettle orbit wander 42").await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("expired on"));
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_designated_teacher_invites_only_colleagues_for_their_own_school() {
    let app = demo_app().await;
    let teacher = session(&app, "i.hussain@riverside.example", true).await;
    let invite = |school: &'static str| {
        let app = &app;
        let teacher = teacher.clone();
        async move {
            call(
                app,
                "/api/invitations/create",
                &[
                    ("email", "deputy@riverside.example"),
                    ("role", "designated_teacher"),
                    ("school_id", school),
                ],
                Some(&teacher),
            )
            .await
        }
    };
    let elsewhere = invite("demo-school-brookfield").await;
    assert_eq!(
        elsewhere.status(),
        422,
        "another school is refused, not swapped for their own"
    );
    assert!(
        elsewhere
            .text()
            .await
            .unwrap()
            .contains("your own school only")
    );
    let stored: i64 =
        sql("SELECT COUNT(*) FROM invitations WHERE email = 'deputy@riverside.example'")
            .fetch_value(&app.db.db)
            .await
            .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(invite("").await.status(), 200, "no school named: their own");
    let school: Option<String> =
        sql("SELECT school_id FROM invitations WHERE email = 'deputy@riverside.example'")
            .fetch_value(&app.db.db)
            .await
            .unwrap();
    assert_eq!(school.as_deref(), Some("demo-school-riverside"));
    let social_worker = call(
        &app,
        "/api/invitations/create",
        &[("email", "sw@example.org"), ("role", "social_worker")],
        Some(&teacher),
    )
    .await;
    assert_eq!(social_worker.status(), 403);
    app.db.finish().await;
}
