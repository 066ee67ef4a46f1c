//! The live channel as browsers meet it: the handshake's checks, presence and drafts shaped by
//! each person's rights, saved changes reaching everyone, edits resent with their id applied
//! once, clients converging after random concurrent edits, and a `kill -9` of the server in the
//! middle of a meeting losing nothing acknowledged.

use app::infra::sql::sql;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::live::{ClientMessage, FieldKey, PartChange, PepPart, ServerMessage};
use app::domain::pep::SectionKey;
use app::domain::pep_form::{FieldKind, fields};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::support::seeded_apps;
use super::support::{TestApp, TestDb, free_port, spawn_app};
use super::support::{session, sign_in};
use server::demo::seed;

pub const JAYDEN_PEP: &str = "demo-child-jayden-pep-2026-autumn";
const LINDA: &str = "linda.bennett@example.com";
const TOM: &str = "tom.gallagher@northdale.example";
const JAYDEN: &str = "jayden.walker@example.com";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The handshake a browser page at `base` makes, with these headers.
async fn handshake(
    base: &str,
    pep_id: &str,
    since: i64,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, u16> {
    let url = format!(
        "{}/live/pep/{pep_id}?since={since}",
        base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("handshake failed: {other}"),
    }
}

/// One browser page's live connection.
pub struct Live {
    socket: Socket,
    pub connection: u64,
}

impl Live {
    pub async fn open(base: &str, pep_id: &str, since: i64, cookie: &str) -> Live {
        let socket = handshake(base, pep_id, since, Some(cookie), Some(base))
            .await
            .unwrap_or_else(|status| panic!("handshake refused: {status}"));
        let mut live = Live {
            socket,
            connection: 0,
        };
        match live.next().await {
            ServerMessage::Welcome { connection, .. } => live.connection = connection,
            other => panic!("expected a welcome, got {other:?}"),
        }
        live
    }

    /// Sends, whether or not the server is still there to hear it.
    pub async fn send_unless_closed(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).unwrap();
        let _ = self.socket.send(Message::Text(text.into())).await;
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).unwrap();
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next message (ten seconds at most).
    pub async fn next(&mut self) -> ServerMessage {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within ten seconds")
                .expect("the connection is open")
                .expect("a readable frame");
            if let Message::Text(text) = frame {
                return serde_json::from_str(text.as_str()).unwrap();
            }
        }
    }

    /// The next message, or `None` once the connection is gone (the server killed).
    pub async fn next_unless_closed(&mut self) -> Option<ServerMessage> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message or the end within ten seconds");
            match frame {
                Some(Ok(Message::Text(text))) => return serde_json::from_str(text.as_str()).ok(),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// Reads until a message matches (ten seconds at most); returns it.
    pub async fn until(&mut self, wanted: impl Fn(&ServerMessage) -> bool) -> ServerMessage {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.next())
                .await
                .expect("the awaited message within ten seconds");
            if std::env::var_os("LIVE_DEBUG").is_some() {
                eprintln!("{} heard {message:?}", self.connection);
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    /// Nothing matching arrives within `wait`.
    async fn hears_nothing_like(
        &mut self,
        wait: Duration,
        unwanted: impl Fn(&ServerMessage) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, self.socket.next()).await
        {
            if let Message::Text(text) = frame {
                let message: ServerMessage = serde_json::from_str(text.as_str()).unwrap();
                assert!(!unwanted(&message), "unexpected {message:?}");
            }
        }
    }
}

fn carer_field(n: usize) -> FieldKey {
    let texts: Vec<_> = fields(SectionKey::CarerContribution)
        .iter()
        .filter(|f| f.kind == FieldKind::Text)
        .collect();
    FieldKey::new(SectionKey::CarerContribution, texts[n % texts.len()].key)
}

