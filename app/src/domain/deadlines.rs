//! Counting days to a deadline, with the rule in words so people can trust the date.
//!
//! Conventions (DOMAIN.md, "Counting days"), explicit and configurable: the trigger day is not
//! counted unless `Conventions::trigger_day_counts`; INSET and closure days are not school days;
//! with no school calendar, school days fall back to working days (and the words say so); a trigger
//! in a holiday counts from reopening, because only open days are counted.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{
    BankHolidays, ClosedBecause, PeriodKind, SchoolCalendar, working_day_closed_because,
};
use super::text_enum;

text_enum! {
    /// Which days a rule counts.
    DayKind, "kind of day" {
        Calendar = "calendar", "calendar days";
        Working = "working", "working days";
        School = "school", "school days";
    }
}

impl DayKind {
    /// "school day" or "school days".
    pub fn words(self, count: i64) -> String {
        let plural = self.label();
        if count.abs() == 1 {
            plural.trim_end_matches('s').to_string()
        } else {
            plural.to_string()
        }
    }
}

/// "20 school days": a number of days of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub count: u32,
    pub kind: DayKind,
}

/// The longest rule accepted: two school years.
pub const LONGEST_RULE: u32 = 400;

impl Rule {
    /// Reads "20 school days", "10 working days", "1 calendar day".
    pub fn parse(text: &str) -> Result<Rule, String> {
        let problem = || {
            format!(
                "“{text}” is not a rule: write a number and a kind of day, like “20 school days”, \
                 “10 working days” or “14 calendar days”"
            )
        };
        let words: Vec<String> = text.split_whitespace().map(|w| w.to_lowercase()).collect();
        let [count, kind, day] = words.as_slice() else {
            return Err(problem());
        };
        let count: u32 = count.parse().map_err(|_| problem())?;
        if !matches!(day.as_str(), "day" | "days") {
            return Err(problem());
        }
        let kind = DayKind::parse(kind).map_err(|_| problem())?;
        if !(1..=LONGEST_RULE).contains(&count) {
            return Err(format!(
                "count between 1 and {LONGEST_RULE} days (“{text}” has {count})"
            ));
        }
        Ok(Rule { count, kind })
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.count,
            self.kind.words(i64::from(self.count))
        )
    }
}

/// How a council counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conventions {
    /// Count the trigger day itself as day 1 when it is an open day (default: not counted).
    pub trigger_day_counts: bool,
    /// Count INSET days as school days (default: they are not: pupils are not in school).
    #[serde(default)]
    pub inset_days_are_school_days: bool,
}

/// The days a count walks over: the child's school calendar, or working or calendar days.
#[derive(Debug, Clone, Copy)]
pub enum Days<'a> {
    Calendar,
    Working(&'a BankHolidays),
    School(&'a SchoolCalendar),
}

impl Days<'_> {
    /// The days a rule of `kind` counts for a child with `calendar` (or none): school days fall
    /// back to working days without a school.
    pub fn for_rule<'a>(
        kind: DayKind,
        calendar: Option<&'a SchoolCalendar>,
        bank_holidays: &'a BankHolidays,
    ) -> Days<'a> {
        match (kind, calendar) {
            (DayKind::Calendar, _) => Days::Calendar,
            (DayKind::School, Some(calendar)) => Days::School(calendar),
            _ => Days::Working(bank_holidays),
        }
    }

    pub fn kind(&self) -> DayKind {
        match self {
            Days::Calendar => DayKind::Calendar,
            Days::Working(_) => DayKind::Working,
            Days::School(_) => DayKind::School,
        }
    }

    fn closed_because(&self, day: NaiveDate) -> Option<ClosedBecause> {
        match self {
            Days::Calendar => None,
            Days::Working(holidays) => working_day_closed_because(holidays, day),
            Days::School(calendar) => calendar.closed_because(day),
        }
    }

    pub fn is_open(&self, day: NaiveDate) -> bool {
        self.closed_because(day).is_none()
    }

    /// The last day these days can be counted to: past it, holidays or terms are unknown.
    fn known_until(&self) -> Option<NaiveDate> {
        match self {
            Days::Calendar => None,
            Days::Working(holidays) => holidays
                .last_year()
                .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
            Days::School(calendar) => {
                let term_end = calendar.term_range().map(|(_, end)| end);
                let holidays_end = calendar
                    .bank_holidays()
                    .last_year()
                    .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31));
                match (term_end, holidays_end) {
                    (Some(t), Some(h)) => Some(t.min(h)),
                    (t, h) => t.or(h),
                }
            }
        }
    }
}

