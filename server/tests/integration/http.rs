//! The real app on port 0 with a fresh database: pages, health check, request ids, errors.

use super::support::{TestDb, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_the_database_on_both_backends() {
    for db in TestDb::each_backend().await {
        let backend = db.db.backend_name();
        let app = spawn_app(db).await;
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200, "{backend}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], backend);
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_says_unavailable_when_the_database_is_gone() {
    let app = spawn_app(TestDb::sqlite().await).await;
    app.db.db.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_on_the_server() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let home = app.get("/").await;
    assert_eq!(home.status(), 200);
    assert!(
        home.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = home.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en-GB""#), "{html}");
    assert!(
        html.contains("Personal Education Plans for children in care</h1>"),
        "{html}"
    );
    assert!(
        html.contains("/pkg/epep.js"),
        "the page loads the client: {html}"
    );

    let sign_in = app.get("/sign-in").await.text().await.unwrap();
    assert!(sign_in.contains(r#"for="email""#), "{sign_in}");
    assert!(sign_in.contains(">Email address</label>"), "{sign_in}");
    assert!(sign_in.contains(r#"autocomplete="current-password""#));
    app.db.finish().await;
}

/// Listing the app's routes renders it once with resource loading switched off for the whole
/// process (leptos-rs/leptos#4773): a page whose resource first ran inside that window waited
/// forever. Several apps share a process in these tests (and could behind one binary), so a
/// router built while another serves must not stall its pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn building_another_router_never_stalls_a_page_being_served() {
    let app = spawn_app(TestDb::sqlite().await).await;
    for round in 0..30 {
        let state = app.state.clone();
        let other_router = tokio::task::spawn_blocking(move || server::http::router(state));
        let page = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            app.get("/").await.text().await
        })
        .await;
        drop(other_router.await.unwrap());
        let html = page
            .unwrap_or_else(|_| panic!("round {round}: the home page stalled"))
            .unwrap();
        assert!(html.contains("</html>"), "round {round}: {html}");
    }
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_page_is_a_404_with_help() {
    let db = TestDb::sqlite().await;
    server::demo::seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), 404);
    let page = response.text().await.unwrap();
    assert!(page.contains("Page not found"));
    // The page has the server's context like every other: its banner knows this is the demo.
    assert!(page.contains("This is a demonstration"), "{page}");
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id_and_keeps_one_it_was_given() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "support-ticket-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "support-ticket-4711");
    // Too long, or markup: replaced by the server's own, never echoed.
    for unsafe_id in ["x".repeat(5_000), "<script>alert(1)</script>".to_string()] {
        let replaced = app
            .client
            .get(format!("{}/healthz", app.base))
            .header("x-request-id", unsafe_id.as_str())
            .send()
            .await
            .unwrap();
        let echoed = replaced.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(echoed.len(), 36, "a UUID instead of {}", &unsafe_id[..10]);
    }
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_nonce_csp_and_the_hardening_headers() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let response = app.get("/sign-in").await;
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    let csp = headers["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(nonce.len() >= 16, "{csp}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    // Each response gets its own nonce.
    let again = app.get("/sign-in").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
    // Non-page responses are locked down too.
    let health = app.get("/healthz").await;
    assert!(
        health.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_from_other_sites_are_refused() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let url = format!("{}/api/anything", app.base);
    let host = app.base.trim_start_matches("http://").to_string();
    let cross_site = app
        .client
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let same_site_other_origin = app
        .client
        .post(&url)
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .unwrap();
    assert_eq!(same_site_other_origin.status(), 403);
    let foreign_origin = app
        .client
        .post(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_origin.status(), 403);
    let own_origin = app
        .client
        .post(&url)
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_ne!(own_origin.status(), 403, "our own origin passes the check");
    let same_origin = app
        .client
        .post(&url)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_ne!(same_origin.status(), 403);
    // GET is never refused by the origin check.
    let get = app
        .client
        .get(format!("{}/", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app(TestDb::sqlite().await).await;
    let body = vec![b'x'; server::http::BODY_LIMIT_BYTES + 1];
    let response = app
        .client
        .post(format!("{}/api/anything", app.base))
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_asks_for_signed_in_data_still_answers_200_to_a_visitor() {
    let app = spawn_app(TestDb::sqlite().await).await;
    // The start page asks for "your children"; signed out, that is not an error for the page.
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Personal Education Plans for children in care")
    );
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_banner_shows_only_when_the_demo_data_is_loaded() {
    let plain = spawn_app(TestDb::sqlite().await).await;
    let html = plain.get("/").await.text().await.unwrap();
    assert!(
        !html.contains("This is a demonstration"),
        "no demo, no banner"
    );
    plain.db.finish().await;

    let db = TestDb::sqlite().await;
    server::demo::seed(&db.db).await.unwrap();
    let demo = spawn_app(db).await;
    let html = demo.get("/sign-in").await.text().await.unwrap();
    assert!(html.contains("This is a demonstration"), "{html}");
    demo.db.finish().await;
}

/// A client that sends half a request is closed after the header read time-out instead of
/// holding the connection open (it stayed open 95 s and more with `axum::serve`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_closed_after_the_header_time_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(TestDb::sqlite().await).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::http::serving::serve_connections(
        listener,
        server::http::router(app.state.clone()),
        std::time::Duration::from_secs(1),
        std::future::pending(),
    ));
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        slow.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "still open after 10 s");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "closed after {:?}",
        started.elapsed()
    );
    // A whole request on the same server is answered, with TCP_NODELAY on.
    let mut whole = tokio::net::TcpStream::connect(addr).await.unwrap();
    whole
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    whole.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    app.db.finish().await;
}
