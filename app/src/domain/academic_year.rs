//! Academic years run from 1 September to 31 August and are written "2026/27".

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// An academic year, identified by the calendar year in which it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AcademicYear(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not an academic year: write it like 2026/27")]
pub struct BadAcademicYear(String);

impl AcademicYear {
    pub fn starting(year: i32) -> Self {
        AcademicYear(year)
    }

    /// The academic year a date falls in (1 September is the first day).
    pub fn containing(date: NaiveDate) -> Self {
        if date.month() >= 9 {
            AcademicYear(date.year())
        } else {
            AcademicYear(date.year() - 1)
        }
    }

    pub fn start_year(self) -> i32 {
        self.0
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 9, 1).expect("1 September exists in every year")
    }

    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 8, 31).expect("31 August exists in every year")
    }

    /// Parses the "2026/27" form, checking that the two years follow each other.
    pub fn parse(text: &str) -> Result<Self, BadAcademicYear> {
        let bad = || BadAcademicYear(text.to_string());
        let (start, end) = text.trim().split_once('/').ok_or_else(bad)?;
        if start.len() != 4 || end.len() != 2 {
            return Err(bad());
        }
        let start: i32 = start.parse().map_err(|_| bad())?;
        let end: i32 = end.parse().map_err(|_| bad())?;
        if (start + 1) % 100 != end {
            return Err(bad());
        }
        Ok(AcademicYear(start))
    }
}

impl std::fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1) % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_year_turns_on_1_september() {
        assert_eq!(
            AcademicYear::containing(date(2026, 8, 31)).to_string(),
            "2025/26"
        );
        assert_eq!(
            AcademicYear::containing(date(2026, 9, 1)).to_string(),
            "2026/27"
        );
        assert_eq!(
            AcademicYear::containing(date(2000, 1, 1)).to_string(),
            "1999/00"
        );
    }

    #[test]
    fn parsing_refuses_years_that_do_not_follow_each_other() {
        assert_eq!(
            AcademicYear::parse("2026/27"),
            Ok(AcademicYear::starting(2026))
        );
        assert_eq!(
            AcademicYear::parse("1999/00"),
            Ok(AcademicYear::starting(1999))
        );
        for bad in ["2026/28", "2026", "26/27", "2026-27", "abcd/ef", ""] {
            assert!(AcademicYear::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(year in 1900i32..2200) {
            let y = AcademicYear::starting(year);
            prop_assert_eq!(AcademicYear::parse(&y.to_string()), Ok(y));
            prop_assert!(y.first_day() < y.last_day());
            prop_assert_eq!(AcademicYear::containing(y.first_day()), y);
            prop_assert_eq!(AcademicYear::containing(y.last_day()), y);
        }
    }
}
