//! One browser's live connection to one PEP: the handshake's checks, then every message
//! authorized again and every event shaped for this person's rights.

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast;

use super::changes::{Changes, changes_since, revision_of};
use super::hub::{LiveHub, Member, RoomEvent};
use crate::domain::live::{
    ClientMessage, EditAnswer, FieldKey, HEARTBEAT_SECONDS, MAX_MESSAGE_BYTES,
    SILENT_CONNECTION_SECONDS, ServerMessage,
};
use crate::domain::pep::SectionKey;
use crate::domain::shared_text::TextOp;
use crate::error::AppError;
use crate::features::auth::sessions;
use crate::features::auth::{AuthContext, CurrentUser};
use crate::features::pep_form::server::reached::{LiveRights, live_rights};
use crate::features::pep_form::server::text_edits::{
    Applied, TextEditRequest, TextWriter, check_edit, text_doc,
};
use crate::infra::db::Db;

/// What the live endpoint needs from the server's state.
#[derive(Clone, Debug)]
pub struct LiveDeps {
    pub db: Db,
    pub auth: AuthContext,
    pub hub: LiveHub,
}

#[derive(Debug, Deserialize)]
pub struct Since {
    /// The PEP's revision the browser has; it is sent what changed after it.
    #[serde(default)]
    since: i64,
}

/// Bytes read from a connection at a time. tungstenite's default (128 KiB) is zero-filled
/// before every read and held per connection; the messages are pings, typing and focus of a few
/// dozen bytes (a draft of a short value at most a few hundred), and a larger one simply takes
/// several reads.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// `GET /live/pep/{pep_id}?since=R`: the WebSocket handshake. Refused before upgrading when the
/// page is not ours (403), nobody is signed in (401), or the person may not open this PEP (403).
pub async fn live_socket(
    State(deps): State<LiveDeps>,
    Path(pep_id): Path<String>,
    Query(Since { since }): Query<Since>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !from_our_page(&headers, &deps.auth.public_url) {
        tracing::warn!("live: refused a handshake from another site");
        return (
            StatusCode::FORBIDDEN,
            "Connections from other sites are not accepted.",
        )
            .into_response();
    }
    let Some(token) = session_token(&headers, &deps.auth) else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    // Read before the rights are asked, so a change made meanwhile shows as a newer epoch.
    let rights_epoch = deps.hub.rights_epoch();
    let (user, rights) = match who_and_what(&deps, &token, &pep_id, false).await {
        Ok(found) => found,
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
            return (status, error.to_string()).into_response();
        }
    };
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            Connection {
                deps,
                token,
                pep_id,
                user,
                rights,
                checked_at: Instant::now(),
                rights_epoch,
                typed_since_check: false,
                activity_recorded: None,
            }
            .run(socket, since.max(0))
            .await;
        })
}

/// Browsers always send `Origin` on a WebSocket handshake, and the page's own origin when it is
/// ours; a handshake without one is not from a browser page of ours. Scheme and host must both
/// match: the public address's scheme (an `http://` page cannot open a channel to an `https://`
/// service) and the host the request came to.
pub fn from_our_page(headers: &HeaderMap, public_url: &str) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let our_scheme = public_url
        .split_once("://")
        .map_or("http", |(scheme, _)| scheme);
    match (origin.and_then(|o| o.split_once("://")), host) {
        (Some((scheme, origin_host)), Some(host)) => {
            scheme.eq_ignore_ascii_case(our_scheme) && origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

fn session_token(headers: &HeaderMap, auth: &AuthContext) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|cookie| auth.cookies.token_from_header(cookie))
}

