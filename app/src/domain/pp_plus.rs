//! Pupil Premium Plus (DOMAIN.md, "PP+", and check 11 of "SMART targets"): money the Virtual
//! School holds for each child per financial year (1 April to 31 March), released per itemised
//! request linked to one of the PEP's targets: item, provider, cost per session × sessions a
//! week × weeks.
//!
//! A request is checked as it is typed (every part given, amounts that read as money) and the
//! PEP's requests against what is left of the child's allocation this financial year. Both are
//! error-level: a PEP asking for money it cannot have, or for money not itemised, cannot be marked
//! ready. Changing a request the Virtual School has decided sends it back to them: the same rule
//! runs in the browser (as the person types) and on the server (against the stored request).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::smart::{Finding, Severity, SmartCheck};
use super::text_enum;

text_enum! {
    /// Where a PP+ request stands with the Virtual School.
    PpPlusStatus, "PP+ request status" {
        Requested = "requested", "waiting for the Virtual School";
        Approved = "approved", "approved";
        Declined = "declined", "declined";
    }
}

/// One itemised PP+ request of a target, as the form edits it: every part as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PpPlusLine {
    /// `{target id}-p…`, made by the page so a retried save never adds it twice.
    #[serde(default)]
    pub id: String,
    /// What is bought: "1:1 maths tuition".
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub provider: String,
    /// Pounds as typed: "45", "45.50", "£1,200".
    #[serde(default)]
    pub unit_cost: String,
    /// Sessions a week.
    #[serde(default)]
    pub sessions: String,
    #[serde(default)]
    pub weeks: String,
    /// A `PpPlusStatus` code; set by the Virtual School, never by saving the target.
    #[serde(default)]
    pub status: String,
    /// Why it was declined (or a note with an approval).
    #[serde(default)]
    pub decision_reason: String,
    /// The request's own version, for the Virtual School's decision (0: not stored yet).
    #[serde(default)]
    pub version: i64,
}

/// Most requests one target may carry.
pub const MOST_LINES: usize = 10;
/// The most one session may cost, and the most sessions and weeks a request may count.
pub const DEAREST_SESSION_PENCE: i64 = 1_000_000;
pub const MOST_SESSIONS_A_WEEK: i64 = 35;
pub const MOST_WEEKS: i64 = 52;
/// Longest item, provider or reason.
pub const LONGEST_WORDS: usize = 300;

impl PpPlusLine {
    /// Nothing typed yet: an empty row the person added and has not filled in.
    pub fn is_blank(&self) -> bool {
        [
            &self.item,
            &self.provider,
            &self.unit_cost,
            &self.sessions,
            &self.weeks,
        ]
        .iter()
        .all(|part| part.trim().is_empty())
    }

    pub fn status(&self) -> PpPlusStatus {
        PpPlusStatus::parse(&self.status).unwrap_or(PpPlusStatus::Requested)
    }

    /// Cost per session × sessions a week × weeks, once all three read.
    pub fn cost_pence(&self) -> Option<i64> {
        let unit = parse_pounds(&self.unit_cost).ok()?;
        let sessions = parse_count(&self.sessions, "sessions", MOST_SESSIONS_A_WEEK).ok()?;
        let weeks = parse_count(&self.weeks, "weeks", MOST_WEEKS).ok()?;
        Some(unit * sessions * weeks)
    }

    /// Whether it takes money from the allocation: asked for or approved, not declined.
    pub fn counts(&self) -> bool {
        self.status() != PpPlusStatus::Declined && !self.is_blank()
    }

    /// Whether `self` asks for something else than `before` did (so it goes back to the Virtual
    /// School). Amounts compare by value when both read: "45" and "£45.00" are the same request.
    pub fn changed_from(&self, before: &PpPlusLine) -> bool {
        fn same(now: &str, then: &str, read: impl Fn(&str) -> Option<i64>) -> bool {
            match (read(now), read(then)) {
                (Some(a), Some(b)) => a == b,
                _ => now.trim() == then.trim(),
            }
        }
        let words = |now: &str, then: &str| now.trim() == then.trim();
        !(words(&self.item, &before.item)
            && words(&self.provider, &before.provider)
            && same(&self.unit_cost, &before.unit_cost, |t| parse_pounds(t).ok())
            && same(&self.sessions, &before.sessions, |t| t.trim().parse().ok())
            && same(&self.weeks, &before.weeks, |t| t.trim().parse().ok()))
    }

