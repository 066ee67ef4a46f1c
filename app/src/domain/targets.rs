//! SMART targets as structured records, and the checks that need more than the statement's words
//! (DOMAIN.md, "SMART targets", checks 2, 3, 4, 5 and 6): the need area and the council's mix
//! rule, a date inside the review window, a measurable criterion in the statement or the success
//! measure, a baseline for numeric targets, and actions with owners and frequencies.
//!
//! The same functions run in the browser as the person types and on the server before a PEP may
//! be marked ready. An error-level finding blocks "ready" unless the target carries an override
//! with its reason (kept for the Virtual School's quality assurance to read).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deadlines::long_date;
use super::pep::Phase;
use super::pp_plus::{PpPlusBudget, PpPlusLine, check_budget, check_lines};
use super::roles::Role;
use super::smart::{Finding, Severity, SmartCheck, check_target_text};
use super::text_enum;

text_enum! {
    /// What a target is about. English-like areas count as English for the mix rule.
    NeedArea, "need area" {
        English = "english", "English";
        Reading = "reading", "Reading";
        Writing = "writing", "Writing";
        Phonics = "phonics", "Phonics";
        Maths = "maths", "Maths";
        Science = "science", "Science";
        Semh = "semh", "Social, emotional and mental health";
        Attendance = "attendance", "Attendance";
        CommunicationLanguage = "communication_language", "Communication and language";
        PhysicalDevelopment = "physical_development", "Physical development";
        PersonalSocialEmotional = "personal_social_emotional", "Personal, social and emotional development";
        EmploymentTraining = "employment_training", "Employment and training";
        Other = "other", "Another subject or need";
    }
}

impl NeedArea {
    /// Whether the area counts as the English (literacy) target of the mix rule.
    pub fn is_english(self) -> bool {
        matches!(
            self,
            NeedArea::English | NeedArea::Reading | NeedArea::Writing | NeedArea::Phonics
        )
    }
}

/// Who can own an action, in the order a meeting thinks of them.
pub const ACTION_OWNERS: [Role; 5] = [
    Role::YoungPerson,
    Role::DesignatedTeacher,
    Role::Carer,
    Role::SocialWorker,
    Role::EducationAdvisor,
];

/// One action of a target: who does what, how often.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDraft {
    /// The stored action this edits; empty for a new one.
    #[serde(default)]
    pub id: String,
    pub description: String,
    /// A `Role` code, or empty while nobody is named.
    #[serde(default)]
    pub owner_role: String,
    #[serde(default)]
    pub frequency: String,
}

/// A target as the form edits it: every part as typed, so nothing is lost while it is incomplete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetDraft {
    /// A `NeedArea` code, or empty.
    #[serde(default)]
    pub need_area: String,
    #[serde(default)]
    pub reason_baseline: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub success_measure: String,
    /// What the child said that this target answers (check 8).
    #[serde(default)]
    pub child_view: String,
    /// ISO date, or empty.
    #[serde(default)]
    pub target_date: String,
    #[serde(default)]
    pub actions: Vec<ActionDraft>,
    /// Optional PP+ requests paying for the target's actions (check 11).
    #[serde(default)]
    pub pp_plus: Vec<PpPlusLine>,
    /// Why the target stands although a check fails; read by quality assurance.
    #[serde(default)]
    pub override_reason: String,
}

text_enum! {
    /// The parts of a target written as shared text (`domain::shared_text`): several people can
    /// type in one at once and their words merge. The others (need area, date, actions, PP+)
    /// are saved whole at the target's version.
    TargetTextPart, "target text part" {
        ReasonBaseline = "reason_baseline", "Reason, with where the child is now";
        Statement = "statement", "Target";
        SuccessMeasure = "success_measure", "Success measure";
        ChildView = "child_view", "Link to the child's views";
        OverrideReason = "override_reason", "Why this target stands as it is";
    }
}

impl TargetTextPart {
    /// The part's text in a draft.
    pub fn of(self, draft: &TargetDraft) -> &String {
        match self {
            TargetTextPart::ReasonBaseline => &draft.reason_baseline,
            TargetTextPart::Statement => &draft.statement,
            TargetTextPart::SuccessMeasure => &draft.success_measure,
            TargetTextPart::ChildView => &draft.child_view,
            TargetTextPart::OverrideReason => &draft.override_reason,
        }
    }

    pub fn of_mut(self, draft: &mut TargetDraft) -> &mut String {
        match self {
            TargetTextPart::ReasonBaseline => &mut draft.reason_baseline,
            TargetTextPart::Statement => &mut draft.statement,
            TargetTextPart::SuccessMeasure => &mut draft.success_measure,
            TargetTextPart::ChildView => &mut draft.child_view,
            TargetTextPart::OverrideReason => &mut draft.override_reason,
        }
    }

    /// The shared-text field of this part of a target (section `targets`): `{target id}.{part}`.
    pub fn field_of(self, target_id: &str) -> String {
        format!("{target_id}.{}", self.as_str())
    }

    /// The target and part a shared-text field of the targets section names.
    pub fn parse_field(field: &str) -> Option<(&str, TargetTextPart)> {
        let (target_id, part) = field.rsplit_once('.')?;
        let part = TargetTextPart::parse(part).ok()?;
        (!target_id.is_empty()).then_some((target_id, part))
    }
}