/// The person behind the session and what they may do in the PEP now: asked at the handshake,
/// whenever sessions, rights or the PEP's state change (`RoomEvent::Recheck`, a change that moves
/// the workflow), and every [`RECHECK_EVERY`] (a session that ran out). Messages in between,
/// shared-text edits included, are checked against these rights; an edit's transaction also
/// checks that the PEP is still in the state they were asked in, and asks again if not.
///
/// Only typing counts as activity (`activity`): pings, presence and the handshake do not, so a
/// person idle with a PEP open is warned and signed out like anyone idle.
async fn who_and_what(
    deps: &LiveDeps,
    token: &str,
    pep_id: &str,
    activity: bool,
) -> Result<(CurrentUser, LiveRights), AppError> {
    let user = if activity {
        sessions::resolve(&deps.db, token, deps.auth.session_idle).await?
    } else {
        sessions::resolve_quietly(&deps.db, token, deps.auth.session_idle).await?
    }
    .ok_or(AppError::SignedOut)?;
    if user.second_factor_pending {
        return Err(AppError::SecondFactorRequired);
    }
    let rights = live_rights(&deps.db, user.clone(), pep_id).await?;
    Ok((user, rights))
}

/// How often a connection asks again who it is without being told to: a session that ran out
/// closes its channel within this long. Typing in the meantime is recorded as activity at the
/// next ask.
const RECHECK_EVERY: Duration = Duration::from_secs(20);

struct Connection {
    deps: LiveDeps,
    token: String,
    pep_id: String,
    user: CurrentUser,
    rights: LiveRights,
    /// When the rights were last asked, and whether the person typed since.
    checked_at: Instant,
    /// `LiveHub::rights_epoch` when they were asked: an older one asks again before an edit.
    rights_epoch: u64,
    typed_since_check: bool,
    /// When typing was last recorded as the session's activity.
    activity_recorded: Option<Instant>,
}

/// Why the loop stopped: said to the browser in a `Closing` message and the close frame.
struct Ending {
    reason: String,
    reconnect: bool,
    code: u16,
}

impl Ending {
    fn session_over(error: &AppError) -> Ending {
        let reason = match error {
            AppError::SignedOut => {
                "Your session has ended. Sign in again to rejoin; what you typed stays on this page."
            }
            _ => "You can no longer open this PEP.",
        };
        Ending {
            reason: reason.into(),
            reconnect: false,
            code: 1008,
        }
    }
}

impl Connection {
    fn reads(&self, section: SectionKey) -> bool {
        self.rights.readable.contains(&section)
    }

    fn edits(&self, section: SectionKey) -> bool {
        self.rights.editable.contains(&section)
    }

