//! Which PEPs a child should have, and when each is due (DOMAIN.md, "Who gets a PEP, and when").
//!
//! Pure: the caller brings the child's situation, the council's policy and the calendars; the
//! answer is the PEPs to create, each with its due date explained in words. Choices (written down
//! in docs/architecture.md):
//! - an event (coming into care, a school move) is covered once any PEP is due on or after it;
//! - a PEP of any kind due in a term is that term's review, so no termly PEP is added beside it;
//! - the term in progress is the one to schedule; in a holiday, the term that follows it;
//! - a trigger in a holiday counts from reopening (only open days are counted), so no separate
//!   interim PEP is created.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::academic_year::AcademicYear;
use super::calendar::{BankHolidays, Period, PeriodKind, SchoolCalendar};
use super::deadlines::{
    Conventions, CountError, DayKind, Days, Deadline, Rule, due_before, due_date, long_date,
};
use super::pep::{PepKind, PepState, Term};
use super::roles::Role;

/// A council's deadline rules (`council_policies` key `deadline_rules`), defaults from DOMAIN.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// After an emergency placement: statutory 10 working days.
    pub initial_pep: Rule,
    /// New to care or a new school: 20 school days (some councils: 20 working days).
    pub new_to_care_or_school: Rule,
    /// The designated teacher completes and submits after the meeting: 5 working days.
    pub submission_after_meeting: Rule,
    /// Pre-meeting contributions, by role, before the meeting.
    pub contributions_before_meeting: BTreeMap<Role, Rule>,
    /// Termly final dates the council publishes; a term without one is due by the end of its
    /// first half (the last school day before half-term).
    pub termly_final_dates: BTreeMap<(AcademicYear, Term), NaiveDate>,
    pub conventions: Conventions,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        let working = |count| Rule {
            count,
            kind: DayKind::Working,
        };
        DeadlinePolicy {
            initial_pep: working(10),
            new_to_care_or_school: Rule {
                count: 20,
                kind: DayKind::School,
            },
            submission_after_meeting: working(5),
            contributions_before_meeting: [
                (Role::SocialWorker, working(10)),
                (Role::Carer, working(5)),
                (Role::YoungPerson, working(5)),
            ]
            .into_iter()
            .collect(),
            termly_final_dates: BTreeMap::new(),
            conventions: Conventions::default(),
        }
    }
}

/// The stored form: rules in words ("20 school days"), every key optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPolicy {
    initial_pep: Option<String>,
    new_to_care_or_school: Option<String>,
    submission_after_meeting: Option<String>,
    contributions_before_meeting: Option<BTreeMap<String, String>>,
    /// "2026/27 autumn" → "2026-12-11".
    #[serde(default)]
    termly_final_dates: BTreeMap<String, NaiveDate>,
    #[serde(default)]
    counting: StoredCounting,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StoredCounting {
    #[serde(default)]
    trigger_day_counted: bool,
    #[serde(default)]
    inset_days_are_school_days: bool,
}

impl DeadlinePolicy {
    /// Reads the stored JSON; every problem is named so the council's settings can be mended.
    pub fn from_json(json: &str) -> Result<DeadlinePolicy, String> {
        let stored: StoredPolicy =
            serde_json::from_str(json).map_err(|e| format!("deadline rules: {e}"))?;
        let defaults = DeadlinePolicy::default();
        let rule = |text: Option<String>, default: Rule, what: &str| match text {
            None => Ok(default),
            Some(text) => Rule::parse(&text).map_err(|e| format!("deadline rules, {what}: {e}")),
        };
        let contributions_before_meeting = match stored.contributions_before_meeting {
            None => defaults.contributions_before_meeting.clone(),
            Some(map) => map
                .into_iter()
                .map(|(role, text)| {
                    let role = Role::parse(&role).map_err(|e| format!("deadline rules: {e}"))?;
                    let rule = Rule::parse(&text)
                        .map_err(|e| format!("deadline rules, {role} contributions: {e}"))?;
                    Ok((role, rule))
                })
                .collect::<Result<_, String>>()?,
        };
        let termly_final_dates = stored
            .termly_final_dates
            .into_iter()
            .map(|(key, date)| {
                let bad = || {
                    format!(
                        "deadline rules: “{key}” is not a term: write the academic year and the \
                         term, like “2026/27 autumn”"
                    )
                };
                let (year, term) = key.trim().split_once(' ').ok_or_else(bad)?;
                let year = AcademicYear::parse(year).map_err(|_| bad())?;
                let term = Term::parse(term.trim()).map_err(|_| bad())?;
                Ok(((year, term), date))
            })
            .collect::<Result<_, String>>()?;
        Ok(DeadlinePolicy {
            initial_pep: rule(stored.initial_pep, defaults.initial_pep, "initial PEP")?,
            new_to_care_or_school: rule(
                stored.new_to_care_or_school,
                defaults.new_to_care_or_school,
                "new to care or school",
            )?,
            submission_after_meeting: rule(
                stored.submission_after_meeting,
                defaults.submission_after_meeting,
                "submission after the meeting",
            )?,
            contributions_before_meeting,
            termly_final_dates,
            conventions: Conventions {
                trigger_day_counts: stored.counting.trigger_day_counted,
                inset_days_are_school_days: stored.counting.inset_days_are_school_days,
            },
        })
    }

