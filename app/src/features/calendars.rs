//! School calendars: each school's term dates, holidays, INSET and closure days, kept by the
//! Virtual School for every school and by a designated teacher for their own, imported from CSV or
//! iCalendar with a preview that reports every problem by line before anything is replaced.
//! Countdowns count school days on these calendars.

mod calendar_page;
#[cfg(feature = "ssr")]
mod server;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::Period;
use crate::error::AppError;
use crate::features::people::Choice;

pub use calendar_page::CalendarsPage;

/// A school's calendar as countdowns use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolCalendarView {
    pub school_id: String,
    pub school: String,
    /// Whether the person manages every school's calendar (the Virtual School) or only their own.
    pub all_schools: bool,
    /// "its own calendar", "the council's default calendar" or "no calendar: working days".
    pub source: String,
    pub periods: Vec<Period>,
    pub schools: Vec<Choice>,
}

/// A school's calendar (the first school when `school_id` is empty).
#[server(prefix = "/api", endpoint = "calendars/school")]
pub async fn school_calendar(school_id: String) -> Result<SchoolCalendarView, AppError> {
    server::school_calendar(school_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Reads a calendar CSV without storing it: the periods, or every problem by line (422).
#[server(prefix = "/api", endpoint = "calendars/preview")]
pub async fn preview_calendar(csv: String) -> Result<Vec<Period>, AppError> {
    server::preview_calendar(csv)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Replaces a school's calendar with the CSV's periods (read again, never trusted from a preview);
/// returns how many periods were stored.
#[server(prefix = "/api", endpoint = "calendars/import")]
pub async fn import_calendar(school_id: String, csv: String) -> Result<usize, AppError> {
    server::import_calendar(school_id, csv)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// The bank holidays countdowns skip, for the council's division.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownBankHolidays {
    /// "england-and-wales".
    pub division: String,
    pub holidays: Vec<(chrono::NaiveDate, String)>,
}

#[server(prefix = "/api", endpoint = "bank_holidays/list")]
pub async fn bank_holiday_list() -> Result<KnownBankHolidays, AppError> {
    server::bank_holiday_list()
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Reads the government's bank holidays JSON without storing it: the council's division's
/// holidays, or the problem with its line (422).
#[server(prefix = "/api", endpoint = "bank_holidays/preview")]
pub async fn preview_bank_holidays(json: String) -> Result<KnownBankHolidays, AppError> {
    server::preview_bank_holidays(json)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Adds the file's holidays for the council's division and updates changed titles (nothing is
/// deleted: a past holiday still explains a past deadline); returns how many were new or changed.
#[server(prefix = "/api", endpoint = "bank_holidays/import")]
pub async fn import_bank_holidays(json: String) -> Result<usize, AppError> {
    server::import_bank_holidays(json)
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Adds a school to the council's list (the Virtual School): it starts with a copy of the
/// council's default calendar, to correct from the school's own dates. Returns its id.
#[server(prefix = "/api", endpoint = "schools/add")]
pub async fn add_school(school: crate::domain::school::NewSchoolForm) -> Result<String, AppError> {
    server::add_school(school)
        .await
        .inspect_err(crate::features::auth::set_status)
}
