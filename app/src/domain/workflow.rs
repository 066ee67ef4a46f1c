//! A PEP's workflow: which state may follow which, who moves it, and what each step needs
//! (DOMAIN.md, "Workflow"). What each role may edit in each state is the council's section-rights
//! table; this module only decides the moves between states.
//!
//! scheduled → pre-meeting contributions → in meeting → draft → ready → submitted → approved,
//! or submitted → returned (with a reason) → ready again. The designated teacher leads the PEP in
//! school; the Virtual School approves or returns it. Ready and submitted both need the SMART
//! checks to pass (or an override with its reason), checked on the server at each move.

use serde::{Deserialize, Serialize};

use super::meeting::MeetingInfo;
use super::pep::{PepState, SectionKey};
use super::pep_form::SectionStatus;
use super::roles::Role;

/// A move the person may make now, in words for its button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub to: PepState,
    pub label: String,
    /// A reason must be given (returning a PEP).
    pub needs_reason: bool,
    /// The targets must pass their checks (or carry overrides).
    pub needs_checks: bool,
    /// The sections the council requires from contributors must be completed (or a reason given
    /// to go on without them): marking ready and approving.
    pub needs_contributions: bool,
}

/// Every move the workflow allows, with who may make it.
fn moves(from: PepState) -> &'static [(PepState, &'static str, Mover)] {
    use PepState as S;
    match from {
        S::Scheduled => &[(
            S::Contributions,
            "Open for contributions before the meeting",
            Mover::School,
        )],
        S::Contributions => &[(S::Meeting, "Start the meeting", Mover::School)],
        S::Meeting => &[(
            S::Draft,
            "End the meeting and complete the record",
            Mover::School,
        )],
        S::Draft => &[(S::Ready, "Mark as ready to submit", Mover::School)],
        S::Ready => &[
            (S::Submitted, "Submit to the Virtual School", Mover::School),
            (S::Draft, "Reopen as a draft", Mover::School),
        ],
        S::Submitted => &[
            (S::Approved, "Approve this PEP", Mover::VirtualSchool),
            (
                S::Returned,
                "Return to the designated teacher",
                Mover::VirtualSchool,
            ),
        ],
        S::Returned => &[(S::Ready, "Mark as ready to submit again", Mover::School)],
        S::Approved => &[],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mover {
    /// The designated teacher (and the Virtual School, who may act for a school without one).
    School,
    /// Virtual School staff only: quality assurance.
    VirtualSchool,
}

impl Mover {
    fn allows(self, role: Role) -> bool {
        match self {
            Mover::School => role == Role::DesignatedTeacher || role.is_virtual_school(),
            Mover::VirtualSchool => role.is_virtual_school(),
        }
    }
}

fn step(to: PepState, label: &str) -> Step {
    Step {
        to,
        label: label.to_string(),
        needs_reason: to == PepState::Returned,
        needs_checks: matches!(to, PepState::Ready | PepState::Submitted),
        needs_contributions: matches!(to, PepState::Ready | PepState::Approved),
    }
}

/// The sections other people than the designated teacher write: the social worker's, the carer's
/// and the young person's. A council may require them before a PEP moves on.
pub const CONTRIBUTOR_SECTIONS: [SectionKey; 3] = [
    SectionKey::CareJourney,
    SectionKey::CarerContribution,
    SectionKey::YoungPersonViews,
];

/// The council's rule on contributions (`council_policies` key `contributions`): which
/// contributors' sections must be completed before a PEP is marked ready or approved. Whoever
/// makes the move may go on without them by saying why; the reason is kept with the PEP. DOMAIN.md
/// requires none (the default), as the guidance asks for contributions without making them a gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionRule {
    #[serde(default)]
    pub required: Vec<SectionKey>,
}

impl ContributionRule {
    /// Reads the stored JSON; a section that is not a contributor's is refused by name.
    pub fn from_json(json: &str) -> Result<ContributionRule, String> {
        let rule: ContributionRule =
            serde_json::from_str(json).map_err(|e| format!("the contributions rule: {e}"))?;
        rule.check()?;
        Ok(rule)
    }

    pub fn check(&self) -> Result<(), String> {
        match self
            .required
            .iter()
            .find(|s| !CONTRIBUTOR_SECTIONS.contains(s))
        {
            Some(other) => Err(format!(
                "Only the social worker's, carer's and young person's sections can be required, \
                 not {}",
                other.label()
            )),
            None => Ok(()),
        }
    }

    pub fn requires(&self, section: SectionKey) -> bool {
        self.required.contains(&section)
    }

    /// The required sections of this PEP (those `applies` says it has) that are not completed,
    /// with their status.
    pub fn missing(
        &self,
        applies: impl Fn(SectionKey) -> bool,
        status: impl Fn(SectionKey) -> SectionStatus,
    ) -> Vec<(SectionKey, SectionStatus)> {
        CONTRIBUTOR_SECTIONS
            .iter()
            .copied()
            .filter(|&s| self.requires(s) && applies(s))
            .map(|s| (s, status(s)))
            .filter(|(_, status)| *status != SectionStatus::Completed)
            .collect()
    }
}

/// The contributions rule as its form shows it: "yes" or "no" for each contributor's section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionRuleForm {
    pub requires_care_journey: String,
    pub requires_carer_contribution: String,
    pub requires_young_person_views: String,
}

