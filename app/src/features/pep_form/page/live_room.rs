//! The browser's end of a PEP's live channel: who is here, what they are typing, what was saved,
//! and whether the connection is up, as signals the form reads. On the server it is inert.
//!
//! It pings every `PING_EVERY_MS` and says the connection is lost when the server has been
//! silent for `SILENT_SERVER_MS` or the browser says it is offline. It reconnects by itself (at
//! once when the window regains focus or the network returns, else after 1, 2, 4, then every 8
//! seconds) asking for what changed since the last revision it saw. It carries free-text edits
//! while it is up (`send_text_edit`), but keeping them is not its job: each free-text field's
//! `SharedTextField` and each other value's `Saver` keeps unsent words in memory and sends them
//! again, at once, when `reconnected` ticks.

use crate::domain::ids::PepId;
use std::collections::HashMap;

use leptos::prelude::*;

use crate::domain::live::{
    ChangedField, FieldKey, FieldTextEdit, PartChange, Present, ServerMessage,
};
#[cfg(feature = "hydrate")]
use crate::domain::live::{
    ClientMessage, DRAFT_PAUSE_MS, MAX_MESSAGE_BYTES, PING_EVERY_MS, SILENT_SERVER_MS,
};
use crate::domain::meeting::MeetingInfo;
use crate::domain::shared_text::TextOp;
use crate::error::AppError;
use crate::features::pep_form::TextEdited;

/// How many recent announcements the live region keeps.
pub const ANNOUNCEMENTS_KEPT: usize = 5;

/// What an edit sent on the channel does with its answer.
pub type EditAnswered = Box<dyn FnOnce(Result<TextEdited, AppError>)>;

/// Whether the channel is up, in the person's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Down; trying again (what is typed is kept and saved when it returns).
    Reconnecting,
    /// Closed for good (the session ended), with why.
    Ended(String),
}

/// Someone's unsaved words in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteDraft {
    pub connection: u64,
    pub by: String,
    pub value: String,
}

#[derive(Clone, Copy)]
pub struct LiveRoom {
    pub link: RwSignal<Link>,
    pub people: RwSignal<Vec<Present>>,
    /// How many more people have it open than the list names.
    pub others: RwSignal<usize>,
    /// This page's connection number.
    pub me: RwSignal<u64>,
    /// What the polite live region has said lately (remote changes, people arriving and leaving),
    /// oldest first, numbered so a repeat of the same words is a new entry and is heard again.
    pub announcements: RwSignal<Vec<(u64, String)>>,
    /// The last batch of parts other than fields that someone else changed, numbered so each
    /// batch is seen once: the page reads them again and merges them.
    pub parts_changed: RwSignal<(u64, Vec<PartChange>)>,
    /// The last batch of saved changes, numbered so each batch is seen once.
    pub committed: RwSignal<(u64, Vec<ChangedField>)>,
    /// The free-text edits of that batch, in the order the server applied them.
    pub text_edits: RwSignal<(u64, Vec<FieldTextEdit>)>,
    /// Ticks when the channel comes back (or the browser is online again): whatever waits to
    /// be sent goes at once.
    pub reconnected: RwSignal<u64>,
    pub drafts: RwSignal<HashMap<FieldKey, RemoteDraft>>,
    pub focused: RwSignal<Option<FieldKey>>,
    /// The meeting as the last change said (the page starts from the form's).
    pub meeting: RwSignal<Option<MeetingInfo>>,
    /// Counts changes that may move the PEP or change what blocks it: the workflow part reads
    /// itself again at each.
    pub workflow_rechecks: RwSignal<u64>,
    revision: RwSignal<i64>,
    attempts: RwSignal<u32>,
    /// Edits sent on the channel and not answered yet: each one's answer goes to its field.
    /// When the channel drops they are answered "not sent", and the fields send them again.
    /// Plain closures held by the room, not `Callback`s: those belong to the reactive owner
    /// that made them (often an effect, which drops them when it runs again, and the answer
    /// was lost with the field's sending stuck).
    #[cfg(feature = "hydrate")]
    awaiting_answers: StoredValue<HashMap<String, EditAnswered>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    pep_id: StoredValue<PepId>,
    /// Bumped per keystroke so only the last draft of a burst goes out.
    #[cfg(feature = "hydrate")]
    draft_count: RwSignal<u64>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<web_sys::WebSocket>, LocalStorage>,
    /// When the server was last heard (ms since the epoch).
    #[cfg(feature = "hydrate")]
    last_heard: StoredValue<f64>,
    /// The paragraph last said for a free-text field, so only news goes out.
    #[cfg(feature = "hydrate")]
    said_paragraph: StoredValue<Option<(FieldKey, u32)>>,
}