text_enum! {
    /// The parts of a target's action written as shared text, like a target's text parts.
    /// The action's owner is saved with the target's structured parts; the action itself is
    /// added and removed on its own, never by a save of the whole target.
    ActionTextPart, "action text part" {
        Description = "description", "Action";
        Frequency = "frequency", "How often";
    }
}

/// Longest "how often" of an action.
pub const LONGEST_FREQUENCY: usize = 200;

impl ActionTextPart {
    pub fn of(self, action: &ActionDraft) -> &String {
        match self {
            ActionTextPart::Description => &action.description,
            ActionTextPart::Frequency => &action.frequency,
        }
    }

    pub fn of_mut(self, action: &mut ActionDraft) -> &mut String {
        match self {
            ActionTextPart::Description => &mut action.description,
            ActionTextPart::Frequency => &mut action.frequency,
        }
    }

    pub fn most_chars(self) -> usize {
        match self {
            ActionTextPart::Description => LONGEST_PART,
            ActionTextPart::Frequency => LONGEST_FREQUENCY,
        }
    }

    /// The shared-text field of this part of an action (section `targets`): `{action id}.{part}`.
    pub fn field_of(self, action_id: &str) -> String {
        format!("{action_id}.{}", self.as_str())
    }

    /// The action and part a shared-text field of the targets section names.
    pub fn parse_field(field: &str) -> Option<(&str, ActionTextPart)> {
        let (action_id, part) = field.rsplit_once('.')?;
        let part = ActionTextPart::parse(part).ok()?;
        (!action_id.is_empty()).then_some((action_id, part))
    }
}

/// A draft with its shared-text parts (its own and its actions') taken from `from`: the
/// structured parts, and which actions there are, stay.
pub fn with_text_of(mut draft: TargetDraft, from: &TargetDraft) -> TargetDraft {
    for part in TargetTextPart::ALL {
        part.of_mut(&mut draft).clone_from(part.of(from));
    }
    for action in &mut draft.actions {
        if let Some(theirs) = from.actions.iter().find(|a| a.id == action.id) {
            for part in ActionTextPart::ALL {
                part.of_mut(action).clone_from(part.of(theirs));
            }
        }
    }
    draft
}

/// `draft`'s actions made the ones `to` has, in its order: an action both have keeps `draft`'s
/// owner and words, a new one comes as `to` has it, one `to` lacks goes unless `keep` says to
/// keep it (someone is still writing in it here). Adding and removing actions is not part of a
/// target's versioned save, so this applies to what is on screen and what the server holds alike.
pub fn with_actions_of(
    mut draft: TargetDraft,
    to: &[ActionDraft],
    keep: impl Fn(&str) -> bool,
) -> TargetDraft {
    let mut actions: Vec<ActionDraft> = to
        .iter()
        .map(|theirs| {
            draft
                .actions
                .iter()
                .find(|a| a.id == theirs.id)
                .cloned()
                .unwrap_or_else(|| theirs.clone())
        })
        .collect();
    actions.extend(
        draft
            .actions
            .iter()
            .filter(|a| !to.iter().any(|t| t.id == a.id) && keep(&a.id))
            .cloned(),
    );
    draft.actions = actions;
    draft
}

/// Most actions one target may carry, and longest text of any part.
pub const MOST_ACTIONS: usize = 12;
pub const LONGEST_PART: usize = 2_000;

/// The dates a target's date is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewWindow {
    /// The PEP meeting (or today, before one is booked): a target cannot end before it.
    pub starts: NaiveDate,
    /// Whether `starts` is a booked meeting (it is today otherwise), for the message.
    #[serde(default)]
    pub meeting_booked: bool,
    /// The next PEP's due date: a target should be reviewed by then.
    pub next_review: NaiveDate,
}

/// The council's rule for a PEP's set of targets (`council_policies` key `smart_targets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixRule {
    #[serde(default = "three")]
    pub targets_per_pep: usize,
    /// `english` and `maths` by default; English-like areas count as English.
    #[serde(default = "english_and_maths")]
    pub required_need_areas: Vec<NeedArea>,
    #[serde(default = "key_stages_one_and_two")]
    pub writing_required_at_key_stages: Vec<u8>,
    /// How a target with no measurable criterion counts: a warning, or an error if the council
    /// chooses.
    #[serde(default = "warning")]
    pub measurable_criterion_severity: Severity,
}

fn three() -> usize {
    3
}
fn english_and_maths() -> Vec<NeedArea> {
    vec![NeedArea::English, NeedArea::Maths]
}
fn key_stages_one_and_two() -> Vec<u8> {
    vec![1, 2]
}
fn warning() -> Severity {
    Severity::Warning
}

impl Default for MixRule {
    fn default() -> Self {
        MixRule {
            targets_per_pep: three(),
            required_need_areas: english_and_maths(),
            writing_required_at_key_stages: key_stages_one_and_two(),
            measurable_criterion_severity: warning(),
        }
    }
}

impl MixRule {
    pub fn from_json(value: &str) -> Result<MixRule, String> {
        serde_json::from_str(value).map_err(|e| format!("the SMART target rules: {e}"))
    }
}