    /// The school calendar as this council counts it: INSET days are school days only if the
    /// council says so.
    pub fn counting_calendar(
        &self,
        periods: &[Period],
        bank_holidays: &BankHolidays,
    ) -> Option<SchoolCalendar> {
        if periods.is_empty() {
            return None;
        }
        let periods = periods
            .iter()
            .filter(|p| {
                !(self.conventions.inset_days_are_school_days && p.kind == PeriodKind::Inset)
            })
            .cloned()
            .collect();
        Some(SchoolCalendar::new(periods, bank_holidays.clone()))
    }
}

/// The deadline rules as a form: each rule in words, final dates one a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRulesForm {
    pub initial_pep: String,
    pub new_to_care_or_school: String,
    pub submission_after_meeting: String,
    pub social_worker_contribution: String,
    pub carer_contribution: String,
    pub young_person_contribution: String,
    /// "2026/27 autumn: 2026-12-11", one a line.
    pub termly_final_dates: String,
    /// "yes" or "no".
    pub trigger_day_counted: String,
    /// "yes" or "no".
    pub inset_days_are_school_days: String,
}

impl DeadlinePolicy {
    pub fn to_form(&self) -> DeadlineRulesForm {
        let contribution = |role| {
            self.contributions_before_meeting
                .get(&role)
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        DeadlineRulesForm {
            initial_pep: self.initial_pep.to_string(),
            new_to_care_or_school: self.new_to_care_or_school.to_string(),
            submission_after_meeting: self.submission_after_meeting.to_string(),
            social_worker_contribution: contribution(Role::SocialWorker),
            carer_contribution: contribution(Role::Carer),
            young_person_contribution: contribution(Role::YoungPerson),
            termly_final_dates: self
                .termly_final_dates
                .iter()
                .map(|((year, term), date)| format!("{year} {}: {date}", term.as_str()))
                .collect::<Vec<_>>()
                .join("\n"),
            trigger_day_counted: yes_no(self.conventions.trigger_day_counts),
            inset_days_are_school_days: yes_no(self.conventions.inset_days_are_school_days),
        }
    }

    /// The stored JSON document (`council_policies.deadline_rules`) for this policy.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "initial_pep": self.initial_pep.to_string(),
            "new_to_care_or_school": self.new_to_care_or_school.to_string(),
            "submission_after_meeting": self.submission_after_meeting.to_string(),
            "contributions_before_meeting": self
                .contributions_before_meeting
                .iter()
                .map(|(role, rule)| (role.as_str().to_string(), rule.to_string()))
                .collect::<BTreeMap<_, _>>(),
            "termly_final_dates": self
                .termly_final_dates
                .iter()
                .map(|((year, term), date)| (format!("{year} {}", term.as_str()), date.to_string()))
                .collect::<BTreeMap<_, _>>(),
            "counting": {
                "trigger_day_counted": self.conventions.trigger_day_counts,
                "inset_days_are_school_days": self.conventions.inset_days_are_school_days,
            },
        })
    }
}

