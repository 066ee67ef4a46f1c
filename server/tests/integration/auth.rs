//! Signing in and out over HTTP, as the browser's server-function calls do it.

use super::support::{TestApp, TestDb, spawn_app};
use app::infra::sql::sql;
use server::demo::{DEMO_PASSWORD, seed};

const TEACHER: &str = "s.whitfield@brookfield.example";

async fn demo_app(db: TestDb) -> TestApp {
    seed(&db.db).await.unwrap();
    spawn_app(db).await
}

/// Calls an `/api/auth/…` server function.
async fn auth_call(
    app: &TestApp,
    endpoint: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    app.call(&format!("/api/auth/{endpoint}"), form, cookie)
        .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    auth_call(
        app,
        "sign_in",
        &[("email", email), ("password", password)],
        None,
    )
    .await
}

/// "epep_session=TOKEN" from a response's Set-Cookie.
fn session_cookie(response: &reqwest::Response) -> String {
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    set_cookie.split(';').next().unwrap().to_string()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sql("SELECT COUNT(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_value::<i64>(&app.db.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_starts_a_session_that_knows_the_person() {
    for db in TestDb::each_backend().await {
        let app = demo_app(db).await;
        let response = sign_in(&app, "S.Whitfield@Brookfield.example ", DEMO_PASSWORD).await;
        assert_eq!(response.status(), 200, "{}", app.db.db.backend_name());
        let cookie = session_cookie(&response);
        assert!(cookie.starts_with("epep_session="), "{cookie}");
        let outcome: serde_json::Value = response.json().await.unwrap();
        assert_eq!(outcome["user"]["display_name"], "Sarah Whitfield");
        assert_eq!(
            outcome["user"]["second_factor_pending"], true,
            "a designated teacher needs a second factor"
        );
        assert_eq!(outcome["next"], "/second-factor");

        let me: serde_json::Value = auth_call(&app, "who_am_i", &[], Some(&cookie))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], "designated_teacher");
        let sessions = auth_call(&app, "my_sessions", &[], Some(&cookie)).await;
        assert_eq!(sessions.status(), 200);
        let sessions: serde_json::Value = sessions.json().await.unwrap();
        assert_eq!(sessions.as_array().unwrap().len(), 1);
        assert_eq!(sessions[0]["this_device"], true);
        assert_eq!(audit_count(&app, "auth.sign_in_succeeded").await, 1);
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = demo_app(TestDb::sqlite().await).await;
    let wrong_password = sign_in(&app, TEACHER, "not-the-password").await;
    assert_eq!(wrong_password.status(), 401);
    assert!(wrong_password.headers().get("set-cookie").is_none());
    let unknown = sign_in(&app, "nobody@brookfield.example", DEMO_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong_password.text().await.unwrap(),
        unknown.text().await.unwrap()
    );
    assert_eq!(audit_count(&app, "auth.sign_in_failed").await, 2);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_422_naming_each_field() {
    let app = demo_app(TestDb::sqlite().await).await;
    let response = sign_in(&app, "not-an-email", "").await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("correct format"), "{body}");
    assert!(body.contains("Enter your password"), "{body}");
    app.db.finish().await;
}

/// A client whose requests come from another loopback address (127.0.0.0/8 is all loopback), as
/// a person elsewhere would.
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn sign_in_from(
    client: &reqwest::Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{}/api/auth/sign_in", app.base))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// Guessing from one place slows that place, progressively, and never locks the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_from_one_address_make_it_wait_longer_each_time() {
    let app = demo_app(TestDb::sqlite().await).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, TEACHER, "wrong-password").await.status(), 401);
    }
    let refused = sign_in(&app, TEACHER, DEMO_PASSWORD).await;
    assert_eq!(
        refused.status(),
        429,
        "straight after, even the right password waits"
    );
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        retry_after, 1,
        "five failures are free, then a short wait, not a lock"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(sign_in(&app, TEACHER, "wrong-password").await.status(), 401);
    let longer = sign_in(&app, TEACHER, DEMO_PASSWORD).await;
    assert_eq!(longer.status(), 429);
    assert_eq!(
        longer.headers()["retry-after"],
        "2",
        "each failure doubles the wait"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        sign_in(&app, TEACHER, DEMO_PASSWORD).await.status(),
        200,
        "after the wait the right password signs in"
    );
    app.db.finish().await;
}