    async fn run(mut self, mut socket: WebSocket, since: i64) {
        let hub = self.deps.hub.clone();
        let revision = match revision_of(&self.deps.db, &self.pep_id).await {
            Ok(revision) => revision,
            Err(error) => {
                tracing::warn!(%error, "live: could not read the PEP's revision");
                return;
            }
        };
        let member = Member::new(
            self.user.display_name.clone(),
            self.user.role.label().to_string(),
        );
        // Subscribe first, then read: nothing committed in between is missed.
        let (connection, mut events) = hub.join(&self.pep_id, member, revision);
        let mut closing = hub.closing();
        let ending = self
            .converse(&mut socket, connection, &mut events, &mut closing, since)
            .await;
        hub.leave(&self.pep_id, connection);
        if let Some(ending) = ending {
            let _ = send(
                &mut socket,
                &ServerMessage::Closing {
                    reason: ending.reason.clone(),
                    reconnect: ending.reconnect,
                },
            )
            .await;
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: ending.code,
                    reason: Utf8Bytes::from(shorten(&ending.reason)),
                })))
                .await;
        }
    }

    /// The conversation until one side ends it: `None` when the browser went away.
    async fn converse(
        &mut self,
        socket: &mut WebSocket,
        connection: u64,
        events: &mut broadcast::Receiver<RoomEvent>,
        closing: &mut tokio::sync::watch::Receiver<bool>,
        since: i64,
    ) -> Option<Ending> {
        let mut sent_revision = since;
        send(
            socket,
            &ServerMessage::Welcome {
                connection,
                revision: since,
            },
        )
        .await
        .ok()?;
        self.catch_up(socket, &mut sent_revision).await.ok()?;
        self.send_presence(socket).await.ok()?;
        let mut last_heard = Instant::now();
        let mut check = tokio::time::interval(Duration::from_secs(HEARTBEAT_SECONDS));
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let message = match incoming {
                        Some(Ok(message)) => message,
                        _ => return None,
                    };
                    last_heard = Instant::now();
                    match message {
                        Message::Text(text) => {
                            if let Err(ending) = self.hear(socket, connection, text.as_str()).await {
                                return ending;
                            }
                        }
                        Message::Binary(_) => {
                            let refused = ServerMessage::Refused { reason: "Messages are JSON text".into() };
                            send(socket, &refused).await.ok()?;
                        }
                        Message::Close(_) => return None,
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                event = events.recv() => match event {
                    Ok(RoomEvent::Recheck) => {
                        if let Err(ending) = self.recheck(false).await {
                            return Some(ending);
                        }
                    }
                    Ok(event) => {
                        if let Err(ending) = self.pass_on(socket, connection, event, &mut sent_revision).await {
                            return ending;
                        }
                    }
                    // This connection fell behind the room (a slow phone): read it all again.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.catch_up(socket, &mut sent_revision).await.ok()?;
                        self.send_presence(socket).await.ok()?;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = check.tick() => {
                    if last_heard.elapsed() > Duration::from_secs(SILENT_CONNECTION_SECONDS) {
                        return Some(Ending { reason: "Nothing heard from this page for a while.".into(), reconnect: true, code: 1001 });
                    }
                    if self.checked_at.elapsed() >= RECHECK_EVERY {
                        let activity = std::mem::take(&mut self.typed_since_check);
                        if let Err(ending) = self.recheck(activity).await {
                            return Some(ending);
                        }
                    }
                }
                _ = closing.changed() => {
                    return Some(Ending { reason: "The server is restarting.".into(), reconnect: true, code: 1012 });
                }
            }
        }
    }

    /// Who this is and what they may do, asked again; `Err` when the answer is "nothing now".
    /// A database that does not answer for a moment keeps the connection as it was.
    async fn recheck(&mut self, activity: bool) -> Result<(), Ending> {
        self.checked_at = Instant::now();
        self.rights_epoch = self.deps.hub.rights_epoch();
        if activity {
            self.activity_recorded = Some(Instant::now());
        }
        match who_and_what(&self.deps, &self.token, &self.pep_id, activity).await {
            Ok((user, rights)) => {
                self.user = user;
                self.rights = rights;
                Ok(())
            }
            Err(AppError::Internal { .. }) => Ok(()),
            Err(error) => Err(Ending::session_over(&error)),
        }
    }

    /// One message from the browser, authorized again first. `Err` ends the conversation.
    async fn hear(
        &mut self,
        socket: &mut WebSocket,
        connection: u64,
        text: &str,
    ) -> Result<(), Option<Ending>> {
        let gone = |_| None;
        let Ok(message) = serde_json::from_str::<ClientMessage>(text) else {
            let refused = ServerMessage::Refused {
                reason: "That message could not be read".into(),
            };
            return send(socket, &refused).await.map_err(gone);
        };
        if matches!(
            message,
            ClientMessage::Draft { .. }
                | ClientMessage::Typing { .. }
                | ClientMessage::EditText { .. }
        ) {
            // The first keystroke in a while renews the session at once (someone back from
            // idle must not be signed out mid-word); later ones at the next recheck.
            if self
                .activity_recorded
                .is_none_or(|at| at.elapsed() >= RECHECK_EVERY)
            {
                self.recheck(true).await.map_err(Some)?;
            } else {
                self.typed_since_check = true;
            }
        }
        let hub = &self.deps.hub;
        let refusal = match message {
            ClientMessage::Ping => {
                return send(socket, &ServerMessage::Pong).await.map_err(gone);
            }
            ClientMessage::EditText {
                field,
                base,
                op,
                edit_id,
            } => {
                let answer = self
                    .edit_text(&field, base, &op, &edit_id)
                    .await
                    .map_err(Some)?;
                let answered = ServerMessage::TextEditAnswered { edit_id, answer };
                return send(socket, &answered).await.map_err(gone);
            }
            ClientMessage::Typing { field, paragraph } => {
                if field.is_shared_text() && self.edits(field.section) {
                    hub.typing_text(&self.pep_id, connection, &field, paragraph.min(10_000));
                    None
                } else {
                    Some("You cannot write in that field.".to_string())
                }
            }
            ClientMessage::Focus { field } => {
                let field = field.filter(|f| self.edits(f.section) && f.is_known());
                hub.focus(&self.pep_id, connection, field);
                None
            }
            ClientMessage::Draft { field, value } => {
                if crate::domain::pep_form::field(field.section, &field.field).is_none() {
                    // Never passed on: others' pages would show a draft for a question that
                    // does not exist.
                    Some("This section has no such question.".to_string())
                } else if !self.edits(field.section) {
                    // Say nothing of a section the person may not even read.
                    Some(if self.reads(field.section) {
                        "You can read this section but not write in it.".to_string()
                    } else {
                        "You cannot write in this section.".to_string()
                    })
                } else if value.chars().count() > crate::domain::pep_form::LONGEST_TEXT {
                    Some("That is longer than a field can hold.".to_string())
                } else {
                    hub.draft(&self.pep_id, connection, field, value);
                    None
                }
            }
        };
        match refusal {
            Some(reason) => send(socket, &ServerMessage::Refused { reason })
                .await
                .map_err(gone),
            None => Ok(()),
        }
    }

    /// An edit of a shared text, with the rights this connection holds (asked again when the
    /// PEP turns out to have moved on); stored, then told to the room as written. `Err` when
    /// the person may no longer be here at all.
    async fn edit_text(
        &mut self,
        field: &FieldKey,
        base: i64,
        op: &TextOp,
        edit_id: &str,
    ) -> Result<EditAnswer, Ending> {
        if let Err(error) = check_edit(edit_id, base) {
            return Ok(Err(error).into());
        }
        // Sessions or rights changed since they were asked (the `Recheck` event may be queued
        // behind this edit): asked again first, so no edit goes in on rights just taken away.
        if self.rights_epoch != self.deps.hub.rights_epoch() {
            let activity = std::mem::take(&mut self.typed_since_check);
            self.recheck(activity).await?;
        }
        // Once more after the rights are asked again (the PEP moved on meanwhile).
        for _ in 0..2 {
            if !field.is_shared_text() {
                return Ok(EditAnswer::Refused {
                    reason: "This section has no such free-text question.".into(),
                });
            }
            if !self.edits(field.section) {
                return Ok(EditAnswer::Forbidden);
            }
            let doc = match text_doc(self.rights.phase, field.section.as_str(), &field.field) {
                Ok(doc) => doc,
                Err(error) => return Ok(Err(error).into()),
            };
            let request = TextEditRequest {
                writer: TextWriter {
                    user_id: self.user.id.clone(),
                    name: self.user.display_name.clone(),
                    pep_id: self.pep_id.clone(),
                    child_id: self.rights.child_id.clone(),
                    state: self.rights.state,
                },
                doc,
                field_key: field.field.clone(),
                base,
                op: op.clone(),
                edit_id: edit_id.to_string(),
            };
            // Stored with the others' waiting edits, and told to the room, before the answer.
            match self.deps.hub.apply_text_edit(&self.deps.db, request).await {
                Ok(Applied::StateMoved) => {
                    let activity = std::mem::take(&mut self.typed_since_check);
                    self.recheck(activity).await?;
                }
                Ok(applied) => return Ok(Ok(applied.answer()).into()),
                Err(error) => return Ok(Err(error).into()),
            }
        }
        Ok(EditAnswer::Retry)
    }

    /// One room event, shaped for this person.
    async fn pass_on(
        &mut self,
        socket: &mut WebSocket,
        connection: u64,
        event: RoomEvent,
        sent_revision: &mut i64,
    ) -> Result<(), Option<Ending>> {
        let gone = |_| None;
        match event {
            RoomEvent::Presence(presence) => self
                .send_people(socket, &presence.0, presence.1)
                .await
                .map_err(gone),
            RoomEvent::Draft {
                connection: from,
                by,
                field,
                value,
            } if from != connection && self.reads(field.section) => send(
                socket,
                &ServerMessage::Draft {
                    connection: from,
                    by,
                    field,
                    value,
                },
            )
            .await
            .map_err(gone),
            RoomEvent::Draft { .. } => Ok(()),
            RoomEvent::Changed(changes) => {
                // The PEP moved on (or its meeting, targets…): what this person may edit may
                // have changed with it.
                if changes.recheck_workflow {
                    let activity = std::mem::take(&mut self.typed_since_check);
                    self.recheck(activity).await.map_err(Some)?;
                }
                self.send_changes(socket, &changes, sent_revision)
                    .await
                    .map_err(gone)
            }
            RoomEvent::Recheck => Ok(()),
        }
    }

    async fn send_presence(&self, socket: &mut WebSocket) -> Result<(), axum::Error> {
        let (people, others) = self.deps.hub.people(&self.pep_id);
        self.send_people(socket, &people, others).await
    }

    /// The presence list with the fields of sections this person may not read left unnamed.
    async fn send_people(
        &self,
        socket: &mut WebSocket,
        people: &[crate::domain::live::Present],
        others: usize,
    ) -> Result<(), axum::Error> {
        let people = people
            .iter()
            .map(|p| {
                let mut p = p.clone();
                if p.field.as_ref().is_some_and(|f| !self.reads(f.section)) {
                    p.field = None;
                    p.paragraph = None;
                }
                p
            })
            .collect();
        send(socket, &ServerMessage::Presence { people, others }).await
    }

    /// Everything after `sent_revision`, read from the database.
    async fn catch_up(
        &self,
        socket: &mut WebSocket,
        sent_revision: &mut i64,
    ) -> Result<(), axum::Error> {
        match changes_since(&self.deps.db, &self.pep_id, *sent_revision).await {
            Ok(Some(changes)) => self.send_changes(socket, &changes, sent_revision).await,
            Ok(None) => Ok(()),
            Err(error) => {
                // The room's next check sends it.
                tracing::warn!(%error, "live: could not read a PEP's changes");
                Ok(())
            }
        }
    }

    async fn send_changes(
        &self,
        socket: &mut WebSocket,
        changes: &Changes,
        sent_revision: &mut i64,
    ) -> Result<(), axum::Error> {
        if changes.revision <= *sent_revision {
            return Ok(());
        }
        *sent_revision = changes.revision;
        let fields: Vec<_> = changes
            .fields
            .iter()
            .filter(|f| self.reads(f.field.section))
            .cloned()
            .collect();
        send(
            socket,
            &ServerMessage::Changed {
                revision: changes.revision,
                fields,
                elsewhere: changes.changed_for(&self.user.id),
                recheck_workflow: changes.recheck_workflow,
                meeting: changes.meeting.clone(),
                text_edits: changes
                    .text_edits
                    .iter()
                    .filter(|e| self.reads(e.field.section))
                    .cloned()
                    .collect(),
            },
        )
        .await
    }
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> Result<(), axum::Error> {
    let text = serde_json::to_string(message).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

/// A close frame's reason holds at most 123 bytes.
fn shorten(reason: &str) -> String {
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}
