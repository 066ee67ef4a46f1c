//! The PEP form: every section the person may read, with its owner, status and due date (the task
//! list), and each field saved on its own with its version, so people writing different fields
//! never collide and two people changing the same one see both values instead of losing one.
//!
//! Rights come from the council's stored role × section × state table on every read and write;
//! the person reaches the PEP only through its child (`domain::access`).

//! The folder says which side runs what: this file is the server-function surface (each
//! `#[server]` function and the types it answers with), `server/` what they do on the server,
//! `page/` the page's components.

pub mod page;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "ssr")]
use server::{action_log, form, meeting, pp_plus, suspensions, targets, text_edits, workflow};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use page::pep_page::PepPage;

use crate::domain::ids::PepId;
use crate::domain::pep::{PepState, Phase, SectionKey};
use crate::domain::pep_form::{FieldKind, SectionStatus};
use crate::domain::pp_plus::PpPlusBudget;
use crate::domain::school_record::{SuspensionDraft, SuspensionRecord};
use crate::domain::targets::{MixRule, PreviousTarget, ReviewWindow, TargetDraft};
use crate::domain::workflow::Step;
use crate::error::AppError;
use crate::ui::countdown::{CountdownData, CountingCalendars};

/// One PEP as its form shows it to the person asking.
/// A PEP's place in the workflow as one person sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowPart {
    pub state: PepState,
    /// The PEP's version, for moving it on in the workflow.
    pub version: i64,
    /// The workflow moves open to the person now.
    pub steps: Vec<Step>,
    /// What stops the PEP being marked ready or submitted, when the person could do so.
    pub ready_problems: Vec<String>,
    /// Why the Virtual School returned it, while it is returned.
    pub returned_reason: Option<String>,
    /// The sections the council requires before the next move that are not completed, in words
    /// ("Carer's contribution (carer): not started"), when the person could make that move.
    pub missing_contributions: Vec<String>,
    /// Why it was marked ready or approved without a required contribution, one line a move.
    pub went_on_without: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PepForm {
    pub pep_id: PepId,
    pub child_id: String,
    pub child_name: String,
    /// "Autumn 2026/27 termly review".
    pub title: String,
    /// Where the PEP is and what the person may do to move it on (also read on its own, when
    /// someone moves it or changes what blocks it).
    #[serde(flatten)]
    pub workflow: WorkflowPart,
    /// The child's details from the register, for section A: (label, value).
    pub child_details: Vec<(String, String)>,
    /// The sections the person may read, in page order.
    pub sections: Vec<FormSection>,
    /// The targets, when the person may read them.
    pub targets: Option<TargetsPart>,
    /// The PEP's revision when read: the live channel sends what changed after it.
    pub revision: i64,
    /// Every action of the PEP, open ones first, when the person may read the action log.
    pub action_log: Option<Vec<ActionLogItem>>,
    /// Who an action added to the log may be given to by name (the child's team today), when
    /// the person may add actions; empty otherwise.
    pub action_owners: Vec<ActionOwner>,
    /// Whether the person may add actions to the log.
    pub adds_actions: bool,
    /// The meeting, once started.
    pub meeting: Option<crate::domain::meeting::MeetingInfo>,
    /// Whether the person starts, records and ends the meeting (whoever writes its record).
    pub runs_meeting: bool,
    /// The child's team, for the attendance list, when the person runs the meeting.
    pub meeting_team: Vec<ActionOwner>,
    /// The child's suspensions and exclusions this school year, when the person may read the
    /// section.
    pub suspensions: Option<SuspensionsPart>,
    pub calendars: CountingCalendars,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSection {
    pub key: SectionKey,
    /// The council's label ("Section D: carer's contribution").
    pub label: String,
    /// Who completes it: "Carer".
    pub owner: String,
    pub status: SectionStatus,
    pub due: Option<CountdownData>,
    /// Whether the person may change it in the PEP's current state.
    pub editable: bool,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub hint: String,
    pub kind: FieldKind,
    pub value: String,
    /// 0 when nobody has written it yet.
    pub version: i64,
    /// "Priya Shah, 3 December 2026 at 14:02".
    pub last_change: Option<String>,
}

/// One action in the PEP's action log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLogItem {
    pub description: String,
    /// "Designated teacher", or the person's name.
    pub owner: String,
    pub frequency: String,
    /// "open", "done" or "cancelled".
    pub status: String,
    /// The countdown to its date while it is open.
    pub due: Option<CountdownData>,
    /// Set in the child's previous PEP and still open: it comes forward until it is done.
    pub from_last_pep: bool,
}

/// Someone who works with the child today and may be named as an action's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOwner {
    pub id: String,
    pub name: String,
    pub role: crate::domain::roles::Role,
}

