//! Shared text over HTTP on both backends: pages typing into the same field at once, each with
//! the browser's own `ClientText`, catch up from `pep/text_since` and send through
//! `pep/edit_text`. Every page ends with the database's text and every word typed is in it once.

use app::domain::live::{ClientMessage, EditAnswer, FieldKey, FieldTextEdit, ServerMessage};
use app::domain::pep::SectionKey;
use app::domain::shared_text::{ClientText, Outgoing, TextOp};
use app::infra::sql::sql;
use server::demo::seed;

use super::support::seeded_apps;
use super::support::session;
use super::support::{TestApp, TestDb, spawn_app};

const AMELIA_PEP: &str = "demo-child-amelia-pep-2026-autumn";
const SECTION: &str = "meeting_record";
const FIELD: &str = "gone_well";

/// One page of the PEP with the field open.
struct Page {
    name: usize,
    /// The shared text it types in: (section, field).
    section: &'static str,
    field: String,
    text: ClientText,
    /// The edit to send next, with its id (kept for a resend).
    to_send: Option<(String, Outgoing)>,
    /// The id of the edit sent and not yet seen back in the field's edits.
    in_flight: Option<String>,
    edits_made: usize,
    /// Others' edits merged while this page had its own in flight: the concurrency under test.
    merged_past_own: usize,
}

impl Page {
    fn new(name: usize, text: String, version: i64) -> Page {
        Page::on(SECTION, FIELD.to_string(), name, text, version)
    }

    fn on(section: &'static str, field: String, name: usize, text: String, version: i64) -> Page {
        Page {
            name,
            section,
            field,
            text: ClientText::new(text, version as u64),
            to_send: None,
            in_flight: None,
            edits_made: 0,
            merged_past_own: 0,
        }
    }

    fn queue(&mut self, outgoing: Option<Outgoing>) {
        if let Some(outgoing) = outgoing {
            self.edits_made += 1;
            let id = format!("typist{}-{}", self.name, self.edits_made);
            self.in_flight = Some(id.clone());
            self.to_send = Some((id, outgoing));
        }
    }

    /// Sends the queued edit; the answer only says it is stored: the page hears it in order.
    async fn send(&mut self, app: &TestApp, cookie: &str) {
        let Some((id, outgoing)) = self.to_send.take() else {
            return;
        };
        let op = serde_json::to_string(&outgoing.op).unwrap();
        let base = outgoing.base.to_string();
        let (status, answer) = app
            .answer(
                "/api/pep/edit_text",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("section", self.section),
                    ("field", &self.field),
                    ("base", &base),
                    ("op", &op),
                    ("edit_id", &id),
                ],
                cookie,
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        match answer["outcome"].as_str().unwrap() {
            "accepted" => {}
            "retry" => self.to_send = Some((id, outgoing)),
            "resync" => {
                let again = self.text.resync(
                    answer["text"].as_str().unwrap().to_string(),
                    answer["version"].as_u64().unwrap(),
                );
                self.in_flight = None;
                self.queue(again);
            }
            other => panic!("{other}"),
        }
    }

    /// Reads the field's edits since this page's version: its own edit is its acknowledgement,
    /// the others' are merged in.
    async fn catch_up(&mut self, app: &TestApp, cookie: &str) {
        let version = self.text.revision.to_string();
        let since = app
            .json(
                "/api/pep/text_since",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("section", self.section),
                    ("field", &self.field),
                    ("version", &version),
                ],
                Some(cookie),
            )
            .await;
        assert_eq!(since["outcome"], "edits", "{since}");
        for edit in since["edits"].as_array().unwrap() {
            let version = edit["version"].as_u64().unwrap();
            if edit["edit_id"].as_str() == self.in_flight.as_deref() {
                self.in_flight = None;
                let next = self.text.acknowledged(version);
                self.queue(next);
            } else {
                let op: TextOp = serde_json::from_value(edit["op"].clone()).unwrap();
                if !self.text.is_settled() {
                    self.merged_past_own += 1;
                }
                self.text.remote(&op, version).unwrap();
            }
        }
    }

    /// Types `words` words (`p{page}w{n}`, each at the start of a word `spread` words on from
    /// the last), sending and catching up after each, then until everything it typed is stored
    /// and seen back.
    async fn type_words(&mut self, app: &TestApp, cookie: &str, words: usize, spread: usize) {
        let name = self.name;
        for n in 0..words {
            self.type_word(&format!("p{name}w{n}"), n * spread + name * 3);
            self.send(app, cookie).await;
            self.catch_up(app, cookie).await;
        }
        for _ in 0..200 {
            if self.text.is_settled() && self.to_send.is_none() {
                break;
            }
            self.send(app, cookie).await;
            self.catch_up(app, cookie).await;
        }
        assert!(self.text.is_settled(), "page {name} never settled");
    }

    /// Types `word ` at the start of a word of the text as this page shows it.
    fn type_word(&mut self, word: &str, seed: usize) {
        let chars: Vec<char> = self.text.text.chars().collect();
        let starts: Vec<usize> = (0..=chars.len())
            .filter(|&i| i == 0 || chars[i - 1] == ' ')
            .collect();
        let at = starts[seed % starts.len()];
        let mut new: String = chars[..at].iter().collect();
        new.push_str(word);
        new.push(' ');
        new.extend(&chars[at..]);
        let outgoing = self.text.local_change(&new);
        if self.in_flight.is_none() {
            self.queue(outgoing);
        }
    }
}

/// The same page with its edits on the live channel, as a browser sends them while it is up.
impl Page {
    fn field_key(&self) -> FieldKey {
        FieldKey::new(SectionKey::parse(self.section).unwrap(), &self.field)
    }

