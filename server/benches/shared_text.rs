//! Benchmark: how many shared-text edits one PEP field sustains with five people typing into it
//! at once, each edit merged and stored before it is acknowledged, on SQLite and (when
//! `TEST_DATABASE_URL` names a server) PostgreSQL. Not a test: it prints numbers to report.
//!
//!     cargo bench -p server --bench shared_text
//!
//! Each typist is a page with the browser's own `ClientText`: it types a keystroke, sends its
//! edit when none is in flight (keystrokes typed meanwhile go in the next) and merges the
//! others', for five seconds: once over HTTP (`pep/edit_text`, catching up with
//! `pep/text_since`), the path a page takes while its live channel is down, and once on the live
//! channel (`edit_text`, merging `changed.text_edits`), the path it takes while the channel is up. Reported: edits stored per second, keystrokes
//! per second, the time an edit takes to be stored (p50 / p99), and that every page ends with the
//! stored text.

#![expect(clippy::unwrap_used, reason = "a benchmark stops at the first error")]

mod common;

use app::infra::sql::sql;
use std::time::{Duration, Instant};

use app::domain::live::{ClientMessage, EditAnswer, FieldKey, FieldTextEdit, ServerMessage};
use app::domain::pep::SectionKey;
use app::domain::shared_text::{ClientText, Outgoing, TextOp};
use app::infra::db::Db;
use common::{Socket, percentiles, serve, sign_in};

const PEP: &str = "demo-child-jayden-pep-2026-autumn";
const SECTION: &str = "carer_contribution";
const TYPISTS: usize = 5;
const SECONDS: u64 = 5;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "shared text: {TYPISTS} typists in one field for {SECONDS} s, loopback, 2 worker threads"
    );
    println!(
        "{:>11}  {:>9}  {:>12}  {:>20}  {:>9}",
        "backend", "edits/s", "keystrokes/s", "stored p50 / p99", "converged"
    );
    let sqlite = common::TestDb::sqlite().await;
    run("SQLite", sqlite.db.clone(), sqlite.mail_folder()).await;
    match common::TestDb::postgres().await {
        Some(postgres) => run("PostgreSQL", postgres.db.clone(), postgres.mail_folder()).await,
        None => println!("PostgreSQL skipped: set TEST_DATABASE_URL to a server to include it"),
    }
}