/// Checks the form; every problem named by its field.
pub fn check_deadline_rules(
    form: &DeadlineRulesForm,
) -> Result<DeadlinePolicy, Vec<super::register::FieldProblem>> {
    let mut problems = Vec::new();
    let mut rule = |field: &'static str, text: &str| match Rule::parse(text.trim()) {
        Ok(rule) => Some(rule),
        Err(problem) => {
            problems.push((field, problem));
            None
        }
    };
    let initial_pep = rule("initial_pep", &form.initial_pep);
    let new_to_care_or_school = rule("new_to_care_or_school", &form.new_to_care_or_school);
    let submission_after_meeting = rule("submission_after_meeting", &form.submission_after_meeting);
    let mut contributions = BTreeMap::new();
    for (role, field, text) in [
        (
            Role::SocialWorker,
            "social_worker_contribution",
            &form.social_worker_contribution,
        ),
        (Role::Carer, "carer_contribution", &form.carer_contribution),
        (
            Role::YoungPerson,
            "young_person_contribution",
            &form.young_person_contribution,
        ),
    ] {
        if let Some(rule) = rule(field, text) {
            contributions.insert(role, rule);
        }
    }
    let mut termly_final_dates = BTreeMap::new();
    for (n, line) in form.termly_final_dates.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line.split_once(':').and_then(|(term, date)| {
            let (year, term) = term.trim().split_once(' ')?;
            Some((
                AcademicYear::parse(year).ok()?,
                Term::parse(term.trim().to_lowercase().as_str()).ok()?,
                NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?,
            ))
        });
        match parsed {
            Some((year, term, date)) => {
                termly_final_dates.insert((year, term), date);
            }
            None => problems.push((
                "termly_final_dates",
                format!(
                    "line {}: “{}” is not a final date: write the year, the term and the date, \
                     like 2026/27 autumn: 2026-12-11",
                    n + 1,
                    line.trim()
                ),
            )),
        }
    }
    let yes = |field: &'static str, value: &str, problems: &mut Vec<_>| match value {
        "yes" => true,
        "no" => false,
        _ => {
            problems.push((field, "Choose yes or no".to_string()));
            false
        }
    };
    let conventions = Conventions {
        trigger_day_counts: yes(
            "trigger_day_counted",
            &form.trigger_day_counted,
            &mut problems,
        ),
        inset_days_are_school_days: yes(
            "inset_days_are_school_days",
            &form.inset_days_are_school_days,
            &mut problems,
        ),
    };
    match (
        problems.is_empty(),
        initial_pep,
        new_to_care_or_school,
        submission_after_meeting,
    ) {
        (true, Some(initial_pep), Some(new_to_care_or_school), Some(submission_after_meeting)) => {
            Ok(DeadlinePolicy {
                initial_pep,
                new_to_care_or_school,
                submission_after_meeting,
                contributions_before_meeting: contributions,
                termly_final_dates,
                conventions,
            })
        }
        _ => Err(problems),
    }
}

/// One term of a calendar: from its first day until the day before the next term begins
/// (holidays belong to the term that follows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermWindow {
    pub academic_year: AcademicYear,
    pub term: Term,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
    /// The first holiday inside the term, usually its half-term.
    pub half_term: Option<Period>,
}

/// Which term a term period is from the month it starts in (also the term a date falls in
/// when no calendar says): autumn from August, spring from January, summer from April.
fn term_starting(start: NaiveDate) -> (AcademicYear, Term) {
    let term = match start.month() {
        8..=12 => Term::Autumn,
        1..=3 => Term::Spring,
        _ => Term::Summer,
    };
    let year = if start.month() >= 8 {
        start.year()
    } else {
        start.year() - 1
    };
    (AcademicYear::starting(year), term)
}

/// The calendar's terms in order.
pub fn term_windows(calendar: &SchoolCalendar) -> Vec<TermWindow> {
    let terms: Vec<&Period> = calendar
        .periods()
        .iter()
        .filter(|p| p.kind == PeriodKind::Term)
        .collect();
    terms
        .iter()
        .map(|period| {
            let (academic_year, term) = term_starting(period.start);
            let half_term = calendar
                .periods()
                .iter()
                .find(|p| {
                    p.kind == PeriodKind::Holiday && p.start > period.start && p.end < period.end
                })
                .cloned();
            TermWindow {
                academic_year,
                term,
                starts: period.start,
                ends: period.end,
                half_term,
            }
        })
        .collect()
}

/// The term in progress on `day`, or the next one when `day` is in a holiday.
pub fn term_for(windows: &[TermWindow], day: NaiveDate) -> Option<&TermWindow> {
    windows.iter().find(|w| w.ends >= day)
}

/// "autumn term 2026/27".
pub fn term_words(year: AcademicYear, term: Term) -> String {
    format!("{} term {year}", term.label())
}

/// Why a PEP could not be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ScheduleProblem {
    #[error("{0}")]
    Count(#[from] CountError),
    #[error("no calendar gives the dates of the {0}: add the school's term dates")]
    NoTermDates(String),
}

