//! Countdowns for one answer from the server: each deadline with its explanation, and each
//! school's calendar collected once (`CountingCalendars`) however many children attend it.

use chrono::NaiveDate;

use crate::domain::academic_year::AcademicYear;
use crate::domain::calendar::BankHolidays;
use crate::domain::deadlines::{DayKind, long_date};
use crate::domain::pep::{PepKind, Term};
use crate::domain::schedule::DeadlinePolicy;
use crate::error::AppError;
use crate::infra::db::Db;
use crate::infra::reference_data::{
    CouncilCalendars, bank_holidays, council_calendars, council_division, deadline_policy,
};
use crate::ui::countdown::{CountdownData, CountingCalendars};

pub struct Countdowns {
    pub policy: DeadlinePolicy,
    council: CouncilCalendars,
    bank_holidays: BankHolidays,
    sent: CountingCalendars,
}

/// The school a deadline is counted at: (id, name).
pub type SchoolRef<'a> = Option<(&'a str, &'a str)>;

impl Countdowns {
    pub async fn load(db: &Db, council_id: &str, today: NaiveDate) -> Result<Countdowns, AppError> {
        let division = council_division(db, council_id).await?;
        let bank_holidays = bank_holidays(db, &division).await?;
        Ok(Countdowns {
            policy: deadline_policy(db, council_id).await?,
            council: council_calendars(db, council_id).await?,
            sent: CountingCalendars {
                rendered_on: today,
                bank_holidays: bank_holidays.clone(),
                ..CountingCalendars::default()
            },
            bank_holidays,
        })
    }

    /// The school's calendar as the council counts it, when it has one.
    pub fn school_calendar(
        &self,
        school_id: Option<&str>,
    ) -> Option<crate::domain::calendar::SchoolCalendar> {
        school_id.and_then(|id| {
            self.policy
                .counting_calendar(self.council.for_school(id), &self.bank_holidays)
        })
    }

    pub fn bank_holidays(&self) -> &BankHolidays {
        &self.bank_holidays
    }

    /// A countdown to `due` in school days at `school` (working days without one), its
    /// explanation followed by what the countdown counts.
    pub fn countdown(
        &mut self,
        due: NaiveDate,
        explanation: &str,
        school: SchoolRef,
    ) -> CountdownData {
        let school = school.filter(|(id, _)| self.send_calendar(id));
        let (kind, counted, school) = match school {
            Some((id, name)) => (
                DayKind::School,
                format!(
                    "The countdown counts {name}'s school days: weekends, holidays, INSET \
                         and closure days and bank holidays are not counted."
                ),
                Some(id.to_string()),
            ),
            None => (
                DayKind::Working,
                "The countdown counts working days (Monday to Friday, not bank holidays), as \
                 there is no school calendar for this child."
                    .to_string(),
                None,
            ),
        };
        CountdownData {
            due,
            explanation: format!("{explanation}. {counted}"),
            kind,
            school,
        }
    }

    /// Whether the school has a calendar to count on, adding it to the answer the first time:
    /// each school's calendar is built once per answer, however many rows count on it.
    fn send_calendar(&mut self, school_id: &str) -> bool {
        if self.sent.schools.contains_key(school_id) {
            return true;
        }
        match self.school_calendar(Some(school_id)) {
            Some(calendar) => {
                self.sent
                    .schools
                    .insert(school_id.to_string(), calendar.periods().to_vec());
                true
            }
            None => false,
        }
    }

    /// Every calendar the countdowns made so far count over.
    pub fn calendars(self) -> CountingCalendars {
        self.sent
    }
}

/// A PEP's name: "Autumn 2026/27 termly review".
pub fn pep_title(academic_year: i64, term: &str, kind: &str) -> String {
    let term = Term::parse(term)
        .map(|t| capitalise(t.label()))
        .unwrap_or_default();
    let kind = PepKind::parse(kind).map(|k| k.label()).unwrap_or("PEP");
    format!(
        "{term} {} {kind}",
        AcademicYear::starting(academic_year as i32)
    )
}

/// How a PEP's due date was set: the words stored when it was scheduled, or (for PEPs entered
/// by hand) that it is the date set.
pub fn pep_due_explanation(stored: &str, due: NaiveDate, title: &str) -> String {
    if stored.is_empty() {
        format!("{} is the date set for this PEP ({title})", long_date(due))
    } else {
        stored.to_string()
    }
}

pub use crate::ui::text::capitalise;