async fn run(backend: &str, db: Db, folder: std::path::PathBuf) {
    server::demo::seed(&db).await.unwrap();
    let base = serve(db.clone(), folder).await;
    // The carer's own section: no second factor to pass for five pages of one session.
    let cookie = sign_in(&base, "linda.bennett@example.com").await;
    let field = app::domain::pep_form::fields(app::domain::pep::SectionKey::CarerContribution)
        .iter()
        .find(|f| f.kind == app::domain::pep_form::FieldKind::Text)
        .unwrap()
        .key;
    let client = reqwest::Client::new();
    let start = text_since(&client, &base, &cookie, field, 0).await;
    let (text, version) = match start["outcome"].as_str() {
        Some("resync") => (
            start["text"].as_str().unwrap().to_string(),
            start["version"].as_u64().unwrap(),
        ),
        _ => (String::new(), 0),
    };
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let typists = (0..TYPISTS)
        .map(|name| {
            let (client, base, cookie, text) =
                (client.clone(), base.clone(), cookie.clone(), text.clone());
            tokio::spawn(async move {
                let mut page = Page::new(name, ClientText::new(text, version));
                let mut stored = Vec::new();
                let mut n = 0;
                while Instant::now() < until {
                    // One keystroke a turn; what is typed while an edit is in flight goes in the next.
                    page.type_word(["a", "b", "c", "d", "e"][name]);
                    n += 1;
                    if let Some(took) = page.send(&client, &base, &cookie, field).await {
                        stored.push(took);
                    }
                    page.catch_up(&client, &base, &cookie, field).await;
                }
                while !page.text.is_settled() {
                    if let Some(took) = page.send(&client, &base, &cookie, field).await {
                        stored.push(took);
                    }
                    page.catch_up(&client, &base, &cookie, field).await;
                }
                (page, stored, n)
            })
        })
        // Spawned now, all at once (a lazy iterator would start each after the last ended).
        .collect::<Vec<_>>();
    let started = Instant::now();
    let mut pages = Vec::new();
    let mut samples = Vec::new();
    let mut keystrokes = 0;
    let mut per_typist = Vec::new();
    for typist in typists {
        let (page, stored, typed) = typist.await.unwrap();
        pages.push(page);
        per_typist.push(stored.len());
        samples.extend(stored);
        keystrokes += typed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let now = text_since(&client, &base, &cookie, field, 0).await;
    // From version 0 the answer is the text itself once any edit is pruned, else every edit.
    let final_text = match now["text"].as_str() {
        Some(text) => text.to_string(),
        None => pages[0].text.text.clone(),
    };
    let mut converged = true;
    for page in &mut pages {
        page.catch_up(&client, &base, &cookie, field).await;
        converged &= page.text.text == final_text;
    }
    println!(
        "{backend:>11}  {:>9.0}  {:>12.0}  {:>20}  {:>9}",
        samples.len() as f64 / elapsed,
        keystrokes as f64 / elapsed,
        percentiles(&mut samples),
        if converged { "yes" } else { "NO" }
    );
    println!("{:>11}  edits stored per typist: {per_typist:?}", "");
    // Another field of the section, so the typing of both runs fits in one.
    let other_field =
        app::domain::pep_form::fields(app::domain::pep::SectionKey::CarerContribution)
            .iter()
            .filter(|f| f.kind == app::domain::pep_form::FieldKind::Text)
            .nth(1)
            .unwrap()
            .key;
    on_the_channel(backend, &db, &base, &cookie, other_field).await;
}

async fn next_message(socket: &mut Socket) -> ServerMessage {
    use futures_util::StreamExt;
    loop {
        let frame = socket.next().await.unwrap().unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// The same five typists with their edits on the live channel (stored by the group commit).
async fn on_the_channel(backend: &str, db: &Db, base: &str, cookie: &str, field: &str) {
    use futures_util::SinkExt;
    let revision: i64 = sql("SELECT revision FROM peps WHERE id = $1")
        .bind(PEP)
        .fetch_value(db)
        .await
        .unwrap();
    let (text, version): (String, i64) = sql(
        "SELECT value, version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3",
    )
    .bind(PEP)
    .bind(SECTION)
    .bind(field)
    .fetch_optional(db)
    .await
    .unwrap()
    .unwrap_or_default();
    let key = FieldKey::new(SectionKey::CarerContribution, field);
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let typists = (0..TYPISTS)
        .map(|name| {
            let (base, cookie, text, key) = (
                base.to_string(),
                cookie.to_string(),
                text.to_string(),
                key.clone(),
            );
            tokio::spawn(async move {
                let mut socket = common::open_live(&base, PEP, revision, &cookie).await;
                let mut page = Page::new(name + 10, ClientText::new(text, version as u64));
                let (mut stored, mut typed) = (Vec::new(), 0);
                while Instant::now() < until || !page.text.is_settled() || page.to_send.is_some() {
                    if Instant::now() < until {
                        // Typing, or deleting once the field is nearly full (it holds 10,000).
                        if page.text.text.chars().count() < 8_000 {
                            page.type_word(["a", "b", "c", "d", "e"][name]);
                        } else {
                            page.delete_first();
                        }
                        typed += 1;
                    }
                    let Some((id, outgoing)) = page.to_send.take() else {
                        // Its own edit is on its way back: merge what comes until it does.
                        if let ServerMessage::Changed { text_edits, .. } =
                            next_message(&mut socket).await
                        {
                            page.hear(&key, &text_edits);
                        }
                        continue;
                    };
                    let edit = ClientMessage::EditText {
                        field: key.clone(),
                        base: outgoing.base as i64,
                        op: outgoing.op.clone(),
                        edit_id: id.clone(),
                    };
                    let sent = Instant::now();
                    let message = tokio_tungstenite::tungstenite::Message::Text(
                        serde_json::to_string(&edit).unwrap().into(),
                    );
                    socket.send(message).await.unwrap();
                    loop {
                        match next_message(&mut socket).await {
                            ServerMessage::TextEditAnswered { edit_id, answer }
                                if edit_id == id =>
                            {
                                match answer {
                                    EditAnswer::Accepted { .. } => stored.push(sent.elapsed()),
                                    EditAnswer::Retry => page.to_send = Some((id, outgoing)),
                                    other => panic!("{other:?}"),
                                }
                                break;
                            }
                            ServerMessage::Changed { text_edits, .. } => {
                                page.hear(&key, &text_edits)
                            }
                            _ => {}
                        }
                    }
                }
                (page, socket, stored, typed)
            })
        })
        .collect::<Vec<_>>();
    let started = Instant::now();
    let (mut samples, mut keystrokes, mut pages) = (Vec::new(), 0, Vec::new());
    for typist in typists {
        let (page, socket, stored, typed) = typist.await.unwrap();
        samples.extend(stored);
        keystrokes += typed;
        pages.push((page, socket));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (stored, stored_version): (String, i64) = sql(
        "SELECT value, version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3",
    )
    .bind(PEP)
    .bind(SECTION)
    .bind(field)
    .fetch_one(db)
    .await
    .unwrap();
    // Each page hears the others' last edits, then has the stored text.
    let mut converged = true;
    for (page, socket) in &mut pages {
        while page.text.revision < stored_version as u64 {
            if let ServerMessage::Changed { text_edits, .. } = next_message(socket).await {
                page.hear(&key, &text_edits);
            }
        }
        converged &= page.text.text == stored;
    }
    println!(
        "{:>11}  {:>9.0}  {:>12.0}  {:>20}  {:>9}",
        format!("{backend}, ch."),
        samples.len() as f64 / elapsed,
        keystrokes as f64 / elapsed,
        percentiles(&mut samples),
        if converged { "yes" } else { "NO" }
    );
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    cookie: &str,
) -> serde_json::Value {
    client
        .post(format!("{base}{path}"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn text_since(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    field: &str,
    version: u64,
) -> serde_json::Value {
    let version = version.to_string();
    let form = [
        ("pep_id", PEP),
        ("section", SECTION),
        ("field", field),
        ("version", &version),
    ];
    post(client, base, "/api/pep/text_since", &form, cookie).await
}

/// One typist's page: its text, the edit to send, the edit awaiting its echo.
struct Page {
    name: usize,
    text: ClientText,
    to_send: Option<(String, Outgoing)>,
    in_flight: Option<String>,
    made: usize,
}

impl Page {
    /// Merges the channel's edits of `key`: its own is its acknowledgement.
    fn hear(&mut self, key: &FieldKey, edits: &[FieldTextEdit]) {
        for edit in edits.iter().filter(|e| e.field == *key) {
            let version = edit.edit.version as u64;
            if version <= self.text.revision {
                continue;
            }
            assert_eq!(
                version,
                self.text.revision + 1,
                "the channel skipped an edit"
            );
            if Some(edit.edit.edit_id.as_str()) == self.in_flight.as_deref() {
                self.in_flight = None;
                let next = self.text.acknowledged(version);
                self.queue(next);
            } else {
                self.text.remote(&edit.edit.op, version).unwrap();
            }
        }
    }

    fn new(name: usize, text: ClientText) -> Page {
        Page {
            name,
            text,
            to_send: None,
            in_flight: None,
            made: 0,
        }
    }

    fn queue(&mut self, outgoing: Option<Outgoing>) {
        if let Some(outgoing) = outgoing {
            self.made += 1;
            let id = format!("bench{}-{}", self.name, self.made);
            self.in_flight = Some(id.clone());
            self.to_send = Some((id, outgoing));
        }
    }

    fn delete_first(&mut self) {
        let length = self.text.text.chars().count();
        let outgoing = self
            .text
            .local_edit(TextOp::new().delete(1).retain(length - 1));
        if self.in_flight.is_none() {
            self.queue(outgoing);
        }
    }

    fn type_word(&mut self, word: &str) {
        let op = TextOp::new()
            .insert(word)
            .retain(self.text.text.chars().count());
        let outgoing = self.text.local_edit(op);
        if self.in_flight.is_none() {
            self.queue(outgoing);
        }
    }

    /// Sends the queued edit; how long it took to be stored.
    async fn send(
        &mut self,
        client: &reqwest::Client,
        base: &str,
        cookie: &str,
        field: &str,
    ) -> Option<Duration> {
        let (id, outgoing) = self.to_send.take()?;
        let (op, version) = (
            serde_json::to_string(&outgoing.op).unwrap(),
            outgoing.base.to_string(),
        );
        let form = [
            ("pep_id", PEP),
            ("section", SECTION),
            ("field", field),
            ("base", version.as_str()),
            ("op", op.as_str()),
            ("edit_id", id.as_str()),
        ];
        let sent = Instant::now();
        let answer = post(client, base, "/api/pep/edit_text", &form, cookie).await;
        match answer["outcome"].as_str() {
            Some("accepted") => Some(sent.elapsed()),
            Some("retry") => {
                self.to_send = Some((id, outgoing));
                None
            }
            other => panic!("{other:?}: {answer}"),
        }
    }

    async fn catch_up(&mut self, client: &reqwest::Client, base: &str, cookie: &str, field: &str) {
        let since = text_since(client, base, cookie, field, self.text.revision).await;
        let Some(edits) = since["edits"].as_array() else {
            // So far behind that the edits since are pruned: start again from the text.
            let again = self.text.resync(
                since["text"].as_str().unwrap().to_string(),
                since["version"].as_u64().unwrap(),
            );
            self.in_flight = None;
            self.queue(again);
            return;
        };
        for edit in edits {
            let version = edit["version"].as_u64().unwrap();
            if edit["edit_id"].as_str() == self.in_flight.as_deref() {
                self.in_flight = None;
                let next = self.text.acknowledged(version);
                self.queue(next);
            } else {
                let op: TextOp = serde_json::from_value(edit["op"].clone()).unwrap();
                self.text.remote(&op, version).unwrap();
            }
        }
    }
}