/// The termly review's due date: the council's final date for the term, or the last school day
/// of the first half of the term.
pub fn termly_due(
    policy: &DeadlinePolicy,
    window: &TermWindow,
    calendar: &SchoolCalendar,
) -> Deadline {
    let term = term_words(window.academic_year, window.term);
    if let Some(&due) = policy
        .termly_final_dates
        .get(&(window.academic_year, window.term))
    {
        return Deadline {
            due,
            counted: DayKind::School,
            explanation: format!(
                "The council's final date for {term} PEP meetings: due {}",
                long_date(due)
            ),
        };
    }
    let days = Days::School(calendar);
    let (before, what) = match &window.half_term {
        Some(half_term) => (half_term.start, format!("before the {}", half_term.label)),
        None => (
            window.ends + chrono::Duration::days(1),
            "by the end of the term".to_string(),
        ),
    };
    let due = before
        .pred_opt()
        .into_iter()
        .flat_map(|d| std::iter::successors(Some(d), |d| d.pred_opt()))
        .take(60)
        .find(|d| days.is_open(*d))
        .unwrap_or(window.starts);
    Deadline {
        due,
        counted: DayKind::School,
        explanation: format!(
            "In the first half of the {term}, {what}: due {} (the last school day)",
            long_date(due)
        ),
    }
}

/// A PEP already on record for the child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingPep {
    pub id: String,
    pub academic_year: AcademicYear,
    pub term: Term,
    pub due_on: NaiveDate,
    pub state: PepState,
    /// The school that leads it (its designated teacher writes it).
    pub school_id: Option<String>,
    /// The event it answers (coming into care, a school move), if any.
    pub trigger_on: Option<NaiveDate>,
}

impl ExistingPep {
    /// Still being written: a move can bring it forward and hand it to the new school. A PEP
    /// submitted or approved was written by the old school and stays as it is.
    pub fn is_open(&self) -> bool {
        !matches!(self.state, PepState::Submitted | PepState::Approved)
    }
}

/// A change to a PEP already on record, because of a school move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PepChange {
    pub pep_id: String,
    /// The new due date and its explanation, when the move brings it forward.
    pub brought_forward: Option<Deadline>,
    /// The school that now leads it.
    pub school_id: Option<String>,
    /// The move it now answers.
    pub trigger_on: NaiveDate,
    /// What happened, in words, for the page and the audit.
    pub words: String,
}

/// What the schedule needs to know about a child today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSituation {
    /// Whether a PEP is due for the child at all (`child::eligibility`).
    pub eligible: bool,
    /// The current care episode's start, and whether it was an emergency placement.
    pub in_care_since: Option<(NaiveDate, bool)>,
    /// The start at the current school, with its name, when the child is on a school's roll.
    pub at_school_since: Option<(NaiveDate, String)>,
    /// The current school's id (the school a move hands the PEP to).
    pub school_id: Option<String>,
    pub existing: Vec<ExistingPep>,
}

/// A PEP the schedule says should exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPep {
    pub academic_year: AcademicYear,
    pub term: Term,
    pub kind: PepKind,
    /// The event it follows (coming into care, a school move), for event-driven PEPs.
    pub trigger_on: Option<NaiveDate>,
    pub deadline: Deadline,
}

/// The PEPs to create for a child today, and what stopped any other from being scheduled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub planned: Vec<PlannedPep>,
    /// PEPs on record brought forward or handed to a new school by a move.
    pub changes: Vec<PepChange>,
    pub problems: Vec<ScheduleProblem>,
}

