//! The real app served on a free loopback port, called as the hydrated page calls it.

use serde::de::DeserializeOwned;

use crate::db::TestDb;
use app::infra::db::Db;
use app::infra::mail::Mailer;
use server::cli::ServeArgs;
use server::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use server::http::{AppState, leptos_options, router};

/// The real app served on port 0 with this database.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    /// What the served router was built from, to build another one beside it.
    pub state: AppState,
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    let demo = server::demo::present(&db.db).await.unwrap();
    let (base, state) = serve(db.db.clone(), db.mail_folder(), demo).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A hung request fails its test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp {
        base,
        client,
        db,
        state,
    }
}

/// Another server on the same database as `app`, with nothing of its memory (a restart, or a
/// second server beside it); it sends its mail to `app`'s folder.
pub async fn spawn_app_on(app: &TestApp) -> TestApp {
    let (base, state) = serve(
        app.db.db.clone(),
        app.db.mail_folder(),
        app.state.service.demo,
    )
    .await;
    TestApp {
        base,
        client: app.client.clone(),
        db: app.db.alongside(),
        state,
    }
}

/// A new server (its own state) on port 0 for `db`, through the server's own serving loop (its
/// header time-out and `TCP_NODELAY`): its address and what it was built from.
pub async fn serve(db: Db, mail_folder: std::path::PathBuf, demo: bool) -> (String, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let args = ServeArgs {
        addr,
        site_root: "target/site".into(),
        public_url: format!("http://{addr}"),
        mail_folder,
        smtp_url: None,
        mail_from: "ePEP <no-reply@epep.test>".into(),
        session_idle_minutes: 30,
        demo: false,
    };
    let state = AppState::new(
        leptos_options(&args),
        db,
        &args.public_url,
        demo,
        Mailer::Files {
            folder: args.mail_folder.clone(),
            from: args.mail_from.clone(),
        },
        args.session_idle_minutes,
    );
    let router = router(state.clone());
    tokio::spawn(server::http::serving::serve_connections(
        listener,
        router,
        server::http::serving::HEADER_READ_TIMEOUT,
        std::future::pending(),
    ));
    (format!("http://{addr}"), state)
}

impl TestApp {
    /// Calls a server function the way the hydrated client does: same-origin, form-encoded, JSON
    /// back, with the session cookie if given.
    pub async fn call(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        post_form(&self.client, &self.base, path, form, cookie).await
    }

    /// Calls a server function that must answer 200, and reads its JSON.
    pub async fn json(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> serde_json::Value {
        self.typed(path, form, cookie).await
    }

    /// Calls a server function and reads its status and JSON (null when the body is not JSON),
    /// for tests of refusals as well as successes.
    pub async fn answer(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: &str,
    ) -> (u16, serde_json::Value) {
        let response = self.call(path, form, Some(cookie)).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    /// Calls a server function that must answer 200, and reads its answer as the app's own type,
    /// so a renamed or retyped field fails to compile or to decode instead of reading as null.
    pub async fn typed<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> T {
        let response = self.call(path, form, cookie).await;
        assert_eq!(response.status(), 200, "{path}");
        let body = response.text().await.unwrap();
        serde_json::from_str(&body).unwrap_or_else(|error| {
            panic!("{path} answered what the app's type does not read: {error}: {body}")
        })
    }

    /// Signs in as a demo person; with `verify`, passes the second factor where the role needs
    /// it. The session cookie.
    pub async fn session(&self, email: &str, verify: bool) -> String {
        sign_in(&self.client, &self.base, email, verify).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
}

/// `app.call(…)`, for tests written as functions of the app.
pub async fn call(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    app.call(path, form, cookie).await
}

/// `app.session(…)`, for tests written as functions of the app.
pub async fn session(app: &TestApp, email: &str, verify: bool) -> String {
    app.session(email, verify).await
}

/// The session cookie a sign-in answer sets (`name=value`).
pub fn cookie_of(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in to the app at `base` (served here or a server binary) with the demo password, as a
/// page does; with `verify`, passes the second factor with a code from the demo secret where the
/// role needs one. The session cookie.
pub async fn sign_in(client: &reqwest::Client, base: &str, email: &str, verify: bool) -> String {
    let response = post_form(
        client,
        base,
        "/api/auth/sign_in",
        &[("email", email), ("password", DEMO_PASSWORD)],
        None,
    )
    .await;
    assert_eq!(response.status(), 200, "{email}");
    let cookie = cookie_of(&response);
    let outcome: serde_json::Value = response.json().await.unwrap();
    if verify && outcome["user"]["second_factor_pending"] == true {
        let step = chrono::Utc::now().timestamp() / 30;
        let code = app::features::auth::totp::code_at_step(DEMO_TOTP_SECRET, step).unwrap();
        let verified = post_form(
            client,
            base,
            "/api/auth/verify_second_factor",
            &[("code", &code)],
            Some(&cookie),
        )
        .await;
        assert_eq!(verified.status(), 200, "{email}");
    }
    cookie
}

/// Calls the server function at `path` of the app at `base` the way the hydrated page does:
/// same-origin, form-encoded, JSON back, with the session cookie if given.
pub async fn post_form(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = client
        .post(format!("{base}{path}"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}
