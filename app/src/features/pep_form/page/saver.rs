//! Saving one value (a field's text, a whole target) at the version it was read, so nothing typed
//! is ever lost or silently overwritten.
//!
//! The value saves itself shortly after the person stops typing and when they leave the field.
//! It lives in the page's memory until the server has it: a failed save says "not saved yet" and
//! tries again with growing pauses (a dropped connection, a closed lid), an ended session says so
//! and keeps trying once they sign in again in another tab, and a value someone else saved first
//! is shown beside theirs to choose from.

use std::future::Future;

use leptos::prelude::*;

use crate::domain::live::{RemoteCommit, on_remote_commit};
use crate::error::AppError;
use crate::features::pep_form::Saved;

/// Where a value is saved, and how.
pub trait Persist: Clone + Send + Sync + 'static {
    type Value: Clone + PartialEq + Send + Sync + 'static;
    /// `edit_id` names this attempt's edit: a retry of the same value over the same version
    /// sends the same id, so the server applies it at most once.
    fn save(
        self,
        value: Self::Value,
        version: i64,
        edit_id: String,
    ) -> impl Future<Output = Result<Saved<Self::Value>, AppError>> + 'static;
}

/// Where a value is on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState<T> {
    /// The server has exactly what is on screen.
    Saved,
    /// Changed since the last save; a save follows shortly.
    Editing,
    Saving,
    /// The last attempt failed (offline, server busy); another follows.
    Retrying,
    /// The session ended: kept on screen, tried again every half minute.
    SignedOut,
    /// Someone else saved it first: their value, its version, and who.
    Conflict {
        theirs: T,
        version: i64,
        by: String,
    },
    /// Someone else saved it while the person was in the field or had words not yet saved in
    /// it: nothing on screen was overwritten; their value waits to be reviewed.
    ChangedElsewhere {
        theirs: T,
        version: i64,
        by: String,
    },
    /// The server refused the value (what to change), or it closed to this person.
    Refused(String),
}

/// What a failed send means for the words on screen, the same for every kind of value.
pub(crate) enum SendFailure {
    /// The server refused them (what to change), or the value closed to this person: kept on
    /// screen until the person changes them.
    Refused(String),
    /// The session ended: kept, and sent once they sign in again in another tab.
    SignedOut,
    /// Offline or the server busy: kept, and sent again.
    Retry,
}

impl SendFailure {
    pub(crate) fn of(error: AppError) -> SendFailure {
        match error {
            AppError::Invalid(problems) => SendFailure::Refused(
                problems
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect::<Vec<_>>()
                    .join(". "),
            ),
            AppError::Forbidden => SendFailure::Refused(
                "you can no longer change this (the PEP may have moved on). Copy what you wrote \
                 before leaving the page."
                    .to_string(),
            ),
            AppError::SignedOut | AppError::SecondFactorRequired => SendFailure::SignedOut,
            _ => SendFailure::Retry,
        }
    }
}

/// The status line while the session has ended.
pub(crate) const SIGNED_OUT_WORDS: &str = "Not saved yet: your session has ended. Sign in again \
                                           in a new tab and this will be saved; what you typed \
                                           stays here.";

/// How long after the last change a value saves itself.
const TYPING_PAUSE_MS: u64 = 800;
/// The longest wait between retries of a failed save.
const LONGEST_RETRY_SECONDS: u64 = 30;

pub struct Saver<K: Persist> {
    key: StoredValue<K>,
    /// What is on screen.
    pub value: RwSignal<K::Value>,
    /// What the server holds at `version`.
    confirmed: RwSignal<K::Value>,
    pub version: RwSignal<i64>,
    pub state: RwSignal<SaveState<K::Value>>,
    in_flight: RwSignal<bool>,
    changes: RwSignal<u64>,
    retry_seconds: RwSignal<u64>,
    /// Runs after each successful save (the task list marks the section started).
    after_save: Option<Callback<()>>,
    /// The edit on its way: its id, and the value and version it was sent with.
    edit: RwSignal<Option<(String, K::Value, i64)>>,
    /// Whether the server's value is one this page saved (so a later save by someone else
    /// replaces the person's own value, and they are told).
    mine: RwSignal<bool>,
    /// The person's value that someone else's save replaced, and who, until they put it back or
    /// let it go.
    pub replaced: RwSignal<Option<Replaced<K::Value>>>,
}

/// What someone else's save did on this page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Already here, or a save of the person's own on its way decides.
    Nothing,
    /// Shown in place.
    Shown,
    /// Shown in place of a value this page saved: the person is told, with theirs to put back.
    ReplacedYours,
    /// Held beside the person's words for them to choose.
    Held,
}

/// The person's own saved value, replaced by someone else's save while the page was open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced<T> {
    pub yours: T,
    pub by: String,
}