/// Why a date could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CountError {
    #[error(
        "{rule} from {from} runs past {known_until}, the last day the {what} covers: add the next \
         dates to count this far"
    )]
    BeyondKnownDates {
        rule: String,
        from: String,
        known_until: String,
        what: String,
    },
}

/// A due date with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// The kind actually counted (school days fall back to working days without a school).
    pub counted: DayKind,
    /// "20 school days from the school move on 3 March 2025, skipping the Easter holiday: due
    /// 2 April 2025".
    pub explanation: String,
}

/// "3 March 2025".
pub fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// The date `rule` after `from` (the `trigger`, in words: "the school move"), counted over the
/// child's school calendar (or working days without one).
pub fn due_date(
    rule: Rule,
    trigger: &str,
    from: NaiveDate,
    calendar: Option<&SchoolCalendar>,
    bank_holidays: &BankHolidays,
    conventions: Conventions,
) -> Result<Deadline, CountError> {
    let days = Days::for_rule(rule.kind, calendar, bank_holidays);
    let known_until = days.known_until();
    let beyond = |known: NaiveDate| CountError::BeyondKnownDates {
        rule: rule.to_string(),
        from: long_date(from),
        known_until: long_date(known),
        what: match days {
            Days::School(_) => "school calendar",
            _ => "bank holiday list",
        }
        .to_string(),
    };
    let mut counted = 0;
    if conventions.trigger_day_counts && days.is_open(from) {
        counted = 1;
    }
    let mut day = from;
    let mut skipped: Vec<ClosedBecause> = Vec::new();
    while counted < rule.count {
        day += Duration::days(1);
        if let Some(known) = known_until
            && day > known
        {
            return Err(beyond(known));
        }
        match days.closed_because(day) {
            None => counted += 1,
            Some(ClosedBecause::Weekend) => {}
            Some(reason) => skipped.push(reason),
        }
    }
    let fallback = if rule.kind == DayKind::School && days.kind() == DayKind::Working {
        " (no school calendar, so working days)"
    } else {
        ""
    };
    let counting_trigger = if conventions.trigger_day_counts {
        ", counting that day"
    } else {
        ""
    };
    let skipping = skipped_in_words(&skipped);
    let explanation = format!(
        "{rule}{fallback} from {trigger} on {}{counting_trigger}{skipping}: due {}",
        long_date(from),
        long_date(day),
    );
    Ok(Deadline {
        due: day,
        counted: days.kind(),
        explanation,
    })
}

/// The date `rule` before `event` (in words: "the PEP meeting"), for contributions due before a
/// meeting: the open day reached by counting back, the event day itself not counted.
pub fn due_before(
    rule: Rule,
    event: &str,
    on: NaiveDate,
    calendar: Option<&SchoolCalendar>,
    bank_holidays: &BankHolidays,
) -> Deadline {
    let days = Days::for_rule(rule.kind, calendar, bank_holidays);
    let mut counted = 0;
    let mut day = on;
    // Counting back never runs out of known dates in a way that matters: a meeting is at most
    // a term away, and a day before the known terms counts as closed, so stop after two years.
    let mut steps = 0;
    while counted < rule.count && steps < 800 {
        day -= Duration::days(1);
        steps += 1;
        if days.is_open(day) {
            counted += 1;
        }
    }
    let fallback = if rule.kind == DayKind::School && days.kind() == DayKind::Working {
        " (no school calendar, so working days)"
    } else {
        ""
    };
    Deadline {
        due: day,
        counted: days.kind(),
        explanation: format!(
            "{rule}{fallback} before {event} on {}: due {}",
            long_date(on),
            long_date(day)
        ),
    }
}