    /// Merges the channel's edits of this field: its own is its acknowledgement. Nothing may be
    /// skipped: a room tells its edits in order.
    fn merge(&mut self, edits: &[FieldTextEdit]) {
        let key = self.field_key();
        for edit in edits.iter().filter(|e| e.field == key) {
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
                if !self.text.is_settled() {
                    self.merged_past_own += 1;
                }
                self.text.remote(&edit.edit.op, version).unwrap();
            }
        }
    }

    /// Sends the queued edit on the channel and reads until its answer, merging what comes.
    async fn send_on(&mut self, live: &mut super::live::Live) {
        let Some((id, outgoing)) = self.to_send.take() else {
            return;
        };
        live.send(&ClientMessage::EditText {
            field: self.field_key(),
            base: outgoing.base as i64,
            op: outgoing.op.clone(),
            edit_id: id.clone(),
        })
        .await;
        loop {
            match live.next().await {
                ServerMessage::TextEditAnswered { edit_id, answer } if edit_id == id => {
                    match answer {
                        EditAnswer::Accepted { .. } => {}
                        EditAnswer::Retry => self.to_send = Some((id, outgoing)),
                        EditAnswer::Resync { text, version } => {
                            let again = self.text.resync(text, version as u64);
                            self.in_flight = None;
                            self.queue(again);
                        }
                        other => panic!("page {}: {other:?}", self.name),
                    }
                    return;
                }
                ServerMessage::Changed { text_edits, .. } => self.merge(&text_edits),
                _ => {}
            }
        }
    }

    /// Types `words` words as `type_words` does, each edit on the channel, then reads the
    /// channel until everything it typed is stored and seen back.
    async fn type_words_on(&mut self, live: &mut super::live::Live, words: usize, spread: usize) {
        let name = self.name;
        for n in 0..words {
            self.type_word(&format!("p{name}w{n}"), n * spread + name * 3);
            self.send_on(live).await;
        }
        while !(self.text.is_settled() && self.to_send.is_none()) {
            if self.to_send.is_some() {
                self.send_on(live).await;
                continue;
            }
            if let ServerMessage::Changed { text_edits, .. } = live
                .until(|m| matches!(m, ServerMessage::Changed { .. }))
                .await
            {
                self.merge(&text_edits);
            }
        }
    }
}

