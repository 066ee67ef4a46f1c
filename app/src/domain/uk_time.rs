//! Clock time as people in England read it: GMT in winter, BST (UTC+1) from 01:00 UTC on the last
//! Sunday of March to 01:00 UTC on the last Sunday of October (the Summer Time Order 2002). Written
//! out rather than pulling in a time-zone database: this is the only zone the service needs.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC: when the clocks change.
fn change_instant(year: i32, month: u32) -> DateTime<Utc> {
    let first_of_next = NaiveDate::from_ymd_opt(year, month + 1, 1).expect("March or October");
    let last_day = first_of_next.pred_opt().expect("a day before the 1st");
    let back = last_day.weekday().num_days_from_sunday();
    let sunday = last_day - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Utc.from_utc_datetime(&sunday.and_hms_opt(1, 0, 0).expect("01:00"))
}

/// Whether British Summer Time is in force at `instant`.
pub fn is_summer_time(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    instant >= change_instant(year, 3) && instant < change_instant(year, 10)
}

/// The local clock time in England at `instant`.
pub fn uk_local(instant: DateTime<Utc>) -> NaiveDateTime {
    let offset = if is_summer_time(instant) { 1 } else { 0 };
    (instant + Duration::hours(offset)).naive_utc()
}

/// Today's date in England (what "today" means for deadlines, assignments and school days).
pub fn uk_today(now: DateTime<Utc>) -> NaiveDate {
    uk_local(now).date()
}

/// The instant the date next changes in England (local midnight), for clocks kept current.
pub fn next_uk_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = uk_today(now) + Duration::days(1);
    let midnight = tomorrow.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Local midnight is 23:00 UTC the day before in summer time, 00:00 UTC in winter.
    let in_summer = Utc.from_utc_datetime(&(midnight - Duration::hours(1)));
    if is_summer_time(in_summer) {
        in_summer
    } else {
        Utc.from_utc_datetime(&midnight)
    }
}

/// "3 Nov 2026 at 14:05", in England's local time.
pub fn uk_date_time_words(instant: DateTime<Utc>) -> String {
    uk_local(instant).format("%-d %b %Y at %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn the_clocks_change_at_one_in_the_morning_utc_on_the_last_sundays() {
        // 2026: 29 March and 25 October.
        assert!(!is_summer_time(utc(2026, 3, 29, 0, 59)));
        assert!(is_summer_time(utc(2026, 3, 29, 1, 0)));
        assert!(is_summer_time(utc(2026, 10, 25, 0, 59)));
        assert!(!is_summer_time(utc(2026, 10, 25, 1, 0)));
        // 2027: 28 March and 31 October (a month ending on a Sunday).
        assert!(is_summer_time(utc(2027, 3, 28, 1, 0)));
        assert!(is_summer_time(utc(2027, 10, 31, 0, 30)));
        assert!(!is_summer_time(utc(2027, 10, 31, 1, 0)));
    }

    #[test]
    fn late_evening_utc_in_summer_is_already_tomorrow_in_england() {
        assert_eq!(
            uk_today(utc(2026, 6, 30, 23, 30)),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
        assert_eq!(
            uk_today(utc(2026, 12, 31, 23, 30)),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(
            uk_date_time_words(utc(2026, 7, 1, 13, 5)),
            "1 Jul 2026 at 14:05"
        );
        assert_eq!(
            uk_date_time_words(utc(2026, 11, 3, 14, 5)),
            "3 Nov 2026 at 14:05"
        );
    }
}
