//! The PEP form's server side: what each server function in `pep_form.rs` does once called,
//! and the reads and writes behind it. Every function asks `reached::reach` (the guard for one
//! PEP) before it touches anything.
//!
//! - `reached`: one PEP as the person asking reaches it (the guard, each section's rights now,
//!   the live channel's rights); a leaf the others import;
//! - `form`: loading the form for one person, saving a field, the task list;
//! - `text_edits`: free text merged as people type (shared by HTTP and the live channel);
//! - `targets`, `action_log`, `pp_plus`, `suspensions`, `meeting`, `workflow`: one part of the
//!   PEP each (the rules themselves are in `domain::` modules of the same names).

pub(crate) mod action_log;
pub(crate) mod form;
pub(crate) mod meeting;
pub(crate) mod pp_plus;
pub(crate) mod reached;
pub(crate) mod suspensions;
pub(crate) mod targets;
pub(crate) mod text_edits;
pub(crate) mod workflow;