/// Saves a field as the page does; `(status, answer)`.
async fn save(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    field: &FieldKey,
    value: &str,
    version: i64,
    edit_id: &str,
) -> (u16, serde_json::Value) {
    let version = version.to_string();
    let response = client
        .post(format!("{base}/api/pep/save_field"))
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .form(&[
            ("pep_id", JAYDEN_PEP),
            ("section", field.section.as_str()),
            ("field", field.field.as_str()),
            ("value", value),
            ("version", version.as_str()),
            ("edit_id", edit_id),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The version a save answered with, when it saved.
fn saved_version(answer: &serde_json::Value) -> Option<i64> {
    (answer["outcome"] == "saved").then(|| answer["version"].as_i64())?
}

async fn stored(app: &TestApp, field: &FieldKey) -> (String, i64) {
    sql("SELECT value, version FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3")
        .bind(JAYDEN_PEP)
        .bind(field.section.as_str())
        .bind(&field.field)
        .fetch_optional(&app.db.db)
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_needs_our_page_a_session_and_the_pep() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let linda = session(&app, LINDA, true).await;
    let base = app.base.as_str();
    // No origin (not a browser page), another site's page, nobody signed in.
    assert_eq!(
        handshake(base, JAYDEN_PEP, 0, Some(&linda), None)
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        handshake(
            base,
            JAYDEN_PEP,
            0,
            Some(&linda),
            Some("https://evil.example")
        )
        .await
        .err(),
        Some(403)
    );
    // Our host under another scheme (an https page, this service on http) is not our page.
    let other_scheme = base.replacen("http://", "https://", 1);
    assert_eq!(
        handshake(base, JAYDEN_PEP, 0, Some(&linda), Some(&other_scheme))
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        handshake(base, JAYDEN_PEP, 0, None, Some(base)).await.err(),
        Some(401)
    );
    // Linda is not Amelia's carer; a PEP that is not there answers the same.
    for other in ["demo-child-amelia-pep-2026-autumn", "no-such-pep"] {
        assert_eq!(
            handshake(base, other, 0, Some(&linda), Some(base))
                .await
                .err(),
            Some(403),
            "{other}"
        );
    }
    // A professional who has not passed the second factor yet.
    let tom_half = session(&app, TOM, false).await;
    assert_eq!(
        handshake(base, JAYDEN_PEP, 0, Some(&tom_half), Some(base))
            .await
            .err(),
        Some(403)
    );
    let mut live = Live::open(base, JAYDEN_PEP, 0, &linda).await;
    // A message too big for a field is refused by closing; nothing is applied.
    live.send(&ClientMessage::Ping).await;
    live.until(|m| *m == ServerMessage::Pong).await;
    let huge = "x".repeat(app::domain::live::MAX_MESSAGE_BYTES + 1);
    let _ = live.socket.send(Message::Text(huge.into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match live.socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an oversized message closes the connection");
    // A message that does not read is refused, and the connection stays.
    let mut live = Live::open(base, JAYDEN_PEP, 0, &linda).await;
    live.socket
        .send(Message::Text(r#"{"type":"shout"}"#.into()))
        .await
        .unwrap();
    live.until(|m| matches!(m, ServerMessage::Refused { .. }))
        .await;
    live.send(&ClientMessage::Ping).await;
    live.until(|m| *m == ServerMessage::Pong).await;
    // Signing out ends the conversation at once, without waiting for the page to speak.
    let signed_out = app.call("/api/auth/sign_out", &[], Some(&linda)).await;
    assert_eq!(signed_out.status(), 200);
    match live
        .until(|m| matches!(m, ServerMessage::Closing { .. }))
        .await
    {
        ServerMessage::Closing { reconnect, reason } => {
            assert!(!reconnect);
            assert!(reason.contains("session has ended"), "{reason}");
        }
        _ => unreachable!(),
    }
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_drafts_reach_each_reader_of_the_section_and_nobody_else() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let base = app.base.as_str();
    let linda = session(&app, LINDA, true).await;
    let tom = session(&app, TOM, true).await;
    let jayden = session(&app, JAYDEN, true).await;
    let mut carer = Live::open(base, JAYDEN_PEP, 0, &linda).await;
    let mut social_worker = Live::open(base, JAYDEN_PEP, 0, &tom).await;
    let mut young_person = Live::open(base, JAYDEN_PEP, 0, &jayden).await;
    let field = carer_field(0);
    carer
        .send(&ClientMessage::Focus {
            field: Some(field.clone()),
        })
        .await;
    // The social worker reads the carer's section: he sees where Linda is (nobody holds a field).
    let seen = social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if people.iter().any(|p| p.field.is_some())))
        .await;
    let ServerMessage::Presence { people, .. } = seen else {
        unreachable!()
    };
    assert_eq!(people.len(), 3, "{people:?}");
    let linda_here = people
        .iter()
        .find(|p| p.connection == carer.connection)
        .unwrap();
    assert_eq!(linda_here.who(), "Linda Bennett (carer)");
    assert_eq!(linda_here.field.as_ref(), Some(&field));
    assert!(!linda_here.typing, "a tap into a field is not typing");
    // Where she types in the text, paragraph by paragraph.
    carer
        .send(&ClientMessage::Typing {
            field: field.clone(),
            paragraph: 2,
        })
        .await;
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if people.iter().any(|p| p.connection == carer.connection && p.typing && p.paragraph == Some(2))))
        .await;
    // Her typing reaches him before she saves.
    carer
        .send(&ClientMessage::Draft {
            field: field.clone(),
            value: "Jayden reads every night".into(),
        })
        .await;
    let draft = social_worker
        .until(|m| matches!(m, ServerMessage::Draft { .. }))
        .await;
    // And her first keystroke tells him she is typing now.
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if people.iter().any(|p| p.typing && p.connection == carer.connection)))
        .await;
    assert_eq!(
        draft,
        ServerMessage::Draft {
            connection: carer.connection,
            by: "Linda Bennett".into(),
            field: field.clone(),
            value: "Jayden reads every night".into(),
        }
    );
    // The young person may not read the carer's section (the council's default table): he is
    // told Linda is here but not where, and never her words.
    let young_person_may_read = app::domain::policy::default_section_access(
        app::domain::roles::Role::YoungPerson,
        SectionKey::CarerContribution,
        app::domain::pep::PepState::Meeting,
    ) != app::domain::policy::Access::None;
    assert!(
        !young_person_may_read,
        "the fixture assumes the default table"
    );
    young_person
        .hears_nothing_like(Duration::from_millis(700), |m| match m {
            ServerMessage::Draft { .. } => true,
            ServerMessage::Presence { people, .. } => people.iter().any(|p| p.field.is_some()),
            _ => false,
        })
        .await;
    // Nobody types where they may not.
    let mut carer_again = Live::open(base, JAYDEN_PEP, 0, &linda).await;
    young_person
        .send(&ClientMessage::Typing {
            field: field.clone(),
            paragraph: 1,
        })
        .await;
    match young_person
        .until(|m| matches!(m, ServerMessage::Refused { .. }))
        .await
    {
        ServerMessage::Refused { reason } => {
            assert_eq!(reason, "You cannot write in that field.")
        }
        _ => unreachable!(),
    }
    young_person
        .send(&ClientMessage::Draft {
            field: field.clone(),
            value: "not mine".into(),
        })
        .await;
    match young_person
        .until(|m| matches!(m, ServerMessage::Refused { .. }))
        .await
    {
        ServerMessage::Refused { reason } => assert_eq!(
            reason, "You cannot write in this section.",
            "nothing said of a section he may not read"
        ),
        _ => unreachable!(),
    }
    // A draft for a question the section does not ask is refused, never passed on.
    carer_again
        .send(&ClientMessage::Draft {
            field: FieldKey::new(field.section, "no_such_question"),
            value: "words for nobody".into(),
        })
        .await;
    match carer_again
        .until(|m| matches!(m, ServerMessage::Refused { .. }))
        .await
    {
        ServerMessage::Refused { reason } => {
            assert!(reason.contains("no such question"), "{reason}")
        }
        _ => unreachable!(),
    }
    social_worker
        .hears_nothing_like(Duration::from_millis(500), |m| {
            matches!(m, ServerMessage::Draft { value, .. } if value != "Jayden reads every night")
                || matches!(m, ServerMessage::Draft { field, .. } if field.field == "no_such_question")
        })
        .await;
    // Two people in one field: both are shown there, and both drafts pass (nobody holds it).
    carer_again
        .send(&ClientMessage::Focus {
            field: Some(field.clone()),
        })
        .await;
    let (first, second) = (carer.connection, carer_again.connection);
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if [first, second].iter().all(|c| people.iter().any(|p| p.connection == *c && p.field.as_ref() == Some(&field)))))
        .await;
    carer.send(&ClientMessage::Focus { field: None }).await;
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if people.iter().any(|p| p.connection == first && p.field.is_none())))
        .await;
    carer_again
        .send(&ClientMessage::Draft {
            field: field.clone(),
            value: "now mine".into(),
        })
        .await;
    social_worker
        .until(|m| matches!(m, ServerMessage::Draft { value, .. } if value == "now mine"))
        .await;
    // Leaving the PEP: the others see one fewer.
    drop(carer_again);
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if people.len() == 3))
        .await;
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_reach_every_reader_and_a_resent_edit_applies_once() {
    for app in seeded_apps().await {
        let base = app.base.as_str();
        let linda = session(&app, LINDA, true).await;
        let tom = session(&app, TOM, true).await;
        let jayden = session(&app, JAYDEN, true).await;
        let start: i64 = sql("SELECT revision FROM peps WHERE id = $1")
            .bind(JAYDEN_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let mut social_worker = Live::open(base, JAYDEN_PEP, start, &tom).await;
        let mut young_person = Live::open(base, JAYDEN_PEP, start, &jayden).await;
        let field = carer_field(1);
        let (_, version) = stored(&app, &field).await;
        let (status, answer) = save(
            &app.client,
            base,
            &linda,
            &field,
            "Homework club on Tuesdays",
            version,
            "edit-1",
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(saved_version(&answer), Some(version + 1));
        let changed = social_worker
            .until(|m| matches!(m, ServerMessage::Changed { fields, .. } if !fields.is_empty()))
            .await;
        let ServerMessage::Changed {
            fields, revision, ..
        } = changed
        else {
            unreachable!()
        };
        assert!(revision > start);
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, field);
        assert_eq!(fields[0].value, "Homework club on Tuesdays");
        assert_eq!(fields[0].version, version + 1);
        assert_eq!(fields[0].by, "Linda Bennett");
        // The young person may not read it: he hears the revision, not the words.
        match young_person
            .until(|m| matches!(m, ServerMessage::Changed { .. }))
            .await
        {
            ServerMessage::Changed { fields, .. } => assert!(fields.is_empty(), "{fields:?}"),
            _ => unreachable!(),
        }
        // The answer was lost; Linda's page sends the same edit again: applied once.
        let (status, again) = save(
            &app.client,
            base,
            &linda,
            &field,
            "Homework club on Tuesdays",
            version,
            "edit-1",
        )
        .await;
        assert_eq!((status, &again), (200, &answer));
        // Even after someone else's save since, the resend neither applies nor conflicts.
        let (_, v2) = stored(&app, &field).await;
        let (status, _) = save(
            &app.client,
            base,
            &linda,
            &field,
            "Homework club on Tuesdays and Thursdays",
            v2,
            "edit-2",
        )
        .await;
        assert_eq!(status, 200);
        let (status, third) = save(
            &app.client,
            base,
            &linda,
            &field,
            "Homework club on Tuesdays",
            version,
            "edit-1",
        )
        .await;
        assert_eq!((status, &third), (200, &answer));
        assert_eq!(
            stored(&app, &field).await,
            (
                "Homework club on Tuesdays and Thursdays".to_string(),
                v2 + 1
            )
        );
        // Another person cannot borrow an edit id; a bad id is refused by name.
        let tom_field = FieldKey::new(
            SectionKey::CareJourney,
            app::domain::pep_form::fields(SectionKey::CareJourney)[0].key,
        );
        let (status, borrowed) = save(&app.client, base, &tom, &tom_field, "x", 0, "edit-1").await;
        assert_eq!(status, 422, "{borrowed}");
        assert_eq!(stored(&app, &tom_field).await.1, 0, "nothing applied");
        let (status, bad) = save(&app.client, base, &linda, &field, "x", v2 + 1, "no spaces").await;
        assert_eq!(status, 422, "{bad}");
        assert!(bad.to_string().contains("edit_id"), "{bad}");
        // A page that reconnects from the start gets the field as it is now, once.
        let mut late = Live::open(base, JAYDEN_PEP, start, &tom).await;
        match late
            .until(|m| matches!(m, ServerMessage::Changed { .. }))
            .await
        {
            ServerMessage::Changed { fields, .. } => {
                let ours: Vec<_> = fields.iter().filter(|f| f.field == field).collect();
                assert_eq!(ours.len(), 1);
                assert_eq!(ours[0].value, "Homework club on Tuesdays and Thursdays");
                assert_eq!(ours[0].version, v2 + 1);
            }
            _ => unreachable!(),
        }
        app.db.finish().await;
    }
}

/// A page's view of the fields, kept up to date from the channel as the browser's is.
type View = Arc<Mutex<HashMap<FieldKey, (String, i64)>>>;

fn listen(mut live: Live, view: View) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(Ok(frame)) = live.socket.next().await {
            if let Message::Text(text) = frame
                && let Ok(ServerMessage::Changed { fields, .. }) =
                    serde_json::from_str(text.as_str())
            {
                let mut view = view.lock().unwrap();
                for changed in fields {
                    let entry = view.entry(changed.field).or_default();
                    if changed.version > entry.1 {
                        *entry = (changed.value, changed.version);
                    }
                }
            }
        }
    })
}

