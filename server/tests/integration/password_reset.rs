//! Password reset by single-use link: no account enumeration, sessions end, second factor stays.

use super::support::TestApp;
use super::support::call;
use super::support::seeded_apps;
use server::demo::DEMO_PASSWORD;

const TEACHER: &str = "s.whitfield@brookfield.example";

fn emails_to(app: &TestApp, to: &str) -> Vec<String> {
    std::fs::read_dir(app.db.mail_folder())
        .map(|entries| {
            entries
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .filter(|text| text.contains(&format!("To: {to}\r\n")))
                .collect()
        })
        .unwrap_or_default()
}

fn token_from(email: &str) -> String {
    let link = email
        .lines()
        .find(|l| l.contains("/reset-password?token="))
        .expect("a reset link");
    link.split("token=").nth(1).unwrap().trim().to_string()
}

async fn sign_in(app: &TestApp, password: &str) -> reqwest::Response {
    call(
        app,
        "/api/auth/sign_in",
        &[("email", TEACHER), ("password", password)],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_changes_the_password_once_ends_sessions_and_keeps_the_second_factor() {
    for app in seeded_apps().await {
        let old_session = sign_in(&app, DEMO_PASSWORD).await;
        let old_cookie = old_session.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();

        // Unknown and known addresses get the same answer; only the known one gets an email.
        let unknown = call(
            &app,
            "/api/auth/request_password_reset",
            &[("email", "nobody@example.org")],
            None,
        )
        .await;
        let known = call(
            &app,
            "/api/auth/request_password_reset",
            &[("email", "S.Whitfield@brookfield.example")],
            None,
        )
        .await;
        assert_eq!(unknown.status(), 200);
        assert_eq!(known.status(), 200);
        assert_eq!(unknown.text().await.unwrap(), known.text().await.unwrap());
        assert!(emails_to(&app, "nobody@example.org").is_empty());
        let emails = emails_to(&app, TEACHER);
        assert_eq!(emails.len(), 1);
        let token = token_from(&emails[0]);

        let common = call(
            &app,
            "/api/auth/reset_password",
            &[("token", &token), ("password", "password")],
            None,
        )
        .await;
        assert_eq!(common.status(), 422);
        let ok = call(
            &app,
            "/api/auth/reset_password",
            &[("token", &token), ("password", "lantern meadow cobalt 7")],
            None,
        )
        .await;
        assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());
        let reused = call(
            &app,
            "/api/auth/reset_password",
            &[("token", &token), ("password", "another good passphrase")],
            None,
        )
        .await;
        assert_eq!(reused.status(), 422);

        assert_eq!(
            call(&app, "/api/auth/my_sessions", &[], Some(&old_cookie))
                .await
                .status(),
            401,
            "old sessions end"
        );
        assert_eq!(
            sign_in(&app, DEMO_PASSWORD).await.status(),
            401,
            "the old password no longer works"
        );
        let new = sign_in(&app, "lantern meadow cobalt 7").await;
        assert_eq!(new.status(), 200);
        let outcome: serde_json::Value = new.json().await.unwrap();
        assert_eq!(
            outcome["next"], "/second-factor",
            "a reset does not skip the second factor"
        );
        app.db.finish().await;
    }
}