/// ", skipping the Autumn half-term, 2 INSET days and Good Friday" (empty when nothing was).
fn skipped_in_words(skipped: &[ClosedBecause]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut inset_days = 0;
    let mut out_of_term = false;
    for reason in skipped {
        let part = match reason {
            ClosedBecause::Weekend => continue,
            ClosedBecause::Period(PeriodKind::Inset, _) => {
                inset_days += 1;
                continue;
            }
            ClosedBecause::OutOfTerm => {
                out_of_term = true;
                continue;
            }
            ClosedBecause::Period(PeriodKind::Closure, label) => format!("the closure “{label}”"),
            ClosedBecause::Period(_, label) => format!("the {label}"),
            ClosedBecause::BankHoliday(title) => title.clone(),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    match inset_days {
        0 => {}
        1 => parts.push("an INSET day".into()),
        n => parts.push(format!("{n} INSET days")),
    }
    if out_of_term {
        parts.push("days out of term".into());
    }
    match parts.as_slice() {
        [] => String::new(),
        [one] => format!(", skipping {one}"),
        [rest @ .., last] => format!(", skipping {} and {last}", rest.join(", ")),
    }
}

/// Open days in (`from`, `to`]; negative when `to` is before `from`. Counting `due_date`'s rule
/// back from its due date gives the rule's count.
pub fn days_between(days: Days<'_>, from: NaiveDate, to: NaiveDate) -> i64 {
    let (start, end, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let open = start
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= end)
        .filter(|d| days.is_open(*d))
        .count();
    sign * open as i64
}

/// "due today", "in 5 school days", "1 working day overdue": the countdown shown next to a date.
pub fn countdown_words(days: Days<'_>, today: NaiveDate, due: NaiveDate) -> String {
    if due == today {
        return "due today".to_string();
    }
    let kind = days.kind();
    let n = days_between(days, today, due);
    match n {
        0 if due > today => format!("due before the next {}", kind.words(1)),
        0 => "due today".to_string(),
        n if n > 0 => format!("in {n} {}", kind.words(n)),
        n => format!("{} {} overdue", -n, kind.words(n)),
    }
}

/// How urgent a deadline is, for text and colour together (never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Urgency {
    Overdue,
    /// Within five open days.
    Soon,
    Later,
}

pub fn urgency(days: Days<'_>, today: NaiveDate, due: NaiveDate) -> Urgency {
    match days_between(days, today, due) {
        _ if due < today => Urgency::Overdue,
        n if n <= 5 => Urgency::Soon,
        _ => Urgency::Later,
    }
}

/// The first open day on or after `day` (a trigger in a holiday counts from reopening).
pub fn next_open_day(days: Days<'_>, day: NaiveDate) -> NaiveDate {
    day.iter_days()
        .take(800)
        .find(|d| days.is_open(*d))
        .unwrap_or(day)
}

/// Whether a date is a weekday (for callers that only need that).
pub fn is_weekday(day: NaiveDate) -> bool {
    day.weekday().number_from_monday() <= 5
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::calendar::{
        ENGLAND_AND_WALES, SHIPPED_BANK_HOLIDAYS_JSON, parse_calendar_csv,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn holidays() -> BankHolidays {
        BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES).unwrap()
    }

    /// Riverside Academy's 2026/27 calendar from the demo: a two-week October half-term, its own
    /// INSET days (2-3 September, 27 November, 4 January, 7 June).
    const RIVERSIDE: &str = "start,end,kind,label\n\
        2026-09-02,2026-12-17,term,Autumn term\n\
        2026-09-02,2026-09-03,inset,INSET days\n\
        2026-10-19,2026-10-30,holiday,October half-term\n\
        2026-11-27,2026-11-27,inset,INSET day: safeguarding training\n\
        2026-12-18,2027-01-01,holiday,Christmas holiday\n\
        2027-01-04,2027-03-25,term,Spring term\n\
        2027-01-04,2027-01-04,inset,INSET day\n\
        2027-02-15,2027-02-19,holiday,Spring half-term\n\
        2027-03-26,2027-04-09,holiday,Easter holiday\n\
        2027-04-12,2027-07-20,term,Summer term\n\
        2027-05-31,2027-06-04,holiday,Summer half-term\n\
        2027-06-07,2027-06-07,inset,INSET day\n";

    fn riverside() -> SchoolCalendar {
        SchoolCalendar::new(parse_calendar_csv(RIVERSIDE).unwrap(), holidays())
    }

    fn rule(text: &str) -> Rule {
        Rule::parse(text).unwrap()
    }

    #[test]
    fn rules_are_read_from_words_and_bad_ones_say_how_to_write_them() {
        assert_eq!(
            rule("20 school days"),
            Rule {
                count: 20,
                kind: DayKind::School
            }
        );
        assert_eq!(rule("1 Working Day").to_string(), "1 working day");
        assert_eq!(rule("14 calendar days").to_string(), "14 calendar days");
        for bad in [
            "twenty school days",
            "20 school",
            "20 term days",
            "",
            "0 school days",
        ] {
            assert!(Rule::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Rule::parse("20 weeks")
                .unwrap_err()
                .contains("like “20 school days”")
        );
    }

    /// Worked by hand on Riverside's calendar.
    #[test]
    fn school_days_skip_weekends_half_terms_inset_days_and_bank_holidays() {
        let calendar = riverside();
        let cases = [
            // Monday 12 Oct 2026 + 20: 13-16 Oct (4), half-term 19-30 Oct, 2-6 Nov (9),
            // 9-13 (14), 16-20 (19), Mon 23 Nov = 20.
            (d(2026, 10, 12), "20 school days", d(2026, 11, 23)),
            // Friday 20 Nov + 10: 23-26 Nov (4), 27 Nov INSET, 30 Nov-4 Dec (9), Mon 7 Dec = 10.
            (d(2026, 11, 20), "10 school days", d(2026, 12, 7)),
            // Over Christmas: Tue 15 Dec + 5: 16, 17 Dec (2), holiday to 1 Jan, 4 Jan INSET,
            // 5, 6, 7 Jan = 5.
            (d(2026, 12, 15), "5 school days", d(2027, 1, 7)),
            // A trigger in the Easter holiday counts from reopening: Sat 27 Mar 2027 + 1 is Mon 12 Apr.
            (d(2027, 3, 27), "1 school day", d(2027, 4, 12)),
        ];
        for (from, text, due) in cases {
            let deadline = due_date(
                rule(text),
                "the school move",
                from,
                Some(&calendar),
                &holidays(),
                Conventions::default(),
            )
            .unwrap();
            assert_eq!(
                deadline.due, due,
                "{text} from {from}: {}",
                deadline.explanation
            );
        }
    }

    #[test]
    fn the_explanation_names_what_was_skipped() {
        let calendar = riverside();
        let deadline = due_date(
            rule("20 school days"),
            "the school move",
            d(2026, 10, 12),
            Some(&calendar),
            &holidays(),
            Conventions::default(),
        )
        .unwrap();
        assert_eq!(
            deadline.explanation,
            "20 school days from the school move on 12 October 2026, skipping the October \
             half-term: due 23 November 2026"
        );
        let deadline = due_date(
            rule("30 school days"),
            "the school move",
            d(2027, 3, 1),
            Some(&calendar),
            &holidays(),
            Conventions::default(),
        )
        .unwrap();
        // 2-5 Mar (4), 8-12 (9), 15-19 (14), 22-25 (18), Easter holiday 26 Mar-9 Apr (with Good
        // Friday and Easter Monday inside it), 12-16 Apr (23), 19-23 (28), 26, 27 Apr = 30.
        assert_eq!(deadline.due, d(2027, 4, 27));
        assert_eq!(
            deadline.explanation,
            "30 school days from the school move on 1 March 2027, skipping the Easter holiday: \
             due 27 April 2027"
        );
    }

    #[test]
    fn working_days_skip_bank_holidays_but_not_school_holidays() {
        // Thursday 2 Apr 2026 + 10 working days: Good Friday 3 Apr and Easter Monday 6 Apr
        // skipped, 7-10 Apr (4), 13-17 (9), Mon 20 Apr = 10.
        let deadline = due_date(
            rule("10 working days"),
            "the emergency placement",
            d(2026, 4, 2),
            None,
            &holidays(),
            Conventions::default(),
        )
        .unwrap();
        assert_eq!(deadline.due, d(2026, 4, 20));
        assert_eq!(
            deadline.explanation,
            "10 working days from the emergency placement on 2 April 2026, skipping Good Friday \
             and Easter Monday: due 20 April 2026"
        );
    }

    #[test]
    fn without_a_school_school_days_become_working_days_and_say_so() {
        let deadline = due_date(
            rule("20 school days"),
            "entering care",
            d(2026, 10, 12),
            None,
            &holidays(),
            Conventions::default(),
        )
        .unwrap();
        assert_eq!(deadline.counted, DayKind::Working);
        assert_eq!(deadline.due, d(2026, 11, 9));
        assert!(deadline.explanation.starts_with(
            "20 school days (no school calendar, so working days) from entering care"
        ));
    }

    #[test]
    fn counting_the_trigger_day_is_a_council_choice() {
        let conventions = Conventions {
            trigger_day_counts: true,
            ..Conventions::default()
        };
        let deadline = due_date(
            rule("5 working days"),
            "the meeting",
            d(2026, 11, 2),
            None,
            &holidays(),
            conventions,
        )
        .unwrap();
        // Mon 2 Nov counts as day 1: due Fri 6 Nov (not Mon 9 Nov).
        assert_eq!(deadline.due, d(2026, 11, 6));
        assert!(deadline.explanation.contains("counting that day"));
    }

    #[test]
    fn counting_past_the_known_dates_is_refused_not_guessed() {
        let calendar = riverside();
        let error = due_date(
            rule("20 school days"),
            "the school move",
            d(2027, 7, 5),
            Some(&calendar),
            &holidays(),
            Conventions::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("20 July 2027"), "{error}");
        let error = due_date(
            rule("10 working days"),
            "the placement",
            d(2027, 12, 24),
            None,
            &holidays(),
            Conventions::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("bank holiday list"), "{error}");
    }

    #[test]
    fn countdowns_say_how_many_days_and_which_kind() {
        let calendar = riverside();
        let days = Days::School(&calendar);
        let due = d(2026, 11, 23);
        assert_eq!(
            countdown_words(days, d(2026, 11, 16), due),
            "in 5 school days"
        );
        assert_eq!(
            countdown_words(days, d(2026, 11, 20), due),
            "in 1 school day"
        );
        assert_eq!(countdown_words(days, due, due), "due today");
        assert_eq!(
            countdown_words(days, d(2026, 11, 25), due),
            "2 school days overdue"
        );
        assert_eq!(urgency(days, d(2026, 11, 16), due), Urgency::Soon);
        assert_eq!(urgency(days, d(2026, 11, 2), due), Urgency::Later);
        assert_eq!(urgency(days, d(2026, 11, 24), due), Urgency::Overdue);
        assert_eq!(next_open_day(days, d(2026, 10, 24)), d(2026, 11, 2));
    }

    proptest! {
        #[test]
        fn a_due_date_is_always_an_open_day_and_counting_back_gives_the_rule(
            offset in 0i64..300,
            count in 1u32..60,
            school in any::<bool>(),
        ) {
            let calendar = riverside();
            let bank_holidays = holidays();
            let from = d(2026, 8, 20) + Duration::days(offset);
            let kind = if school { DayKind::School } else { DayKind::Working };
            let rule = Rule { count, kind };
            match due_date(rule, "the trigger", from, Some(&calendar), &bank_holidays, Conventions::default()) {
                Ok(deadline) => {
                    let days = Days::for_rule(kind, Some(&calendar), &bank_holidays);
                    prop_assert!(days.is_open(deadline.due), "{}", deadline.explanation);
                    prop_assert!(deadline.due > from);
                    prop_assert_eq!(days_between(days, from, deadline.due), i64::from(count));
                    prop_assert_eq!(days_between(days, deadline.due, from), -i64::from(count));
                }
                // Only near the end of the calendar.
                Err(CountError::BeyondKnownDates { .. }) => prop_assert!(from > d(2027, 3, 1)),
            }
        }
    }
}