/// An action added straight to the log, as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAction {
    #[serde(default)]
    pub description: String,
    /// `role:<role code>` or `person:<user id>`.
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub frequency: String,
    /// ISO date, or empty.
    #[serde(default)]
    pub due_on: String,
}

/// The child's suspensions and exclusions in the PEP's school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionsPart {
    /// Whether the person may record one now.
    pub editable: bool,
    /// The school year they count in (2026: 2026/27).
    pub academic_year: i32,
    pub records: Vec<SuspensionRecord>,
}

/// What saving a field or a target did. A conflict is an answer, not an error: the page shows
/// both values for the person to choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Saved<T> {
    Saved {
        version: i64,
    },
    /// Someone saved it since `version` was read: their value and version, and who.
    Conflict {
        value: T,
        version: i64,
        by: String,
    },
}

pub type FieldSaved = Saved<String>;

/// How far a previous target was met, as the evaluation form edits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetEvaluation {
    /// An `Evaluation` code, or empty.
    #[serde(default)]
    pub evaluation: String,
    #[serde(default)]
    pub evidence: String,
}

/// The PEP's SMART targets, with what the checks need to run as the person types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetsPart {
    pub label: String,
    pub owner: String,
    pub editable: bool,
    pub phase: Phase,
    pub key_stage: Option<u8>,
    pub window: ReviewWindow,
    pub rule: MixRule,
    pub targets: Vec<TargetRecord>,
    /// Why the targets stand although the mix rule is not met ("" when none was given).
    pub mix_override: String,
    /// The child's previous PEP's targets, to evaluate before new ones are set.
    pub previous: Vec<PreviousTarget>,
    /// "Summer 2025/26 termly review", when there is a previous PEP.
    pub previous_title: Option<String>,
    /// What the PEP's PP+ requests are checked against.
    pub pp_plus: PpPlusBudget,
    /// Whether the person may approve or decline the PEP's PP+ requests (the Virtual School).
    pub decides_pp_plus: bool,
}

