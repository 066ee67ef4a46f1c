//! The school facts a PEP records (DOMAIN.md, "The PEP's content"): attendance with its
//! persistent and severe absence flags, suspensions and exclusions (each recorded with its type,
//! dates, days, reason, reintegration meeting and who was told when, counted against the 45-day
//! limit), and part-time timetables whose planned end has passed. Each result says what it means
//! in words.

use super::plausible::check_date_in_range;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::academic_year::AcademicYear;
use super::deadlines::long_date;
use super::text_enum;

/// Attendance for a period, from sessions (two a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub sessions_possible: u32,
    pub sessions_attended: u32,
}

/// How worrying an attendance figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceFlag {
    None,
    /// At or below 92%: many schools watch from here.
    AtRisk,
    /// 10% or more of sessions missed.
    Persistent,
    /// 50% or more of sessions missed.
    Severe,
}

impl Attendance {
    /// Checks the figures: attended cannot exceed possible.
    pub fn new(sessions_possible: u32, sessions_attended: u32) -> Result<Attendance, String> {
        if sessions_attended > sessions_possible {
            return Err(format!(
                "{sessions_attended} sessions attended is more than the {sessions_possible} \
                 possible: check both numbers"
            ));
        }
        Ok(Attendance {
            sessions_possible,
            sessions_attended,
        })
    }

    /// Attendance in tenths of a percent, rounded down (so 89.99% never shows as 90.0%).
    pub fn per_mille(self) -> Option<u32> {
        (self.sessions_possible > 0).then(|| {
            (u64::from(self.sessions_attended) * 1000 / u64::from(self.sessions_possible)) as u32
        })
    }

    pub fn flag(self) -> AbsenceFlag {
        let possible = u64::from(self.sessions_possible);
        let missed = possible - u64::from(self.sessions_attended);
        match possible {
            0 => AbsenceFlag::None,
            // Exact integer comparisons: missed / possible >= 1/2, >= 1/10; attended <= 92%.
            _ if missed * 2 >= possible => AbsenceFlag::Severe,
            _ if missed * 10 >= possible => AbsenceFlag::Persistent,
            _ if u64::from(self.sessions_attended) * 100 <= possible * 92 => AbsenceFlag::AtRisk,
            _ => AbsenceFlag::None,
        }
    }

    /// "89.9% (341 of 380 sessions): persistent absence, 10% or more of sessions missed".
    pub fn in_words(self) -> String {
        let Some(per_mille) = self.per_mille() else {
            return "No sessions recorded yet".to_string();
        };
        let figure = format!(
            "{}.{}% ({} of {} sessions)",
            per_mille / 10,
            per_mille % 10,
            self.sessions_attended,
            self.sessions_possible
        );
        match self.flag() {
            AbsenceFlag::Severe => {
                format!("{figure}: severe absence, half or more of sessions missed")
            }
            AbsenceFlag::Persistent => {
                format!("{figure}: persistent absence, 10% or more of sessions missed")
            }
            AbsenceFlag::AtRisk => format!("{figure}: at risk of persistent absence (92% or less)"),
            AbsenceFlag::None => figure,
        }
    }
}

/// One suspension: its days, and whether it was a lunchtime one (half a day each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub days: u32,
    pub lunchtime: bool,
}

/// The most days of suspension a pupil may have in a school year.
pub const SUSPENSION_DAYS_LIMIT_HALVES: u32 = 45 * 2;

/// Suspension days this school year in half days (a lunchtime suspension counts half a day), and
/// what they mean against the 45-day limit.
pub fn suspensions_in_words(suspensions: &[Suspension]) -> (u32, String) {
    let halves: u32 = suspensions
        .iter()
        .map(|s| if s.lunchtime { s.days } else { s.days * 2 })
        .sum();
    let days = if halves.is_multiple_of(2) {
        format!("{}", halves / 2)
    } else {
        format!("{}½", halves / 2)
    };
    let words = match halves {
        0 => "No suspensions this school year".to_string(),
        h if h > SUSPENSION_DAYS_LIMIT_HALVES => format!(
            "{days} days this school year: over the 45-day limit; the pupil cannot be suspended \
             again this year"
        ),
        h if h == SUSPENSION_DAYS_LIMIT_HALVES => {
            format!("{days} days this school year: the 45-day limit is reached")
        }
        h if h + 10 >= SUSPENSION_DAYS_LIMIT_HALVES => {
            format!("{days} days this school year: within 5 days of the 45-day limit")
        }
        _ => format!("{days} days of the 45-day limit this school year"),
    };
    (halves, words)
}