    /// The person changed what is asked for: it waits for the Virtual School again.
    pub fn edited(&mut self) {
        self.status = PpPlusStatus::Requested.as_str().to_string();
        self.decision_reason.clear();
    }

    /// "£45.00 × 2 a week × 10 weeks = £900.00", or what is still missing.
    pub fn sum_in_words(&self) -> String {
        match self.cost_pence() {
            Some(total) => format!(
                "{} × {} a week × {} weeks = {}",
                pounds(parse_pounds(&self.unit_cost).unwrap_or(0)),
                self.sessions.trim(),
                self.weeks.trim(),
                pounds(total)
            ),
            None => "Give the cost per session, sessions a week and weeks to see the total".into(),
        }
    }
}

/// Reads an amount of money as typed: "45", "45.5", "45.50", "£1,200". Pence, or what to change.
pub fn parse_pounds(text: &str) -> Result<i64, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('£')
        .trim()
        .chars()
        .filter(|&c| c != ',')
        .collect();
    let refuse = || {
        format!(
            "“{}” is not an amount in pounds: write it like 45 or 45.50",
            text.trim()
        )
    };
    if cleaned.is_empty() {
        return Err("Give the cost per session in pounds, like 45 or 45.50".to_string());
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 9
    {
        return Err(refuse());
    }
    let pounds: i64 = whole.parse().map_err(|_| refuse())?;
    let pence: i64 = format!("{fraction:0<2}").parse().map_err(|_| refuse())?;
    let total = pounds * 100 + pence;
    if total == 0 {
        return Err("The cost per session must be more than £0".to_string());
    }
    if total > DEAREST_SESSION_PENCE {
        return Err(format!(
            "{} a session is more than the {} a request may ask per session",
            pounds_text(total),
            pounds_text(DEAREST_SESSION_PENCE)
        ));
    }
    Ok(total)
}

/// Reads a whole number from 1 to `most` ("sessions", "weeks").
pub fn parse_count(text: &str, what: &str, most: i64) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=most).contains(&n) => Ok(n),
        _ if text.trim().is_empty() => Err(format!("Give the number of {what}")),
        _ => Err(format!(
            "“{}” is not a number of {what} from 1 to {most}",
            text.trim()
        )),
    }
}

/// "£2,570.00".
pub fn pounds(pence: i64) -> String {
    pounds_text(pence)
}

fn pounds_text(pence: i64) -> String {
    let sign = if pence < 0 { "−" } else { "" };
    let pence = pence.abs();
    let whole = (pence / 100).to_string();
    let mut grouped = String::new();
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}£{grouped}.{:02}", pence % 100)
}

/// The financial year a day falls in, by the year it starts: 2026 for 1 April 2026 to 31 March
/// 2027.
pub fn financial_year_of(day: NaiveDate) -> i32 {
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// The first and last day of a financial year.
pub fn financial_year_days(starts: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(starts, 4, 1).expect("1 April exists"),
        NaiveDate::from_ymd_opt(starts + 1, 3, 31).expect("31 March exists"),
    )
}

/// The council's PP+ amounts per child per financial year (`council_policies` key `pp_plus`);
/// DOMAIN.md's 2024–25 figures by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PpPlusPolicy {
    #[serde(default = "school_age_allocation")]
    pub allocation_pence: i64,
    /// Early Years Pupil Premium, for children in the early years phase.
    #[serde(default = "early_years_allocation")]
    pub early_years_allocation_pence: i64,
}

fn school_age_allocation() -> i64 {
    257_000
}
fn early_years_allocation() -> i64 {
    38_800
}

impl Default for PpPlusPolicy {
    fn default() -> Self {
        PpPlusPolicy {
            allocation_pence: school_age_allocation(),
            early_years_allocation_pence: early_years_allocation(),
        }
    }
}

impl PpPlusPolicy {
    pub fn from_json(value: &str) -> Result<PpPlusPolicy, String> {
        serde_json::from_str(value).map_err(|e| format!("the PP+ amounts: {e}"))
    }
}

/// What a PEP's requests are checked against: the child's allocation for the financial year the
/// PEP falls in, less what the child's other PEPs of that year ask for or were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PpPlusBudget {
    /// The year the financial year starts (2026: April 2026 to March 2027).
    pub financial_year: i32,
    pub allocation_pence: i64,
    /// Approved or waiting on the child's other PEPs in the same financial year.
    pub committed_elsewhere_pence: i64,
}

impl PpPlusBudget {
    /// "April 2026 to March 2027".
    pub fn year_in_words(&self) -> String {
        format!(
            "April {} to March {}",
            self.financial_year,
            self.financial_year + 1
        )
    }