/// Someone else's guesses from elsewhere never keep the person out, and the counts are in the
/// database: a restarted server (a new app on the same database) still makes the guesser wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_guesses_elsewhere_never_lock_the_person_out_and_survive_a_restart() {
    for db in TestDb::each_backend().await {
        let app = demo_app(db).await;
        let backend = app.db.db.backend_name();
        let guesser = client_from([127, 0, 0, 2]);
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for _ in 0..50 {
            let status = sign_in_from(&guesser, &app, TEACHER, "wrong-password")
                .await
                .status();
            *statuses.entry(status.as_u16()).or_default() += 1;
        }
        assert!(
            statuses.get(&429).copied().unwrap_or(0) > 0,
            "{backend}: the guesser waits: {statuses:?}"
        );
        let person = client_from([127, 0, 0, 3]);
        let signed_in = sign_in_from(&person, &app, TEACHER, DEMO_PASSWORD).await;
        assert_eq!(
            signed_in.status(),
            200,
            "{backend}: the person's own sign-in"
        );

        let notices = std::fs::read_dir(app.db.mail_folder())
            .unwrap()
            .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
            .filter(|mail| mail.contains("Someone is trying to sign in"))
            .count();
        assert_eq!(
            notices, 0,
            "{backend}: five failures are not yet worth an email"
        );

        // Restarted: another app on the same database.
        let restarted = super::support::spawn_app_on(&app).await;
        let still = sign_in_from(&guesser, &restarted, TEACHER, "wrong-password").await;
        assert_eq!(
            still.status(),
            429,
            "{backend}: the count survived the restart"
        );
        app.db.finish().await;
    }
}

