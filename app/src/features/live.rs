//! Live PEP meetings: everyone with a PEP open sees who else is in it and in which field, what
//! they type as they type it, and each saved change as it lands, without ever losing their own.
//!
//! The channel is a WebSocket at `/live/pep/{pep_id}?since={revision}` (chosen over server-sent
//! events: presence, typing, drafts and edits go both ways). A free-text edit goes on the
//! channel while it is up (rights held by the connection, no session or PEP read per keystroke)
//! and over HTTP (`edit_pep_text`) when it is not; both store it the same way
//! (`pep_form::server::text_edits`), answer only once it is stored, and take a resend with the same id
//! at most once. Other values are saved over HTTP (`save_pep_field`).
//! Messages are `domain::live`'s. This feature is the server's end: `hub` (rooms, presence,
//! fan-out), `changes` (what changed since a revision, read from the database), `notifier`
//! (the doorbell between writers and rooms) and `socket` (one connection). It sits above
//! `pep_form`, whose stores it reads and writes; writers tell it what they committed through
//! `infra::live_signal`, so nothing below names it. The page's end of the channel is the
//! page's own: `pep_form::live_room` and `pep_form::presence_part`.

#[cfg(feature = "ssr")]
pub mod applied_edits;
#[cfg(feature = "ssr")]
mod changes;
#[cfg(feature = "ssr")]
mod edit_queue;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod notifier;
#[cfg(feature = "ssr")]
pub mod socket;

#[cfg(feature = "ssr")]
pub use changes::TEXT_EDITS_SENT;
#[cfg(feature = "ssr")]
pub use hub::LiveHub;
#[cfg(feature = "ssr")]
pub use notifier::{Doorbell, InProcessNotifier, Notifier};

/// The hub is what hears writers' signals (`infra::live_signal`), so writers need not name it.
#[cfg(feature = "ssr")]
impl crate::infra::live_signal::LiveRooms for LiveHub {
    fn ring(&self, pep_id: &str, revision: i64) {
        LiveHub::ring(self, pep_id, revision);
    }

    fn written(&self, pep_id: &str, revision: i64, edit: crate::domain::live::FieldTextEdit) {
        LiveHub::written(self, pep_id, changes::Changes::of_text_edit(revision, edit));
    }

    fn recheck_all(&self) {
        LiveHub::recheck_all(self);
    }
}
