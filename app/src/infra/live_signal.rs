//! How a write tells the live rooms what changed, without knowing them.
//!
//! Features that write (the PEP form, people, sign-out) call [`ring`], [`written`] and
//! [`recheck`]; the live feature's hub is what listens (`LiveHub` implements [`LiveRooms`]) and
//! the server puts it in context. So writers depend on this small piece, not on the live
//! feature, and the live feature can sit above them. Each call is a no-op where no listener is
//! in context (a command-line tool, a page rendered for its status only).

use std::sync::Arc;

use crate::domain::live::FieldTextEdit;

/// What listens for committed changes: this server's live rooms.
pub trait LiveRooms: Send + Sync + 'static {
    /// `pep_id` is now at `revision`: rooms re-read what changed since they last looked.
    fn ring(&self, pep_id: &str, revision: i64);
    /// One shared-text edit took `pep_id` to `revision` (one past the revision before), with
    /// only this edit, so the room can pass it on without reading it back.
    fn written(&self, pep_id: &str, revision: i64, edit: FieldTextEdit);
    /// Sessions or rights changed: every connection asks again who it is and what it may do.
    fn recheck_all(&self);
}

/// The listener, as the server provides it in context.
#[derive(Clone)]
pub struct LiveSignal(pub Arc<dyn LiveRooms>);

fn listener() -> Option<LiveSignal> {
    leptos::prelude::use_context::<LiveSignal>()
}

/// Tells the live rooms of this server (and, through the notifier, of every server) that
/// `pep_id` is now at `revision`. Call after the transaction commits.
pub fn ring(pep_id: &str, revision: i64) {
    if let Some(LiveSignal(rooms)) = listener() {
        rooms.ring(pep_id, revision);
    }
}

/// Tells the PEP's live room what one shared-text edit wrote (see [`LiveRooms::written`]).
pub fn written(pep_id: &str, revision: i64, edit: FieldTextEdit) {
    if let Some(LiveSignal(rooms)) = listener() {
        rooms.written(pep_id, revision, edit);
    }
}

/// Tells this server's live connections that sessions or rights changed, so each asks again at
/// once (sign-out, a session ended from another device, deactivation, a new role).
pub fn recheck() {
    if let Some(LiveSignal(rooms)) = listener() {
        rooms.recheck_all();
    }
}