impl<K: Persist> Clone for Saver<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: Persist> Copy for Saver<K> {}

impl<K: Persist> Saver<K> {
    pub fn new(key: K, value: K::Value, version: i64, after_save: Option<Callback<()>>) -> Self {
        Saver {
            key: StoredValue::new(key),
            value: RwSignal::new(value.clone()),
            confirmed: RwSignal::new(value),
            version: RwSignal::new(version),
            state: RwSignal::new(SaveState::Saved),
            in_flight: RwSignal::new(false),
            changes: RwSignal::new(0),
            retry_seconds: RwSignal::new(0),
            after_save,
            edit: RwSignal::new(None),
            mine: RwSignal::new(false),
            replaced: RwSignal::new(None),
        }
    }

    fn in_conflict(self) -> bool {
        matches!(
            self.state.get_untracked(),
            SaveState::Conflict { .. } | SaveState::ChangedElsewhere { .. }
        )
    }

    /// Words on screen the server does not have yet.
    pub fn unsaved(self) -> bool {
        self.value
            .with_untracked(|v| self.confirmed.with_untracked(|c| v != c))
    }

    /// A save is on its way.
    pub fn saving(self) -> bool {
        self.in_flight.get_untracked()
    }

    /// Someone else's save reaching the page: shown at once when nothing of the person's waits
    /// in it (and, when it replaced a value this page saved, the person is told with theirs
    /// to put back), held beside their words to choose when something does. Says which.
    pub fn hear_remote(self, theirs: K::Value, version: i64, by: String, focused: bool) -> Heard {
        let what = on_remote_commit(
            self.version.get_untracked(),
            version,
            focused,
            self.unsaved(),
            self.saving(),
        );
        match what {
            RemoteCommit::Apply => {
                let yours = self.confirmed.get_untracked();
                let replaced = self.mine.get_untracked() && yours != theirs;
                if replaced {
                    self.replaced.set(Some(Replaced { yours, by }));
                }
                self.take_remote(theirs, version);
                if replaced {
                    Heard::ReplacedYours
                } else {
                    Heard::Shown
                }
            }
            RemoteCommit::Review => {
                self.review(theirs, version, by);
                Heard::Held
            }
            RemoteCommit::Ignore | RemoteCommit::Wait => Heard::Nothing,
        }
    }

    /// Saves again the person's value that someone else's replaced.
    pub fn put_mine_back(self) {
        if let Some(Replaced { yours, .. }) = self.replaced.get_untracked() {
            self.changed(|value| *value = yours);
            self.save();
        }
    }

    /// Someone else's save, shown as it is (nobody is typing in the field here).
    pub fn take_remote(self, value: K::Value, version: i64) {
        self.mine.set(false);
        self.version.set(version);
        self.confirmed.set(value.clone());
        self.value.set(value);
        if !matches!(self.state.get_untracked(), SaveState::Refused(_)) {
            self.state.set(SaveState::Saved);
        }
    }

    /// Changes what is on screen and what the server holds alike, for a change made outside
    /// the versioned save (which actions a target has): nothing new to save, nothing to choose.
    pub fn reshape(self, change: impl Fn(&mut K::Value)) {
        self.value.update(&change);
        self.confirmed.update(&change);
    }

    /// Someone else's save, held beside the person's own words for them to choose.
    pub fn review(self, theirs: K::Value, version: i64, by: String) {
        if theirs == self.value.get_untracked() {
            self.take_remote(theirs, version);
        } else {
            self.state.set(SaveState::ChangedElsewhere {
                theirs,
                version,
                by,
            });
        }
    }

    /// The person changed the value: saved after a short pause in their typing.
    pub fn changed(self, update: impl FnOnce(&mut K::Value)) {
        self.value.update(update);
        self.replaced.set(None);
        if !self.in_conflict() {
            self.state.set(SaveState::Editing);
        }
        self.changes.update(|n| *n += 1);
        let this_change = self.changes.get_untracked();
        set_timeout(
            move || {
                if self.changes.get_untracked() == this_change {
                    self.save();
                }
            },
            std::time::Duration::from_millis(TYPING_PAUSE_MS),
        );
    }