impl TargetsPart {
    /// What stops the PEP being marked ready: the same check in the browser and on the server.
    pub fn ready_problems(&self) -> Vec<String> {
        let drafts: Vec<TargetDraft> = self.targets.iter().map(|t| t.draft.clone()).collect();
        crate::domain::targets::ready_problems(
            &drafts,
            &self.window,
            &self.rule,
            self.phase,
            self.key_stage,
            &self.mix_override,
            &self.previous,
            &self.pp_plus,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub id: String,
    /// The version of the structured parts (need area, date, actions, PP+, override).
    pub version: i64,
    pub draft: TargetDraft,
    /// Each shared-text part's version (a part never typed in is at 0).
    #[serde(default)]
    pub text_versions: std::collections::BTreeMap<crate::domain::targets::TargetTextPart, i64>,
    /// Each of its actions' shared-text parts' version, by field (`{action id}.{part}`).
    #[serde(default)]
    pub action_text_versions: std::collections::BTreeMap<String, i64>,
}

impl TargetRecord {
    pub fn text_version(&self, part: crate::domain::targets::TargetTextPart) -> i64 {
        self.text_versions.get(&part).copied().unwrap_or(0)
    }
}

#[server(name = PepFormForEditing, prefix = "/api", endpoint = "pep/form")]
pub async fn pep_form(pep_id: PepId) -> Result<PepForm, AppError> {
    form::pep_form(pep_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// The PEP's workflow part alone: read again by an open page when the PEP moves or what blocks it
/// changes, so the state, the buttons and the blockers are never stale.
#[server(name = PepWorkflow, prefix = "/api", endpoint = "pep/workflow")]
pub async fn pep_workflow(pep_id: PepId) -> Result<WorkflowPart, AppError> {
    workflow::pep_workflow(pep_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// The answer to an edit of a shared text field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TextEdited {
    /// Stored as this version of the field (or stored before, when the same edit came again).
    Accepted { version: i64 },
    /// The edits since the page's base are no longer kept: the field as it is now, to make the
    /// page's pending words again against (`ClientText::resync`).
    Resync { text: String, version: i64 },
    /// Another transaction wrote the field at that moment: send the same edit again.
    Retry,
}

impl From<Result<TextEdited, AppError>> for crate::domain::live::EditAnswer {
    /// The answer the live channel sends for what `edit_pep_text` would have answered.
    fn from(answered: Result<TextEdited, AppError>) -> Self {
        use crate::domain::live::EditAnswer;
        match answered {
            Ok(TextEdited::Accepted { version }) => EditAnswer::Accepted { version },
            Ok(TextEdited::Resync { text, version }) => EditAnswer::Resync { text, version },
            Ok(TextEdited::Retry) => EditAnswer::Retry,
            Err(AppError::Invalid(problems)) => EditAnswer::Refused {
                reason: problems
                    .into_iter()
                    .map(|(_, message)| message)
                    .collect::<Vec<_>>()
                    .join(". "),
            },
            Err(error @ AppError::BadRequest { .. }) => EditAnswer::Refused {
                reason: error.to_string(),
            },
            Err(AppError::Forbidden) => EditAnswer::Forbidden,
            Err(AppError::SignedOut | AppError::SecondFactorRequired) => EditAnswer::SignedOut,
            Err(_) => EditAnswer::Unavailable,
        }
    }
}

impl From<crate::domain::live::EditAnswer> for Result<TextEdited, AppError> {
    /// What the page makes of the channel's answer: the same as of `edit_pep_text`'s.
    fn from(answer: crate::domain::live::EditAnswer) -> Self {
        use crate::domain::live::EditAnswer;
        match answer {
            EditAnswer::Accepted { version } => Ok(TextEdited::Accepted { version }),
            EditAnswer::Resync { text, version } => Ok(TextEdited::Resync { text, version }),
            EditAnswer::Retry => Ok(TextEdited::Retry),
            EditAnswer::Refused { reason } => Err(AppError::Invalid(vec![("op".into(), reason)])),
            EditAnswer::Forbidden => Err(AppError::Forbidden),
            EditAnswer::SignedOut => Err(AppError::SignedOut),
            EditAnswer::Unavailable => Err(AppError::Transport(
                "the server could not store the edit just now".into(),
            )),
        }
    }
}

/// A field's edits after a version, or its text when they are no longer kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TextSince {
    Edits { edits: Vec<TextEditSeen> },
    Resync { text: String, version: i64 },
}

pub use crate::domain::shared_text::TextEditSeen;

/// The edits of a free-text field after `version`, for a page catching up.
#[server(name = PepTextSince, prefix = "/api", endpoint = "pep/text_since")]
pub async fn pep_text_since(
    pep_id: PepId,
    section: String,
    field: String,
    version: i64,
) -> Result<TextSince, AppError> {
    text_edits::pep_text_since(pep_id, section, field, version)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Applies one edit of a free-text field made against its version `base` (0: never written),
/// merged with the edits others made since: `op` is the edit in ot.js form (`[5, "word", -2]`),
/// `edit_id` the page's id for it, so a resend applies at most once.
#[server(name = EditPepText, prefix = "/api", endpoint = "pep/edit_text")]
pub async fn edit_pep_text(
    pep_id: PepId,
    section: String,
    field: String,
    base: i64,
    op: String,
    edit_id: String,
) -> Result<TextEdited, AppError> {
    text_edits::edit_pep_text(pep_id, section, field, base, op, edit_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Saves one field if nobody has changed it since `version` (0: never written). `edit_id`, made
/// by the page for each edit, makes a resent save apply at most once.
#[server(name = SavePepField, prefix = "/api", endpoint = "pep/save_field")]
pub async fn save_pep_field(
    pep_id: PepId,
    section: String,
    field: String,
    value: String,
    version: i64,
    edit_id: Option<String>,
) -> Result<FieldSaved, AppError> {
    form::save_pep_field(pep_id, section, field, value, version, edit_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Adds an empty target to the PEP, to be written.
#[server(name = AddTarget, prefix = "/api", endpoint = "pep/add_target")]
pub async fn add_target(pep_id: PepId) -> Result<TargetRecord, AppError> {
    targets::add_target(pep_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Saves a target's structured parts (need area, date, its actions' owners, PP+) if nobody
/// changed them since `version`. Its text parts and its actions' are shared text (`edit_text`,
/// field `{target id}.{part}` or `{action id}.{part}` of section `targets`): what the draft holds
/// for them is checked for size but not written. Actions are added and removed on their own
/// (`add_target_action`, `remove_target_action`): an action the draft lacks stays, and one the
/// server lacks is not added.
#[server(name = SaveTarget, prefix = "/api", endpoint = "pep/save_target")]
pub async fn save_target(
    pep_id: PepId,
    target_id: String,
    version: i64,
    target: TargetDraft,
) -> Result<Saved<TargetDraft>, AppError> {
    targets::save_target(pep_id, target_id, version, target)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Records how far one of the previous PEP's targets was met, with evidence, at its version.
#[server(name = EvaluateTarget, prefix = "/api", endpoint = "pep/evaluate_target")]
pub async fn evaluate_target(
    pep_id: PepId,
    target_id: String,
    version: i64,
    evaluation: TargetEvaluation,
) -> Result<Saved<TargetEvaluation>, AppError> {
    targets::evaluate_target(pep_id, target_id, version, evaluation)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Adds an empty action with the page's id `action_id` (`{target id}-a…`) to a target, to be
/// written as shared text. Sent twice, the second finds it there and answers the same.
#[server(name = AddTargetAction, prefix = "/api", endpoint = "pep/add_target_action")]
pub async fn add_target_action(
    pep_id: PepId,
    target_id: String,
    action_id: String,
) -> Result<(), AppError> {
    targets::add_target_action(pep_id, target_id, action_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Removes an action of a target (one already gone is not an error: the page drops it too).
#[server(name = RemoveTargetAction, prefix = "/api", endpoint = "pep/remove_target_action")]
pub async fn remove_target_action(pep_id: PepId, action_id: String) -> Result<(), AppError> {
    targets::remove_target_action(pep_id, action_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Removes a target (and its actions) at `version`.
#[server(name = RemoveTarget, prefix = "/api", endpoint = "pep/remove_target")]
pub async fn remove_target(pep_id: PepId, target_id: String, version: i64) -> Result<(), AppError> {
    targets::remove_target(pep_id, target_id, version)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Starts the PEP's meeting now (whoever may write the meeting record).
#[server(name = StartMeeting, prefix = "/api", endpoint = "pep/start_meeting")]
pub async fn start_meeting(pep_id: PepId) -> Result<crate::domain::meeting::MeetingInfo, AppError> {
    meeting::start_meeting(pep_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Replaces the running meeting's attendance list, over the version the person saw.
#[server(name = RecordAttendance, prefix = "/api", endpoint = "pep/meeting_attendance")]
pub async fn record_attendance(
    pep_id: PepId,
    attendees: Vec<crate::domain::meeting::Attendee>,
    version: i64,
) -> Result<crate::domain::meeting::MeetingInfo, AppError> {
    meeting::record_attendance(pep_id, attendees, version)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Ends the PEP's running meeting.
#[server(name = EndMeeting, prefix = "/api", endpoint = "pep/end_meeting")]
pub async fn end_meeting(pep_id: PepId) -> Result<crate::domain::meeting::MeetingInfo, AppError> {
    meeting::end_meeting(pep_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// The Virtual School approves or declines one PP+ request (`decision`: "approved" or
/// "declined", with a reason to decline) at the version they saw; answers its new version.
#[server(name = DecidePpPlus, prefix = "/api", endpoint = "pep/decide_pp_plus")]
pub async fn decide_pp_plus(
    pep_id: PepId,
    request_id: String,
    version: i64,
    decision: String,
    reason: String,
) -> Result<i64, AppError> {
    pp_plus::decide_pp_plus(pep_id, request_id, version, decision, reason)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Records a suspension or exclusion on the PEP's child (type, dates, days, reason,
/// reintegration meeting, who was told when), for whoever may edit the PEP's section for them.
#[server(name = RecordSuspension, prefix = "/api", endpoint = "pep/record_suspension")]
pub async fn record_suspension(
    pep_id: PepId,
    suspension: SuspensionDraft,
) -> Result<SuspensionRecord, AppError> {
    suspensions::record_suspension(pep_id, suspension)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Adds an action to the PEP's log, not tied to a target: owned by a role or by a named person
/// of the child's team, with how often and by when.
#[server(name = AddAction, prefix = "/api", endpoint = "pep/add_action")]
pub async fn add_action(pep_id: PepId, action: NewAction) -> Result<ActionLogItem, AppError> {
    action_log::add_action(pep_id, action)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Moves the PEP on in its workflow from the state it had at `version`. `reason`: why it is
/// returned (required then), or, when marking it ready or submitting it, why its targets stand
/// although they do not follow the council's mix rule. `without_reason`: when marking it ready or
/// approving it, why it goes on without a contribution the council requires (empty otherwise).
#[server(name = ChangePepState, prefix = "/api", endpoint = "pep/change_state")]
pub async fn change_pep_state(
    pep_id: PepId,
    to: PepState,
    version: i64,
    reason: String,
    without_reason: String,
) -> Result<(), AppError> {
    workflow::change_pep_state(pep_id, to, version, reason, without_reason)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Marks a section completed, checked, or back in progress on the task list.
#[server(name = SetSectionStatus, prefix = "/api", endpoint = "pep/section_status")]
pub async fn set_section_status(
    pep_id: PepId,
    section: SectionKey,
    status: SectionStatus,
) -> Result<(), AppError> {
    form::set_section_status(pep_id, section, status)
        .await
        .inspect_err(crate::features::auth::set_status)
}