/// The key stage of a national curriculum year group (Reception and below: none).
pub fn key_stage(year_group: i32) -> Option<u8> {
    match year_group {
        1..=2 => Some(1),
        3..=6 => Some(2),
        7..=9 => Some(3),
        10..=11 => Some(4),
        _ => None,
    }
}

fn finding(letter: char, check: SmartCheck, severity: Severity, reason: String) -> Finding {
    Finding {
        letter,
        check,
        severity,
        reason,
    }
}

/// Every check on one target, in SMART order. The statement's own words are checked by
/// `check_target_text`; a criterion or date in the success measure or date field counts too.
pub fn check_target(target: &TargetDraft, window: &ReviewWindow, rule: &MixRule) -> Vec<Finding> {
    let statement = check_target_text(&target.statement);
    let measure = check_target_text(&target.success_measure);
    let measurable = statement.measurable || measure.measurable;
    let statement_measurable = statement.measurable;
    let mut findings: Vec<Finding> = statement
        .findings
        .into_iter()
        .filter(|f| match f.check {
            // The success measure may carry the criterion, and the date field the date.
            SmartCheck::NotMeasurable => !measurable,
            // Vague words stay vague whatever the success measure says: a statement rewritten
            // as "will try to improve" passed every check while the old measure was there.
            SmartCheck::Vague => !statement_measurable,
            SmartCheck::NoDate => false,
            _ => true,
        })
        .map(|mut f| {
            if f.check == SmartCheck::NotMeasurable {
                f.severity = rule.measurable_criterion_severity;
                f.reason = "Nothing in the target or its success measure can be counted or \
                            checked: add a number, a percentage, “x out of y”, a grade, or “as \
                            measured by” a named assessment"
                    .to_string();
            }
            f
        })
        .collect();
    // An empty target is not measurable either (the text checks say nothing of empty words, and
    // the checklist showed "Measurable: met" on a new target).
    if !measurable
        && !findings
            .iter()
            .any(|f| f.check == SmartCheck::NotMeasurable)
    {
        findings.push(finding(
            'M',
            SmartCheck::NotMeasurable,
            rule.measurable_criterion_severity,
            "Nothing in the target or its success measure can be counted or checked yet: add a \
             number, a percentage, “x out of y”, a grade, or “as measured by” a named assessment"
                .to_string(),
        ));
    }
    if NeedArea::parse(&target.need_area).is_err() {
        findings.push(finding(
            'R',
            SmartCheck::NoNeedArea,
            Severity::Error,
            "Choose the need area this target is for".to_string(),
        ));
    }
    // A baseline for numeric targets: where the child is now, in the same terms.
    let has_number = |text: &str| text.chars().any(|c| c.is_ascii_digit());
    if measurable && !has_number(&target.reason_baseline) {
        findings.push(finding(
            'M',
            SmartCheck::NoBaseline,
            Severity::Warning,
            "The target is measured, but the reason gives no starting point: say where the \
             child is now in the same terms (a score, a count, a percentage)"
                .to_string(),
        ));
    }
    // Check 8: the target answers something the child said.
    if target.child_view.trim().is_empty() {
        findings.push(finding(
            'R',
            SmartCheck::NoChildView,
            Severity::Warning,
            "Say how this target links to the child's own views: what they said they want, \
             find hard or would help"
                .to_string(),
        ));
    }
    // The date, inside the review window.
    match NaiveDate::parse_from_str(target.target_date.trim(), "%Y-%m-%d") {
        Err(_) if target.target_date.trim().is_empty() => findings.push(finding(
            'T',
            SmartCheck::NoDate,
            Severity::Error,
            format!(
                "Give the date the target should be met by: on or before the next PEP, due {}",
                long_date(window.next_review)
            ),
        )),
        Err(_) => findings.push(finding(
            'T',
            SmartCheck::BadDate,
            Severity::Error,
            "Write the date as year-month-day, like 2027-03-12".to_string(),
        )),
        Ok(date) if date < window.starts => findings.push(finding(
            'T',
            SmartCheck::DateBeforeMeeting,
            Severity::Error,
            format!(
                "{} is before {} {}: a target looks forward",
                long_date(date),
                if window.meeting_booked {
                    "the meeting on"
                } else {
                    "today,"
                },
                long_date(window.starts)
            ),
        )),
        Ok(date) if date > window.next_review => findings.push(finding(
            'T',
            SmartCheck::DateAfterReview,
            Severity::Warning,
            format!(
                "{} is after the next PEP, due {}: more than a term away, so break it into a \
                 step that can be reviewed then",
                long_date(date),
                long_date(window.next_review)
            ),
        )),
        Ok(_) => {}
    }
    // Actions: at least one with a named owner (E), each with a frequency (W).
    let written: Vec<&ActionDraft> = target
        .actions
        .iter()
        .filter(|a| !a.description.trim().is_empty())
        .collect();
    if !written.iter().any(|a| Role::parse(&a.owner_role).is_ok()) {
        findings.push(finding(
            'A',
            SmartCheck::NoOwnedAction,
            Severity::Error,
            "Add at least one action with who will do it: the child, the school, the carer or \
             the social worker"
                .to_string(),
        ));
    }
    for (n, action) in written.iter().enumerate() {
        if action.frequency.trim().is_empty() {
            findings.push(finding(
                'A',
                SmartCheck::NoFrequency,
                Severity::Warning,
                format!(
                    "Action {} (“{}”) does not say how often: daily, weekly, three times a week",
                    n + 1,
                    shorten(&action.description)
                ),
            ));
        }
    }
    // Check 11: PP+ requests itemised, amounts that read.
    findings.extend(check_lines(&target.pp_plus));
    findings
}