impl ContributionRule {
    pub fn to_form(&self) -> ContributionRuleForm {
        let answer = |s| if self.requires(s) { "yes" } else { "no" }.to_string();
        ContributionRuleForm {
            requires_care_journey: answer(SectionKey::CareJourney),
            requires_carer_contribution: answer(SectionKey::CarerContribution),
            requires_young_person_views: answer(SectionKey::YoungPersonViews),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "required": self.required })
    }
}

/// The rule from its form, or each answer that is neither "yes" nor "no" with its field.
pub fn check_contribution_rule(
    form: &ContributionRuleForm,
) -> Result<ContributionRule, Vec<(&'static str, String)>> {
    let answers = [
        (
            "requires_care_journey",
            &form.requires_care_journey,
            SectionKey::CareJourney,
        ),
        (
            "requires_carer_contribution",
            &form.requires_carer_contribution,
            SectionKey::CarerContribution,
        ),
        (
            "requires_young_person_views",
            &form.requires_young_person_views,
            SectionKey::YoungPersonViews,
        ),
    ];
    let mut required = Vec::new();
    let mut problems = Vec::new();
    for (field, answer, section) in answers {
        match answer.trim() {
            "yes" => required.push(section),
            "no" => {}
            _ => problems.push((field, "Choose yes or no".to_string())),
        }
    }
    if problems.is_empty() {
        Ok(ContributionRule { required })
    } else {
        Err(problems)
    }
}

/// Whether a move that needs the contributions may go ahead: nothing missing, or a reason to go
/// on without what is (`missing` names each section in words: "Carer's contribution (carer): not
/// started").
pub fn check_went_on_without(missing: &[String], reason: &str) -> Result<(), String> {
    if missing.is_empty() {
        return Ok(());
    }
    if reason.trim().is_empty() {
        return Err(format!(
            "The council asks for these sections to be completed first: {}. Ask whoever writes \
             them to finish and mark them completed, or say why the PEP goes on without them.",
            missing.join("; ")
        ));
    }
    if reason.chars().count() > 2_000 {
        return Err("Keep the reason to 2,000 characters or fewer".to_string());
    }
    Ok(())
}

/// The moves the meeting makes: starting it puts the PEP in its meeting, ending it makes the PEP
/// a draft. They are made from the meeting part of the page (start, attendance, end), never as a
/// separate workflow button, so the state and the meeting cannot disagree ("Start the meeting"
/// beside "End the meeting", "In meeting" after it ended).
pub fn made_by_the_meeting(from: PepState, to: PepState) -> Option<&'static str> {
    use PepState as S;
    match (from, to) {
        (S::Scheduled | S::Contributions, S::Meeting) => Some(
            "Start the meeting in the meeting part of the PEP: everyone with it open sees it start",
        ),
        (S::Meeting, S::Draft) => {
            Some("End the meeting in the meeting part of the PEP: the PEP then becomes a draft")
        }
        _ => None,
    }
}

/// The state a page shows, given the meeting it has heard about since it loaded: a meeting that
/// started puts a PEP not yet past its meeting in it; one that ended makes it a draft.
pub fn state_with_meeting(state: PepState, meeting: Option<&MeetingInfo>) -> PepState {
    use PepState as S;
    match (state, meeting.map(MeetingInfo::running)) {
        (S::Scheduled | S::Contributions, Some(true)) => S::Meeting,
        (S::Scheduled | S::Contributions | S::Meeting, Some(false)) => S::Draft,
        _ => state,
    }
}

