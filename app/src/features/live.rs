//! Live PEP meetings: everyone with a PEP open sees who else is in it and in which field, what
//! they type as they type it, and each saved change as it lands, without ever losing their own.
//!
//! The channel is a WebSocket at `/live/pep/{pep_id}?since={revision}` (chosen over server-sent
//! events: presence, typing, drafts and edits go both ways). A free-text edit goes on the
//! channel while it is up (rights held by the connection, no session or PEP read per keystroke)
//! and over HTTP (`edit_pep_text`) when it is not; both store it the same way
//! (`pep_form::text_edits`), answer only once it is stored, and take a resend with the same id
//! at most once. Other values are saved over HTTP (`save_pep_field`).
//! Messages are `domain::live`'s; the server side is `hub` (rooms, presence,
//! fan-out), `changes` (what changed since a revision, read from the database), `notifier`
//! (the doorbell between writers and rooms) and `socket` (one connection). The browser side is
//! `room` and `presence_part`.

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
pub mod presence_part;
pub mod room;
#[cfg(feature = "ssr")]
pub mod socket;

#[cfg(feature = "ssr")]
pub use changes::TEXT_EDITS_SENT;
#[cfg(feature = "ssr")]
pub use hub::LiveHub;
#[cfg(feature = "ssr")]
pub use notifier::{Doorbell, InProcessNotifier, Notifier};
pub use presence_part::LivePresence;
pub use room::LiveRoom;

/// Tells the live rooms of this server (and, through the notifier, of every server) that
/// `pep_id` is now at `revision`. Call after the transaction commits; a no-op where no hub is in
/// context (command-line tools).
#[cfg(feature = "ssr")]
pub fn ring(pep_id: &str, revision: i64) {
    if let Some(hub) = leptos::prelude::use_context::<LiveHub>() {
        hub.ring(pep_id, revision);
    }
}

/// Tells the PEP's live room what one shared-text edit wrote: the PEP is now at `revision`, one
/// past the revision before, with only this edit (see `LiveHub::written`). A no-op without a hub.
#[cfg(feature = "ssr")]
pub fn written(pep_id: &str, revision: i64, edit: crate::domain::live::FieldTextEdit) {
    if let Some(hub) = leptos::prelude::use_context::<LiveHub>() {
        hub.written(pep_id, changes::Changes::of_text_edit(revision, edit));
    }
}

/// Tells this server's live connections that sessions or rights changed, so each asks again at
/// once (sign-out, a session ended from another device, deactivation, a new role).
#[cfg(feature = "ssr")]
pub fn recheck() {
    if let Some(hub) = leptos::prelude::use_context::<LiveHub>() {
        hub.recheck_all();
    }
}