/// The first few words of an action, to name it in a message.
fn shorten(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= 6 {
        words.join(" ")
    } else {
        format!("{}…", words[..6].join(" "))
    }
}

/// The council's mix rule over the PEP's targets (check 2, error level). Early years PEPs follow
/// the EYFS areas instead, so the rule applies to school-age and post-16 PEPs.
pub fn check_mix(
    need_areas: &[NeedArea],
    phase: Phase,
    key_stage: Option<u8>,
    rule: &MixRule,
) -> Vec<Finding> {
    if phase == Phase::EarlyYears {
        return Vec::new();
    }
    let mut findings = Vec::new();
    if need_areas.len() < rule.targets_per_pep {
        findings.push(finding(
            'R',
            SmartCheck::TooFewTargets,
            Severity::Error,
            format!(
                "The council asks for {} targets; this PEP has {}",
                rule.targets_per_pep,
                need_areas.len()
            ),
        ));
    }
    for &required in &rule.required_need_areas {
        let met = need_areas
            .iter()
            .any(|&area| area == required || (required == NeedArea::English && area.is_english()));
        if !met {
            findings.push(finding(
                'R',
                SmartCheck::RequiredAreaMissing,
                Severity::Error,
                format!("The council asks for a {} target", required.label()),
            ));
        }
    }
    if let Some(stage) = key_stage
        && rule.writing_required_at_key_stages.contains(&stage)
        && !need_areas.contains(&NeedArea::Writing)
    {
        findings.push(finding(
            'R',
            SmartCheck::WritingMissing,
            Severity::Error,
            format!("At key stage {stage} one target must be about writing"),
        ));
    }
    findings
}

/// Whether the findings leave the target or PEP able to be marked ready: no error, or an
/// override with its reason.
pub fn blocks_ready(findings: &[Finding], override_reason: &str) -> bool {
    override_reason.trim().is_empty() && findings.iter().any(|f| f.severity == Severity::Error)
}

text_enum! {
    /// How far last term's target was met, judged at the next PEP with evidence.
    Evaluation, "evaluation" {
        Achieved = "achieved", "achieved";
        Partly = "partly", "partly achieved";
        NotAchieved = "not_achieved", "not achieved";
    }
}

/// A target of the child's previous PEP, as this PEP's checks need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousTarget {
    pub id: String,
    pub version: i64,
    pub need_area: String,
    pub statement: String,
    pub success_measure: String,
    /// An `Evaluation` code, or empty until someone judges it.
    pub evaluation: String,
    pub evidence: String,
}

impl PreviousTarget {
    fn evaluated(&self) -> Option<Evaluation> {
        Evaluation::parse(&self.evaluation).ok()
    }
}