    /// Sends what is on screen unless it is already saved, a save is on its way (which sends
    /// again when it returns if more changed), or a conflict waits for the person's choice.
    pub fn save(self) {
        if self.in_flight.get_untracked() || self.in_conflict() {
            return;
        }
        let sent = self.value.get_untracked();
        if sent == self.confirmed.get_untracked() {
            if !matches!(self.state.get_untracked(), SaveState::Refused(_)) {
                self.state.set(SaveState::Saved);
            }
            return;
        }
        self.in_flight.set(true);
        self.state.set(SaveState::Saving);
        let version = self.version.get_untracked();
        // The same value over the same version is the same edit, sent again.
        let edit_id = match self.edit.get_untracked() {
            Some((id, value, base)) if value == sent && base == version => id,
            _ => {
                let id = new_edit_id();
                self.edit.set(Some((id.clone(), sent.clone(), version)));
                id
            }
        };
        let request = self.key.get_value().save(sent.clone(), version, edit_id);
        leptos::task::spawn_local(async move {
            let answer = request.await;
            self.in_flight.set(false);
            match answer {
                Ok(Saved::Saved { version }) => {
                    self.version.set(version);
                    self.confirmed.set(sent.clone());
                    self.mine.set(true);
                    self.retry_seconds.set(0);
                    if let Some(after_save) = self.after_save {
                        after_save.run(());
                    }
                    if self.value.get_untracked() == sent {
                        self.state.set(SaveState::Saved);
                    } else {
                        self.save();
                    }
                }
                Ok(Saved::Conflict { value, version, by }) => {
                    if value == self.value.get_untracked() {
                        // The same words: nothing to choose between.
                        self.version.set(version);
                        self.confirmed.set(value);
                        self.state.set(SaveState::Saved);
                    } else {
                        self.state.set(SaveState::Conflict {
                            theirs: value,
                            version,
                            by,
                        });
                    }
                }
                Err(error) => match SendFailure::of(error) {
                    SendFailure::Refused(message) => self.state.set(SaveState::Refused(message)),
                    SendFailure::SignedOut => {
                        self.state.set(SaveState::SignedOut);
                        self.retry_in(LONGEST_RETRY_SECONDS);
                    }
                    SendFailure::Retry => {
                        self.state.set(SaveState::Retrying);
                        let wait = (self.retry_seconds.get_untracked() * 2)
                            .clamp(2, LONGEST_RETRY_SECONDS);
                        self.retry_seconds.set(wait);
                        self.retry_in(wait);
                    }
                },
            }
        });
    }

    /// The connection is back: a save waiting for its retry goes now.
    pub fn send_now(self) {
        if matches!(
            self.state.get_untracked(),
            SaveState::Retrying | SaveState::SignedOut
        ) {
            self.retry_seconds.set(0);
            self.save();
        }
    }

    fn retry_in(self, seconds: u64) {
        set_timeout(move || self.save(), std::time::Duration::from_secs(seconds));
    }

    /// Saves what is on screen over the other person's version.
    pub fn keep_mine(self) {
        if let SaveState::Conflict {
            theirs, version, ..
        }
        | SaveState::ChangedElsewhere {
            theirs, version, ..
        } = self.state.get_untracked()
        {
            self.version.set(version);
            self.confirmed.set(theirs);
            self.state.set(SaveState::Editing);
            self.save();
        }
    }

    /// Takes the other person's version instead.
    pub fn use_theirs(self) {
        if let SaveState::Conflict {
            theirs, version, ..
        }
        | SaveState::ChangedElsewhere {
            theirs, version, ..
        } = self.state.get_untracked()
        {
            self.version.set(version);
            self.confirmed.set(theirs.clone());
            self.value.set(theirs);
            self.mine.set(false);
            self.state.set(SaveState::Saved);
        }
    }

    /// The state in a few words for the status line under the value (empty while typing).
    pub fn status_words(self) -> String {
        match self.state.get() {
            SaveState::Saved if self.version.get() == 0 => String::new(),
            SaveState::Saved => "Saved".to_string(),
            SaveState::Editing => String::new(),
            SaveState::Saving => "Saving…".to_string(),
            SaveState::Retrying => {
                "Not saved yet: retrying. What you typed stays here.".to_string()
            }
            SaveState::SignedOut => SIGNED_OUT_WORDS.to_string(),
            SaveState::Conflict { by, .. } => {
                format!("Not saved: {by} changed this while you were writing.")
            }
            SaveState::ChangedElsewhere { by, .. } => {
                format!("Changed by {by}: review their version below.")
            }
            SaveState::Refused(message) => format!("Not saved: {message}"),
        }
    }

    pub fn refused(self) -> bool {
        matches!(self.state.get(), SaveState::Refused(_))
    }
}

/// A new edit id: the time, a random part (two people's pages never make the same one) and a
/// counter (one page never does).
pub(crate) fn new_edit_id() -> String {
    thread_local! {
        static NEXT_EDIT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let count = NEXT_EDIT.with(|n| {
        let value = n.get();
        n.set(value + 1);
        value
    });
    #[cfg(feature = "hydrate")]
    let random = (js_sys::Math::random() * 1e15) as u64;
    #[cfg(not(feature = "hydrate"))]
    let random = 0u64;
    format!(
        "{}-{random:x}-{count}",
        chrono::Utc::now().timestamp_millis()
    )
}