    /// What this PEP may still ask for.
    pub fn available_pence(&self) -> i64 {
        self.allocation_pence - self.committed_elsewhere_pence
    }
}

/// Sums the requests that take money (asked for or approved): (asked, approved).
pub fn totals<'a>(lines: impl IntoIterator<Item = &'a PpPlusLine>) -> (i64, i64) {
    lines
        .into_iter()
        .filter(|line| line.counts())
        .fold((0, 0), |(asked, approved), line| {
            let cost = line.cost_pence().unwrap_or(0);
            let approved_cost = if line.status() == PpPlusStatus::Approved {
                cost
            } else {
                0
            };
            (asked + cost, approved + approved_cost)
        })
}

/// Check 11, per target: every request fully itemised with amounts that read (error).
pub fn check_lines(lines: &[PpPlusLine]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if line.is_blank() || line.status() == PpPlusStatus::Declined {
            continue;
        }
        let mut missing = Vec::new();
        if line.item.trim().is_empty() {
            missing.push("what is bought".to_string());
        }
        if line.provider.trim().is_empty() {
            missing.push("who provides it".to_string());
        }
        for problem in [
            parse_pounds(&line.unit_cost).err(),
            parse_count(&line.sessions, "sessions a week", MOST_SESSIONS_A_WEEK).err(),
            parse_count(&line.weeks, "weeks", MOST_WEEKS).err(),
        ]
        .into_iter()
        .flatten()
        {
            missing.push(lowercase_first(&problem));
        }
        if !missing.is_empty() {
            findings.push(Finding {
                letter: 'A',
                check: SmartCheck::PpPlusNotItemised,
                severity: Severity::Error,
                reason: format!("PP+ request {}: {}", n + 1, missing.join("; ")),
            });
        }
    }
    findings
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Check 11, over the PEP: its requests fit in what is left of the child's allocation (error).
pub fn check_budget<'a>(
    lines: impl IntoIterator<Item = &'a PpPlusLine>,
    budget: &PpPlusBudget,
) -> Vec<Finding> {
    let (asked, _) = totals(lines);
    let available = budget.available_pence();
    if asked <= available {
        return Vec::new();
    }
    vec![Finding {
        letter: 'A',
        check: SmartCheck::PpPlusOverAllocation,
        severity: Severity::Error,
        reason: format!(
            "This PEP asks for {} of PP+, but only {} is left of the child's {} for {}: \
             lower a request or remove one",
            pounds(asked),
            pounds(available.max(0)),
            pounds(budget.allocation_pence),
            budget.year_in_words()
        ),
    }]
}