/// A tiny deterministic random source (each test run the same, each client its own).
struct Dice(u64);
impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % sides as u64) as usize
    }
}

/// One simulated page: `edits` edits on random fields, each appending its own mark to what the
/// page shows, saved with an edit id, sometimes sent twice (a lost answer), and on a conflict
/// re-applied on the other version as a person choosing to add theirs would. Returns the marks
/// the server acknowledged, by field.
async fn writer(
    base: String,
    cookie: String,
    view: View,
    client_number: usize,
    edits: usize,
) -> Vec<(FieldKey, String)> {
    let client = reqwest::Client::new();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ ((client_number as u64 + 1) * 7919));
    let mut acknowledged = Vec::new();
    for edit in 0..edits {
        let field = carer_field(dice.roll(3));
        let mark = format!("[c{client_number}e{edit}]");
        let (mut base_value, mut version) = view
            .lock()
            .unwrap()
            .get(&field)
            .cloned()
            .unwrap_or_default();
        let mut attempt = 0;
        loop {
            let edit_id = format!("c{client_number}-e{edit}-a{attempt}");
            let value = format!("{base_value}{mark}");
            let (status, answer) =
                save(&client, &base, &cookie, &field, &value, version, &edit_id).await;
            assert_eq!(status, 200, "{answer}");
            if dice.roll(4) == 0 {
                // The answer was lost: the page sends the same edit again. A saved edit answers
                // as before; a conflict is not an edit applied, so it is answered afresh.
                let (status, again) =
                    save(&client, &base, &cookie, &field, &value, version, &edit_id).await;
                assert_eq!(status, 200);
                if saved_version(&answer).is_some() {
                    assert_eq!(again, answer);
                }
            }
            if let Some(saved) = saved_version(&answer) {
                let mut view = view.lock().unwrap();
                let entry = view.entry(field.clone()).or_default();
                if saved > entry.1 {
                    *entry = (value, saved);
                }
                acknowledged.push((field.clone(), mark.clone()));
                break;
            }
            base_value = answer["value"].as_str().unwrap().to_string();
            version = answer["version"].as_i64().unwrap();
            attempt += 1;
            if dice.roll(2) == 0 {
                tokio::task::yield_now().await;
            }
        }
    }
    acknowledged
}

