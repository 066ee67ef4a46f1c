//! "due 11 Dec 2026 · in 9 school days", with the rule behind it one tap away. Rendered on the
//! server for the server's date; in the browser it follows the clock across midnight without a
//! reload. Urgency is said in words as well as colour, and nothing here is a live region.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::{BankHolidays, Period, SchoolCalendar};
use crate::domain::deadlines::{DayKind, Days, Urgency, countdown_words, urgency};

/// One deadline: its date, how it was set, and which days count down to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountdownData {
    pub due: NaiveDate,
    /// How the date was set and what is counted, in words.
    pub explanation: String,
    /// School days (at `school`) or working days.
    pub kind: DayKind,
    /// The school whose calendar counts school days: a key of `CountingCalendars::schools`.
    pub school: Option<String>,
}

/// The calendars every countdown in one answer counts over, sent once rather than with each
/// countdown (a dashboard of a hundred children at four schools sends four calendars).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountingCalendars {
    /// The server's date when it answered: the browser starts from it, so the first render in
    /// the browser matches the server's HTML exactly.
    pub rendered_on: NaiveDate,
    pub bank_holidays: BankHolidays,
    pub schools: BTreeMap<String, Vec<Period>>,
}

/// `CountingCalendars` ready to count with, and the page's one clock.
#[derive(Clone)]
pub struct PageCalendars {
    today: RwSignal<NaiveDate>,
    bank_holidays: Arc<BankHolidays>,
    schools: Arc<HashMap<String, SchoolCalendar>>,
}

impl PageCalendars {
    /// Call in a component: it starts the clock that moves every countdown on at midnight.
    pub fn new(calendars: CountingCalendars) -> PageCalendars {
        let today = RwSignal::new(calendars.rendered_on);
        Effect::new(move |_| follow_the_clock(today));
        let schools = calendars
            .schools
            .into_iter()
            .map(|(school, periods)| {
                let calendar = SchoolCalendar::new(periods, calendars.bank_holidays.clone());
                (school, calendar)
            })
            .collect();
        PageCalendars {
            today,
            bank_holidays: Arc::new(calendars.bank_holidays),
            schools: Arc::new(schools),
        }
    }

    fn count(&self, data: &CountdownData) -> (String, Urgency) {
        let school = data.school.as_ref().and_then(|s| self.schools.get(s));
        let days = match (data.kind, school) {
            (DayKind::School, Some(calendar)) => Days::School(calendar),
            (DayKind::Calendar, _) => Days::Calendar,
            _ => Days::Working(&self.bank_holidays),
        };
        let today = self.today.get();
        (
            countdown_words(days, today, data.due),
            urgency(days, today, data.due),
        )
    }
}

#[component]
pub fn Countdown(data: CountdownData, calendars: PageCalendars) -> impl IntoView {
    let due = data.due;
    let counted = {
        let data = data.clone();
        Signal::derive(move || calendars.count(&data))
    };
    view! {
        <span
            class="countdown"
            class:countdown--soon=move || counted.get().1 == Urgency::Soon
            class:countdown--overdue=move || counted.get().1 == Urgency::Overdue
        >
            {move || match counted.get().1 {
                Urgency::Overdue => Some(view! { <span class="tag tag--overdue">"Overdue"</span> " " }),
                Urgency::Soon => Some(view! { <span class="tag tag--soon">"Due soon"</span> " " }),
                Urgency::Later => None,
            }}
            {format!("due {} · ", due.format("%-d %b %Y"))}
            <strong class="countdown__words">{move || counted.get().0}</strong>
        </span>
        <details class="countdown__rule">
            <summary>"How this is counted"</summary>
            <p class="body">{data.explanation}</p>
        </details>
    }
}

/// In the browser: today's date in England now, then again at every local midnight.
fn follow_the_clock(today: RwSignal<NaiveDate>) {
    use crate::domain::uk_time::{next_uk_midnight, uk_today};
    let now = chrono::Utc::now();
    today.set(uk_today(now));
    let wait = (next_uk_midnight(now) - now).to_std().unwrap_or_default()
        + std::time::Duration::from_secs(1);
    set_timeout(move || follow_the_clock(today), wait);
}