impl LiveRoom {
    pub fn new(pep_id: PepId, revision: i64, meeting: Option<MeetingInfo>) -> LiveRoom {
        #[cfg(not(feature = "hydrate"))]
        let _ = pep_id;
        LiveRoom {
            link: RwSignal::new(Link::Connecting),
            people: RwSignal::new(Vec::new()),
            others: RwSignal::new(0),
            me: RwSignal::new(0),
            announcements: RwSignal::new(Vec::new()),
            parts_changed: RwSignal::new((0, Vec::new())),
            committed: RwSignal::new((0, Vec::new())),
            text_edits: RwSignal::new((0, Vec::new())),
            reconnected: RwSignal::new(0),
            drafts: RwSignal::new(HashMap::new()),
            focused: RwSignal::new(None),
            meeting: RwSignal::new(meeting),
            workflow_rechecks: RwSignal::new(0),
            revision: RwSignal::new(revision),
            attempts: RwSignal::new(0),
            #[cfg(feature = "hydrate")]
            awaiting_answers: StoredValue::new_local(HashMap::new()),
            #[cfg(feature = "hydrate")]
            pep_id: StoredValue::new(pep_id),
            #[cfg(feature = "hydrate")]
            draft_count: RwSignal::new(0),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
            #[cfg(feature = "hydrate")]
            last_heard: StoredValue::new(0.0),
            #[cfg(feature = "hydrate")]
            said_paragraph: StoredValue::new(None),
        }
    }

    /// Says something in the polite live region. It is a log: each announcement is added, so two
    /// in quick succession are both heard (one replacing the other lost the first), and only the
    /// last few are kept so the region stays short.
    pub fn announce(self, words: String) {
        self.announcements.update(|said| {
            let number = said.last().map_or(1, |(n, _)| n + 1);
            said.push((number, words));
            let surplus = said.len().saturating_sub(ANNOUNCEMENTS_KEPT);
            said.drain(..surplus);
        });
    }