text_enum! {
    /// What kind of suspension or exclusion was given.
    ExclusionKind, "kind of suspension or exclusion" {
        Suspension = "suspension", "Suspension";
        Lunchtime = "lunchtime", "Lunchtime suspension";
        Permanent = "permanent_exclusion", "Permanent exclusion";
    }
}

/// A suspension or exclusion as the form records it: every part as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionDraft {
    /// An `ExclusionKind` code, or empty.
    #[serde(default)]
    pub kind: String,
    /// ISO dates, or empty.
    #[serde(default)]
    pub starts_on: String,
    /// School days; for a lunchtime suspension, the number of lunchtimes.
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub reintegration_on: String,
    #[serde(default)]
    pub virtual_school_told_on: String,
    #[serde(default)]
    pub social_worker_told_on: String,
}

/// A recorded suspension or exclusion: its details, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionRecord {
    pub id: String,
    #[serde(flatten)]
    pub details: SuspensionDetails,
    /// Who recorded it: "Sarah Whitfield".
    pub recorded_by: String,
}

/// The longest reason a record keeps.
pub const LONGEST_REASON: usize = 1_000;

/// A suspension or exclusion, checked: what was given, when, for how long, why, and who was
/// told when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionDetails {
    pub kind: ExclusionKind,
    pub starts_on: NaiveDate,
    /// School days, or lunchtimes; 0 for a permanent exclusion.
    pub days: u32,
    pub reason: String,
    pub reintegration_on: Option<NaiveDate>,
    pub virtual_school_told_on: Option<NaiveDate>,
    pub social_worker_told_on: Option<NaiveDate>,
}

/// Checks a draft before it is recorded: every problem by field, in words that say what to change.
pub fn check_suspension(
    draft: &SuspensionDraft,
) -> Result<SuspensionDetails, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let kind = ExclusionKind::parse(&draft.kind).ok();
    if kind.is_none() {
        problems.push((
            "kind",
            "Choose whether it was a suspension, a lunchtime suspension or a permanent exclusion"
                .to_string(),
        ));
    }
    let date = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d");
    let starts_on = match date(&draft.starts_on) {
        Ok(day) => Some(day),
        Err(_) => {
            problems.push((
                "starts_on",
                if draft.starts_on.trim().is_empty() {
                    "Give the first day of the suspension or exclusion".to_string()
                } else {
                    format!(
                        "“{}” is not a date: write it like 2026-11-03",
                        draft.starts_on.trim()
                    )
                },
            ));
            None
        }
    };
    let (most, unit) = match kind {
        Some(ExclusionKind::Lunchtime) => (90, "lunchtimes"),
        _ => (45, "school days"),
    };
    let days = match kind {
        Some(ExclusionKind::Permanent) => 0,
        _ => match draft.days.trim().parse::<u32>() {
            Ok(n) if (1..=most).contains(&n) => n,
            _ => {
                problems.push((
                    "days",
                    format!("Give the number of {unit}, a whole number from 1 to {most}"),
                ));
                0
            }
        },
    };
    let reason = draft.reason.trim().to_string();
    if reason.is_empty() {
        problems.push(("reason", "Give the reason the school gave".to_string()));
    } else if reason.chars().count() > LONGEST_REASON {
        problems.push((
            "reason",
            format!("The reason must be {LONGEST_REASON} characters or fewer"),
        ));
    }
    let mut optional = |field: &'static str, text: &str, what: &str| {
        if text.trim().is_empty() {
            return None;
        }
        match date(text) {
            Ok(day) => Some(day),
            Err(_) => {
                problems.push((
                    field,
                    format!(
                        "“{}” is not a date for {what}: write it like 2026-11-03",
                        text.trim()
                    ),
                ));
                None
            }
        }
    };
    let reintegration_on = optional(
        "reintegration_on",
        &draft.reintegration_on,
        "the reintegration meeting",
    );
    let virtual_school_told_on = optional(
        "virtual_school_told_on",
        &draft.virtual_school_told_on,
        "telling the Virtual School",
    );
    let social_worker_told_on = optional(
        "social_worker_told_on",
        &draft.social_worker_told_on,
        "telling the social worker",
    );
    // Dates within a plausible range, and nothing recorded as happening before the first day.
    if let Some(first) = starts_on
        && let Err(problem) = check_date_in_range(first, "the first day")
    {
        problems.push(("starts_on", problem));
    }
    // The reintegration meeting comes after the first day; people may be told a little before it
    // (the school decides, then the suspension starts), never weeks before.
    const TOLD_BEFORE_AT_MOST_DAYS: i64 = 30;
    let later = [
        (
            "reintegration_on",
            reintegration_on,
            "The reintegration meeting",
            0,
        ),
        (
            "virtual_school_told_on",
            virtual_school_told_on,
            "Telling the Virtual School",
            TOLD_BEFORE_AT_MOST_DAYS,
        ),
        (
            "social_worker_told_on",
            social_worker_told_on,
            "Telling the social worker",
            TOLD_BEFORE_AT_MOST_DAYS,
        ),
    ];
    for (field, day, what, early_days) in later {
        let Some(day) = day else { continue };
        if let Err(problem) =
            check_date_in_range(day, &format!("the date of {}", what.to_lowercase()))
        {
            problems.push((field, problem));
        } else if let Some(first) = starts_on
            && day < first - chrono::Duration::days(early_days)
        {
            let when = if early_days == 0 {
                "before the first day".to_string()
            } else {
                format!("more than {early_days} days before the first day")
            };
            problems.push((
                field,
                format!(
                    "{what} cannot be {when} of the suspension ({}): check the date",
                    first.format("%-d %B %Y")
                ),
            ));
        }
    }
    match (kind, starts_on) {
        (Some(kind), Some(starts_on)) if problems.is_empty() => Ok(SuspensionDetails {
            kind,
            starts_on,
            days,
            reason,
            reintegration_on,
            virtual_school_told_on,
            social_worker_told_on,
        }),
        _ => Err(problems),
    }
}

