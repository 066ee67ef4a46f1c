//! A target as the page holds it: its saver, its text parts' versions and its actions' words,
//! shared by the targets part, its editor, its actions and its PP+ requests.

use crate::domain::ids::PepId;
use leptos::prelude::*;

use std::collections::BTreeMap;

use super::saver::{Persist, Saver};
use super::shared_text_part::SharedText;
use crate::domain::targets::{TargetDraft, TargetTextPart};
use crate::error::AppError;
use crate::features::pep_form::{Saved, save_target};

/// One target of one PEP.
#[derive(Clone)]
pub(crate) struct TargetRef {
    pub(super) pep_id: PepId,
    pub(super) target_id: String,
}

impl Persist for TargetRef {
    type Value = TargetDraft;
    fn save(
        self,
        value: TargetDraft,
        version: i64,
        // A target's save is its whole value over its version: sent twice, the second finds
        // the version moved and answers with the same value, which the saver takes as saved.
        _edit_id: String,
    ) -> impl std::future::Future<Output = Result<Saved<TargetDraft>, AppError>> + 'static {
        save_target(self.pep_id, self.target_id, version, value)
    }
}

/// Each text part's version when the target came to this page.
pub(super) type TextVersions = BTreeMap<TargetTextPart, i64>;

/// A target on screen.
#[derive(Clone)]
pub(crate) struct OnScreen {
    pub(super) id: String,
    /// Its structured parts (the text parts in it are its first words, not kept up to date).
    pub(super) saver: Saver<TargetRef>,
    /// Its text parts' versions when it came to this page.
    pub(super) text_versions: TextVersions,
    /// Its actions' words as they stand here, by action id (each row adds its own).
    pub(super) action_words: RwSignal<BTreeMap<String, ActionWords>>,
    /// Each action text part's version when the action came to this page, by field.
    pub(super) action_versions: StoredValue<BTreeMap<String, i64>>,
}

impl OnScreen {
    /// Someone is writing in the action here and the server does not have all of it yet.
    pub(super) fn writing_in_action(&self, action_id: &str) -> bool {
        self.action_words.with_untracked(|words| {
            words
                .get(action_id)
                .and_then(|w| w.shared)
                .is_some_and(|parts| parts.iter().any(|p| p.holds_unsent()))
        })
    }
}

/// One action's words on this page: what each part says (`ActionTextPart::ALL` order), and
/// where the person writes, the shared texts.
#[derive(Clone, Copy)]
pub(crate) struct ActionWords {
    pub(super) texts: [Signal<String>; 2],
    pub(super) shared: Option<[SharedText; 2]>,
}

/// A new part's id: the target's id, `tag` (`-a` an action, `-p` a PP+ request) and a number
/// unique on this page, so a save that is retried never adds the part twice
/// (`domain::ids::is_part_id_of` checks it on the server).
pub(crate) fn new_part_id(target_id: &str, tag: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    let salt = NEXT_PART.with(|n| {
        let value = n.get();
        n.set(value + 1);
        value
    });
    format!("{target_id}{tag}{millis}{salt}")
}

thread_local! {
    static NEXT_PART: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}