    /// Applies a message from the server.
    pub fn hear(self, message: ServerMessage) {
        match message {
            ServerMessage::Welcome { connection, .. } => {
                self.me.set(connection);
                self.link.set(Link::Live);
                self.attempts.set(0);
            }
            ServerMessage::Presence { people, others } => {
                self.others.set(others);
                let before = self.people.get_untracked();
                let me = self.me.get_untracked();
                let arrived: Vec<String> = people
                    .iter()
                    .filter(|p| p.connection != me)
                    .filter(|p| !before.iter().any(|b| b.connection == p.connection))
                    .map(|p| format!("{} joined.", p.who()))
                    .collect();
                let left: Vec<String> = before
                    .iter()
                    .filter(|b| b.connection != me)
                    .filter(|b| !people.iter().any(|p| p.connection == b.connection))
                    .map(|b| format!("{} left.", b.who()))
                    .collect();
                // A draft whose writer left the field is over.
                self.drafts.update(|drafts| {
                    drafts.retain(|field, draft| {
                        people.iter().any(|p| {
                            p.connection == draft.connection && p.field.as_ref() == Some(field)
                        })
                    })
                });
                self.people.set(people);
                let news: Vec<String> = arrived.into_iter().chain(left).collect();
                if !news.is_empty() {
                    self.announce(news.join(" "));
                }
            }
            ServerMessage::Draft {
                connection,
                by,
                field,
                value,
            } => self.drafts.update(|drafts| {
                drafts.insert(
                    field,
                    RemoteDraft {
                        connection,
                        by,
                        value,
                    },
                );
            }),
            ServerMessage::Changed {
                revision,
                fields,
                elsewhere,
                recheck_workflow,
                meeting,
                text_edits,
            } => {
                if recheck_workflow {
                    self.workflow_rechecks.update(|n| *n += 1);
                }
                if let Some(meeting) = meeting {
                    let before = self.meeting.get_untracked();
                    let news = match (&before, meeting.running()) {
                        (None, true) => Some(format!(
                            "{} started the meeting. The meeting record is below the task list.",
                            meeting.started_by
                        )),
                        (Some(b), false) if b.running() => Some("The meeting has ended.".into()),
                        _ => None,
                    };
                    self.meeting.set(Some(meeting));
                    if let Some(news) = news {
                        self.announce(news);
                    }
                }
                self.revision.update(|r| *r = (*r).max(revision));
                self.drafts.update(|drafts| {
                    for changed in &fields {
                        drafts.remove(&changed.field);
                    }
                });
                if !text_edits.is_empty() {
                    self.text_edits.update(|(n, batch)| {
                        *n += 1;
                        *batch = text_edits;
                    });
                }
                if !fields.is_empty() {
                    self.committed.update(|(n, batch)| {
                        *n += 1;
                        *batch = fields;
                    });
                }
                if !elsewhere.is_empty() {
                    // The person's own changes are not news to them.
                    let news: Vec<String> = elsewhere
                        .iter()
                        .filter(|change| !change.by.is_empty())
                        .map(PartChange::in_words)
                        .collect();
                    if !news.is_empty() {
                        self.announce(news.join(" "));
                    }
                    self.parts_changed.update(|(n, batch)| {
                        *n += 1;
                        *batch = elsewhere;
                    });
                }
            }
            ServerMessage::TextEditAnswered { edit_id, answer } => {
                #[cfg(feature = "hydrate")]
                {
                    let waiting = self
                        .awaiting_answers
                        .try_update_value(|waiting| waiting.remove(&edit_id))
                        .flatten();
                    if let Some(answered) = waiting {
                        answered(answer.into());
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (edit_id, answer);
            }
            ServerMessage::Refused { reason } => self.announce(reason),
            ServerMessage::Pong => {}
            ServerMessage::Closing { reason, reconnect } => {
                if !reconnect {
                    self.link.set(Link::Ended(reason));
                }
            }
        }
    }
}

#[cfg(feature = "hydrate")]
impl LiveRoom {
    /// Answers every edit still waiting "not sent": the channel dropped before their answers
    /// came, and each field sends its edit again (at once when the channel is back).
    fn unanswered(self) {
        let waiting = self
            .awaiting_answers
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for (_, answered) in waiting {
            answered(Err(AppError::Transport(
                "the connection dropped before the edit was answered".into(),
            )));
        }
    }
}

#[cfg(not(feature = "hydrate"))]
impl LiveRoom {
    pub fn connect(self) {}
    pub fn send_text_edit(
        self,
        _field: FieldKey,
        _base: i64,
        _op: &TextOp,
        _edit_id: &str,
        _answered: EditAnswered,
    ) -> bool {
        false
    }
    pub fn focus(self, _field: Option<FieldKey>) {}
    pub fn draft(self, _field: FieldKey, _value: String) {}
    pub fn typing(self, _field: FieldKey, _paragraph: u32) {}
}

#[cfg(feature = "hydrate")]
impl LiveRoom {
    fn send(self, message: &ClientMessage) {
        self.socket.with_value(|socket| {
            if let Some(socket) = socket
                && socket.ready_state() == web_sys::WebSocket::OPEN
                && let Ok(text) = serde_json::to_string(message)
            {
                let _ = socket.send_with_str(&text);
            }
        });
    }

    /// Sends a shared-text edit on the channel when it is up, and `answered` gets the answer;
    /// `false` (nothing sent) when the channel is down or the edit is too large for it: the
    /// caller sends it over HTTP.
    pub fn send_text_edit(
        self,
        field: FieldKey,
        base: i64,
        op: &TextOp,
        edit_id: &str,
        answered: EditAnswered,
    ) -> bool {
        if self.link.get_untracked() != Link::Live {
            return false;
        }
        let message = ClientMessage::EditText {
            field,
            base,
            op: op.clone(),
            edit_id: edit_id.to_string(),
        };
        let Ok(text) = serde_json::to_string(&message) else {
            return false;
        };
        if text.len() > MAX_MESSAGE_BYTES {
            return false;
        }
        let sent = self.socket.with_value(|socket| {
            socket.as_ref().is_some_and(|socket| {
                socket.ready_state() == web_sys::WebSocket::OPEN
                    && socket.send_with_str(&text).is_ok()
            })
        });
        if sent {
            self.awaiting_answers.update_value(|waiting| {
                waiting.insert(edit_id.to_string(), answered);
            });
        }
        sent
    }

    /// The person moved into `field`, or out of every field.
    pub fn focus(self, field: Option<FieldKey>) {
        self.focused.set(field.clone());
        self.said_paragraph.set_value(None);
        self.send(&ClientMessage::Focus { field });
    }

    /// The person typed in free-text `field`, in `paragraph`: said when it is news.
    pub fn typing(self, field: FieldKey, paragraph: u32) {
        let now = Some((field.clone(), paragraph));
        if self.said_paragraph.get_value() != now {
            self.said_paragraph.set_value(now);
            self.send(&ClientMessage::Typing { field, paragraph });
        }
    }

    /// What the person is typing in a short `field`: sent once their keys pause for a moment.
    pub fn draft(self, field: FieldKey, value: String) {
        self.draft_count.update(|n| *n += 1);
        let this_draft = self.draft_count.get_untracked();
        set_timeout(
            move || {
                if self.draft_count.get_untracked() == this_draft {
                    self.send(&ClientMessage::Draft { field, value });
                }
            },
            std::time::Duration::from_millis(DRAFT_PAUSE_MS),
        );
    }

    /// Opens the channel (and keeps it open: pings, reconnects). Call once, in the browser.
    pub fn connect(self) {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;

        if matches!(self.link.get_untracked(), Link::Ended(_)) {
            return;
        }
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let scheme = match location.protocol().as_deref() {
            Ok("https:") => "wss",
            _ => "ws",
        };
        let host = location.host().unwrap_or_default();
        let url = format!(
            "{scheme}://{host}/live/pep/{}?since={}",
            self.pep_id.get_value(),
            self.revision.get_untracked()
        );
        let Ok(socket) = web_sys::WebSocket::new(&url) else {
            self.reconnect_later();
            return;
        };
        let on_open = Closure::<dyn FnMut()>::new(move || {
            self.last_heard.set_value(js_sys::Date::now());
            // Back in the field the person is in, so others see where they are again.
            self.said_paragraph.set_value(None);
            if let Some(field) = self.focused.get_untracked() {
                self.send(&ClientMessage::Focus { field: Some(field) });
            }
            self.reconnected.update(|n| *n += 1);
        });
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                self.last_heard.set_value(js_sys::Date::now());
                if let Some(text) = event.data().as_string()
                    && let Ok(message) = serde_json::from_str::<ServerMessage>(&text)
                {
                    self.hear(message);
                }
            },
        );
        let opened = socket.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            // Only the socket in use now reconnects (an old one closing late does not).
            let current = self
                .socket
                .with_value(|s| s.as_ref().is_some_and(|s| *s == opened));
            if current {
                self.lost();
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // The handlers live as long as the page (one set per connection: a few bytes).
        on_open.forget();
        on_message.forget();
        on_close.forget();
        self.socket.set_value(Some(socket));
        if self.attempts.get_untracked() == 0 {
            self.keep_alive();
            self.wake_on_return();
        }
    }

    /// The connection is gone (closed, silent, or the browser offline): say so, forget who was
    /// here (they are shown again on reconnecting), and try again.
    fn lost(self) {
        if let Some(socket) = self.socket.try_update_value(Option::take).flatten() {
            socket.set_onclose(None);
            let _ = socket.close();
        }
        self.people.set(Vec::new());
        self.drafts.set(HashMap::new());
        self.unanswered();
        self.reconnect_later();
    }

    fn reconnect_later(self) {
        if matches!(self.link.get_untracked(), Link::Ended(_)) {
            return;
        }
        self.link.set(Link::Reconnecting);
        self.attempts.update(|n| *n += 1);
        let attempt = self.attempts.get_untracked();
        let seconds = 1u64 << attempt.min(4).saturating_sub(1);
        set_timeout(
            move || {
                if self.attempts.get_untracked() == attempt
                    && self.link.get_untracked() != Link::Live
                {
                    self.connect();
                }
            },
            std::time::Duration::from_secs(seconds.min(10)),
        );
    }

    /// Pings while the page is open, so the server knows it is still here, and says the
    /// connection is lost when the server's answers stop (a network that drops without closing
    /// anything, which a phone's often does).
    fn keep_alive(self) {
        let _ = set_interval_with_handle(
            move || {
                let silent = js_sys::Date::now() - self.last_heard.get_value();
                let open = self.socket.with_value(Option::is_some);
                if open
                    && self.link.get_untracked() == Link::Live
                    && silent > SILENT_SERVER_MS as f64
                {
                    self.lost();
                } else {
                    self.send(&ClientMessage::Ping);
                }
            },
            std::time::Duration::from_millis(PING_EVERY_MS),
        );
    }

    /// Reconnects at once when the phone wakes or the network returns.
    fn wake_on_return(self) {
        let again = move || {
            if self.link.get_untracked() == Link::Reconnecting {
                self.attempts.update(|n| *n += 1);
                self.connect();
            }
        };
        let _ = window_event_listener(leptos::ev::online, move |_| {
            again();
            self.reconnected.update(|n| *n += 1);
        });
        let _ = window_event_listener(leptos::ev::focus, move |_| again());
        let _ = window_event_listener(leptos::ev::offline, move |_| {
            if self.link.get_untracked() == Link::Live {
                self.lost();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(connection: u64, name: &str) -> Present {
        Present {
            connection,
            name: name.into(),
            role: "carer".into(),
            field: None,
            typing: false,
            paragraph: None,
        }
    }

    #[test]
    fn announcements_in_quick_succession_are_all_kept_and_repeats_are_new_entries() {
        // Signals live in the owner's arena (sandboxed per request on the server).
        Owner::new().with(hear_and_announce);
    }

    fn hear_and_announce() {
        let room = LiveRoom::new("pep".into(), 1, None);
        room.me.set(1);
        room.hear(ServerMessage::Presence {
            people: vec![person(1, "Me"), person(2, "Linda Bennett")],
            others: 0,
        });
        room.hear(ServerMessage::Presence {
            people: vec![person(1, "Me")],
            others: 0,
        });
        room.announce("The meeting has ended.".into());
        let said: Vec<String> = room
            .announcements
            .get_untracked()
            .into_iter()
            .map(|(_, words)| words)
            .collect();
        assert_eq!(
            said,
            [
                "Linda Bennett (carer) joined.",
                "Linda Bennett (carer) left.",
                "The meeting has ended."
            ]
        );
        for _ in 0..ANNOUNCEMENTS_KEPT {
            room.announce("Same words.".into());
        }
        let said = room.announcements.get_untracked();
        assert_eq!(said.len(), ANNOUNCEMENTS_KEPT);
        assert!(said.iter().all(|(_, words)| words == "Same words."));
        assert!(said.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
}