impl SuspensionDetails {
    /// "Suspension from 3 November 2026, 3 school days", "Permanent exclusion from 3 March 2027".
    pub fn summary(&self) -> String {
        let length = match self.kind {
            ExclusionKind::Suspension if self.days == 1 => ", 1 school day".to_string(),
            ExclusionKind::Suspension => format!(", {} school days", self.days),
            ExclusionKind::Lunchtime if self.days == 1 => ", 1 lunchtime".to_string(),
            ExclusionKind::Lunchtime => format!(", {} lunchtimes", self.days),
            ExclusionKind::Permanent => String::new(),
        };
        format!(
            "{} from {}{length}",
            self.kind.label(),
            long_date(self.starts_on)
        )
    }

    /// What still needs doing about it, in words.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if self.virtual_school_told_on.is_none() {
            flags.push(
                "The Virtual School head is not recorded as told: they must be told without delay"
                    .to_string(),
            );
        }
        if self.social_worker_told_on.is_none() {
            flags.push(
                "The social worker is not recorded as told: they must be told without delay"
                    .to_string(),
            );
        }
        if self.kind == ExclusionKind::Suspension && self.days > 5 {
            flags.push(
                "From the sixth day the school must provide suitable full-time education"
                    .to_string(),
            );
        }
        if self.kind != ExclusionKind::Permanent && self.reintegration_on.is_none() {
            flags.push("No reintegration meeting is recorded".to_string());
        }
        flags
    }

    fn counted(&self) -> Suspension {
        Suspension {
            days: self.days,
            lunchtime: self.kind == ExclusionKind::Lunchtime,
        }
    }
}

/// The records that started in `year` (1 September to 31 August), and their days against the
/// 45-day limit in words.
pub fn school_year_total(records: &[SuspensionRecord], year: AcademicYear) -> (u32, String) {
    let counted: Vec<Suspension> = records
        .iter()
        .filter(|r| (year.first_day()..=year.last_day()).contains(&r.details.starts_on))
        .map(|r| r.details.counted())
        .collect();
    suspensions_in_words(&counted)
}

