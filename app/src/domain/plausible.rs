//! What a date or a count can plausibly be, for its meaning: the same rules in the browser (as the
//! person presses save) and on the server. Years 0000 and 9999 were stored as dates, 4,294,967,295
//! as sessions attended, and a "told on" date years before the suspension it was about.

use chrono::NaiveDate;

/// No record kept here starts before this: the oldest young person on a register today (25) was
/// born after it, and no PEP, episode, suspension or assignment predates it.
pub const EARLIEST_RECORD: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(day) => day,
    None => panic!("a real date"),
};

/// No plan reaches beyond this (a target, a meeting, a planned end, an action's date).
pub const LATEST_PLAN: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(day) => day,
    None => panic!("a real date"),
};

/// The most sessions a pupil can have in a school year: two a day on at most 200 days (the
/// statutory year is 190 days for pupils; some schools open a few more).
pub const MOST_SESSIONS_IN_A_SCHOOL_YEAR: u32 = 400;

/// `date` if it lies between [`EARLIEST_RECORD`] and [`LATEST_PLAN`]; otherwise what to check,
/// naming `what` ("the target date").
pub fn check_date_in_range(date: NaiveDate, what: &str) -> Result<NaiveDate, String> {
    if date < EARLIEST_RECORD {
        Err(format!(
            "Check the year of {what}: it is before {}",
            EARLIEST_RECORD.format("%Y")
        ))
    } else if date > LATEST_PLAN {
        Err(format!(
            "Check the year of {what}: it is after {}",
            LATEST_PLAN.format("%Y")
        ))
    } else {
        Ok(date)
    }
}

/// Reads `text` typed as YYYY-MM-DD and checks its range: a message saying what to change.
pub fn parse_plausible_date(text: &str, what: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("Write {what} as a real date, year-month-day, like 2027-03-12"))?;
    check_date_in_range(date, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn extreme_years_are_refused_with_what_to_check() {
        assert!(
            parse_plausible_date("0000-01-01", "the target date")
                .unwrap_err()
                .contains("before 1990")
        );
        assert!(
            parse_plausible_date("9999-12-31", "the target date")
                .unwrap_err()
                .contains("after 2100")
        );
        assert!(
            parse_plausible_date("2026-02-30", "the target date")
                .unwrap_err()
                .contains("real date")
        );
        assert_eq!(
            parse_plausible_date(" 2027-03-12 ", "the target date"),
            Ok(NaiveDate::from_ymd_opt(2027, 3, 12).unwrap())
        );
    }

    proptest! {
        #[test]
        fn every_accepted_date_is_in_range(year in -300_000i32..300_000, ordinal in 1u32..=366) {
            if let Some(date) = NaiveDate::from_yo_opt(year, ordinal) {
                let typed = date.format("%Y-%m-%d").to_string();
                if let Ok(read) = parse_plausible_date(&typed, "it") {
                    prop_assert!(read >= EARLIEST_RECORD && read <= LATEST_PLAN);
                    prop_assert_eq!(read, date);
                }
            }
        }

        #[test]
        fn dates_as_typed_never_panic(text in ".{0,40}") {
            let _ = parse_plausible_date(&text, "it");
        }
    }
}