/// Checks 9 and 10 of DOMAIN.md: last PEP's target in the same area is evaluated before a new one
/// is set (error), and a target that was not achieved is broken down, not repeated (warning).
pub fn check_against_previous(target: &TargetDraft, previous: &[PreviousTarget]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let area = target.need_area.as_str();
    if !area.is_empty()
        && let Some(unjudged) = previous
            .iter()
            .find(|p| p.need_area == area && p.evaluated().is_none())
    {
        findings.push(finding(
            'R',
            SmartCheck::PreviousNotEvaluated,
            Severity::Error,
            format!(
                "Evaluate last PEP's {} target (“{}”) first: achieved, partly or not, with evidence",
                NeedArea::parse(area).map(|a| a.label()).unwrap_or(area),
                shorten(&unjudged.statement)
            ),
        ));
    }
    let same_words = |a: &str, b: &str| {
        let words = |t: &str| {
            t.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        !words(a).is_empty() && words(a) == words(b)
    };
    if let Some(repeat) = previous.iter().find(|p| {
        matches!(
            p.evaluated(),
            Some(Evaluation::NotAchieved | Evaluation::Partly)
        ) && same_words(&p.statement, &target.statement)
    }) {
        findings.push(finding(
            'A',
            SmartCheck::RepeatsUnmetTarget,
            Severity::Warning,
            format!(
                "This repeats last PEP's target, which was {}: break it into a smaller step the \
                 child can reach by the next PEP",
                repeat.evaluated().map(|e| e.label()).unwrap_or("not met")
            ),
        ));
    }
    findings
}

/// Checks the evaluation of a previous target before it is stored.
pub fn check_evaluation(
    evaluation: &str,
    evidence: &str,
) -> Result<(), Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    if !evaluation.is_empty() && Evaluation::parse(evaluation).is_err() {
        problems.push((
            "evaluation",
            format!("“{evaluation}” is not achieved, partly or not achieved"),
        ));
    }
    if evidence.chars().count() > LONGEST_PART {
        problems.push((
            "evidence",
            format!("The evidence must be {LONGEST_PART} characters or fewer"),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// What stops a PEP being marked ready or submitted, in words: each target's error-level findings
/// (unless it carries an override with its reason), the council's mix rule (unless the PEP
/// carries an override of it), and its PP+ requests (check 11: money is never overridden, it is
/// itemised and within the child's allocation or not asked for). Warnings never block.
#[allow(clippy::too_many_arguments)]
pub fn ready_problems(
    targets: &[TargetDraft],
    window: &ReviewWindow,
    rule: &MixRule,
    phase: Phase,
    key_stage: Option<u8>,
    mix_override: &str,
    previous: &[PreviousTarget],
    pp_plus: &PpPlusBudget,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, target) in targets.iter().enumerate() {
        let mut findings = check_target(target, window, rule);
        findings.extend(check_against_previous(target, previous));
        let (money, others): (Vec<Finding>, Vec<Finding>) =
            findings.into_iter().partition(|f| f.check.is_pp_plus());
        let overridable = if blocks_ready(&others, &target.override_reason) {
            others
        } else {
            Vec::new()
        };
        for finding in overridable
            .iter()
            .chain(&money)
            .filter(|f| f.severity == Severity::Error)
        {
            problems.push(format!("Target {}: {}", n + 1, finding.reason));
        }
    }
    let areas: Vec<NeedArea> = targets
        .iter()
        .filter_map(|t| NeedArea::parse(&t.need_area).ok())
        .collect();
    let mix = check_mix(&areas, phase, key_stage, rule);
    if blocks_ready(&mix, mix_override) {
        problems.extend(mix.into_iter().map(|f| f.reason));
    }
    let requests = targets.iter().flat_map(|t| &t.pp_plus);
    problems.extend(
        check_budget(requests, pp_plus)
            .into_iter()
            .map(|f| f.reason),
    );
    problems
}

/// Checks the target's parts are within bounds before it is stored (422 otherwise).
pub fn check_target_bounds(target: &TargetDraft) -> Result<(), Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let parts = [
        (
            "reason_baseline",
            "The reason and baseline",
            &target.reason_baseline,
        ),
        ("statement", "The target", &target.statement),
        (
            "success_measure",
            "The success measure",
            &target.success_measure,
        ),
        (
            "child_view",
            "The link to the child's views",
            &target.child_view,
        ),
        (
            "override_reason",
            "The reason for the override",
            &target.override_reason,
        ),
    ];
    for (field, label, text) in parts {
        let characters = text.chars().count();
        if characters > LONGEST_PART {
            problems.push((
                field,
                format!("{label} must be {LONGEST_PART} characters or fewer: it has {characters}"),
            ));
        }
    }
    if !target.need_area.is_empty() && NeedArea::parse(&target.need_area).is_err() {
        problems.push((
            "need_area",
            format!("“{}” is not a need area", target.need_area),
        ));
    }
    let date = target.target_date.trim();
    if !date.is_empty() {
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Err(_) => problems.push((
                "target_date",
                "Write the date as year-month-day, like 2027-03-12".to_string(),
            )),
            Ok(day) => {
                if let Err(problem) = super::plausible::check_date_in_range(day, "the target date")
                {
                    problems.push(("target_date", problem));
                }
            }
        }
    }
    if target.actions.len() > MOST_ACTIONS {
        problems.push((
            "actions",
            format!("A target can have at most {MOST_ACTIONS} actions: split it into two targets"),
        ));
    }
    for action in &target.actions {
        if !action.owner_role.is_empty() && Role::parse(&action.owner_role).is_err() {
            problems.push(("actions", format!("“{}” is not a role", action.owner_role)));
        }
        if action.description.chars().count() > LONGEST_PART
            || action.frequency.chars().count() > LONGEST_FREQUENCY
        {
            problems.push((
                "actions",
                "An action is too long: keep it to one step".to_string(),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_target_text_part_is_named_by_its_target_and_part_and_nothing_else() {
        let id = "demo-child-amelia-pep-2026-autumn-target-0";
        for &part in TargetTextPart::ALL {
            let field = part.field_of(id);
            assert_eq!(TargetTextPart::parse_field(&field), Some((id, part)));
        }
        assert_eq!(TargetTextPart::parse_field("abc.need_area"), None);
        assert_eq!(TargetTextPart::parse_field(".statement"), None);
        assert_eq!(TargetTextPart::parse_field("statement"), None);
        assert_eq!(TargetTextPart::parse_field("mix_override"), None);
    }

    #[test]
    fn an_action_text_part_is_named_by_its_action_and_part_and_nothing_else() {
        let id = "demo-child-amelia-pep-2026-autumn-target-0-a1";
        for &part in ActionTextPart::ALL {
            let field = part.field_of(id);
            assert_eq!(ActionTextPart::parse_field(&field), Some((id, part)));
            assert_eq!(TargetTextPart::parse_field(&field), None);
        }
        for &part in TargetTextPart::ALL {
            assert_eq!(ActionTextPart::parse_field(&part.field_of(id)), None);
        }
        assert_eq!(ActionTextPart::parse_field(".description"), None);
        assert_eq!(ActionTextPart::parse_field("owner_role"), None);
    }

    #[test]
    fn actions_follow_the_servers_list_keeping_what_is_typed_here() {
        let action = |id: &str, owner: &str, words: &str| ActionDraft {
            id: id.into(),
            description: words.into(),
            owner_role: owner.into(),
            frequency: String::new(),
        };
        let mine = TargetDraft {
            need_area: "maths".into(),
            actions: vec![
                action("t-a1", "carer", "Read nightly"),
                action("t-a2", "", "Half-typed"),
            ],
            ..TargetDraft::default()
        };
        let theirs = [
            action("t-a1", "social_worker", "old words"),
            action("t-a3", "", ""),
        ];
        let merged = with_actions_of(mine.clone(), &theirs, |_| false);
        assert_eq!(merged.need_area, "maths");
        assert_eq!(
            merged.actions,
            vec![
                action("t-a1", "carer", "Read nightly"),
                action("t-a3", "", "")
            ]
        );
        let kept = with_actions_of(mine, &theirs, |id| id == "t-a2");
        assert_eq!(
            kept.actions
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ["t-a1", "t-a3", "t-a2"]
        );
    }

    #[test]
    fn a_draft_takes_only_the_text_parts_of_another() {
        let mine = TargetDraft {
            need_area: "maths".into(),
            target_date: "2027-03-19".into(),
            statement: "old words".into(),
            ..TargetDraft::default()
        };
        let theirs = TargetDraft {
            need_area: "reading".into(),
            statement: "new words".into(),
            child_view: "I like maps".into(),
            ..TargetDraft::default()
        };
        let merged = with_text_of(mine, &theirs);
        assert_eq!(merged.need_area, "maths");
        assert_eq!(merged.target_date, "2027-03-19");
        assert_eq!(merged.statement, "new words");
        assert_eq!(merged.child_view, "I like maps");
    }

    fn window() -> ReviewWindow {
        ReviewWindow {
            starts: d(2026, 11, 20),
            meeting_booked: true,
            next_review: d(2027, 3, 19),
        }
    }

    fn good() -> TargetDraft {
        TargetDraft {
            need_area: "maths".into(),
            reason_baseline: "Knows 4 of 12 times tables (TTRS check).".into(),
            statement: "Amelia will recall the 3, 4 and 8 times tables within 6 seconds per fact."
                .into(),
            success_measure: "Scores 20 out of 25 on the multiplication check.".into(),
            child_view: "Amelia said she wants to be quicker at tables.".into(),
            target_date: "2027-03-12".into(),
            actions: vec![ActionDraft {
                id: String::new(),
                description: "Daily 10-minute fluency practice".into(),
                owner_role: "designated_teacher".into(),
                frequency: "daily".into(),
            }],
            ..TargetDraft::default()
        }
    }

    fn checks(findings: &[Finding]) -> Vec<(SmartCheck, Severity)> {
        findings.iter().map(|f| (f.check, f.severity)).collect()
    }

    /// Expected findings, for comparing with `checks`.
    fn want(expected: &[(SmartCheck, Severity)]) -> Vec<(SmartCheck, Severity)> {
        expected.to_vec()
    }

    #[test]
    fn a_complete_target_passes_every_check() {
        assert_eq!(
            checks(&check_target(&good(), &window(), &MixRule::default())),
            want(&[])
        );
    }

    #[test]
    fn each_missing_part_is_named_with_its_severity() {
        let empty = TargetDraft::default();
        let found = check_target(&empty, &window(), &MixRule::default());
        assert_eq!(
            checks(&found),
            want(&[
                (SmartCheck::StatementMissing, Severity::Error),
                // An empty target is not "measurable: met".
                (SmartCheck::NotMeasurable, Severity::Warning),
                (SmartCheck::NoNeedArea, Severity::Error),
                (SmartCheck::NoChildView, Severity::Warning),
                (SmartCheck::NoDate, Severity::Error),
                (SmartCheck::NoOwnedAction, Severity::Error),
            ])
        );
        assert!(
            found[4].reason.contains("19 March 2027"),
            "{}",
            found[4].reason
        );
        // Check 8 is met by any words linking the target to what the child said.
        let mut linked = good();
        linked.child_view = "  ".into();
        assert_eq!(
            checks(&check_target(&linked, &window(), &MixRule::default())),
            want(&[(SmartCheck::NoChildView, Severity::Warning)])
        );
    }

    #[test]
    fn the_criterion_may_be_in_the_success_measure_and_a_council_can_make_it_an_error() {
        let mut vague = good();
        vague.statement = "Amelia will try to improve her times tables.".into();
        // The measure carries the criterion, but the statement's own words stay vague (it
        // passed every check while an old success measure was there).
        assert_eq!(
            checks(&check_target(&vague, &window(), &MixRule::default())),
            want(&[(SmartCheck::Vague, Severity::Warning)])
        );
        vague.success_measure = "Her teacher will be pleased.".into();
        let rule = MixRule {
            measurable_criterion_severity: Severity::Error,
            ..MixRule::default()
        };
        let found = check_target(&vague, &window(), &rule);
        assert_eq!(
            checks(&found),
            want(&[
                (SmartCheck::NotMeasurable, Severity::Error),
                (SmartCheck::Vague, Severity::Warning)
            ])
        );
        assert!(found[1].reason.contains("“try to”"), "{}", found[1].reason);
    }

    #[test]
    fn a_measured_target_needs_a_baseline() {
        let mut target = good();
        target.reason_baseline = "She finds tables hard.".into();
        assert_eq!(
            checks(&check_target(&target, &window(), &MixRule::default())),
            want(&[(SmartCheck::NoBaseline, Severity::Warning)])
        );
    }

    #[test]
    fn the_date_must_fall_between_the_meeting_and_the_next_review() {
        let at = |date: &str| {
            let mut target = good();
            target.target_date = date.into();
            checks(&check_target(&target, &window(), &MixRule::default()))
        };
        assert_eq!(at("2026-11-20"), want(&[]));
        assert_eq!(at("2027-03-19"), want(&[]));
        assert_eq!(
            at("2026-11-19"),
            want(&[(SmartCheck::DateBeforeMeeting, Severity::Error)])
        );
        assert_eq!(
            at("2027-03-20"),
            want(&[(SmartCheck::DateAfterReview, Severity::Warning)])
        );
        assert_eq!(
            at("19/03/2027"),
            want(&[(SmartCheck::BadDate, Severity::Error)])
        );
    }

    #[test]
    fn before_a_meeting_is_booked_the_window_starts_today_and_says_so() {
        let mut target = good();
        target.target_date = "2026-11-19".into();
        let booked = check_target(&target, &window(), &MixRule::default());
        assert!(
            booked[0]
                .reason
                .contains("before the meeting on 20 November 2026"),
            "{}",
            booked[0].reason
        );
        let not_booked = ReviewWindow {
            meeting_booked: false,
            ..window()
        };
        let found = check_target(&target, &not_booked, &MixRule::default());
        assert!(
            found[0].reason.contains("before today, 20 November 2026"),
            "{}",
            found[0].reason
        );
    }

    #[test]
    fn actions_need_an_owner_and_a_frequency() {
        let mut target = good();
        target.actions[0].owner_role = String::new();
        target.actions.push(ActionDraft {
            description: "Carer to practise tables in the car on the way to school".into(),
            owner_role: "carer".into(),
            ..ActionDraft::default()
        });
        let found = check_target(&target, &window(), &MixRule::default());
        assert_eq!(
            checks(&found),
            want(&[(SmartCheck::NoFrequency, Severity::Warning)])
        );
        assert!(
            found[0]
                .reason
                .contains("Action 2 (“Carer to practise tables in the…”)"),
            "{}",
            found[0].reason
        );
        target.actions[1].owner_role = String::new();
        assert_eq!(
            checks(&check_target(&target, &window(), &MixRule::default())),
            want(&[
                (SmartCheck::NoOwnedAction, Severity::Error),
                (SmartCheck::NoFrequency, Severity::Warning)
            ])
        );
    }

    #[test]
    fn the_mix_rule_asks_for_english_maths_and_writing_at_key_stages_one_and_two() {
        use NeedArea as A;
        let rule = MixRule::default();
        let mix =
            |areas: &[NeedArea], stage| checks(&check_mix(areas, Phase::SchoolAge, stage, &rule));
        assert_eq!(mix(&[A::Reading, A::Maths, A::Semh], Some(3)), want(&[]));
        assert_eq!(
            mix(&[A::Reading, A::Maths, A::Semh], Some(1)),
            want(&[(SmartCheck::WritingMissing, Severity::Error)])
        );
        assert_eq!(mix(&[A::Writing, A::Maths, A::Semh], Some(2)), want(&[]));
        assert_eq!(
            mix(&[A::Maths], Some(3)),
            want(&[
                (SmartCheck::TooFewTargets, Severity::Error),
                (SmartCheck::RequiredAreaMissing, Severity::Error)
            ])
        );
        assert_eq!(check_mix(&[], Phase::EarlyYears, None, &rule), vec![]);
        assert_eq!(key_stage(0), None);
        assert_eq!(key_stage(2), Some(1));
        assert_eq!(key_stage(6), Some(2));
        assert_eq!(key_stage(11), Some(4));
    }

    #[test]
    fn an_override_with_a_reason_lets_an_error_stand() {
        let found = check_target(&TargetDraft::default(), &window(), &MixRule::default());
        assert!(blocks_ready(&found, ""));
        assert!(blocks_ready(&found, "   "));
        assert!(!blocks_ready(
            &found,
            "Agreed at the meeting: the EHC plan sets this target."
        ));
        assert!(!blocks_ready(&[], ""));
    }

    #[test]
    fn the_councils_stored_rule_reads_and_unknown_keys_are_refused_by_name() {
        let rule = MixRule::from_json(
            r#"{"targets_per_pep": 3, "required_need_areas": ["english", "maths"],
                "writing_required_at_key_stages": [1, 2], "measurable_criterion_severity": "warning"}"#,
        )
        .unwrap();
        assert_eq!(rule, MixRule::default());
        assert!(
            MixRule::from_json(r#"{"targets": 3}"#)
                .unwrap_err()
                .contains("targets")
        );
    }

    #[test]
    fn parts_out_of_bounds_are_refused_by_field() {
        let mut target = good();
        target.statement = "x".repeat(LONGEST_PART + 1);
        target.need_area = "astrology".into();
        target.actions[0].owner_role = "headteacher".into();
        let problems = check_target_bounds(&target).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["statement", "need_area", "actions"]);
        assert_eq!(check_target_bounds(&good()), Ok(()));
    }

    fn plenty_of_pp_plus() -> PpPlusBudget {
        PpPlusBudget {
            financial_year: 2026,
            allocation_pence: 257_000,
            committed_elsewhere_pence: 0,
        }
    }

    #[test]
    fn ready_is_blocked_by_pp_plus_not_itemised_or_over_the_allocation_even_with_an_override() {
        let rule = MixRule::default();
        let mut english = good();
        english.need_area = "english".into();
        let mut writing = good();
        writing.need_area = "writing".into();
        let mut maths = good();
        maths.override_reason = "Agreed at the meeting".into();
        maths.pp_plus = vec![PpPlusLine {
            id: "m-p1".into(),
            item: "1:1 maths tuition".into(),
            provider: "Northdale Tutors".into(),
            unit_cost: "45".into(),
            sessions: "2".into(),
            weeks: "".into(),
            ..PpPlusLine::default()
        }];
        let targets = vec![english, writing, maths];
        let check = |targets: &[TargetDraft], budget: &PpPlusBudget| {
            ready_problems(
                targets,
                &window(),
                &rule,
                Phase::SchoolAge,
                Some(2),
                "",
                &[],
                budget,
            )
        };
        assert_eq!(
            check(&targets, &plenty_of_pp_plus()),
            vec!["Target 3: PP+ request 1: give the number of weeks".to_string()]
        );
        let mut costed = targets.clone();
        costed[2].pp_plus[0].weeks = "10".into();
        assert!(check(&costed, &plenty_of_pp_plus()).is_empty());
        let nearly_spent = PpPlusBudget {
            committed_elsewhere_pence: 257_000 - 89_999,
            ..plenty_of_pp_plus()
        };
        let problems = check(&costed, &nearly_spent);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("This PEP asks for £900.00 of PP+, but only £899.99 is left"),
            "{problems:?}"
        );
    }

    #[test]
    fn ready_is_blocked_by_errors_and_the_mix_rule_unless_overridden_with_a_reason() {
        let rule = MixRule::default();
        let mut english = good();
        english.need_area = "english".into();
        let mut third = good();
        third.need_area = "semh".into();
        third.actions.clear();
        let targets = vec![english, good(), third];
        let problems = ready_problems(
            &targets,
            &window(),
            &rule,
            Phase::SchoolAge,
            Some(2),
            "",
            &[],
            &plenty_of_pp_plus(),
        );
        assert_eq!(
            problems,
            vec![
                "Target 3: Add at least one action with who will do it: the child, the school, \
                 the carer or the social worker"
                    .to_string(),
                "At key stage 2 one target must be about writing".to_string(),
            ]
        );
        let mut overridden = targets.clone();
        overridden[2].override_reason = "The key adult is named in the EHC plan.".into();
        assert_eq!(
            ready_problems(
                &overridden,
                &window(),
                &rule,
                Phase::SchoolAge,
                Some(2),
                "Writing is in the EHC plan.",
                &[],
                &plenty_of_pp_plus(),
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            ready_problems(
                &targets[..2],
                &window(),
                &rule,
                Phase::SchoolAge,
                Some(3),
                "",
                &[],
                &plenty_of_pp_plus(),
            )
            .len(),
            1
        );
    }

    #[test]
    fn last_terms_target_in_the_area_is_evaluated_first_and_an_unmet_one_is_not_repeated() {
        let previous = |evaluation: &str| PreviousTarget {
            id: "t0".into(),
            version: 1,
            need_area: "maths".into(),
            statement: "Amelia will recall the 3, 4 and 8 times tables within 6 seconds per fact."
                .into(),
            success_measure: String::new(),
            evaluation: evaluation.into(),
            evidence: String::new(),
        };
        let found = check_against_previous(&good(), &[previous("")]);
        assert_eq!(
            checks(&found),
            want(&[(SmartCheck::PreviousNotEvaluated, Severity::Error)])
        );
        assert!(
            found[0].reason.contains("last PEP's Maths target"),
            "{}",
            found[0].reason
        );
        // Judged "not achieved", and the same words again (spacing and case aside): a warning.
        let mut again = good();
        again.statement =
            "amelia will recall the 3, 4 and 8 times-tables within 6 seconds per fact".into();
        let found = check_against_previous(&again, &[previous("not_achieved")]);
        assert_eq!(
            checks(&found),
            want(&[(SmartCheck::RepeatsUnmetTarget, Severity::Warning)])
        );
        assert_eq!(
            check_against_previous(&again, &[previous("achieved")]),
            vec![]
        );
        let mut other_area = good();
        other_area.need_area = "reading".into();
        assert_eq!(check_against_previous(&other_area, &[previous("")]), vec![]);
        assert_eq!(check_evaluation("partly", "Scored 18 of 25."), Ok(()));
        assert!(check_evaluation("sort of", "").is_err());
    }

    proptest! {
        #[test]
        fn any_target_is_checked_without_panicking_and_the_same_way_every_time(
            statement in "\\PC{0,120}", measure in "\\PC{0,60}", date in "\\PC{0,12}",
            baseline in "\\PC{0,40}", owner in "[a-z_]{0,20}",
        ) {
            let target = TargetDraft {
                need_area: "english".into(),
                reason_baseline: baseline,
                statement,
                success_measure: measure,
                target_date: date,
                actions: vec![ActionDraft { owner_role: owner, description: "x".into(), ..ActionDraft::default() }],
                ..TargetDraft::default()
            };
            let first = check_target(&target, &window(), &MixRule::default());
            prop_assert_eq!(&first, &check_target(&target, &window(), &MixRule::default()));
            let _ = check_target_bounds(&target);
        }
    }
}
