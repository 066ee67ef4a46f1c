//! A free-text question of the PEP, written by several people at once without anyone waiting
//! for anyone: each change leaves the page as a small edit (`domain::shared_text`), the server
//! merges it with the others' and stores it before answering, and the others' edits merge into
//! what is on screen without moving the caret or focus.
//!
//! Nothing typed is lost: the edit in flight and what was typed since stay in the page's memory
//! (`ClientText`) until the server has them; a failed send says so and goes again (at once when
//! the connection returns), an ended session says so and goes once they sign in again in
//! another tab. Words typed into the server's page before the script was ready are adopted as
//! the person's edit when it is.

use crate::domain::ids::PepId;
use leptos::html::Textarea;
use leptos::prelude::*;

use super::live_room::LiveRoom;
use super::save_status_part::SaveStatusLine;
use super::saver::{SIGNED_OUT_WORDS, SendFailure};
use crate::domain::live::FieldKey;
use crate::domain::shared_text::{ClientText, Outgoing, TextEditSeen, TextOp};
use crate::error::AppError;
use crate::features::pep_form::{TextEdited, TextSince, edit_pep_text, pep_text_since};
use crate::ui::raw_text::textarea_content;

/// Where the field's words are on their way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextState {
    /// The server has everything on screen.
    Settled,
    /// Edits are on their way.
    Sending,
    /// The last send failed (offline, server busy); it goes again when the connection returns.
    Offline,
    /// The session ended: kept on screen, sent once they sign in again.
    SignedOut,
    /// The server refused the words (what to change), or the field closed to this person.
    Refused(String),
}

/// The longest wait between tries of a failed send (a returning connection sends at once).
const LONGEST_RETRY_SECONDS: u64 = 10;
/// How long a send may take before the status line says "Saving…" (a quick one says nothing:
/// a screen reader hears "Saved" once, not twice a keystroke).
const QUIET_SEND_MS: u64 = 1_500;
/// How long after an edit landed the page waits for the live channel to bring it (with any
/// others' edits before it) before reading them itself.
const CHANNEL_GRACE_MS: u64 = 400;

/// One free-text field's side of the shared text. Copy: signals and stored values.
#[derive(Clone, Copy)]
pub struct SharedText {
    pep_id: StoredValue<PepId>,
    key: StoredValue<FieldKey>,
    client: StoredValue<ClientText>,
    /// The id of the edit in flight (a resend uses it again, so it applies at most once).
    edit_id: StoredValue<Option<String>>,
    /// A request is on its way.
    sending: StoredValue<bool>,
    /// The server accepted the edit in flight as this version; it is acknowledged when the
    /// edits before it are here too.
    landed: StoredValue<Option<i64>>,
    catching_up: StoredValue<bool>,
    retry_seconds: StoredValue<u64>,
    /// Counts sends, so a slow one (and only that one) says "Saving…".
    sends: StoredValue<u64>,
    /// What is on screen.
    pub text: RwSignal<String>,
    pub state: RwSignal<TextState>,
    slow: RwSignal<bool>,
    textarea: NodeRef<Textarea>,
    /// Runs after each edit lands (the task list marks the section started).
    after_save: Option<Callback<()>>,
    /// Remote edits merged since the last announcement.
    merged_remote: RwSignal<u64>,
    /// The PEP's live channel, which carries the edits while it is up.
    room: Option<LiveRoom>,
}

impl SharedText {
    pub fn new(
        pep_id: PepId,
        key: FieldKey,
        text: String,
        version: i64,
        after_save: Option<Callback<()>>,
    ) -> SharedText {
        SharedText {
            pep_id: StoredValue::new(pep_id),
            key: StoredValue::new(key),
            client: StoredValue::new(ClientText::new(text.clone(), version.max(0) as u64)),
            edit_id: StoredValue::new(None),
            sending: StoredValue::new(false),
            landed: StoredValue::new(None),
            catching_up: StoredValue::new(false),
            retry_seconds: StoredValue::new(0),
            sends: StoredValue::new(0),
            text: RwSignal::new(text),
            state: RwSignal::new(TextState::Settled),
            slow: RwSignal::new(false),
            textarea: NodeRef::new(),
            after_save,
            merged_remote: RwSignal::new(0),
            room: use_context::<LiveRoom>(),
        }
    }