async fn field_now(app: &TestApp) -> (String, i64) {
    sql("SELECT value, version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3")
        .bind(AMELIA_PEP)
        .bind(SECTION)
        .bind(FIELD)
        .fetch_optional(&app.db.db)
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Every word each page typed (`p{page}w{n}`) is in `stored` exactly once, and the words that
/// were there (`start`) stay, in their order, with the typed ones between them.
fn every_word_once_around_the_first(
    stored: &str,
    start: &str,
    pages: usize,
    words_each: usize,
    backend: &str,
) {
    let words: Vec<&str> = stored.split(' ').collect();
    for name in 0..pages {
        for n in 0..words_each {
            let word = format!("p{name}w{n}");
            assert_eq!(
                words.iter().filter(|w| **w == word).count(),
                1,
                "{backend}: {word} in {stored}"
            );
        }
    }
    let typed = |w: &&str| {
        w.starts_with('p')
            && w.contains('w')
            && w[1..].replace('w', "").chars().all(|c| c.is_ascii_digit())
    };
    let kept: Vec<&str> = words.iter().copied().filter(|w| !typed(w)).collect();
    assert_eq!(kept.join(" "), start, "{backend}: the first words stay");
}

/// The target as the PEP form sends it to the page (its draft and its text parts' versions).
async fn target_on_form(app: &TestApp, cookie: &str, target_id: &str) -> serde_json::Value {
    let form = app
        .json("/api/pep/form", &[("pep_id", AMELIA_PEP)], Some(cookie))
        .await;
    form["targets"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == target_id)
        .unwrap()
        .clone()
}

/// Five pages type thirty words each into the same field at the same time: every page ends with
/// the database's text, and each word is in it exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_pages_typing_into_one_field_converge_and_lose_no_word() {
    const PAGES: usize = 5;
    const WORDS: usize = 30;
    for app in seeded_apps().await {
        let app = std::sync::Arc::new(app);
        let backend = app.db.db.backend_name();
        // One teacher with the PEP open on five devices (a second factor code works once).
        let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
        // Start from words the demo does not have, so the field's history is all shared edits.
        let (start, version) = field_now(&app).await;
        // The social worker watches on the live channel, merging each edit as it is fanned out.
        let priya = session(&app, "priya.sharma@northdale.example", true).await;
        let revision: i64 = sql("SELECT revision FROM peps WHERE id = $1")
            .bind(AMELIA_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let mut watcher = super::live::Live::open(&app.base, AMELIA_PEP, revision, &priya).await;
        let mut watched = ClientText::new(start.clone(), version as u64);
        let typists = (0..PAGES)
            .map(|name| {
                let (app, cookie, start) = (app.clone(), cookie.clone(), start.clone());
                tokio::spawn(async move {
                    let mut page = Page::new(name, start, version);
                    page.type_words(&app, &cookie, WORDS, 7).await;
                    page
                })
            })
            // Spawned now, all at once (a lazy iterator would start each after the last ended).
            .collect::<Vec<_>>();
        let mut pages = Vec::new();
        for typist in typists {
            pages.push(typist.await.unwrap());
        }
        let (stored, stored_version) = field_now(&app).await;
        let mut fanned_out = 0i64;
        while watched.revision < stored_version as u64 {
            watcher.send(&ClientMessage::Ping).await;
            let ServerMessage::Changed { text_edits, .. } = watcher
                .until(|m| matches!(m, ServerMessage::Changed { .. }))
                .await
            else {
                unreachable!()
            };
            for edit in text_edits.iter().filter(|e| e.field.field == FIELD) {
                if edit.edit.version as u64 <= watched.revision {
                    continue;
                }
                assert_eq!(
                    edit.edit.version as u64,
                    watched.revision + 1,
                    "{backend}: the channel skipped an edit"
                );
                watched
                    .remote(&edit.edit.op, edit.edit.version as u64)
                    .unwrap();
                fanned_out += 1;
            }
        }
        assert_eq!(watched.text, stored, "{backend}: the watcher's text");
        assert_eq!(fanned_out, stored_version - version, "{backend}");
        for page in &mut pages {
            page.catch_up(&app, &cookie).await;
            assert_eq!(page.text.text, stored, "{backend}: page {}", page.name);
            assert_eq!(page.text.revision, stored_version as u64);
        }
        let concurrent: usize = pages.iter().map(|p| p.merged_past_own).sum();
        assert!(
            concurrent > 0,
            "{backend}: the pages never typed over each other"
        );
        eprintln!("{backend}: {concurrent} edits merged past a page's own pending words");
        every_word_once_around_the_first(&stored, &start, PAGES, WORDS, backend);
        // Each edit is stored once, and the audit has a row per person per field per minute,
        // not one per edit.
        let edits: i64 = sql("SELECT COUNT(*) FROM text_edits WHERE pep_id = $1 AND field = $2")
            .bind(AMELIA_PEP)
            .bind(FIELD)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(edits, stored_version - version, "{backend}");
        let audited: i64 = sql(
            "SELECT COUNT(*) FROM audit_events WHERE pep_id = $1 AND action = 'pep.text_edited'",
        )
        .bind(AMELIA_PEP)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
        assert!(
            (1..=2).contains(&audited),
            "{backend}: {audited} audit rows"
        );
        match std::sync::Arc::try_unwrap(app) {
            Ok(app) => app.db.finish().await,
            Err(_) => panic!("a typist still holds the app"),
        }
    }
}

/// Five pages type twenty words each into one field with every edit on the live channel, as
/// browsers do while it is up: every page ends with the database's text, each word once, each
/// edit stored once; an edit resent over HTTP with its id is not applied again; a reader of the
/// section is refused; and rights the connection holds do not write into a PEP that moved on
/// (changed behind the server's back, with no doorbell).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_pages_typing_on_the_live_channel_converge_and_rights_follow_the_pep() {
    const PAGES: usize = 5;
    const WORDS: usize = 20;
    for app in seeded_apps().await {
        let app = std::sync::Arc::new(app);
        let backend = app.db.db.backend_name();
        let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
        let (start, version) = field_now(&app).await;
        let revision: i64 = sql("SELECT revision FROM peps WHERE id = $1")
            .bind(AMELIA_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let typists = (0..PAGES)
            .map(|name| {
                let (app, cookie, start) = (app.clone(), cookie.clone(), start.clone());
                tokio::spawn(async move {
                    let mut live =
                        super::live::Live::open(&app.base, AMELIA_PEP, revision, &cookie).await;
                    let mut page = Page::new(name, start, version);
                    page.type_words_on(&mut live, WORDS, 5).await;
                    (page, live)
                })
            })
            .collect::<Vec<_>>();
        let mut pages = Vec::new();
        for typist in typists {
            pages.push(typist.await.unwrap());
        }
        let (stored, stored_version) = field_now(&app).await;
        assert_eq!(
            stored_version - version,
            pages.iter().map(|(p, _)| p.edits_made as i64).sum::<i64>(),
            "{backend}: every edit made is stored once"
        );
        for (page, live) in &mut pages {
            // Each page reads the channel until it has every edit.
            while page.text.revision < stored_version as u64 {
                live.send(&ClientMessage::Ping).await;
                if let ServerMessage::Changed { text_edits, .. } = live
                    .until(|m| matches!(m, ServerMessage::Changed { .. }))
                    .await
                {
                    page.merge(&text_edits);
                }
            }
            assert_eq!(page.text.text, stored, "{backend}: page {}", page.name);
        }
        let concurrent: usize = pages.iter().map(|(p, _)| p.merged_past_own).sum();
        assert!(
            concurrent > 0,
            "{backend}: the pages never typed over each other"
        );
        every_word_once_around_the_first(&stored, &start, PAGES, WORDS, backend);

        // The first page's first edit again, over HTTP (its answer was lost as the channel
        // dropped): answered as before, not applied twice.
        let first: (i64, String) = sql(
            "SELECT version, op_json FROM text_edits WHERE pep_id = $1 AND edit_id = 'typist0-1'",
        )
        .bind(AMELIA_PEP)
        .fetch_one(&app.db.db)
        .await
        .unwrap();
        let base = (first.0 - 1).to_string();
        let (status, answer) = app
            .answer(
                "/api/pep/edit_text",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("section", SECTION),
                    ("field", FIELD),
                    ("base", &base),
                    ("op", &first.1),
                    ("edit_id", "typist0-1"),
                ],
                &cookie,
            )
            .await;
        assert_eq!(
            (status, answer["version"].as_i64()),
            (200, Some(first.0)),
            "{backend}: {answer}"
        );
        assert_eq!(
            field_now(&app).await,
            (stored.clone(), stored_version),
            "{backend}"
        );

        let (page, live) = &mut pages[0];
        let edit = |id: &str, base: i64| ClientMessage::EditText {
            field: page.field_key(),
            base,
            op: TextOp::new()
                .insert("Late words. ")
                .retain(stored.chars().count()),
            edit_id: id.to_string(),
        };
        let answer_to = |id: &'static str| move |m: &ServerMessage| matches!(m, ServerMessage::TextEditAnswered { edit_id, .. } if edit_id == id);
        // The social worker reads the meeting record but may not write in it.
        let priya = session(&app, "priya.sharma@northdale.example", true).await;
        let mut readers =
            super::live::Live::open(&app.base, AMELIA_PEP, stored_version, &priya).await;
        readers.send(&edit("reader-1", stored_version)).await;
        let ServerMessage::TextEditAnswered { answer, .. } =
            readers.until(answer_to("reader-1")).await
        else {
            unreachable!()
        };
        assert_eq!(answer, EditAnswer::Forbidden, "{backend}");
        // A question that is not free text is refused with what to change.
        live.send(&ClientMessage::EditText {
            field: FieldKey::new(SectionKey::Attendance, "sessions_possible"),
            base: 0,
            op: TextOp::new().insert("12"),
            edit_id: "count-1".into(),
        })
        .await;
        let ServerMessage::TextEditAnswered { answer, .. } = live.until(answer_to("count-1")).await
        else {
            unreachable!()
        };
        assert!(
            matches!(answer, EditAnswer::Refused { .. }),
            "{backend}: {answer:?}"
        );
        // The PEP approved by another writer: the connection's rights were asked while it was
        // open for contributions; the edit finds the state moved, asks again, and is refused.
        sql("UPDATE peps SET state = 'approved' WHERE id = $1")
            .bind(AMELIA_PEP)
            .execute(&app.db.db)
            .await
            .unwrap()
            .rows_affected();
        live.send(&edit("late-1", stored_version)).await;
        let ServerMessage::TextEditAnswered { answer, .. } = live.until(answer_to("late-1")).await
        else {
            unreachable!()
        };
        assert_eq!(answer, EditAnswer::Forbidden, "{backend}");
        assert_eq!(
            field_now(&app).await,
            (stored.clone(), stored_version),
            "{backend}: nothing refused was written"
        );
        drop(pages);
        drop(readers);
        match std::sync::Arc::try_unwrap(app) {
            Ok(app) => app.db.finish().await,
            Err(_) => panic!("a typist still holds the app"),
        }
    }
}

