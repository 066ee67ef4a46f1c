//! The PEP page in the browser (and rendered on the server first): one component or one
//! concern per file.
//!
//! - `pep_page`: the page at `/peps/:id`, loading its form; `form_part` the form once loaded;
//!   `section_part` one section, `field_part` one field, `save_status_part` what saving says;
//!   `workflow_part` the workflow buttons; `action_log_part` the action log; `fresh_form` the
//!   form read again while the page is open, which each part merges its piece of;
//! - `targets_part`, `pp_plus_part`, `suspensions_part`, `meeting_part`: one part of the PEP each;
//!   a target's pieces: `target_on_screen`, `target_editor_part`, `target_actions_part`,
//!   `previous_target_part`, `smart_checklist_part`;
//! - `shared_text_part`: a free-text field that merges what several people type;
//! - `saver`: saving what is typed, retrying, and showing conflicts; `form_problems`: the error
//!   summary;
//! - `live_room`, `presence_part`: the page's end of the live channel (who is here, what they
//!   typed, what changed).

pub(crate) mod action_log_part;
pub(crate) mod field_part;
pub(crate) mod form_part;
pub(crate) mod form_problems;
pub(crate) mod fresh_form;
pub mod live_room;
pub(crate) mod meeting_part;
pub(crate) mod pep_page;
pub(crate) mod pp_plus_part;
pub mod presence_part;
pub(crate) mod previous_target_part;
pub(crate) mod save_status_part;
pub(crate) mod saver;
pub(crate) mod section_part;
pub(crate) mod shared_text_part;
pub(crate) mod smart_checklist_part;
pub(crate) mod suspensions_part;
pub(crate) mod target_actions_part;
pub(crate) mod target_editor_part;
pub(crate) mod target_on_screen;
pub(crate) mod targets_part;
pub(crate) mod workflow_part;