/// The moves `role` may make from `from` with the workflow's buttons.
pub fn next_steps(role: Role, from: PepState) -> Vec<Step> {
    moves(from)
        .iter()
        .filter(|(to, _, _)| made_by_the_meeting(from, *to).is_none())
        .filter(|(_, _, mover)| mover.allows(role))
        .map(|&(to, label, _)| step(to, label))
        .collect()
}

/// Why a move was refused: not this person's to make (403), or not a move as asked (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveRefused {
    NotYours(String),
    Invalid(String),
}

impl MoveRefused {
    pub fn message(&self) -> &str {
        match self {
            MoveRefused::NotYours(message) | MoveRefused::Invalid(message) => message,
        }
    }
}

/// Whether `role` may move a PEP from `from` to `to`, and if not, why in words.
pub fn check_move(
    role: Role,
    from: PepState,
    to: PepState,
    reason: &str,
) -> Result<Step, MoveRefused> {
    let Some(&(_, label, mover)) = moves(from).iter().find(|(next, _, _)| *next == to) else {
        return Err(MoveRefused::Invalid(format!(
            "A PEP that is {} cannot become {}",
            from.label(),
            to.label()
        )));
    };
    if let Some(how) = made_by_the_meeting(from, to) {
        return Err(MoveRefused::Invalid(how.to_string()));
    }
    if !mover.allows(role) {
        return Err(MoveRefused::NotYours(match mover {
            Mover::VirtualSchool => "Only the Virtual School approves or returns a PEP".to_string(),
            Mover::School => {
                "Only the designated teacher or the Virtual School moves the PEP on".to_string()
            }
        }));
    }
    let step = step(to, label);
    if step.needs_reason && reason.trim().is_empty() {
        return Err(MoveRefused::Invalid(
            "Say why the PEP is returned and what to change: the designated teacher reads this"
                .to_string(),
        ));
    }
    if reason.chars().count() > 2_000 {
        return Err(MoveRefused::Invalid(
            "Keep the reason to 2,000 characters or fewer".to_string(),
        ));
    }
    Ok(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_designated_teacher_leads_and_the_virtual_school_approves_or_returns() {
        use PepState as S;
        let dt = Role::DesignatedTeacher;
        assert!(check_move(dt, S::Draft, S::Ready, "").is_ok());
        assert!(check_move(dt, S::Ready, S::Submitted, "").is_ok());
        assert!(
            check_move(dt, S::Submitted, S::Approved, "")
                .unwrap_err()
                .message()
                .contains("Only the Virtual School")
        );
        assert!(check_move(Role::EducationAdvisor, S::Submitted, S::Approved, "").is_ok());
        assert!(check_move(Role::SocialWorker, S::Draft, S::Ready, "").is_err());
        assert!(check_move(Role::Carer, S::Scheduled, S::Contributions, "").is_err());
        assert!(
            check_move(dt, S::Draft, S::Approved, "")
                .unwrap_err()
                .message()
                .contains("cannot become")
        );
        assert!(next_steps(Role::VirtualSchoolHead, S::Approved).is_empty());
    }

    #[test]
    fn a_return_needs_its_reason_and_ready_needs_the_checks() {
        use PepState as S;
        let vs = Role::VirtualSchoolHead;
        assert!(
            check_move(vs, S::Submitted, S::Returned, "  ")
                .unwrap_err()
                .message()
                .contains("Say why")
        );
        let step = check_move(vs, S::Submitted, S::Returned, "Targets need baselines.").unwrap();
        assert!(step.needs_reason && !step.needs_checks);
        assert!(
            check_move(Role::DesignatedTeacher, S::Returned, S::Ready, "")
                .unwrap()
                .needs_checks
        );
        assert_eq!(
            next_steps(Role::DesignatedTeacher, S::Ready)
                .iter()
                .map(|s| s.to)
                .collect::<Vec<_>>(),
            vec![S::Submitted, S::Draft]
        );
    }

    #[test]
    fn every_state_but_approved_can_move_on_and_only_approved_is_final() {
        for &state in PepState::ALL {
            let by_button = next_steps(Role::VirtualSchoolHead, state).len()
                + next_steps(Role::DesignatedTeacher, state).len();
            let by_meeting = PepState::ALL
                .iter()
                .any(|&to| made_by_the_meeting(state, to).is_some());
            assert_eq!(
                by_button == 0 && !by_meeting,
                state == PepState::Approved,
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_required_contribution_blocks_ready_and_approved_until_completed_or_explained() {
        use PepState as S;
        let rule = ContributionRule::from_json(
            r#"{"required": ["carer_contribution", "young_person_views"]}"#,
        )
        .unwrap();
        let status = |s: SectionKey| match s {
            SectionKey::CarerContribution => SectionStatus::Completed,
            _ => SectionStatus::NotStarted,
        };
        assert_eq!(
            rule.missing(|_| true, status),
            vec![(SectionKey::YoungPersonViews, SectionStatus::NotStarted)]
        );
        // A section the PEP does not have is never missing; the social worker's is not required.
        assert!(
            rule.missing(|s| s != SectionKey::YoungPersonViews, status)
                .is_empty()
        );
        assert!(
            ContributionRule::default()
                .missing(|_| true, status)
                .is_empty()
        );
        let missing = vec!["My views (young person): not started".to_string()];
        let refused = check_went_on_without(&missing, "  ").unwrap_err();
        assert!(
            refused.contains("My views (young person): not started") && refused.contains("say why"),
            "{refused}"
        );
        assert!(check_went_on_without(&missing, "Jayden gave his views in the meeting").is_ok());
        assert!(check_went_on_without(&[], "").is_ok());
        assert!(check_went_on_without(&missing, &"x".repeat(2_001)).is_err());
        let dt = Role::DesignatedTeacher;
        assert!(
            check_move(dt, S::Draft, S::Ready, "")
                .unwrap()
                .needs_contributions
        );
        assert!(
            !check_move(dt, S::Ready, S::Submitted, "")
                .unwrap()
                .needs_contributions
        );
        assert!(
            check_move(Role::VirtualSchoolHead, S::Submitted, S::Approved, "")
                .unwrap()
                .needs_contributions
        );
        let teacher_section = ContributionRule::from_json(r#"{"required": ["attendance"]}"#);
        assert!(teacher_section.unwrap_err().contains("Attendance"));
        // The form and the stored JSON say the same rule.
        let form = rule.to_form();
        assert_eq!(
            (
                form.requires_care_journey.as_str(),
                form.requires_carer_contribution.as_str()
            ),
            ("no", "yes")
        );
        assert_eq!(check_contribution_rule(&form), Ok(rule.clone()));
        assert_eq!(
            ContributionRule::from_json(&rule.to_json().to_string()),
            Ok(rule)
        );
        let unclear = ContributionRuleForm {
            requires_care_journey: "maybe".into(),
            ..form
        };
        assert_eq!(
            check_contribution_rule(&unclear).unwrap_err(),
            vec![("requires_care_journey", "Choose yes or no".to_string())]
        );
    }

    #[test]
    fn the_meeting_alone_starts_and_ends_the_meeting_state() {
        use PepState as S;
        let dt = Role::DesignatedTeacher;
        assert!(next_steps(dt, S::Contributions).is_empty());
        assert!(next_steps(dt, S::Meeting).is_empty());
        for (from, to) in [(S::Contributions, S::Meeting), (S::Meeting, S::Draft)] {
            let refused = check_move(dt, from, to, "").unwrap_err();
            assert!(
                refused.message().contains("meeting part"),
                "{from:?} to {to:?}"
            );
        }
        let meeting = |ended: Option<&str>| MeetingInfo {
            started: "2 December 2026 at 10:00".into(),
            started_by: "Michael Osei".into(),
            ended: ended.map(String::from),
            attendees: Vec::new(),
            version: 1,
        };
        let running = meeting(None);
        let ended = meeting(Some("2 December 2026 at 11:00"));
        assert_eq!(
            state_with_meeting(S::Contributions, Some(&running)),
            S::Meeting
        );
        assert_eq!(state_with_meeting(S::Meeting, Some(&running)), S::Meeting);
        assert_eq!(state_with_meeting(S::Meeting, Some(&ended)), S::Draft);
        assert_eq!(state_with_meeting(S::Contributions, None), S::Contributions);
        // Past its meeting, the meeting no longer decides the state.
        assert_eq!(state_with_meeting(S::Ready, Some(&ended)), S::Ready);
        assert_eq!(state_with_meeting(S::Returned, Some(&running)), S::Returned);
    }
}