/// The same edit sent twice (its answer lost) is applied once; an edit of a question that is
/// not free text, or with a control character, is refused with a 422 naming the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_edit_applies_once_and_bad_edits_are_refused_by_field() {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
        let (start, version) = field_now(&app).await;
        let op = serde_json::to_string(
            &TextOp::new()
                .insert("Calm mornings. ")
                .retain(start.chars().count()),
        )
        .unwrap();
        let base = version.to_string();
        let form = |op: &str, id: &str, field: &str| {
            vec![
                ("pep_id", AMELIA_PEP.to_string()),
                (
                    "section",
                    if field == FIELD {
                        SECTION
                    } else {
                        "attendance"
                    }
                    .to_string(),
                ),
                ("field", field.to_string()),
                ("base", base.clone()),
                ("op", op.to_string()),
                ("edit_id", id.to_string()),
            ]
        };
        let send = |pairs: Vec<(&'static str, String)>| {
            let (app, cookie) = (&app, &cookie);
            async move {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.answer("/api/pep/edit_text", &pairs, cookie).await
            }
        };
        for _ in 0..2 {
            let (status, answer) = send(form(&op, "resent-1", FIELD)).await;
            assert_eq!(
                (status, answer["outcome"].as_str()),
                (200, Some("accepted")),
                "{backend}: {answer}"
            );
            assert_eq!(answer["version"], version + 1);
        }
        let (stored, _) = field_now(&app).await;
        assert_eq!(stored, format!("Calm mornings. {start}"), "{backend}");
        let nul = serde_json::to_string(
            &TextOp::new()
                .insert("a\u{0}b")
                .retain(stored.chars().count()),
        )
        .unwrap();
        let (status, refused) = send(form(&nul, "nul-1", FIELD)).await;
        assert_eq!(status, 422, "{backend}");
        assert!(refused.to_string().contains("NUL"), "{refused}");
        let (status, refused) = send(form(r#"["12"]"#, "count-1", "sessions_possible")).await;
        assert_eq!(status, 422, "{backend}");
        assert!(refused.to_string().contains("not free text"), "{refused}");
        let (status, refused) = send(form("[1, 2", "broken-1", FIELD)).await;
        assert_eq!(status, 422, "{backend}");
        assert!(refused.to_string().contains("\"op\""), "{refused}");
        // A carer may not edit the meeting record.
        let carer = session(&app, "linda.bennett@example.com", false).await;
        let pairs = form(&op, "carer-1", FIELD);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _) = app.answer("/api/pep/edit_text", &pairs, &carer).await;
        assert_eq!(status, 403, "{backend}");
        let (after, _) = field_now(&app).await;
        assert_eq!(after, stored, "{backend}: nothing refused changed the text");
        app.db.finish().await;
    }
}

