//! "due 11 Dec 2026 · in 9 school days", with the rule behind it one tap away. Rendered on the
//! server for the server's date; in the browser it follows the clock across midnight without a
//! reload. Urgency is said in words as well as colour, and nothing here is a live region.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::{BankHolidays, Period, SchoolCalendar};
use crate::domain::deadlines::{DayKind, Days, Urgency, countdown_words, urgency};

/// What a countdown needs to recount itself in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountdownData {
    pub due: NaiveDate,
    /// How the date was set and what is counted, in words.
    pub explanation: String,
    /// School days (with `periods`) or working days.
    pub kind: DayKind,
    pub periods: Vec<Period>,
    pub bank_holidays: BankHolidays,
    /// The server's date when it rendered: the browser starts from it, so the first render in the
    /// browser matches the server's HTML exactly.
    pub rendered_on: NaiveDate,
}

#[component]
pub fn Countdown(data: CountdownData) -> impl IntoView {
    let today = RwSignal::new(data.rendered_on);
    Effect::new(move |_| follow_the_clock(today));
    let due = data.due;
    let kind = data.kind;
    let calendar = Arc::new(SchoolCalendar::new(data.periods, data.bank_holidays));
    let counted = {
        let calendar = Arc::clone(&calendar);
        move || {
            let days = match kind {
                DayKind::School => Days::School(&calendar),
                DayKind::Working => Days::Working(calendar.bank_holidays()),
                DayKind::Calendar => Days::Calendar,
            };
            let today = today.get();
            (countdown_words(days, today, due), urgency(days, today, due))
        }
    };
    let counted = Signal::derive(counted);
    view! {
        <span
            class="countdown"
            class:countdown--soon=move || counted.get().1 == Urgency::Soon
            class:countdown--overdue=move || counted.get().1 == Urgency::Overdue
        >
            {move || match counted.get().1 {
                Urgency::Overdue => Some(view! { <span class="tag tag--overdue">"Overdue"</span> }),
                Urgency::Soon => Some(view! { <span class="tag tag--soon">"Due soon"</span> }),
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
