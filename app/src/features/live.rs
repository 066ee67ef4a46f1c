//! Live PEP meetings: everyone with a PEP open sees who else is in it and in which field, what
//! they type as they type it, and each saved change as it lands, without ever losing their own.
//!
//! The channel is a WebSocket at `/live/pep/{pep_id}?since={revision}` (chosen over server-sent
//! events: presence, typing and drafts go both ways). Saving stays on HTTP (`edit_pep_text` for
//! free text, `save_pep_field` for other values, each with an edit id), so a value is stored
//! the same way with or without the channel, and answered only once it is.
//! Messages are `domain::live`'s; the server side is `hub` (rooms, presence,
//! fan-out), `changes` (what changed since a revision, read from the database), `notifier`
//! (the doorbell between writers and rooms) and `socket` (one connection). The browser side is
//! `room` and `presence_part`.

#[cfg(feature = "ssr")]
pub mod applied_edits;
#[cfg(feature = "ssr")]
mod changes;
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

/// Tells this server's live connections that sessions or rights changed, so each asks again at
/// once (sign-out, a session ended from another device, deactivation, a new role).
#[cfg(feature = "ssr")]
pub fn recheck() {
    if let Some(hub) = leptos::prelude::use_context::<LiveHub>() {
        hub.recheck_all();
    }
}