    /// Words typed here that the server has not acknowledged yet.
    pub fn holds_unsent(self) -> bool {
        !self.client.with_value(|c| c.is_settled())
    }

    fn revision(self) -> i64 {
        self.client.with_value(|c| c.revision as i64)
    }

    /// The person changed the text to `new`.
    pub fn typed(self, new: String) {
        let refused = matches!(self.state.get_untracked(), TextState::Refused(_));
        let outgoing = self
            .client
            .try_update_value(|client| {
                let sent_now = client.local_change(&new);
                // A refused edit was never applied: it goes again with what was typed since,
                // as one new edit.
                if refused && sent_now.is_none() {
                    client.retry_pending()
                } else {
                    sent_now
                }
            })
            .flatten();
        if refused {
            self.edit_id.set_value(None);
        }
        self.text.set(new);
        if outgoing.is_some() || refused {
            self.start_edit();
        }
        if !matches!(
            self.state.get_untracked(),
            TextState::Offline | TextState::SignedOut
        ) {
            self.state.set(TextState::Sending);
        }
        self.send();
    }

    /// The client put a new edit in flight: it gets an id of its own.
    fn start_edit(self) {
        self.edit_id.set_value(Some(super::saver::new_edit_id()));
        self.landed.set_value(None);
    }

    /// Sends the edit in flight unless a request is on its way (its answer sends what follows).
    pub fn send(self) {
        if self.sending.get_value() {
            return;
        }
        let Some(Outgoing { base, op }) = self.client.with_value(|c| {
            c.in_flight.clone().map(|op| Outgoing {
                base: c.revision,
                op,
            })
        }) else {
            self.settle();
            return;
        };
        if self.landed.get_value().is_some() {
            // Stored already: it is acknowledged when the edits before it arrive.
            return;
        }
        if self.edit_id.with_value(Option::is_none) {
            self.start_edit();
        }
        let edit_id = self.edit_id.get_value().unwrap_or_default();
        self.sending.set_value(true);
        self.sends.update_value(|n| *n += 1);
        let this_send = self.sends.get_value();
        set_timeout(
            move || {
                if self.sends.get_value() == this_send && self.sending.get_value() {
                    self.slow.set(true);
                }
            },
            std::time::Duration::from_millis(QUIET_SEND_MS),
        );
        let key = self.key.get_value();
        let answered = move |answer: Result<TextEdited, AppError>| {
            self.sending.set_value(false);
            self.slow.set(false);
            self.answered(answer);
        };
        // On the channel while it is up; over HTTP when it is not (the same edit id either way).
        if let Some(room) = self.room
            && room.send_text_edit(key.clone(), base as i64, &op, &edit_id, Box::new(answered))
        {
            return;
        }
        let request = edit_pep_text(
            self.pep_id.get_value(),
            key.section.as_str().to_string(),
            key.field,
            base as i64,
            serde_json::to_string(&op).unwrap_or_default(),
            edit_id,
        );
        leptos::task::spawn_local(async move { answered(request.await) });
    }

    fn answered(self, answer: Result<TextEdited, AppError>) {
        match answer {
            Ok(TextEdited::Accepted { version }) => {
                self.retry_seconds.set_value(0);
                if matches!(
                    self.state.get_untracked(),
                    TextState::Offline | TextState::SignedOut
                ) {
                    self.state.set(TextState::Sending);
                }
                let revision = self.revision();
                if revision >= version {
                    // The live channel brought it first: send what was typed since.
                    self.send();
                } else if revision + 1 == version {
                    // Nobody's edit came between: it is acknowledged now.
                    self.acknowledge(version);
                } else {
                    self.landed.set_value(Some(version));
                    set_timeout(
                        move || {
                            if self.revision() < version {
                                self.catch_up();
                            }
                        },
                        std::time::Duration::from_millis(CHANNEL_GRACE_MS),
                    );
                }
            }
            // The edit was not applied: made again against the text as it is now.
            Ok(TextEdited::Resync { text, version }) => self.adopt_server_text(text, version),
            Ok(TextEdited::Retry) => self.send(),
            Err(error) => match SendFailure::of(error) {
                SendFailure::Refused(message) => self.state.set(TextState::Refused(message)),
                SendFailure::SignedOut => {
                    self.state.set(TextState::SignedOut);
                    self.retry_in(30);
                }
                SendFailure::Retry => {
                    self.state.set(TextState::Offline);
                    let wait = (self.retry_seconds.get_value() * 2).clamp(1, LONGEST_RETRY_SECONDS);
                    self.retry_seconds.set_value(wait);
                    self.retry_in(wait);
                }
            },
        }
    }