/// The PEPs to create for a child today. `school` is the child's school calendar (school days
/// fall back to working days without one); `terms` is the calendar whose terms decide which
/// term it is (the school's, else the council default).
pub fn peps_to_create(
    child: &ChildSituation,
    policy: &DeadlinePolicy,
    school: Option<&SchoolCalendar>,
    terms: Option<&SchoolCalendar>,
    bank_holidays: &BankHolidays,
    today: NaiveDate,
) -> Schedule {
    let mut schedule = Schedule::default();
    if !child.eligible {
        return schedule;
    }
    let Some((in_care_since, emergency)) = child.in_care_since else {
        return schedule;
    };
    let windows = terms.map(term_windows).unwrap_or_default();
    let term_of = |day: NaiveDate| {
        term_for(&windows, day)
            .map(|w| (w.academic_year, w.term))
            .unwrap_or_else(|| term_starting(day))
    };
    let planned = &mut schedule.planned;

    // The latest event: a school move while in care, else coming into care.
    let event = match &child.at_school_since {
        Some((since, school)) if *since > in_care_since => Some((
            *since,
            PepKind::NewSchool,
            policy.new_to_care_or_school,
            format!("the move to {school}"),
        )),
        _ => Some(if emergency {
            (
                in_care_since,
                PepKind::Initial,
                policy.initial_pep,
                "the emergency placement".to_string(),
            )
        } else {
            (
                in_care_since,
                PepKind::NewSchool,
                policy.new_to_care_or_school,
                "coming into care".to_string(),
            )
        }),
    };
    let is_move = matches!(&child.at_school_since, Some((since, _)) if *since > in_care_since);
    // A PEP still being written, soonest due first: a move brings it forward, never adds a second.
    let open = child
        .existing
        .iter()
        .filter(|p| p.is_open())
        .min_by_key(|p| p.due_on);
    let answered = |on: NaiveDate| child.existing.iter().any(|p| p.trigger_on == Some(on));
    if let Some((on, kind, rule, words)) = event {
        // A PEP on record due on or after the event.
        let covered = child.existing.iter().any(|p| p.due_on >= on);
        let needed = if is_move { !answered(on) } else { !covered };
        if needed {
            match due_date(rule, &words, on, school, bank_holidays, policy.conventions) {
                // A move whose deadline has passed, with a PEP written since, is history: it is
                // not brought forward into the past (moves recorded before this rule existed).
                Ok(deadline) if is_move && covered && deadline.due < today => {}
                Ok(deadline) => match open.filter(|_| is_move) {
                    Some(pep) => schedule.changes.push(change_for_move(
                        pep,
                        deadline,
                        child.school_id.clone(),
                        on,
                        &words,
                    )),
                    None => {
                        let (academic_year, term) = term_of(deadline.due);
                        planned.push(PlannedPep {
                            academic_year,
                            term,
                            kind,
                            trigger_on: Some(on),
                            deadline,
                        });
                    }
                },
                Err(problem) => schedule.problems.push(problem.into()),
            }
        }
    }

    // This term's review, unless a PEP is already due in this term.
    let (Some(window), Some(calendar)) = (term_for(&windows, today), terms) else {
        let (year, term) = term_starting(today);
        schedule
            .problems
            .push(ScheduleProblem::NoTermDates(term_words(year, term)));
        return schedule;
    };
    let held_this_term = |year: AcademicYear, term: Term| {
        child
            .existing
            .iter()
            .any(|p| p.academic_year == year && p.term == term)
            || planned
                .iter()
                .any(|p| p.academic_year == year && p.term == term)
    };
    if !held_this_term(window.academic_year, window.term) {
        planned.push(PlannedPep {
            academic_year: window.academic_year,
            term: window.term,
            kind: PepKind::Termly,
            trigger_on: None,
            deadline: termly_due(policy, window, calendar),
        });
    }
    schedule
}

/// What a move does to the PEP being written: due no later than `deadline` (brought forward when
/// it was due later; one due sooner keeps its date) and led by the new school.
fn change_for_move(
    pep: &ExistingPep,
    deadline: Deadline,
    school_id: Option<String>,
    on: NaiveDate,
    move_words: &str,
) -> PepChange {
    let school_changes = school_id.is_some() && school_id != pep.school_id;
    let led = if school_changes {
        ", and the new school's designated teacher leads it"
    } else {
        ""
    };
    if pep.due_on > deadline.due {
        let explanation = format!(
            "{}; brought forward from {} by {move_words}",
            deadline.explanation,
            long_date(pep.due_on)
        );
        PepChange {
            pep_id: pep.id.clone(),
            words: format!(
                "the PEP being written is now due {} (was {}){led}",
                long_date(deadline.due),
                long_date(pep.due_on)
            ),
            brought_forward: Some(Deadline {
                explanation,
                ..deadline
            }),
            school_id: school_id.filter(|_| school_changes),
            trigger_on: on,
        }
    } else {
        PepChange {
            pep_id: pep.id.clone(),
            words: format!(
                "the PEP being written stays due {}, sooner than {} needs{led}",
                long_date(pep.due_on),
                move_words
            ),
            brought_forward: None,
            school_id: school_id.filter(|_| school_changes),
            trigger_on: on,
        }
    }
}

/// The submission deadline after a meeting held on `meeting_on`.
pub fn submission_due(
    policy: &DeadlinePolicy,
    meeting_on: NaiveDate,
    school: Option<&SchoolCalendar>,
    bank_holidays: &BankHolidays,
) -> Result<Deadline, CountError> {
    due_date(
        policy.submission_after_meeting,
        "the PEP meeting",
        meeting_on,
        school,
        bank_holidays,
        policy.conventions,
    )
}

