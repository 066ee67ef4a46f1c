//! Benchmark: how fast the live channel carries an edit to everyone in a meeting, with 10, 100
//! and 1,000 connected pages on one PEP, on loopback, on SQLite. Not a test: it prints numbers to
//! report.
//!
//!     cargo bench -p server --bench live
//!
//! - draft: one page types (a `Draft` message); the time until each other page has it.
//! - saved: one page saves over HTTP (`save_field`); the time until each page hears `Changed`
//!   (the commit, the doorbell, one read per room, the fan-out).
//! - commits per second: four pages saving their own fields as fast as answers come back, for
//!   five seconds, with the pages listening.

#![expect(clippy::unwrap_used, reason = "a benchmark stops at the first error")]

mod common;
use common::{Socket, percentiles, serve, sign_in};

use std::time::{Duration, Instant};

use app::domain::live::{ClientMessage, FieldKey, ServerMessage};
use app::domain::pep::SectionKey;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const PEP: &str = "demo-child-jayden-pep-2026-autumn";
const ROUNDS: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let test_db = common::TestDb::sqlite().await;
    server::demo::seed(&test_db.db).await.unwrap();
    let base = serve(test_db.db.clone(), test_db.mail_folder()).await;
    let cookie = sign_in(&base, "linda.bennett@example.com").await;
    let fields: Vec<FieldKey> = app::domain::pep_form::fields(SectionKey::CarerContribution)
        .iter()
        .map(|f| FieldKey::new(SectionKey::CarerContribution, f.key))
        .collect();
    println!("live channel on SQLite, loopback, 2 worker threads");
    println!(
        "{:>7}  {:>22}  {:>22}  {:>10}",
        "pages", "draft p50 / p99", "saved p50 / p99", "commits/s"
    );
    for pages in [10, 100, 1_000] {
        let (heard, mut hearing) = mpsc::unbounded_channel::<(String, Instant)>();
        let mut listeners = Vec::new();
        for _ in 0..pages {
            let socket = open(&base, &cookie).await;
            listeners.push(tokio::spawn(listen(socket, heard.clone())));
        }
        let mut writer = open(&base, &cookie).await;
        send(
            &mut writer,
            &ClientMessage::Focus {
                field: Some(fields[0].clone()),
            },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        drain(&mut hearing);

        // Drafts.
        let mut draft_samples = Vec::new();
        for round in 0..ROUNDS {
            let marker = format!("draft-{pages}-{round}");
            let sent = Instant::now();
            send(
                &mut writer,
                &ClientMessage::Draft {
                    field: fields[0].clone(),
                    value: marker.clone(),
                },
            )
            .await;
            draft_samples.extend(collect(&mut hearing, &marker, pages, sent).await);
        }
        // Saves.
        let client = reqwest::Client::new();
        let mut saved_samples = Vec::new();
        let mut version = field_version(&client, &base, &cookie, &fields[1]).await;
        for round in 0..ROUNDS {
            let marker = format!("saved-{pages}-{round}");
            let sent = Instant::now();
            version = save(&client, &base, &cookie, &fields[1], &marker, version).await;
            saved_samples.extend(collect(&mut hearing, &marker, pages, sent).await);
        }
        // Sustained commits.
        let until = Instant::now() + Duration::from_secs(5);
        let mut writers = Vec::new();
        for n in 0..4 {
            let (client, base, cookie, field) = (
                client.clone(),
                base.clone(),
                cookie.clone(),
                fields[n % fields.len()].clone(),
            );
            writers.push(tokio::spawn(async move {
                let mut commits = 0u64;
                let mut version = field_version(&client, &base, &cookie, &field).await;
                while Instant::now() < until {
                    version = save(
                        &client,
                        &base,
                        &cookie,
                        &field,
                        &format!("w{n}-{commits}"),
                        version,
                    )
                    .await;
                    commits += 1;
                }
                commits
            }));
        }
        let mut commits = 0;
        for writer in writers {
            commits += writer.await.unwrap();
        }
        println!(
            "{pages:>7}  {:>22}  {:>22}  {:>10.0}",
            percentiles(&mut draft_samples),
            percentiles(&mut saved_samples),
            commits as f64 / 5.0
        );
        for listener in listeners {
            listener.abort();
        }
        drop(writer);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn open(base: &str, cookie: &str) -> Socket {
    common::open_live(base, PEP, 0, cookie).await
}

async fn send(socket: &mut Socket, message: &ClientMessage) {
    socket
        .send(Message::Text(
            serde_json::to_string(message).unwrap().into(),
        ))
        .await
        .unwrap();
}

/// Tells `heard` each draft or saved value this page hears, with when.
async fn listen(mut socket: Socket, heard: mpsc::UnboundedSender<(String, Instant)>) {
    while let Some(Ok(frame)) = socket.next().await {
        let at = Instant::now();
        let Message::Text(text) = frame else { continue };
        match serde_json::from_str::<ServerMessage>(text.as_str()) {
            Ok(ServerMessage::Draft { value, .. }) => {
                let _ = heard.send((value, at));
            }
            Ok(ServerMessage::Changed { fields, .. }) => {
                for field in fields {
                    let _ = heard.send((field.value, at));
                }
            }
            _ => {}
        }
    }
}

fn drain(hearing: &mut mpsc::UnboundedReceiver<(String, Instant)>) {
    while hearing.try_recv().is_ok() {}
}

/// Waits until `pages` pages heard `marker` (ten seconds at most); their delays since `sent`.
async fn collect(
    hearing: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    marker: &str,
    pages: usize,
    sent: Instant,
) -> Vec<Duration> {
    let mut samples = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while samples.len() < pages {
        match tokio::time::timeout_at(deadline, hearing.recv()).await {
            Ok(Some((value, at))) if value == marker => samples.push(at - sent),
            Ok(Some(_)) => {}
            _ => {
                println!(
                    "  ({} of {pages} pages heard {marker} within ten seconds)",
                    samples.len()
                );
                break;
            }
        }
    }
    samples
}

async fn field_version(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    field: &FieldKey,
) -> i64 {
    let form: serde_json::Value = client
        .post(format!("{base}/api/pep/form"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .form(&[("pep_id", PEP)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    form["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["key"] == field.section.as_str())
        .flat_map(|s| s["fields"].as_array().unwrap().iter())
        .find(|f| f["key"] == field.field.as_str())
        .and_then(|f| f["version"].as_i64())
        .unwrap_or(0)
}

/// Saves and returns the new version (taking the other version on a conflict, then saving again).
async fn save(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    field: &FieldKey,
    value: &str,
    mut version: i64,
) -> i64 {
    loop {
        let answer: serde_json::Value = client
            .post(format!("{base}/api/pep/save_field"))
            .header("accept", "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", cookie)
            .form(&[
                ("pep_id", PEP),
                ("section", field.section.as_str()),
                ("field", field.field.as_str()),
                ("value", value),
                ("version", &version.to_string()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        version = answer["version"].as_i64().unwrap();
        if answer["outcome"] == "saved" {
            return version;
        }
    }
}