/// The server binary on an SQLite file, answering on `port`.
fn start_server(url: &str, port: u16) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("EPEP_DEMO")
        .env_remove("EPEP_SMTP_URL")
        .args(["--database-url", url, "serve", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed().as_secs() < 30, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

/// One server function call to the binary: the status and JSON, or `None` when the connection
/// failed (the server was killed).
async fn post(
    client: &reqwest::Client,
    port: u16,
    path: &str,
    form: &[(&str, &str)],
    cookie: &str,
) -> Option<(u16, serde_json::Value)> {
    let response = client
        .post(format!("http://127.0.0.1:{port}{path}"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.unwrap_or_default()))
}

/// The field's text and version as the binary on `port` has them (`text_since` from 0).
async fn field_from_binary(
    client: &reqwest::Client,
    port: u16,
    cookie: &str,
) -> (u16, serde_json::Value) {
    let ask = [
        ("pep_id", AMELIA_PEP),
        ("section", SECTION),
        ("field", FIELD),
        ("version", "0"),
    ];
    post(client, port, "/api/pep/text_since", &ask, cookie)
        .await
        .unwrap()
}

/// The demo in an SQLite file of a temporary folder (kept while the first is held), and a free
/// port for the server binary.
fn demo_database_and_port() -> (tempfile::TempDir, String, u16) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/epep.db", dir.path().display());
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("DATABASE_URL")
        .args(["--database-url", &url, "seed-demo"])
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let port = super::support::free_port();
    (dir, url, port)
}

/// The designated teacher signed in to the binary on `port`, second factor passed: the cookie.
async fn sign_in_to_binary(client: &reqwest::Client, port: u16) -> String {
    let base = format!("http://127.0.0.1:{port}");
    super::support::sign_in(client, &base, "s.whitfield@brookfield.example", true).await
}

/// `kill -9` of the server while one person types word after word into a field: after a restart
/// every word the server acknowledged is in the field, and the edit that was on its way when
/// the server died, sent again with its id, is there exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_typing_loses_no_acknowledged_edit() {
    let (_dir, url, port) = demo_database_and_port();
    let mut server = start_server(&url, port);
    let client = reqwest::Client::new();
    let cookie = sign_in_to_binary(&client, port).await;
    let field_version = |since: &serde_json::Value| since["version"].as_i64();
    // The field as it stands: the demo wrote it once, with no shared edits yet.
    let (_, since) = field_from_binary(&client, port, &cookie).await;
    assert_eq!(since["outcome"], "resync", "{since}");
    let mut text = since["text"].as_str().unwrap().to_string();
    let mut version = field_version(&since).unwrap();

    // Words at the start of the field, one edit each, until the server dies under them.
    let mut acknowledged = Vec::new();
    let mut on_its_way = None;
    let killer_at = 25;
    for n in 0..10_000 {
        let word = format!("w{n}");
        let op = TextOp::new()
            .insert(&format!("{word} "))
            .retain(text.chars().count());
        let (op_json, id, base) = (
            serde_json::to_string(&op).unwrap(),
            format!("kill-{n}"),
            version.to_string(),
        );
        if n == killer_at {
            // Killed while this edit is on its way: the request races the signal.
            let pid = server.id().to_string();
            std::thread::spawn(move || {
                std::process::Command::new("kill")
                    .args(["-9", &pid])
                    .status()
                    .unwrap()
            });
        }
        let form = [
            ("pep_id", AMELIA_PEP),
            ("section", SECTION),
            ("field", FIELD),
            ("base", base.as_str()),
            ("op", op_json.as_str()),
            ("edit_id", id.as_str()),
        ];
        match post(&client, port, "/api/pep/edit_text", &form, &cookie).await {
            Some((200, answer)) if answer["outcome"] == "accepted" => {
                acknowledged.push(word);
                text = op.apply(&text).unwrap();
                version = answer["version"].as_i64().unwrap();
            }
            Some((status, answer)) => panic!("{status} {answer}"),
            None => {
                on_its_way = Some((word, op_json, id, base));
                break;
            }
        }
    }
    server.wait().unwrap();
    assert!(acknowledged.len() >= killer_at, "{}", acknowledged.len());
    let (word, op_json, id, base) = on_its_way.expect("the server was killed mid-typing");

    let mut server = start_server(&url, port);
    let resent = [
        ("pep_id", AMELIA_PEP),
        ("section", SECTION),
        ("field", FIELD),
        ("base", base.as_str()),
        ("op", op_json.as_str()),
        ("edit_id", id.as_str()),
    ];
    let (status, answer) = post(&client, port, "/api/pep/edit_text", &resent, &cookie)
        .await
        .unwrap();
    assert_eq!(
        (status, answer["outcome"].as_str()),
        (200, Some("accepted")),
        "{answer}"
    );
    let (_, now) = field_from_binary(&client, port, &cookie).await;
    let stored = now["text"].as_str().unwrap().to_string();
    let words: Vec<&str> = stored.split(' ').collect();
    for typed in acknowledged.iter().chain([&word]) {
        assert_eq!(
            words.iter().filter(|w| *w == typed).count(),
            1,
            "{typed} in {stored}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The same on the live channel, the way a page sends while it is up: every edit the channel
/// answered "accepted" (after its group commit) is in the field after a restart, and the edit
/// unanswered when the server died, sent again with its id on the new channel, is there once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_typing_on_the_live_channel_loses_no_acknowledged_edit() {
    let (_dir, url, port) = demo_database_and_port();
    let base_url = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&url, port);
    let client = reqwest::Client::new();
    let cookie = sign_in_to_binary(&client, port).await;
    let field = FieldKey::new(SectionKey::parse(SECTION).unwrap(), FIELD);
    let (_, since) = field_from_binary(&client, port, &cookie).await;
    let mut text = since["text"].as_str().unwrap().to_string();
    let mut version = since["version"].as_i64().unwrap();
    let mut live = super::live::Live::open(&base_url, AMELIA_PEP, 0, &cookie).await;
    let edit_of = |n: usize, text: &str, version: i64| ClientMessage::EditText {
        field: field.clone(),
        base: version,
        op: TextOp::new()
            .insert(&format!("c{n} "))
            .retain(text.chars().count()),
        edit_id: format!("channel-kill-{n}"),
    };
    let mut acknowledged = Vec::new();
    let killer_at = 25;
    let mut on_its_way = None;
    'typing: for n in 0..10_000 {
        let edit = edit_of(n, &text, version);
        if n == killer_at {
            let pid = server.id().to_string();
            std::thread::spawn(move || {
                std::process::Command::new("kill")
                    .args(["-9", &pid])
                    .status()
                    .unwrap()
            });
        }
        live.send_unless_closed(&edit).await;
        loop {
            match live.next_unless_closed().await {
                Some(ServerMessage::TextEditAnswered { edit_id, answer }) => {
                    assert_eq!(edit_id, format!("channel-kill-{n}"));
                    let EditAnswer::Accepted { version: stored } = answer else {
                        panic!("{answer:?}");
                    };
                    acknowledged.push(format!("c{n}"));
                    let ClientMessage::EditText { op, .. } = &edit else {
                        unreachable!()
                    };
                    text = op.apply(&text).unwrap();
                    version = stored;
                    break;
                }
                Some(_) => {}
                None => {
                    on_its_way = Some((n, edit));
                    break 'typing;
                }
            }
        }
    }
    server.wait().unwrap();
    assert!(acknowledged.len() >= killer_at, "{}", acknowledged.len());
    let (n, edit) = on_its_way.expect("the server was killed mid-typing");

    let mut server = start_server(&url, port);
    let mut live = super::live::Live::open(&base_url, AMELIA_PEP, 0, &cookie).await;
    live.send(&edit).await;
    let id = format!("channel-kill-{n}");
    let answered = live
        .until(|m| matches!(m, ServerMessage::TextEditAnswered { edit_id, .. } if *edit_id == id))
        .await;
    assert!(
        matches!(
            answered,
            ServerMessage::TextEditAnswered {
                answer: EditAnswer::Accepted { .. },
                ..
            }
        ),
        "{answered:?}"
    );
    let (_, now) = field_from_binary(&client, port, &cookie).await;
    let stored = now["text"].as_str().unwrap().to_string();
    let words: Vec<&str> = stored.split(' ').collect();
    for typed in acknowledged.iter().chain([&format!("c{n}")]) {
        assert_eq!(
            words.iter().filter(|w| **w == typed.as_str()).count(),
            1,
            "{typed} in {stored}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A page back after more edits than one live message carries is told which field changed and
/// its text now (and reads the edits itself); a page a few edits behind gets them in the message,
/// with who made them, and not the field's whole text beside them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_far_behind_is_told_the_field_not_sent_every_edit() {
    use app::features::live::TEXT_EDITS_SENT;
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
    let priya = session(&app, "priya.sharma@northdale.example", true).await;
    let revision_at = |app: &TestApp| {
        let db = app.db.db.clone();
        async move {
            let revision: i64 = sql("SELECT revision FROM peps WHERE id = $1")
                .bind(AMELIA_PEP)
                .fetch_value(&db)
                .await
                .unwrap();
            revision
        }
    };
    let before = revision_at(&app).await;
    let (mut text, mut version) = field_now(&app).await;
    let mut near_end = 0;
    for n in 0..=TEXT_EDITS_SENT {
        if n == TEXT_EDITS_SENT - 2 {
            near_end = revision_at(&app).await;
        }
        let op = TextOp::new().retain(text.chars().count()).insert("x");
        let (op, base, id) = (
            serde_json::to_string(&op).unwrap(),
            version.to_string(),
            format!("far-{n}"),
        );
        let fields = [
            ("pep_id", AMELIA_PEP),
            ("section", SECTION),
            ("field", FIELD),
            ("base", base.as_str()),
            ("op", op.as_str()),
            ("edit_id", id.as_str()),
        ];
        let (status, answer) = app.answer("/api/pep/edit_text", &fields, &cookie).await;
        assert_eq!(
            (status, answer["outcome"].as_str()),
            (200, Some("accepted"))
        );
        text.push('x');
        version += 1;
    }
    let changed = |since: i64| {
        let (base, priya) = (app.base.clone(), priya.clone());
        async move {
            let mut page = super::live::Live::open(&base, AMELIA_PEP, since, &priya).await;
            match page
                .until(|m| matches!(m, ServerMessage::Changed { .. }))
                .await
            {
                ServerMessage::Changed {
                    fields, text_edits, ..
                } => (fields, text_edits),
                _ => unreachable!(),
            }
        }
    };
    let (fields, text_edits) = changed(before).await;
    assert!(text_edits.is_empty(), "{} edits sent", text_edits.len());
    let field = fields.iter().find(|f| f.field.field == FIELD).unwrap();
    assert_eq!(
        (field.value.as_str(), field.version),
        (text.as_str(), version)
    );
    let (fields, text_edits) = changed(near_end).await;
    let versions: Vec<i64> = text_edits.iter().map(|e| e.edit.version).collect();
    assert_eq!(versions, [version - 2, version - 1, version]);
    assert!(
        text_edits.iter().all(|e| e.by == "Sarah Whitfield"),
        "each edit names its writer"
    );
    // Its edits are all in the message: the field's whole text is not sent beside them.
    assert!(
        fields.iter().all(|f| f.field.field != FIELD),
        "{} characters sent again",
        text.len()
    );
    app.db.finish().await;
}

/// A phone that loses its connection mid-sentence and comes back after minutes: its last edit
/// was stored but the answer never came, and it kept typing offline while another page typed
/// 250 words (more than one live message carries). Back, it sends the lost edit again (applied
/// once), reads what it missed, and its offline words merge with the others': every word once,
/// the same text on both pages and in the database. Time offline is the others' edits in
/// between: nothing in the server counts the minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_offline_for_minutes_comes_back_and_merges_without_losing_a_word() {
    const OTHERS_WORDS: usize = 250;
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
        let (start, version) = field_now(&app).await;
        let (mut phone, mut desk) = (
            Page::new(0, start.clone(), version),
            Page::new(1, start.clone(), version),
        );
        for n in 0..5 {
            phone.type_word(&format!("p0w{n}"), n * 3);
            phone.send(&app, &cookie).await;
            phone.catch_up(&app, &cookie).await;
        }
        assert!(phone.text.is_settled(), "{backend}");
        // The next edit reaches the server, but its answer is lost with the connection.
        phone.type_word("p0w5", 11);
        let lost_answer = phone.to_send.clone().unwrap();
        phone.send(&app, &cookie).await;
        // Typed offline: held on the phone, behind the edit still unanswered.
        for n in 6..20 {
            phone.type_word(&format!("p0w{n}"), n * 5);
        }
        assert!(phone.to_send.is_none() && phone.in_flight.is_some());
        // Meanwhile the desk types on.
        for n in 0..OTHERS_WORDS {
            desk.type_word(&format!("p1w{n}"), n * 7);
            desk.send(&app, &cookie).await;
            desk.catch_up(&app, &cookie).await;
        }
        assert!(desk.text.is_settled(), "{backend}");
        // Back: the unanswered edit goes again with its id, then the phone catches up.
        phone.to_send = Some(lost_answer.clone());
        phone.send(&app, &cookie).await;
        for _ in 0..50 {
            phone.catch_up(&app, &cookie).await;
            if phone.text.is_settled() && phone.to_send.is_none() {
                break;
            }
            phone.send(&app, &cookie).await;
        }
        assert!(
            phone.text.is_settled(),
            "{backend}: the phone never settled"
        );
        desk.catch_up(&app, &cookie).await;
        let (stored, _) = field_now(&app).await;
        assert_eq!(phone.text.text, stored, "{backend}: the phone");
        assert_eq!(desk.text.text, stored, "{backend}: the desk");
        assert!(
            phone.merged_past_own >= OTHERS_WORDS,
            "{backend}: the desk's words were merged past the phone's pending ones ({})",
            phone.merged_past_own
        );
        let words: Vec<&str> = stored.split(' ').collect();
        for (name, count) in [(0, 20), (1, OTHERS_WORDS)] {
            for n in 0..count {
                let word = format!("p{name}w{n}");
                assert_eq!(
                    words.iter().filter(|w| **w == word).count(),
                    1,
                    "{backend}: {word}"
                );
            }
        }
        let applied: i64 = sql("SELECT COUNT(*) FROM text_edits WHERE edit_id = $1")
            .bind(&lost_answer.0)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert_eq!(applied, 1, "{backend}: the resent edit applied once");
        app.db.finish().await;
    }
}