/// Each role's contribution deadline before a meeting on `meeting_on`, in role order.
pub fn contributions_due(
    policy: &DeadlinePolicy,
    meeting_on: NaiveDate,
    school: Option<&SchoolCalendar>,
    bank_holidays: &BankHolidays,
) -> Vec<(Role, Deadline)> {
    policy
        .contributions_before_meeting
        .iter()
        .map(|(role, rule)| {
            (
                *role,
                due_before(*rule, "the PEP meeting", meeting_on, school, bank_holidays),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{
        ENGLAND_AND_WALES, SHIPPED_BANK_HOLIDAYS_JSON, parse_calendar_csv,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn bank_holidays() -> BankHolidays {
        BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES).unwrap()
    }

    /// Northdale's community calendar 2026/27, as the demo council has it.
    fn northdale() -> SchoolCalendar {
        let csv = "start,end,kind,label\n\
            2026-09-01,2026-12-18,term,Autumn term\n\
            2026-09-01,2026-09-01,inset,INSET day\n\
            2026-10-26,2026-10-30,holiday,Autumn half-term\n\
            2026-12-21,2027-01-01,holiday,Christmas holiday\n\
            2027-01-04,2027-03-25,term,Spring term\n\
            2027-01-04,2027-01-04,inset,INSET day\n\
            2027-02-15,2027-02-19,holiday,Spring half-term\n\
            2027-03-26,2027-04-09,holiday,Easter holiday\n\
            2027-04-12,2027-07-21,term,Summer term\n\
            2027-05-31,2027-06-04,holiday,Summer half-term\n";
        SchoolCalendar::new(parse_calendar_csv(csv).unwrap(), bank_holidays())
    }

    /// The schedule for a child at a Northdale community school.
    fn plan(
        situation: &ChildSituation,
        policy: &DeadlinePolicy,
        today: NaiveDate,
    ) -> Vec<PlannedPep> {
        let calendar = northdale();
        peps_to_create(
            situation,
            policy,
            Some(&calendar),
            Some(&calendar),
            &bank_holidays(),
            today,
        )
        .planned
    }

    fn child(in_care: NaiveDate, emergency: bool) -> ChildSituation {
        ChildSituation {
            eligible: true,
            in_care_since: Some((in_care, emergency)),
            at_school_since: None,
            school_id: None,
            existing: Vec::new(),
        }
    }

    fn on_record(year: i32, term: Term, due_on: NaiveDate, state: PepState) -> ExistingPep {
        ExistingPep {
            id: format!("pep-{due_on}"),
            academic_year: AcademicYear::starting(year),
            term,
            due_on,
            state,
            school_id: Some("old-school".into()),
            trigger_on: None,
        }
    }

    fn moved(to: &str, on: NaiveDate, existing: Vec<ExistingPep>) -> ChildSituation {
        let mut situation = child(d(2025, 3, 1), false);
        situation.at_school_since = Some((on, to.to_string()));
        situation.school_id = Some("new-school".into());
        situation.existing = existing;
        situation
    }

    fn run(situation: &ChildSituation, today: NaiveDate) -> Schedule {
        let calendar = northdale();
        peps_to_create(
            situation,
            &DeadlinePolicy::default(),
            Some(&calendar),
            Some(&calendar),
            &bank_holidays(),
            today,
        )
    }

    #[test]
    fn a_move_brings_the_pep_being_written_forward_and_hands_it_to_the_new_school() {
        // The autumn review is due 11 December; a move on Monday 2 November needs one by 30
        // November (20 school days, the day of the move not counted).
        let termly = on_record(2026, Term::Autumn, d(2026, 12, 11), PepState::Draft);
        let situation = moved("Riverside Academy", d(2026, 11, 2), vec![termly]);
        let schedule = run(&situation, d(2026, 11, 2));
        assert_eq!(schedule.planned, Vec::new(), "no second PEP");
        let change = &schedule.changes[0];
        let forward = change.brought_forward.as_ref().expect("brought forward");
        assert_eq!(forward.due, d(2026, 11, 30));
        assert!(
            forward.explanation.ends_with(
                "; brought forward from 11 December 2026 by the move to Riverside Academy"
            ),
            "{}",
            forward.explanation
        );
        assert_eq!(change.school_id.as_deref(), Some("new-school"));
        assert!(
            change
                .words
                .contains("now due 30 November 2026 (was 11 December 2026)"),
            "{}",
            change.words
        );

        // Once it answers the move, nothing more happens.
        let mut after = situation.clone();
        after.existing[0].due_on = forward.due;
        after.existing[0].trigger_on = Some(d(2026, 11, 2));
        after.existing[0].school_id = Some("new-school".into());
        let again = run(&after, d(2026, 11, 3));
        assert_eq!(
            (again.planned.len(), again.changes.len()),
            (0, 0),
            "{again:?}"
        );
    }

    #[test]
    fn a_pep_due_sooner_than_the_move_needs_keeps_its_date_and_changes_school() {
        let soon = on_record(2026, Term::Autumn, d(2026, 11, 13), PepState::Meeting);
        let schedule = run(
            &moved("Riverside Academy", d(2026, 11, 2), vec![soon]),
            d(2026, 11, 2),
        );
        assert_eq!(schedule.planned, Vec::new());
        let change = &schedule.changes[0];
        assert_eq!(change.brought_forward, None);
        assert_eq!(change.school_id.as_deref(), Some("new-school"));
        assert!(
            change.words.contains("stays due 13 November 2026"),
            "{}",
            change.words
        );
    }

    #[test]
    fn a_move_after_the_terms_pep_was_approved_schedules_a_new_one() {
        let approved = on_record(2026, Term::Autumn, d(2026, 12, 11), PepState::Approved);
        let schedule = run(
            &moved("Northdale High", d(2026, 11, 2), vec![approved]),
            d(2026, 11, 2),
        );
        assert_eq!(schedule.changes, Vec::new());
        assert_eq!(schedule.planned.len(), 1, "{schedule:?}");
        assert_eq!(schedule.planned[0].kind, PepKind::NewSchool);
        assert_eq!(schedule.planned[0].deadline.due, d(2026, 11, 30));
        assert_eq!(schedule.planned[0].trigger_on, Some(d(2026, 11, 2)));
    }

    #[test]
    fn the_stored_policy_reads_rules_in_words_and_keeps_defaults_for_the_rest() {
        let policy = DeadlinePolicy::from_json(
            r#"{ "new_to_care_or_school": "20 working days",
                 "termly_final_dates": { "2026/27 autumn": "2026-12-11" },
                 "counting": { "trigger_day_counted": true } }"#,
        )
        .unwrap();
        assert_eq!(policy.new_to_care_or_school.kind, DayKind::Working);
        assert_eq!(policy.initial_pep, DeadlinePolicy::default().initial_pep);
        assert!(policy.conventions.trigger_day_counts);
        assert_eq!(
            policy.termly_final_dates[&(AcademicYear::starting(2026), Term::Autumn)],
            d(2026, 12, 11)
        );
    }

    #[test]
    fn the_rules_form_round_trips_through_the_stored_json() {
        let mut policy = DeadlinePolicy::default();
        policy.termly_final_dates.insert(
            (AcademicYear::starting(2026), Term::Autumn),
            d(2026, 12, 11),
        );
        policy.conventions.trigger_day_counts = true;
        let form = policy.to_form();
        assert_eq!(form.termly_final_dates, "2026/27 autumn: 2026-12-11");
        assert_eq!(check_deadline_rules(&form).unwrap(), policy);
        assert_eq!(
            DeadlinePolicy::from_json(&policy.to_json().to_string()).unwrap(),
            policy
        );
        let bad = DeadlineRulesForm {
            initial_pep: "ten days".into(),
            termly_final_dates: "autumn: 11 December".into(),
            inset_days_are_school_days: "maybe".into(),
            ..form
        };
        let fields: Vec<&str> = check_deadline_rules(&bad)
            .unwrap_err()
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(
            fields,
            [
                "initial_pep",
                "termly_final_dates",
                "inset_days_are_school_days"
            ]
        );
    }

    #[test]
    fn a_broken_policy_names_what_to_mend() {
        let err =
            DeadlinePolicy::from_json(r#"{ "initial_pep": "ten working days" }"#).unwrap_err();
        assert!(err.contains("initial PEP"), "{err}");
        let err =
            DeadlinePolicy::from_json(r#"{ "termly_final_dates": { "autumn": "2026-12-11" } }"#)
                .unwrap_err();
        assert!(err.contains("like “2026/27 autumn”"), "{err}");
        let err = DeadlinePolicy::from_json(r#"{ "intial_pep": "10 working days" }"#).unwrap_err();
        assert!(err.contains("intial_pep"), "{err}");
    }

    #[test]
    fn an_emergency_placement_gets_an_initial_pep_in_10_working_days() {
        let planned = plan(
            &child(d(2026, 11, 20), true),
            &DeadlinePolicy::default(),
            d(2026, 11, 23),
        );
        let initial = &planned[0];
        assert_eq!(initial.kind, PepKind::Initial);
        assert_eq!(initial.deadline.due, d(2026, 12, 4));
        assert_eq!(
            initial.deadline.explanation,
            "10 working days from the emergency placement on 20 November 2026: due 4 December 2026"
        );
        // The initial PEP is due this term, so it is this term's review too.
        assert_eq!(planned.len(), 1, "{planned:?}");
    }

    #[test]
    fn a_school_move_in_half_term_counts_school_days_from_reopening() {
        let mut situation = child(d(2025, 3, 1), false);
        situation.at_school_since = Some((d(2026, 10, 28), "Northdale High School".into()));
        situation.existing = vec![on_record(
            2026,
            Term::Autumn,
            d(2026, 10, 9),
            PepState::Approved,
        )];
        let planned = plan(&situation, &DeadlinePolicy::default(), d(2026, 10, 28));
        assert_eq!(planned.len(), 1, "{planned:?}");
        let new_school = &planned[0];
        assert_eq!(new_school.kind, PepKind::NewSchool);
        // Reopens Monday 2 November; 20 school days: 2-27 November.
        assert_eq!(new_school.deadline.due, d(2026, 11, 27));
        assert!(
            new_school
                .deadline
                .explanation
                .contains("skipping the Autumn half-term"),
            "{}",
            new_school.deadline.explanation
        );
    }

    #[test]
    fn the_termly_review_is_due_before_half_term_unless_the_council_sets_a_final_date() {
        let mut situation = child(d(2024, 5, 1), false);
        situation.existing = vec![on_record(
            2026,
            Term::Autumn,
            d(2026, 10, 23),
            PepState::Approved,
        )];
        // In the Christmas holiday, the next term is spring.
        let today = d(2026, 12, 22);
        let planned = plan(&situation, &DeadlinePolicy::default(), today);
        assert_eq!(planned.len(), 1, "{planned:?}");
        assert_eq!(planned[0].kind, PepKind::Termly);
        assert_eq!(
            (planned[0].academic_year, planned[0].term),
            (AcademicYear::starting(2026), Term::Spring)
        );
        assert_eq!(planned[0].deadline.due, d(2027, 2, 12));
        assert_eq!(
            planned[0].deadline.explanation,
            "In the first half of the spring term 2026/27, before the Spring half-term: due 12 \
             February 2027 (the last school day)"
        );
        let mut policy = DeadlinePolicy::default();
        policy
            .termly_final_dates
            .insert((AcademicYear::starting(2026), Term::Spring), d(2027, 3, 19));
        assert_eq!(
            plan(&situation, &policy, today)[0].deadline.due,
            d(2027, 3, 19)
        );
    }

    #[test]
    fn nothing_is_scheduled_twice_or_for_a_child_who_is_not_eligible() {
        let mut situation = child(d(2026, 11, 20), true);
        let first = plan(&situation, &DeadlinePolicy::default(), d(2026, 11, 23));
        situation.existing = first
            .iter()
            .map(|p| ExistingPep {
                trigger_on: p.trigger_on,
                ..on_record(
                    p.academic_year.start_year(),
                    p.term,
                    p.deadline.due,
                    PepState::Scheduled,
                )
            })
            .collect();
        let again = plan(&situation, &DeadlinePolicy::default(), d(2026, 11, 24));
        assert_eq!(again, Vec::new());
        situation.eligible = false;
        situation.existing.clear();
        let none = plan(&situation, &DeadlinePolicy::default(), d(2026, 11, 24));
        assert_eq!(none, Vec::new());
    }

    #[test]
    fn without_term_dates_the_schedule_says_what_to_add() {
        let schedule = peps_to_create(
            &child(d(2026, 11, 2), false),
            &DeadlinePolicy::default(),
            None,
            None,
            &bank_holidays(),
            d(2026, 11, 23),
        );
        // Coming into care is still scheduled (working days without a school)...
        assert_eq!(schedule.planned.len(), 1, "{schedule:?}");
        assert_eq!(schedule.planned[0].deadline.counted, DayKind::Working);
        // ...and the termly review waits for term dates, saying so.
        assert_eq!(
            schedule
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["no calendar gives the dates of the autumn term 2026/27: add the school's term dates"]
        );
    }

    #[test]
    fn contributions_are_due_counted_back_from_the_meeting_and_submission_after_it() {
        let calendar = northdale();
        let policy = DeadlinePolicy::default();
        let meeting = d(2026, 11, 4);
        let due = contributions_due(&policy, meeting, Some(&calendar), &bank_holidays());
        let social_worker = &due
            .iter()
            .find(|(r, _)| *r == Role::SocialWorker)
            .unwrap()
            .1;
        // 10 working days back from Wednesday 4 November: 21 October (half-term is not a
        // school holiday for working days).
        assert_eq!(social_worker.due, d(2026, 10, 21));
        assert_eq!(
            social_worker.explanation,
            "10 working days before the PEP meeting on 4 November 2026: due 21 October 2026"
        );
        let submit = submission_due(&policy, meeting, Some(&calendar), &bank_holidays()).unwrap();
        assert_eq!(submit.due, d(2026, 11, 11));
    }

    #[test]
    fn inset_days_count_as_school_days_only_if_the_council_says_so() {
        let calendar = northdale();
        let mut policy = DeadlinePolicy::default();
        policy.conventions.inset_days_are_school_days = true;
        let counting = policy
            .counting_calendar(calendar.periods(), &bank_holidays())
            .unwrap();
        assert!(counting.is_school_day(d(2027, 1, 4)));
        assert!(!calendar.is_school_day(d(2027, 1, 4)));
    }
}