    fn retry_in(self, seconds: u64) {
        set_timeout(move || self.send(), std::time::Duration::from_secs(seconds));
    }

    /// The connection is back: whatever waits goes now, and what others did meanwhile is read.
    pub fn reconnected(self) {
        if matches!(
            self.state.get_untracked(),
            TextState::Offline | TextState::SignedOut
        ) {
            self.retry_seconds.set_value(0);
            self.send();
        }
        if self.landed.get_value().is_some() {
            self.catch_up();
        }
    }

    /// The edit in flight is the server's `version`: what was typed since goes next.
    fn acknowledge(self, version: i64) {
        self.client
            .update_value(|c| drop(c.acknowledged(version.max(0) as u64)));
        self.landed.set_value(None);
        self.edit_id.set_value(None);
        if let Some(after_save) = self.after_save {
            after_save.run(());
        }
        self.send();
    }

    /// Everything the server has is here, and nothing waits to be sent.
    fn settle(self) {
        let settled = self.client.with_value(ClientText::is_settled) && !self.sending.get_value();
        if settled && !matches!(self.state.get_untracked(), TextState::Refused(_)) {
            self.state.set(TextState::Settled);
        }
    }

    /// Edits the server applied (from the live channel or a catch-up), in its order.
    pub fn hear(self, edits: &[TextEditSeen]) {
        for edit in edits {
            let revision = self.revision();
            if edit.version <= revision {
                continue;
            }
            if edit.version > revision + 1 {
                // Some were missed (a reconnect, a long catch-up): read them.
                self.catch_up();
                return;
            }
            if self.edit_id.get_value().as_deref() == Some(edit.edit_id.as_str()) {
                self.acknowledge(edit.version);
                continue;
            }
            let before = self.client.with_value(|c| c.text.clone());
            let applied = self
                .client
                .try_update_value(|c| c.remote(&edit.op, edit.version.max(0) as u64));
            match applied {
                Some(Ok(applied)) => {
                    self.show_remote(&before, &applied);
                    self.merged_remote.update(|n| *n += 1);
                }
                _ => {
                    // Cannot happen with the server's order; read the field again if it does.
                    leptos::logging::warn!("a remote edit did not fit; reading the field again");
                    self.catch_up();
                    return;
                }
            }
        }
    }

    /// Reads the edits since this page's revision (or the text, when they are gone).
    pub fn catch_up(self) {
        if self.catching_up.get_value() {
            return;
        }
        self.catching_up.set_value(true);
        let key = self.key.get_value();
        let request = pep_text_since(
            self.pep_id.get_value(),
            key.section.as_str().to_string(),
            key.field,
            self.revision(),
        );
        leptos::task::spawn_local(async move {
            let answer = request.await;
            self.catching_up.set_value(false);
            match answer {
                Ok(TextSince::Edits { edits }) => self.hear(&edits),
                Ok(TextSince::Resync { text, version }) => {
                    if self.sending.get_value() {
                        // Its answer decides first; read again after it.
                        set_timeout(
                            move || self.catch_up(),
                            std::time::Duration::from_millis(CHANNEL_GRACE_MS),
                        );
                        return;
                    }
                    if self.landed.get_value().is_some() {
                        self.client.update_value(ClientText::landed_unseen);
                        self.landed.set_value(None);
                    }
                    self.adopt_server_text(text, version);
                }
                // The live channel or the next edit tries again.
                Err(_) => {}
            }
        });
    }