/// A target's statement is shared text too: three pages type into it at once and converge on
/// the target's own column, while a whole-target save of its structured parts (the date) made
/// from a page with an old statement neither clashes with the typing nor overwrites a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_pages_typing_one_target_statement_converge_beside_structured_saves() {
    const PAGES: usize = 3;
    const WORDS: usize = 12;
    for app in seeded_apps().await {
        let app = std::sync::Arc::new(app);
        let backend = app.db.db.backend_name();
        let cookie = session(&app, "s.whitfield@brookfield.example", true).await;
        let (target_id, start, target_version): (String, String, i64) = sql("SELECT id, statement, version FROM targets WHERE pep_id = $1 ORDER BY position LIMIT 1").bind(AMELIA_PEP).fetch_one(&app.db.db).await.unwrap();
        let field = format!("{target_id}.statement");
        // The form says each text part's version (none typed in yet: 0).
        let record = target_on_form(&app, &cookie, &target_id).await;
        assert_eq!(record["draft"]["statement"], start.as_str(), "{backend}");
        assert_eq!(record["text_versions"], serde_json::json!({}), "{backend}");
        let typists = (0..PAGES)
            .map(|name| {
                let (app, cookie, start, field) =
                    (app.clone(), cookie.clone(), start.clone(), field.clone());
                tokio::spawn(async move {
                    let mut page = Page::on("targets", field, name, start, 0);
                    page.type_words(&app, &cookie, WORDS, 5).await;
                    page
                })
            })
            .collect::<Vec<_>>();
        // Meanwhile the date is saved whole, from the draft as the page first had it.
        let mut structured = super::pp_plus::target_form(&record, target_version, &[]);
        for (part, value) in &mut structured {
            match part.as_str() {
                "target[statement]" => *value = "An old statement from a stale page".into(),
                "target[override_reason]" => *value = "An old reason from a stale page".into(),
                "target[target_date]" => *value = "2027-03-19".into(),
                _ => {}
            }
        }
        let pairs: Vec<(&str, &str)> = structured
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, saved) = app.answer("/api/pep/save_target", &pairs, &cookie).await;
        assert_eq!(status, 200, "{backend}: {saved}");
        assert_eq!(saved["outcome"], "saved", "{backend}: {saved}");
        let mut pages = Vec::new();
        for typist in typists {
            pages.push(typist.await.unwrap());
        }
        let (stored, date, version_now): (String, Option<String>, i64) =
            sql("SELECT statement, CAST(target_date AS TEXT), version FROM targets WHERE id = $1")
                .bind(&target_id)
                .fetch_one(&app.db.db)
                .await
                .unwrap();
        let text_version: i64 = sql(
            "SELECT version FROM target_text_versions WHERE target_id = $1 AND part = 'statement'",
        )
        .bind(&target_id)
        .fetch_value(&app.db.db)
        .await
        .unwrap();
        assert_eq!(
            date.as_deref(),
            Some("2027-03-19"),
            "{backend}: the date was saved"
        );
        assert_eq!(
            version_now,
            target_version + 1,
            "{backend}: typing does not move the target's version"
        );
        for page in &mut pages {
            page.catch_up(&app, &cookie).await;
            assert_eq!(page.text.text, stored, "{backend}: page {}", page.name);
            assert_eq!(page.text.revision, text_version as u64, "{backend}");
        }
        every_word_once_around_the_first(&stored, &start, PAGES, WORDS, backend);
        assert!(
            !stored.contains("stale page"),
            "{backend}: the whole-target save wrote its text"
        );
        let edits: i64 = sql("SELECT COUNT(*) FROM text_edits WHERE pep_id = $1 AND section = 'targets' AND field = $2").bind(AMELIA_PEP).bind(&field).fetch_value(&app.db.db).await.unwrap();
        assert_eq!(edits, text_version, "{backend}");
        // The form now says the statement's version; the advisor may read it but not type in it.
        let record = target_on_form(&app, &cookie, &target_id).await;
        assert_eq!(
            record["text_versions"]["statement"], text_version,
            "{backend}"
        );
        assert_eq!(record["draft"]["statement"], stored.as_str(), "{backend}");
        let advisor = session(&app, "daniel.reid@northdale.example", true).await;
        let op = serde_json::to_string(
            &TextOp::new()
                .insert("Not mine. ")
                .retain(stored.chars().count()),
        )
        .unwrap();
        let version = text_version.to_string();
        let edit = |id: &'static str, field: String| {
            vec![
                ("pep_id", AMELIA_PEP.to_string()),
                ("section", "targets".to_string()),
                ("field", field),
                ("base", version.clone()),
                ("op", op.clone()),
                ("edit_id", id.to_string()),
            ]
        };
        let send = |pairs: Vec<(&'static str, String)>, cookie: String| {
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.answer("/api/pep/edit_text", &pairs, &cookie).await
            }
        };
        let (status, _) = send(edit("advisor-1", field.clone()), advisor.clone()).await;
        assert_eq!(status, 403, "{backend}");
        // A part that is not shared text, and a target of another PEP, are refused by name.
        let (status, refused) = send(
            edit("part-1", format!("{target_id}.need_area")),
            cookie.clone(),
        )
        .await;
        assert_eq!(status, 422, "{backend}: {refused}");
        let foreign: String = sql("SELECT id FROM targets WHERE pep_id <> $1 LIMIT 1")
            .bind(AMELIA_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let (status, refused) = send(
            edit("foreign-1", format!("{foreign}.statement")),
            cookie.clone(),
        )
        .await;
        assert_eq!(status, 422, "{backend}: {refused}");
        assert!(
            refused.to_string().contains("removed"),
            "{backend}: {refused}"
        );
        let foreign_now: String = sql("SELECT statement FROM targets WHERE id = $1")
            .bind(&foreign)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert!(!foreign_now.contains("Not mine"), "{backend}");
        // The override reason is shared text too: the stale page's reason was not written, and
        // an edit of it is, at the part's own first version.
        let reason_now: Option<String> = sql("SELECT override_reason FROM targets WHERE id = $1")
            .bind(&target_id)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        assert!(
            !reason_now.unwrap_or_default().contains("stale page"),
            "{backend}: the whole-target save wrote the override reason"
        );
        let reason =
            serde_json::to_string(&TextOp::new().insert("Agreed at the meeting.")).unwrap();
        let (status, answer) = send(
            vec![
                ("pep_id", AMELIA_PEP.to_string()),
                ("section", "targets".to_string()),
                ("field", format!("{target_id}.override_reason")),
                ("base", "0".to_string()),
                ("op", reason),
                ("edit_id", "reason-1".to_string()),
            ],
            cookie.clone(),
        )
        .await;
        assert_eq!(
            (status, answer["version"].as_i64()),
            (200, Some(1)),
            "{backend}: {answer}"
        );
        let record = target_on_form(&app, &cookie, &target_id).await;
        assert_eq!(
            record["draft"]["override_reason"], "Agreed at the meeting.",
            "{backend}"
        );
        assert_eq!(record["text_versions"]["override_reason"], 1, "{backend}");
        // Removed, the target's text history goes with it and its parts are refused.
        let (status, removed) = app
            .answer(
                "/api/pep/remove_target",
                &[
                    ("pep_id", AMELIA_PEP),
                    ("target_id", &target_id),
                    ("version", &version_now.to_string()),
                ],
                &cookie,
            )
            .await;
        assert_eq!(status, 200, "{backend}: {removed}");
        let left: i64 =
            sql("SELECT COUNT(*) FROM text_edits WHERE pep_id = $1 AND section = 'targets'")
                .bind(AMELIA_PEP)
                .fetch_value(&app.db.db)
                .await
                .unwrap();
        assert_eq!(left, 0, "{backend}");
        let (status, refused) = send(edit("after-1", field.clone()), cookie.clone()).await;
        assert_eq!(status, 422, "{backend}: {refused}");
        match std::sync::Arc::try_unwrap(app) {
            Ok(app) => app.db.finish().await,
            Err(_) => panic!("a typist still holds the app"),
        }
    }
}