/// Ten failures on one account, from however many places, email its holder once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_failures_on_an_account_email_its_holder_once() {
    let app = demo_app(TestDb::sqlite().await).await;
    for n in 0..12u8 {
        let client = client_from([127, 0, 1, n + 1]);
        assert_eq!(
            sign_in_from(&client, &app, TEACHER, "wrong-password")
                .await
                .status(),
            401
        );
    }
    let notices: Vec<String> = std::fs::read_dir(app.db.mail_folder())
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
        .filter(|mail| mail.contains("Someone is trying to sign in"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice per window");
    assert!(notices[0].contains(TEACHER), "{}", notices[0]);
    assert!(notices[0].contains("not locked"), "{}", notices[0]);
    assert_eq!(sign_in(&app, TEACHER, DEMO_PASSWORD).await.status(), 200);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_or_in_again_ends_the_old_session() {
    let app = demo_app(TestDb::sqlite().await).await;
    let first = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
    // Signing in again from the same browser gives a new session id; the old one stops working.
    let second = session_cookie(
        &auth_call(
            &app,
            "sign_in",
            &[("email", TEACHER), ("password", DEMO_PASSWORD)],
            Some(&first),
        )
        .await,
    );
    assert_ne!(first, second);
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&first))
            .await
            .status(),
        401
    );
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&second))
            .await
            .status(),
        200
    );

    let out = auth_call(&app, "sign_out", &[], Some(&second)).await;
    assert!(
        out.status().is_success() || out.status().is_redirection(),
        "{}",
        out.status()
    );
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&second))
            .await
            .status(),
        401
    );
    let me: serde_json::Value = auth_call(&app, "who_am_i", &[], Some(&second))
        .await
        .json()
        .await
        .unwrap();
    assert!(me.is_null(), "{me}");
    assert_eq!(audit_count(&app, "auth.signed_out").await, 1);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_persons_old_cookie_gets_401() {
    let app = demo_app(TestDb::sqlite().await).await;
    let cookie = session_cookie(&sign_in(&app, "linda.bennett@example.com", DEMO_PASSWORD).await);
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&cookie))
            .await
            .status(),
        200
    );
    sql("UPDATE users SET status = 'deactivated' WHERE email = 'linda.bennett@example.com'")
        .execute(&app.db.db)
        .await
        .map(|_| ())
        .unwrap();
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&cookie))
            .await
            .status(),
        401
    );
    assert_eq!(
        sign_in(&app, "linda.bennett@example.com", DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_sign_in_is_refused() {
    let app = demo_app(TestDb::sqlite().await).await;
    let response = app
        .client
        .post(format!("{}/api/auth/sign_in", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", TEACHER), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none());
    app.db.finish().await;
}

fn demo_code(offset_steps: i64) -> String {
    let step = chrono::Utc::now().timestamp() / 30 + offset_steps;
    app::features::auth::totp::code_at_step(server::demo::DEMO_TOTP_SECRET, step).unwrap()
}

/// The second factor's throttle counts guesses: passing clears the count, so a person who signs in
/// many times a day is never slowed by their own successes, while guessing is; and a fresh session
/// with the right code is not kept waiting by another session's guesses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_the_second_factor_clears_its_count_of_guesses() {
    let app = demo_app(TestDb::sqlite().await).await;
    let guess = |cookie: String, code: String| {
        let app = &app;
        async move {
            auth_call(
                app,
                "verify_second_factor",
                &[("code", &code)],
                Some(&cookie),
            )
            .await
            .status()
            .as_u16()
        }
    };
    let first = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
    for _ in 0..4 {
        assert_eq!(guess(first.clone(), "000000".into()).await, 422);
    }
    assert_eq!(guess(first.clone(), demo_code(0)).await, 200);
    let second = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
    for n in 0..5 {
        assert_eq!(
            guess(second.clone(), "000000".into()).await,
            422,
            "guess {n} after a pass"
        );
    }
    assert_eq!(
        guess(second.clone(), demo_code(1)).await,
        429,
        "straight after the fifth wrong guess in this session, even the right code waits"
    );
    let third = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
    assert_eq!(
        guess(third.clone(), demo_code(1)).await,
        200,
        "a fresh session with the right code"
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_professional_passes_the_second_factor_once_per_code() {
    for db in TestDb::each_backend().await {
        let app = demo_app(db).await;
        let cookie = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
        let wrong = auth_call(
            &app,
            "verify_second_factor",
            &[("code", "000000")],
            Some(&cookie),
        )
        .await;
        assert_eq!(wrong.status(), 422);
        let code = demo_code(0);
        let ok = auth_call(
            &app,
            "verify_second_factor",
            &[("code", &code)],
            Some(&cookie),
        )
        .await;
        assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());
        let me: serde_json::Value = auth_call(&app, "who_am_i", &[], Some(&cookie))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["second_factor_pending"], false);

        // The same code again, in a new session: refused (each code works once).
        let second = session_cookie(&sign_in(&app, TEACHER, DEMO_PASSWORD).await);
        let replay = auth_call(
            &app,
            "verify_second_factor",
            &[("code", &code)],
            Some(&second),
        )
        .await;
        assert_eq!(replay.status(), 422, "a replayed code is refused");
        let me: serde_json::Value = auth_call(&app, "who_am_i", &[], Some(&second))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["second_factor_pending"], true);
        assert_eq!(audit_count(&app, "auth.second_factor_passed").await, 1);
        assert_eq!(audit_count(&app, "auth.second_factor_failed").await, 2);
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_up_an_app_gives_ten_single_use_recovery_codes() {
    let app = demo_app(TestDb::sqlite().await).await;
    // A carer may set up a second factor (optional for carers and young people).
    let cookie = session_cookie(&sign_in(&app, "grace.adeyemi@example.com", DEMO_PASSWORD).await);
    let details: serde_json::Value = auth_call(&app, "second_factor_setup", &[], Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    let key: String = details["key_for_typing"].as_str().unwrap().replace(' ', "");
    assert!(
        details["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/ePEP%3Agrace.adeyemi")
    );
    assert!(
        details["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || details["qr_svg"].as_str().unwrap().contains("<svg")
    );
    // Reloading the page keeps the same key, so a code scanned earlier still works.
    let again: serde_json::Value = auth_call(&app, "second_factor_setup", &[], Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["key_for_typing"], details["key_for_typing"]);

    let step = chrono::Utc::now().timestamp() / 30;
    let code = app::features::auth::totp::code_at_step(&key, step).unwrap();
    let confirmed = auth_call(
        &app,
        "confirm_second_factor",
        &[("code", &code)],
        Some(&cookie),
    )
    .await;
    assert_eq!(confirmed.status(), 200);
    let codes: Vec<String> = confirmed.json().await.unwrap();
    assert_eq!(codes.len(), 10);

    // From now on the carer's sign-ins need the second factor too; a recovery code works once.
    let next = sign_in(&app, "grace.adeyemi@example.com", DEMO_PASSWORD).await;
    let next_cookie = session_cookie(&next);
    let outcome: serde_json::Value = next.json().await.unwrap();
    assert_eq!(outcome["next"], "/second-factor");
    let recovery = codes[3].to_uppercase();
    assert_eq!(
        auth_call(
            &app,
            "verify_second_factor",
            &[("code", &recovery)],
            Some(&next_cookie)
        )
        .await
        .status(),
        200
    );
    let third = session_cookie(&sign_in(&app, "grace.adeyemi@example.com", DEMO_PASSWORD).await);
    assert_eq!(
        auth_call(
            &app,
            "verify_second_factor",
            &[("code", &codes[3])],
            Some(&third)
        )
        .await
        .status(),
        422
    );
    // Setting up again is refused once confirmed.
    assert_eq!(
        auth_call(&app, "second_factor_setup", &[], Some(&third))
            .await
            .status(),
        422
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_ends_their_other_session_but_not_someone_elses() {
    let app = demo_app(TestDb::sqlite().await).await;
    let phone = session_cookie(&sign_in(&app, "grace.adeyemi@example.com", DEMO_PASSWORD).await);
    let laptop = session_cookie(&sign_in(&app, "grace.adeyemi@example.com", DEMO_PASSWORD).await);
    let linda = session_cookie(&sign_in(&app, "linda.bennett@example.com", DEMO_PASSWORD).await);
    let list: serde_json::Value = auth_call(&app, "my_sessions", &[], Some(&laptop))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let phone_ref = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["this_device"] == false)
        .unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    // Linda cannot end Grace's session.
    assert_eq!(
        auth_call(
            &app,
            "end_my_session",
            &[("reference", &phone_ref)],
            Some(&linda)
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&phone))
            .await
            .status(),
        200
    );
    // Grace can, from her laptop; the phone's cookie stops working.
    assert_eq!(
        auth_call(
            &app,
            "end_my_session",
            &[("reference", &phone_ref)],
            Some(&laptop)
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&phone))
            .await
            .status(),
        401
    );
    assert_eq!(
        auth_call(&app, "my_sessions", &[], Some(&laptop))
            .await
            .status(),
        200
    );
    assert_eq!(
        auth_call(
            &app,
            "end_my_session",
            &[("reference", "zz")],
            Some(&laptop)
        )
        .await
        .status(),
        422
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_out_warning_asks_without_extending_and_staying_signed_in_extends() {
    for db in TestDb::each_backend().await {
        let app = demo_app(db).await;
        let backend = app.db.db.backend_name();
        let status = |cookie: Option<String>| {
            let app = &app;
            async move {
                let response = auth_call(app, "session_status", &[], cookie.as_deref()).await;
                assert_eq!(response.status(), 200);
                response.json::<serde_json::Value>().await.unwrap()
            }
        };
        assert!(status(None).await.is_null(), "{backend}: signed out");

        let cookie = super::support::session(&app, "grace.adeyemi@example.com", true).await;
        let fresh = status(Some(cookie.clone())).await;
        let idle_left = fresh["idle_seconds_left"].as_i64().unwrap();
        assert!((1790..=1800).contains(&idle_left), "{backend}: {fresh}");
        assert!(fresh["absolute_seconds_left"].as_i64().unwrap() > 43_000);
        assert_eq!(fresh["idle_minutes"], 30);

        // Twenty minutes idle: asking (twice) does not count as activity.
        let set_last_seen = |minutes_ago: i64| {
            let app = &app;
            async move {
                let at = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
                {
                    sql("UPDATE sessions SET last_seen_at = $1")
                        .bind(at)
                        .execute(&app.db.db)
                        .await
                        .unwrap();
                };
            }
        };
        set_last_seen(20).await;
        for _ in 0..2 {
            let left = status(Some(cookie.clone())).await["idle_seconds_left"]
                .as_i64()
                .unwrap();
            assert!((590..=600).contains(&left), "{backend}: {left}");
        }
        // "Stay signed in" starts the idle time again.
        let stayed = auth_call(&app, "stay_signed_in", &[], Some(&cookie)).await;
        assert_eq!(stayed.status(), 200, "{backend}");
        let left = stayed.json::<serde_json::Value>().await.unwrap()["idle_seconds_left"]
            .as_i64()
            .unwrap();
        assert!(left >= 1790, "{backend}: {left}");

        // Past the idle limit: no session to report or extend.
        set_last_seen(31).await;
        assert!(status(Some(cookie.clone())).await.is_null(), "{backend}");
        let late = auth_call(&app, "stay_signed_in", &[], Some(&cookie)).await;
        assert_eq!(late.status(), 401, "{backend}");
        app.db.finish().await;
    }
}
