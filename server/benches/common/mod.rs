//! What the benchmarks share: the app served on a free loopback port, a signed-in cookie, and
//! percentiles in words.

#![allow(dead_code, reason = "each benchmark uses part of it")]

use app::infra::sql::sql;
use std::time::Duration;

use app::infra::db::Db;
use app::infra::mail::Mailer;
use server::cli::ServeArgs;
use server::http::{AppState, leptos_options, router};

/// Serves the app on `db` on a free loopback port; its address.
pub async fn serve(db: Db, folder: std::path::PathBuf) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let args = ServeArgs {
        addr,
        site_root: "target/site".into(),
        public_url: format!("http://{addr}"),
        mail_folder: folder.clone(),
        smtp_url: None,
        mail_from: "ePEP <no-reply@epep.test>".into(),
        session_idle_minutes: 30,
        demo: true,
    };
    let state = AppState::new(
        leptos_options(&args),
        db,
        &args.public_url,
        true,
        Mailer::Files {
            folder,
            from: args.mail_from.clone(),
        },
        30,
    );
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // As the server's own accept loop does (`http::serving`): without it every second small
    // write waits for a delayed acknowledgement (40 ms a channel edit's echo here).
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    format!("http://{addr}")
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A page's live channel to `pep_id` from `since`, as a browser opens it (its cookie and our
/// origin, no Nagle delay on small frames).
pub async fn open_live(base: &str, pep_id: &str, since: i64, cookie: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "{}/live/pep/{pep_id}?since={since}",
        base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    request
        .headers_mut()
        .insert("origin", base.parse().unwrap());
    tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .unwrap()
        .0
}

/// Signs in with the demo password (no second factor: carers and young people); the cookie.
pub async fn sign_in(base: &str, email: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/sign_in"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", server::demo::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// "p50 / p99 ms".
pub fn percentiles(samples: &mut [Duration]) -> String {
    samples.sort();
    if samples.is_empty() {
        return "-".into();
    }
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "{:.1} / {:.1} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    )
}

/// A database of its own on the PostgreSQL server `TEST_DATABASE_URL` names, made for one run
/// (`None` when it names none): the database and how to drop it afterwards.
pub async fn scratch_postgres(prefix: &str) -> Option<(Db, ScratchDatabase)> {
    let admin_url = std::env::var("TEST_DATABASE_URL").ok()?;
    let name = format!("{prefix}_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sql(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("TEST_DATABASE_URL needs a database name"),
    };
    Some((
        Db::connect(&url).await.unwrap(),
        ScratchDatabase { admin, name },
    ))
}

pub struct ScratchDatabase {
    admin: sqlx::PgPool,
    name: String,
}

impl ScratchDatabase {
    /// Dropped by force: connections of an app still serving stay open until the process ends.
    pub async fn drop_now(self) {
        sql(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}