/// Checks requests before they are stored (422 otherwise): known ids, lengths, amounts that read
/// when given. Missing parts are kept: a half-written request is saved and checked as it is.
pub fn check_line_bounds(
    target_id: &str,
    lines: &[PpPlusLine],
) -> Result<(), Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    if lines.len() > MOST_LINES {
        problems.push((
            "pp_plus",
            format!("A target may carry at most {MOST_LINES} PP+ requests"),
        ));
    }
    for (n, line) in lines.iter().enumerate() {
        let number = n + 1;
        if !is_line_id_of(target_id, &line.id) {
            problems.push((
                "pp_plus",
                format!("“{}” is not a PP+ request of this target", line.id),
            ));
        }
        for (part, text) in [("item", &line.item), ("provider", &line.provider)] {
            if text.chars().count() > LONGEST_WORDS {
                problems.push((
                    "pp_plus",
                    format!(
                        "PP+ request {number}: the {part} must be {LONGEST_WORDS} characters or fewer"
                    ),
                ));
            }
        }
        let amounts = [
            (!line.unit_cost.trim().is_empty())
                .then(|| parse_pounds(&line.unit_cost).err())
                .flatten(),
            (!line.sessions.trim().is_empty())
                .then(|| parse_count(&line.sessions, "sessions a week", MOST_SESSIONS_A_WEEK).err())
                .flatten(),
            (!line.weeks.trim().is_empty())
                .then(|| parse_count(&line.weeks, "weeks", MOST_WEEKS).err())
                .flatten(),
        ];
        for problem in amounts.into_iter().flatten() {
            problems.push(("pp_plus", format!("PP+ request {number}: {problem}")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether a request id from the browser may name a request of this target: `{target id}-p…`.
pub fn is_line_id_of(target_id: &str, line_id: &str) -> bool {
    super::ids::is_part_id_of(target_id, "-p", line_id)
}

/// Checks the Virtual School's decision on a request: a known decision; a reason to decline.
pub fn check_decision(
    decision: &str,
    reason: &str,
) -> Result<PpPlusStatus, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let status = match PpPlusStatus::parse(decision) {
        Ok(PpPlusStatus::Approved) => Some(PpPlusStatus::Approved),
        Ok(PpPlusStatus::Declined) => Some(PpPlusStatus::Declined),
        _ => {
            problems.push((
                "decision",
                format!("“{decision}” is not a decision: approve or decline"),
            ));
            None
        }
    };
    if status == Some(PpPlusStatus::Declined) && reason.trim().is_empty() {
        problems.push((
            "reason",
            "Say why the request is declined: the designated teacher reads it to change the \
             request"
                .to_string(),
        ));
    }
    if reason.chars().count() > LONGEST_WORDS * 3 {
        problems.push((
            "reason",
            format!(
                "The reason must be {} characters or fewer",
                LONGEST_WORDS * 3
            ),
        ));
    }
    match (status, problems.is_empty()) {
        (Some(status), true) => Ok(status),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(item: &str, unit: &str, sessions: &str, weeks: &str) -> PpPlusLine {
        PpPlusLine {
            id: "t1-p1".into(),
            item: item.into(),
            provider: "Northdale Tutors".into(),
            unit_cost: unit.into(),
            sessions: sessions.into(),
            weeks: weeks.into(),
            ..PpPlusLine::default()
        }
    }

    fn budget(elsewhere: i64) -> PpPlusBudget {
        PpPlusBudget {
            financial_year: 2026,
            allocation_pence: 257_000,
            committed_elsewhere_pence: elsewhere,
        }
    }

    #[test]
    fn money_reads_as_people_type_it() {
        assert_eq!(parse_pounds("45"), Ok(4_500));
        assert_eq!(parse_pounds("45.5"), Ok(4_550));
        assert_eq!(parse_pounds(" £1,200.05 "), Ok(120_005));
        assert_eq!(parse_pounds("45."), Ok(4_500));
        for bad in ["abc", "45.555", "-5", ".5", "4 5", "£", "1e3"] {
            assert!(parse_pounds(bad).is_err(), "{bad} should be refused");
        }
        assert!(parse_pounds("0").unwrap_err().contains("more than £0"));
        assert!(
            parse_pounds("10000.01")
                .unwrap_err()
                .contains("more than the £10,000.00")
        );
        assert_eq!(parse_pounds("10000"), Ok(DEAREST_SESSION_PENCE));
    }

    #[test]
    fn pounds_are_written_with_pence_and_thousands() {
        assert_eq!(pounds(257_000), "£2,570.00");
        assert_eq!(pounds(5), "£0.05");
        assert_eq!(pounds(123_456_789), "£1,234,567.89");
        assert_eq!(pounds(-4_500), "−£45.00");
    }

    #[test]
    fn a_request_costs_unit_times_sessions_times_weeks() {
        let tuition = line("1:1 maths tuition", "45.50", "2", "10");
        assert_eq!(tuition.cost_pence(), Some(91_000));
        assert_eq!(
            tuition.sum_in_words(),
            "£45.50 × 2 a week × 10 weeks = £910.00"
        );
        assert_eq!(line("x", "45", "", "10").cost_pence(), None);
        assert_eq!(line("x", "45", "2", "53").cost_pence(), None);
    }

    #[test]
    fn the_financial_year_turns_on_the_first_of_april() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(financial_year_of(day(2027, 3, 31)), 2026);
        assert_eq!(financial_year_of(day(2027, 4, 1)), 2027);
        assert_eq!(financial_year_of(day(2026, 12, 1)), 2026);
        assert_eq!(
            financial_year_days(2026),
            (day(2026, 4, 1), day(2027, 3, 31))
        );
        assert_eq!(budget(0).year_in_words(), "April 2026 to March 2027");
    }

    #[test]
    fn an_incomplete_request_says_every_missing_part() {
        let mut half = line("", "abc", "", "10");
        half.provider.clear();
        let findings = check_lines(&[line("Tuition", "45", "2", "10"), half]);
        assert_eq!(findings.len(), 1);
        let reason = &findings[0].reason;
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(reason.starts_with("PP+ request 2: "), "{reason}");
        for part in [
            "what is bought",
            "who provides it",
            "“abc” is not an amount",
            "give the number of sessions a week",
        ] {
            assert!(reason.contains(part), "{reason} lacks {part}");
        }
        // A blank row, and a declined request, are not checked.
        let mut declined = line("", "", "", "");
        declined.item = "Laptop".into();
        declined.status = "declined".into();
        assert!(check_lines(&[PpPlusLine::default(), declined]).is_empty());
    }

    #[test]
    fn the_pep_may_ask_for_what_is_left_and_no_more() {
        let lines = [
            line("Tuition", "45", "2", "10"), // £900
            line("Music", "30", "1", "10"),   // £300
        ];
        assert!(check_budget(&lines, &budget(257_000 - 120_000)).is_empty());
        let over = check_budget(&lines, &budget(257_000 - 119_999));
        assert_eq!(over.len(), 1);
        assert_eq!(
            over[0].reason,
            "This PEP asks for £1,200.00 of PP+, but only £1,199.99 is left of the child's \
             £2,570.00 for April 2026 to March 2027: lower a request or remove one"
        );
        // Declined requests take nothing.
        let mut declined = lines.clone();
        declined[0].status = "declined".into();
        assert!(check_budget(&declined, &budget(257_000 - 30_000)).is_empty());
        assert_eq!(totals(&declined), (30_000, 0));
    }

    #[test]
    fn changing_what_is_asked_for_needs_a_new_decision() {
        let approved = PpPlusLine {
            status: "approved".into(),
            decision_reason: "Good plan".into(),
            ..line("Tuition", "45", "2", "10")
        };
        let mut same = approved.clone();
        same.unit_cost = "£45.00".into();
        assert!(!same.changed_from(&approved));
        let mut dearer = approved.clone();
        dearer.weeks = "12".into();
        assert!(dearer.changed_from(&approved));
        dearer.edited();
        assert_eq!(dearer.status(), PpPlusStatus::Requested);
        assert!(dearer.decision_reason.is_empty());
        let mut half = line("Tuition", "4x", "2", "10");
        let before = half.clone();
        assert!(!half.changed_from(&before));
        half.unit_cost = "4y".into();
        assert!(half.changed_from(&before));
    }

    #[test]
    fn stored_requests_are_bounded_and_belong_to_their_target() {
        assert!(check_line_bounds("t1", &[line("Tuition", "", "", "")]).is_ok());
        let problems = check_line_bounds("t1", &[line("Tuition", "4x", "99", "")]).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        let mut foreign = line("Tuition", "45", "2", "10");
        foreign.id = "t2-p1".into();
        assert!(check_line_bounds("t1", &[foreign]).is_err());
        assert!(is_line_id_of("t1", "t1-p17-x"));
        assert!(!is_line_id_of("t1", "t1-a17"));
        assert!(!is_line_id_of("t1", "t1-p"));
        let many = vec![line("Tuition", "45", "2", "10"); MOST_LINES + 1];
        assert!(check_line_bounds("t1", &many).is_err());
    }

    #[test]
    fn declining_needs_a_reason() {
        assert_eq!(check_decision("approved", ""), Ok(PpPlusStatus::Approved));
        assert_eq!(
            check_decision("declined", "Not linked to the need"),
            Ok(PpPlusStatus::Declined)
        );
        assert_eq!(check_decision("declined", "  ").unwrap_err()[0].0, "reason");
        assert_eq!(
            check_decision("requested", "").unwrap_err()[0].0,
            "decision"
        );
    }

    #[test]
    fn policy_reads_from_json_with_defaults() {
        assert_eq!(PpPlusPolicy::from_json("{}"), Ok(PpPlusPolicy::default()));
        let set = PpPlusPolicy::from_json(r#"{"allocation_pence": 260000}"#).unwrap();
        assert_eq!(set.allocation_pence, 260_000);
        assert_eq!(set.early_years_allocation_pence, 38_800);
        assert!(PpPlusPolicy::from_json(r#"{"allocation": 1}"#).is_err());
    }

    mod any_input {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics_and_answers_the_same_twice(
                unit in "\\PC{0,12}", sessions in "\\PC{0,4}", weeks in "\\PC{0,4}", item in "\\PC{0,20}"
            ) {
                let request = PpPlusLine { id: "t-p1".into(), item, unit_cost: unit, sessions, weeks, ..PpPlusLine::default() };
                let first = (check_lines(std::slice::from_ref(&request)), request.cost_pence(), check_line_bounds("t", std::slice::from_ref(&request)));
                let again = (check_lines(std::slice::from_ref(&request)), request.cost_pence(), check_line_bounds("t", std::slice::from_ref(&request)));
                prop_assert_eq!(first, again);
                let _ = check_budget([&request], &budget(0));
                let _ = request.sum_in_words();
            }
        }
    }
}