    /// The field's text as the server has it now (its edits since this page's base are gone):
    /// merged with what this page has not had acknowledged, shown, and what is left sent.
    fn adopt_server_text(self, text: String, version: i64) {
        let before = self.client.with_value(|c| c.text.clone());
        let outgoing = self
            .client
            .try_update_value(|c| c.resync(text, version.max(0) as u64))
            .flatten();
        let now = self.client.with_value(|c| c.text.clone());
        self.show_remote(&before, &TextOp::from_change(&before, &now));
        self.edit_id.set_value(None);
        if outgoing.is_some() {
            self.send();
        } else {
            self.settle();
        }
    }

    /// Puts the merged text on screen; in the field the person is in, the caret and selection
    /// move with the others' edit (text typed before the caret pushes it on) and focus and
    /// scroll stay where they are.
    fn show_remote(self, before: &str, applied: &TextOp) {
        let now = self.client.with_value(|c| c.text.clone());
        self.text.set(now.clone());
        #[cfg(feature = "hydrate")]
        if let Some(area) = self.textarea.get_untracked() {
            use crate::domain::shared_text::{scalar_index, utf16_index};
            let focused = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|active| {
                    let area: &web_sys::Element = &area;
                    active == *area
                });
            if focused {
                let caret = |at: Option<u32>| {
                    let at = scalar_index(before, at.unwrap_or(0) as usize);
                    utf16_index(&now, applied.transform_index(at, false)) as u32
                };
                let start = caret(area.selection_start().ok().flatten());
                let end = caret(area.selection_end().ok().flatten());
                let scroll = area.scroll_top();
                area.set_value(&now);
                let _ = area.set_selection_range(start, end);
                area.set_scroll_top(scroll);
            } else {
                area.set_value(&now);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (before, applied);
    }

    /// The state in a few words for the status line under the field (empty while quick sends
    /// come and go).
    pub fn status_words(self) -> String {
        match self.state.get() {
            TextState::Settled if self.client.with_value(|c| c.revision == 0) => String::new(),
            TextState::Settled => "Saved".to_string(),
            TextState::Sending if self.slow.get() => "Saving…".to_string(),
            TextState::Sending => String::new(),
            TextState::Offline => "Not saved yet: the connection is down. What you typed stays \
                                   here and is sent when it returns."
                .to_string(),
            TextState::SignedOut => SIGNED_OUT_WORDS.to_string(),
            TextState::Refused(message) => format!("Not saved: {message}"),
        }
    }
}

/// One free-text question, shared by everyone who may write in it.
#[component]
pub fn SharedTextField(
    id: String,
    /// Reactive: an action's label says its place in the list ("Action 2"), which a removal
    /// above it changes.
    #[prop(into)]
    label: Signal<String>,
    hint: String,
    shared: SharedText,
    /// Lines shown: a question's answer needs five, a short part of an action one or two.
    #[prop(default = 5)]
    rows: u32,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let status_id = format!("{id}-status");
    let where_id = format!("{id}-where");
    let described_by = format!("{hint_id} {status_id} {where_id}");
    let initial = shared.text.get_untracked();
    let key = shared.key.get_value();
    let room = use_context::<LiveRoom>();
    if let Some(room) = room {
        // The others' edits, merged as they arrive.
        let edits_key = key.clone();
        let edits_label = label;
        Effect::new(move |_| {
            room.text_edits.with(|(_, batch)| {
                let mine: Vec<TextEditSeen> = batch
                    .iter()
                    .filter(|e| e.field == edits_key)
                    .map(|e| e.edit.clone())
                    .collect();
                if mine.is_empty() {
                    return;
                }
                shared.hear(&mine);
                let by = batch
                    .iter()
                    .rev()
                    .find(|e| e.field == edits_key)
                    .map(|e| &e.by);
                announce_merged(room, shared, &edits_key, &edits_label.get_untracked(), by);
            })
        });
        // A change too big for the channel to carry edit by edit (or a whole-value save):
        // the field is newer than this page, so it reads what it missed.
        let committed_key = key.clone();
        let field_label = label;
        Effect::new(move |_| {
            room.committed.with(|(_, batch)| {
                let Some(changed) = batch.iter().find(|c| c.field == committed_key) else {
                    return;
                };
                // (The same message's edits, merged by the effect above, usually cover it.)
                let carried = room.text_edits.with_untracked(|(_, edits)| {
                    edits
                        .iter()
                        .any(|e| e.field == committed_key && e.edit.version >= changed.version)
                });
                if changed.version > shared.revision() && !carried {
                    shared.catch_up();
                }
                announce_merged(
                    room,
                    shared,
                    &committed_key,
                    &field_label.get_untracked(),
                    Some(&changed.by),
                );
            })
        });
        Effect::new(move |runs: Option<u64>| {
            let ticks = room.reconnected.get();
            if runs.is_some() {
                shared.reconnected();
            }
            ticks
        });
    }
    // Words typed into the server's page before the script was ready are the person's edit.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(area) = shared.textarea.get() {
            let typed = area.value();
            if typed != shared.text.get_untracked() {
                shared.typed(typed);
            }
        }
    });
    let typing_key = key.clone();
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        #[cfg(feature = "hydrate")]
        if let Some(room) = room {
            let caret = shared
                .textarea
                .get_untracked()
                .and_then(|a| a.selection_start().ok().flatten())
                .unwrap_or(0) as usize;
            let at = crate::domain::shared_text::scalar_index(&value, caret);
            room.typing(
                typing_key.clone(),
                crate::domain::shared_text::paragraph_at(&value, at),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &typing_key;
        shared.typed(value);
    };
    let focus_key = key.clone();
    let on_focus = move |_| {
        if let Some(room) = room {
            room.focus(Some(focus_key.clone()));
        }
    };
    let on_blur = move |_| {
        if let Some(room) = room {
            room.focus(None);
        }
    };
    // Who else is in this field now, and where.
    let others_here = move || {
        let room = room?;
        let me = room.me.get();
        let here: Vec<String> = room.people.with(|people| {
            people
                .iter()
                .filter(|p| p.connection != me && p.field.as_ref() == Some(&key))
                .map(|p| match (p.typing, p.paragraph) {
                    (true, Some(n)) if n > 1 => format!("{} is typing in paragraph {n}", p.who()),
                    (true, _) => format!("{} is typing here", p.who()),
                    (false, _) => format!("{} is here", p.who()),
                })
                .collect()
        });
        (!here.is_empty()).then(|| {
            format!(
                "{}. Your words and theirs are merged as you both type.",
                here.join("; ")
            )
        })
    };
    view! {
        <div
            class="form-group pep-field"
            class:form-group--error=move || matches!(shared.state.get(), TextState::Refused(_))
        >
            <label class="label" for=id.clone()>{label}</label>
            <p class="hint" id=hint_id>{hint}</p>
            <p class="live-here" id=where_id>{others_here}</p>
            <textarea
                class="textarea"
                id=id.clone()
                name=id.clone()
                rows=rows
                aria-describedby=described_by
                node_ref=shared.textarea
                on:input=on_input
                on:focus=on_focus
                on:blur=on_blur
                inner_html=textarea_content(&initial)
            />
            <SaveStatusLine id=status_id words=Signal::derive(move || shared.status_words()) />
        </div>
    }
}

/// "Priya Sharma changed “…”.", said once per message of the others' typing merged here (never
/// per keystroke), and not while the person is in the field (they see it).
fn announce_merged(
    room: LiveRoom,
    shared: SharedText,
    key: &FieldKey,
    label: &str,
    by: Option<&String>,
) {
    if shared.merged_remote.get_untracked() == 0 {
        return;
    }
    shared.merged_remote.set(0);
    let focused = room.focused.get_untracked().as_ref() == Some(key);
    if !focused {
        let by = by
            .filter(|by| !by.is_empty())
            .map_or("Someone", |by| by.as_str());
        room.announce(format!("{by} changed “{label}”."));
    }
}
