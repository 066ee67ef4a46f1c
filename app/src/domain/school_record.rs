//! The school facts a PEP records (DOMAIN.md, "The PEP's content"): attendance with its
//! persistent and severe absence flags, suspensions against the 45-day limit, and part-time
//! timetables whose planned end has passed. Each result says what it means in words.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deadlines::long_date;

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

/// A part-time timetable whose planned end has passed is a flag: it was meant to be short.
pub fn part_time_timetable_flag(planned_end: NaiveDate, today: NaiveDate) -> Option<String> {
    (planned_end < today).then(|| {
        format!(
            "The part-time timetable was planned to end on {}: review it with the Virtual School",
            long_date(planned_end)
        )
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

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
        assert_eq!(part_time_timetable_flag(end, end), None);
        let flag = part_time_timetable_flag(end, end.succ_opt().unwrap()).unwrap();
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