/// A part-time timetable is a flag when its planned end has passed (it was meant to be short), or
/// when it is described with no planned end at all (it must be time-limited).
pub fn part_time_timetable_flag(
    arrangement: &str,
    planned_end: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<String> {
    match planned_end {
        None if !arrangement.trim().is_empty() => Some(
            "The part-time timetable has no planned end date: a part-time timetable must be \
             time-limited, so give the date it ends"
                .to_string(),
        ),
        None => None,
        Some(end) => (end < today).then(|| {
            format!(
                "The part-time timetable was planned to end on {}: review it with the Virtual School",
                long_date(end)
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_part_time_timetable_without_an_end_or_past_it_is_flagged() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let flag = |arrangement: &str, end: Option<NaiveDate>| {
            part_time_timetable_flag(arrangement, end, today)
        };
        assert!(
            flag("Mornings only, 15 hours a week", None)
                .unwrap()
                .contains("no planned end date")
        );
        assert_eq!(flag("", None), None, "no timetable, nothing to flag");
        assert!(
            flag("Mornings only", NaiveDate::from_ymd_opt(2026, 11, 30))
                .unwrap()
                .contains("30 November 2026")
        );
        assert_eq!(
            flag("Mornings only", NaiveDate::from_ymd_opt(2027, 1, 8)),
            None
        );
    }

    #[test]
    fn the_absence_thresholds_are_exact() {
        let flag = |attended| Attendance::new(380, attended).unwrap().flag();
        assert_eq!(flag(380), AbsenceFlag::None);
        assert_eq!(flag(350), AbsenceFlag::None); // 92.1%
        assert_eq!(flag(349), AbsenceFlag::AtRisk); // 91.8%
        assert_eq!(flag(343), AbsenceFlag::AtRisk); // 90.3%: 37 missed, under 10%
        assert_eq!(flag(342), AbsenceFlag::Persistent); // exactly 10% missed
        assert_eq!(flag(191), AbsenceFlag::Persistent);
        assert_eq!(flag(190), AbsenceFlag::Severe); // exactly half missed
        assert_eq!(Attendance::new(0, 0).unwrap().flag(), AbsenceFlag::None);
    }

    #[test]
    fn attendance_is_said_in_words_without_rounding_up_past_a_threshold() {
        assert_eq!(
            Attendance::new(380, 341).unwrap().in_words(),
            "89.7% (341 of 380 sessions): persistent absence, 10% or more of sessions missed"
        );
        assert_eq!(
            Attendance::new(10_000, 8_999).unwrap().per_mille(),
            Some(899)
        );
        assert!(
            Attendance::new(10, 11)
                .unwrap_err()
                .contains("more than the 10 possible")
        );
    }

    fn draft(kind: &str, starts_on: &str, days: &str) -> SuspensionDraft {
        SuspensionDraft {
            kind: kind.into(),
            starts_on: starts_on.into(),
            days: days.into(),
            reason: "Persistent disruption in lessons".into(),
            ..SuspensionDraft::default()
        }
    }

    #[test]
    fn dates_are_plausible_and_nothing_is_long_before_the_first_day() {
        let mut year_zero = draft("suspension", "0000-01-01", "2");
        year_zero.reason = "x".into();
        let problems = check_suspension(&year_zero).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|(f, m)| *f == "starts_on" && m.contains("before 1990")),
            "{problems:?}"
        );

        let mut told_years_before = draft("suspension", "2026-11-03", "2");
        told_years_before.virtual_school_told_on = "2019-11-03".into();
        told_years_before.reintegration_on = "2026-11-02".into();
        let problems = check_suspension(&told_years_before).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|(f, m)| *f == "virtual_school_told_on"
                    && m.contains("more than 30 days before")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|(f, m)| *f == "reintegration_on" && m.contains("before the first day")),
            "{problems:?}"
        );

        let mut told_the_day_before = draft("suspension", "2026-11-03", "2");
        told_the_day_before.social_worker_told_on = "2026-11-02".into();
        told_the_day_before.reintegration_on = "2026-11-05".into();
        assert!(check_suspension(&told_the_day_before).is_ok());
    }

    fn details(kind: ExclusionKind, starts_on: NaiveDate, days: u32) -> SuspensionDetails {
        SuspensionDetails {
            kind,
            starts_on,
            days,
            reason: "x".into(),
            reintegration_on: None,
            virtual_school_told_on: None,
            social_worker_told_on: None,
        }
    }

    fn record(kind: ExclusionKind, starts_on: NaiveDate, days: u32) -> SuspensionRecord {
        SuspensionRecord {
            id: "s".into(),
            details: details(kind, starts_on, days),
            recorded_by: "Sarah Whitfield".into(),
        }
    }

    #[test]
    fn a_suspension_is_refused_by_field_saying_what_to_change() {
        let fields = |d: &SuspensionDraft| {
            check_suspension(d)
                .unwrap_err()
                .into_iter()
                .map(|(f, _)| f)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(&SuspensionDraft::default()),
            vec!["kind", "starts_on", "days", "reason"]
        );
        assert_eq!(
            fields(&draft("suspension", "3 Nov", "46")),
            vec!["starts_on", "days"]
        );
        // A lunchtime suspension counts lunchtimes (up to 90); a permanent exclusion no days.
        assert_eq!(
            check_suspension(&draft("lunchtime", "2026-11-03", "60"))
                .unwrap()
                .days,
            60
        );
        assert_eq!(
            check_suspension(&draft("permanent_exclusion", "2026-11-03", ""))
                .unwrap()
                .days,
            0
        );
        let mut told = draft("suspension", "2026-11-03", "3");
        told.virtual_school_told_on = "yesterday".into();
        let problems = check_suspension(&told).unwrap_err();
        assert_eq!(problems[0].0, "virtual_school_told_on");
        assert!(
            problems[0].1.contains("write it like 2026-11-03"),
            "{problems:?}"
        );
        told.virtual_school_told_on = "2026-11-03".into();
        let checked = check_suspension(&told).unwrap();
        assert_eq!(
            checked.virtual_school_told_on,
            NaiveDate::from_ymd_opt(2026, 11, 3)
        );
        assert_eq!(checked.reason, "Persistent disruption in lessons");
    }

    #[test]
    fn a_record_says_what_still_needs_doing() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let long = details(ExclusionKind::Suspension, day, 6);
        assert_eq!(
            long.summary(),
            "Suspension from 3 November 2026, 6 school days"
        );
        let flags = long.flags();
        assert_eq!(flags.len(), 4, "{flags:?}");
        assert!(flags[2].contains("sixth day"));
        let done = SuspensionDetails {
            reintegration_on: Some(day),
            virtual_school_told_on: Some(day),
            social_worker_told_on: Some(day),
            ..details(ExclusionKind::Suspension, day, 5)
        };
        assert!(done.flags().is_empty());
        assert_eq!(
            details(ExclusionKind::Lunchtime, day, 1).summary(),
            "Lunchtime suspension from 3 November 2026, 1 lunchtime"
        );
        assert_eq!(
            details(ExclusionKind::Permanent, day, 0).summary(),
            "Permanent exclusion from 3 November 2026"
        );
    }

    #[test]
    fn only_this_school_years_suspensions_count_towards_its_limit() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let records = [
            record(ExclusionKind::Suspension, day(2026, 8, 31), 10), // last school year
            record(ExclusionKind::Suspension, day(2026, 9, 1), 3),
            record(ExclusionKind::Lunchtime, day(2027, 8, 31), 3),
            record(ExclusionKind::Permanent, day(2027, 1, 4), 0),
        ];
        let (halves, words) = school_year_total(&records, AcademicYear::starting(2026));
        assert_eq!(halves, 9);
        assert_eq!(words, "4½ days of the 45-day limit this school year");
    }

    #[test]
    fn lunchtime_suspensions_count_half_a_day_against_the_45_day_limit() {
        let (halves, words) = suspensions_in_words(&[
            Suspension {
                days: 3,
                lunchtime: false,
            },
            Suspension {
                days: 1,
                lunchtime: true,
            },
        ]);
        assert_eq!(halves, 7);
        assert_eq!(words, "3½ days of the 45-day limit this school year");
        let (_, near) = suspensions_in_words(&[Suspension {
            days: 41,
            lunchtime: false,
        }]);
        assert!(near.contains("within 5 days"), "{near}");
        let (_, over) = suspensions_in_words(&[Suspension {
            days: 46,
            lunchtime: false,
        }]);
        assert!(over.contains("over the 45-day limit"));
    }

    #[test]
    fn a_part_time_timetable_past_its_planned_end_is_flagged() {
        let end = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            part_time_timetable_flag("Mornings only", Some(end), end),
            None
        );
        let flag =
            part_time_timetable_flag("Mornings only", Some(end), end.succ_opt().unwrap()).unwrap();
        assert!(flag.contains("20 November 2026"));
    }

    proptest! {
        #[test]
        fn more_attendance_never_makes_the_flag_worse(possible in 1u32..2000, a in 0u32..2000, b in 0u32..2000) {
            let (low, high) = (a.min(b).min(possible), a.max(b).min(possible));
            let worse = Attendance::new(possible, low).unwrap().flag();
            let better = Attendance::new(possible, high).unwrap().flag();
            prop_assert!(better <= worse);
        }
    }
}