async fn converge(clients: usize, edits: usize) {
    for app in seeded_apps().await {
        let backend = app.db.db.backend_name();
        let base = app.base.clone();
        let linda = session(&app, LINDA, true).await;
        let tom = session(&app, TOM, true).await;
        let start: i64 = sql("SELECT revision FROM peps WHERE id = $1")
            .bind(JAYDEN_PEP)
            .fetch_value(&app.db.db)
            .await
            .unwrap();
        let mut initial = HashMap::new();
        for n in 0..3 {
            initial.insert(carer_field(n), stored(&app, &carer_field(n)).await);
        }
        // Each writer is a page of its own; the social worker only watches.
        let mut views = Vec::new();
        let mut listeners = Vec::new();
        let mut writers = Vec::new();
        for client_number in 0..clients {
            let view: View = Arc::new(Mutex::new(initial.clone()));
            let live = Live::open(&base, JAYDEN_PEP, start, &linda).await;
            listeners.push(listen(live, view.clone()));
            writers.push(tokio::spawn(writer(
                base.clone(),
                linda.clone(),
                view.clone(),
                client_number,
                edits,
            )));
            views.push(view);
        }
        let watcher: View = Arc::new(Mutex::new(initial.clone()));
        listeners.push(listen(
            Live::open(&base, JAYDEN_PEP, start, &tom).await,
            watcher.clone(),
        ));
        views.push(watcher);
        let mut acknowledged = Vec::new();
        for writer in writers {
            acknowledged.extend(writer.await.unwrap());
        }
        assert_eq!(acknowledged.len(), clients * edits);
        let mut database = HashMap::new();
        for n in 0..3 {
            database.insert(carer_field(n), stored(&app, &carer_field(n)).await);
        }
        // Every acknowledged mark is in its field exactly once.
        for (field, mark) in &acknowledged {
            let count = database[field].0.matches(mark.as_str()).count();
            assert_eq!(
                count, 1,
                "{backend}: {mark} in {field:?}: {}",
                database[field].0
            );
        }
        // Every page (the watcher too) holds what the database holds.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        for (n, view) in views.iter().enumerate() {
            loop {
                let matches = *view.lock().unwrap() == database;
                if matches {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{backend}: page {n} did not converge: {:?} vs {database:?}",
                    view.lock().unwrap()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        for listener in listeners {
            listener.abort();
        }
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pages_editing_at_random_converge_with_every_acknowledged_edit_once() {
    converge(2, 25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_pages_editing_at_random_converge_with_every_acknowledged_edit_once() {
    converge(5, 12).await;
}

/// A server process, killed when dropped (a failing test must not leave it running).
struct ServerProcess(std::process::Child);

impl ServerProcess {
    /// `kill -9`, and wait for it to be gone.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The server binary on `port` with the SQLite file at `url`.
fn start_server(url: &str, port: u16) -> ServerProcess {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("DATABASE_URL")
        .env_remove("EPEP_SMTP_URL")
        .env("RUST_LOG", "warn")
        .args([
            "--database-url",
            url,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    ServerProcess(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_meeting_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/epep.db", dir.path().display());
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("DATABASE_URL")
        .args(["--database-url", &url, "seed-demo"])
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&url, port);
    let client = reqwest::Client::new();
    let linda = sign_in(&client, &base, LINDA, false).await;
    let jayden = sign_in(&client, &base, JAYDEN, false).await;
    let client = reqwest::Client::new();
    let view: View = Arc::new(Mutex::new(HashMap::new()));
    let watcher = listen(
        Live::open(&base, JAYDEN_PEP, 0, &jayden).await,
        view.clone(),
    );
    let writer_view: View = Arc::new(Mutex::new(HashMap::new()));
    let writer_listener = listen(
        Live::open(&base, JAYDEN_PEP, 0, &linda).await,
        writer_view.clone(),
    );
    // Jayden writes his views; each save is acknowledged before the next.
    let field = FieldKey::new(
        SectionKey::YoungPersonViews,
        fields(SectionKey::YoungPersonViews)[0].key,
    );
    let mut version = 0;
    let mut written = String::new();
    for n in 0..10 {
        written.push_str(&format!("[{n}]"));
        let (status, answer) = save(
            &client,
            &base,
            &jayden,
            &field,
            &written,
            version,
            &format!("j-{n}"),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        version = saved_version(&answer).unwrap();
    }
    // kill -9: no graceful anything.
    server.kill();
    watcher.abort();
    writer_listener.abort();
    // The page retries its last edit while the server is down; then the server is back.
    let (sent_version, sent_id) = (version, "j-after".to_string());
    written.push_str("[after]");
    let unreachable = client
        .post(format!("{base}/api/pep/save_field"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &jayden)
        .form(&[("pep_id", JAYDEN_PEP)])
        .send()
        .await;
    assert!(unreachable.is_err(), "the server is down");
    let mut server = start_server(&url, port);
    // Sessions live in the database: the same cookies still work.
    let (status, answer) = save(
        &client,
        &base,
        &jayden,
        &field,
        &written,
        sent_version,
        &sent_id,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, again) = save(
        &client,
        &base,
        &jayden,
        &field,
        &written,
        sent_version,
        &sent_id,
    )
    .await;
    assert_eq!((status, &again), (200, &answer));
    // The database holds every acknowledged mark once, the one sent again included.
    let stored_db = app::infra::db::Db::connect(&url).await.unwrap();
    let stored_value: String =
        sql("SELECT value FROM pep_fields WHERE pep_id = $1 AND section = $2 AND field = $3")
            .bind(JAYDEN_PEP)
            .bind(field.section.as_str())
            .bind(&field.field)
            .fetch_value(&stored_db)
            .await
            .unwrap();
    stored_db.close().await;
    for n in 0..10 {
        assert_eq!(
            stored_value.matches(&format!("[{n}]")).count(),
            1,
            "{stored_value}"
        );
    }
    assert_eq!(stored_value.matches("[after]").count(), 1, "{stored_value}");
    // The pages reconnect from their revision and catch up to the database; the carer reads the
    // young person's views (the default table), so her page has it too.
    assert_ne!(
        app::domain::policy::default_section_access(
            app::domain::roles::Role::Carer,
            SectionKey::YoungPersonViews,
            app::domain::pep::PepState::Meeting,
        ),
        app::domain::policy::Access::None
    );
    let watcher = listen(
        Live::open(&base, JAYDEN_PEP, 0, &jayden).await,
        view.clone(),
    );
    let writer_listener = listen(
        Live::open(&base, JAYDEN_PEP, 0, &linda).await,
        writer_view.clone(),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for (who, page) in [("Jayden", &view), ("Linda", &writer_view)] {
        loop {
            let seen = page.lock().unwrap().get(&field).cloned();
            if seen.as_ref().map(|s| s.0.as_str()) == Some(stored_value.as_str()) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{who}'s page did not resync: {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(stored_value, written);
    watcher.abort();
    writer_listener.abort();
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_starts_records_who_came_and_ends_live_for_everyone() {
    for app in seeded_apps().await {
        let base = app.base.as_str();
        let teacher = session(&app, "m.osei@northdale-high.example", true).await;
        let linda = session(&app, LINDA, true).await;
        let tom = session(&app, TOM, true).await;
        let pep = [("pep_id", JAYDEN_PEP)];
        let mut social_worker = Live::open(base, JAYDEN_PEP, 0, &tom).await;
        let meeting_of = |m: &ServerMessage| match m {
            ServerMessage::Changed {
                meeting: Some(meeting),
                ..
            } => Some(meeting.clone()),
            _ => None,
        };
        // Only whoever writes the meeting record runs the meeting.
        let (status, _) = app.answer("/api/pep/start_meeting", &pep, &linda).await;
        assert_eq!(status, 403);
        let (status, started) = app.answer("/api/pep/start_meeting", &pep, &teacher).await;
        assert_eq!(status, 200, "{started}");
        assert_eq!(started["started_by"], "Michael Osei");
        assert!(started["ended"].is_null());
        let heard = social_worker.until(|m| meeting_of(m).is_some()).await;
        let meeting = meeting_of(&heard).unwrap();
        assert!(meeting.running());
        assert_eq!(meeting.started_by, "Michael Osei");
        let (status, again) = app.answer("/api/pep/start_meeting", &pep, &teacher).await;
        assert_eq!(status, 422);
        assert!(again.to_string().contains("already started"), "{again}");
        // Who came, and how: refused by person, then saved over the version seen.
        let attendance = |version: &'static str, first: &'static str| {
            vec![
                ("pep_id", JAYDEN_PEP),
                ("version", version),
                ("attendees[0][name]", first),
                ("attendees[0][role]", "carer"),
                ("attendees[0][attendance]", "online"),
                ("attendees[1][name]", "Tom Gallagher"),
                ("attendees[1][role]", "social_worker"),
                ("attendees[1][attendance]", "in_person"),
                ("attendees[2][name]", "Sam Reed, tutor"),
                ("attendees[2][attendance]", "apologies"),
            ]
        };
        let (status, refused) = app
            .answer(
                "/api/pep/meeting_attendance",
                &attendance("1", " "),
                &teacher,
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            refused.to_string().contains("Enter the name of person 1"),
            "{refused}"
        );
        let (status, saved) = app
            .answer(
                "/api/pep/meeting_attendance",
                &attendance("1", "Linda Bennett"),
                &teacher,
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["version"], 2);
        let heard = social_worker
            .until(|m| meeting_of(m).is_some_and(|m| m.attendees.len() == 3))
            .await;
        assert_eq!(
            meeting_of(&heard).unwrap().attendees[0].line(),
            "Linda Bennett (carer): Online"
        );
        let (status, stale) = app
            .answer(
                "/api/pep/meeting_attendance",
                &attendance("1", "Linda Bennett"),
                &teacher,
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            stale.to_string().contains("Someone else changed the list"),
            "{stale}"
        );
        // The log says how many came, not who.
        let detail: String = sql("SELECT detail_json FROM audit_events WHERE action = 'meeting.attendance' AND pep_id = $1").bind(JAYDEN_PEP).fetch_value(&app.db.db).await.unwrap();
        assert!(!detail.contains("Linda"), "{detail}");
        // The end, live; nothing more to record after it.
        let (status, ended) = app.answer("/api/pep/end_meeting", &pep, &teacher).await;
        assert_eq!(status, 200, "{ended}");
        assert!(ended["ended"].is_string());
        social_worker
            .until(|m| meeting_of(m).is_some_and(|m| !m.running()))
            .await;
        let (status, _) = app.answer("/api/pep/end_meeting", &pep, &teacher).await;
        assert_eq!(status, 422);
        let (status, _) = app
            .answer(
                "/api/pep/meeting_attendance",
                &attendance("3", "Linda Bennett"),
                &teacher,
            )
            .await;
        assert_eq!(status, 422);
        // A page opened afterwards has the meeting as held.
        let form = app.json("/api/pep/form", &pep, Some(&tom)).await;
        assert_eq!(form["meeting"]["attendees"].as_array().unwrap().len(), 3);
        assert_eq!(form["runs_meeting"], false);
        let form = app.json("/api/pep/form", &pep, Some(&teacher)).await;
        assert_eq!(form["runs_meeting"], true);
        assert!(!form["meeting_team"].as_array().unwrap().is_empty());
        app.db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_someone_closes_their_live_connection_at_once() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let linda = session(&app, LINDA, true).await;
    let helen = session(&app, "helen.okafor@northdale.example", true).await;
    let tom = session(&app, TOM, true).await;
    let mut carer = Live::open(&app.base, JAYDEN_PEP, 0, &linda).await;
    let mut social_worker = Live::open(&app.base, JAYDEN_PEP, 0, &tom).await;
    let (linda_id, version): (String, i64) = sql("SELECT id, version FROM users WHERE email = $1")
        .bind(LINDA)
        .fetch_one(&app.db.db)
        .await
        .unwrap();
    let version = version.to_string();
    let (status, answer) = app
        .answer(
            "/api/people/set_active",
            &[
                ("user_id", &linda_id),
                ("active", "false"),
                ("version", &version),
            ],
            &helen,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    match carer
        .until(|m| matches!(m, ServerMessage::Closing { .. }))
        .await
    {
        ServerMessage::Closing { reconnect, .. } => assert!(!reconnect),
        _ => unreachable!(),
    }
    // The others stay, and see her gone.
    let gone = carer.connection;
    social_worker
        .until(|m| matches!(m, ServerMessage::Presence { people, .. } if !people.iter().any(|p| p.connection == gone)))
        .await;
    social_worker.send(&ClientMessage::Ping).await;
    social_worker.until(|m| *m == ServerMessage::Pong).await;
    app.db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_ids_are_forgotten_after_a_week_and_kept_before() {
    use app::features::live::applied_edits::{KEEP_EDIT_IDS, forget_applied_edits};
    for db in TestDb::each_backend().await {
        seed(&db.db).await.unwrap();
        let now = chrono::Utc::now();
        for (id, age) in [
            ("old", KEEP_EDIT_IDS + chrono::Duration::hours(1)),
            ("recent", KEEP_EDIT_IDS - chrono::Duration::hours(1)),
        ] {
            {
                sql("INSERT INTO applied_edits (edit_id, pep_id, user_id, version, applied_at) VALUES ($1, $2, 'demo-user-carer-linda', 1, $3)")
                    .bind(id).bind(JAYDEN_PEP).bind(now - age)
                    .execute(&db.db).await.unwrap();
            };
        }
        let forgotten = forget_applied_edits(&db.db, now - KEEP_EDIT_IDS)
            .await
            .unwrap();
        assert_eq!(forgotten, 1);
        let left: Vec<String> = sql("SELECT edit_id FROM applied_edits")
            .fetch_column(&db.db)
            .await
            .unwrap();
        assert_eq!(left, vec!["recent".to_string()]);
        db.finish().await;
    }
}

/// The live channel's pings and presence do not keep a session alive; typing does. (With a PEP
/// open a person idle for an hour stayed signed in, and the time-out warning never came.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_typing_in_the_live_channel_counts_as_activity() {
    let db = TestDb::sqlite().await;
    seed(&db.db).await.unwrap();
    let app = spawn_app(db).await;
    let linda = session(&app, LINDA, true).await;
    let hash = app::features::auth::sessions::token_hash(linda.split_once('=').unwrap().1);
    let last_seen = || {
        let db = app.db.db.clone();
        let hash = hash.clone();
        async move {
            let at: chrono::DateTime<chrono::Utc> =
                sql("SELECT last_seen_at FROM sessions WHERE token_hash = $1")
                    .bind(&hash)
                    .fetch_value(&db)
                    .await
                    .unwrap();
            at
        }
    };
    // Idle for 20 of the 30 minutes.
    let twenty_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(20);
    sql("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(twenty_minutes_ago)
        .bind(&hash)
        .execute(&app.db.db)
        .await
        .unwrap()
        .rows_affected();
    let mut live = Live::open(&app.base, JAYDEN_PEP, 0, &linda).await;
    for _ in 0..3 {
        live.send(&ClientMessage::Ping).await;
        live.until(|m| *m == ServerMessage::Pong).await;
    }
    live.send(&ClientMessage::Focus { field: None }).await;
    live.send(&ClientMessage::Ping).await;
    live.until(|m| *m == ServerMessage::Pong).await;
    let after_pings = last_seen().await;
    assert!(
        (after_pings - twenty_minutes_ago).num_seconds().abs() < 2,
        "pings and presence kept the session alive: {after_pings}"
    );
    live.send(&ClientMessage::Draft {
        field: FieldKey::new(SectionKey::CarerContribution, "support_at_home"),
        value: "We read together".into(),
    })
    .await;
    live.send(&ClientMessage::Ping).await;
    live.until(|m| *m == ServerMessage::Pong).await;
    let after_typing = last_seen().await;
    assert!(
        after_typing > chrono::Utc::now() - chrono::Duration::minutes(1),
        "typing is activity: {after_typing}"
    );
    app.db.finish().await;
}

/// The meeting decides the PEP's state: starting it puts the PEP in its meeting, ending it makes
/// the PEP a draft (the workflow offers neither as a button, and refuses them as moves); everyone
/// with the PEP open is told the state changed except the person who changed it, and every page,
/// theirs too, is told to read its workflow again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_moves_the_pep_and_only_others_are_told_of_it() {
    const KAI_PEP: &str = "demo-child-kai-pep-2026-autumn";
    for app in seeded_apps().await {
        let base = app.base.as_str();
        let teacher = session(&app, "s.whitfield@brookfield.example", true).await;
        let head = session(&app, "helen.okafor@northdale.example", true).await;
        let pep = [("pep_id", KAI_PEP)];
        let workflow = |cookie: &str| {
            let (app, cookie) = (&app, cookie.to_string());
            async move { app.json("/api/pep/workflow", &pep, Some(&cookie)).await }
        };
        let before = workflow(&teacher).await;
        assert_eq!(before["state"], "contributions", "{before}");
        assert_eq!(
            before["steps"],
            serde_json::json!([]),
            "no workflow button starts the meeting"
        );
        let version = before["version"].as_i64().unwrap().to_string();
        let (status, refused) = app
            .answer(
                "/api/pep/change_state",
                &[
                    ("pep_id", KAI_PEP),
                    ("to", "meeting"),
                    ("version", &version),
                    ("reason", ""),
                    ("without_reason", ""),
                ],
                &teacher,
            )
            .await;
        assert_eq!(status, 422);
        assert!(refused.to_string().contains("meeting part"), "{refused}");

        let mut own_page = Live::open(base, KAI_PEP, 0, &teacher).await;
        let mut heads_page = Live::open(base, KAI_PEP, 0, &head).await;
        let state_news = |m: &ServerMessage| match m {
            ServerMessage::Changed {
                elsewhere,
                recheck_workflow,
                meeting: Some(_),
                ..
            } => Some((elsewhere.clone(), *recheck_workflow)),
            _ => None,
        };
        let (status, started) = app.answer("/api/pep/start_meeting", &pep, &teacher).await;
        assert_eq!(status, 200, "{started}");
        let (told, recheck) =
            state_news(&heads_page.until(|m| state_news(m).is_some()).await).unwrap();
        assert!(recheck, "{told:?}");
        assert_eq!(
            told,
            vec![PartChange {
                part: PepPart::State,
                by: vec!["Sarah Whitfield".to_string()],
                yours: false,
            }],
            "the head is told who moved it"
        );
        let (told, recheck) =
            state_news(&own_page.until(|m| state_news(m).is_some()).await).unwrap();
        assert!(recheck, "her own page reads its workflow again");
        assert_eq!(
            told,
            vec![PartChange {
                part: PepPart::State,
                by: Vec::new(),
                yours: true,
            }],
            "her own change is not announced as someone else's, but her other pages read it"
        );
        assert_eq!(workflow(&teacher).await["state"], "meeting");

        let (status, ended) = app.answer("/api/pep/end_meeting", &pep, &teacher).await;
        assert_eq!(status, 200, "{ended}");
        let after = workflow(&teacher).await;
        assert_eq!(after["state"], "draft", "{after}");
        assert_eq!(after["steps"][0]["to"], "ready", "{after}");
        assert_eq!(workflow(&head).await["state"], "draft");
        let moves: Vec<String> = sql("SELECT detail_json FROM audit_events WHERE action = 'pep.state_changed' AND pep_id = $1 AND detail_json LIKE '%The meeting%' ORDER BY revision").bind(KAI_PEP).fetch_column(&app.db.db).await.unwrap();
        assert_eq!(
            moves.len(),
            2,
            "both moves are in the PEP's history: {moves:?}"
        );
        assert!(
            moves[0].contains("\"to\":\"meeting\"") && moves[1].contains("\"to\":\"draft\""),
            "{moves:?}"
        );
        app.db.finish().await;
    }
}
