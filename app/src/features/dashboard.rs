//! The Virtual School's dashboard: every child the person reaches with their current PEP's state
//! and deadline, soonest first, filtered by school, phase, state and overdue, fifty to a page.
//!
//! "Reaches" is the one access rule (`domain::access`): the Virtual School head sees every child
//! of the council, an education advisor their own caseload. The current PEP is the earliest one
//! not yet approved, so PEPs waiting for quality assurance are listed as submitted; with none, the
//! latest approved one (a child whose PEP is done is not "No PEP on the go").
//!
//! Overdue means the PEP's own date has passed, or a part of it is late: before the meeting a
//! contribution whose date has passed while its owner's sections are not all completed, after it
//! the submission to the Virtual School. Submitted and approved PEPs are never overdue.

mod dashboard_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use dashboard_page::DashboardPage;

use crate::error::AppError;
use crate::features::children::NextPep;
use crate::ui::countdown::CountingCalendars;

/// Children on one page of the dashboard.
pub const PAGE_SIZE: usize = 50;

/// The filters, as they appear in the page's address (`?school=…&phase=…&state=…&overdue=on`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFilter {
    pub school: Option<String>,
    /// A `Phase` code.
    pub phase: Option<String>,
    /// A `PepState` code, or `none` for children with no PEP on the go.
    pub state: Option<String>,
    pub overdue: bool,
    /// From 1.
    pub page: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub child_id: String,
    pub name: String,
    pub school: Option<String>,
    /// "School age", or "Past Year 13".
    pub phase: String,
    pub pep: Option<NextPep>,
    /// A submitted PEP has met its deadline: it waits for quality assurance.
    pub awaiting_qa: bool,
    /// Approved: done, with no countdown.
    pub approved: bool,
    pub overdue: bool,
    /// The parts past their date and not done, in words ("Carer's contribution").
    pub late: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// This page's rows, soonest deadline first.
    pub rows: Vec<DashboardRow>,
    /// Children matching the filters, on every page.
    pub matching: usize,
    pub overdue: usize,
    pub awaiting_qa: usize,
    pub page: usize,
    pub pages: usize,
    /// (id, name) of the council's schools, for the filter.
    pub schools: Vec<(String, String)>,
    pub calendars: CountingCalendars,
}

/// The dashboard's fields are flat so any form or script can call it (every one optional).
#[server(prefix = "/api", endpoint = "dashboard/children")]
pub async fn virtual_school_dashboard(
    school: Option<String>,
    phase: Option<String>,
    state: Option<String>,
    overdue: Option<bool>,
    page: Option<usize>,
) -> Result<Dashboard, AppError> {
    let filter = DashboardFilter {
        school,
        phase,
        state,
        overdue: overdue.unwrap_or(false),
        page: page.unwrap_or(1),
    };
    server::virtual_school_dashboard(filter)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use chrono::{NaiveDate, Utc};

    use std::collections::HashSet;

    use super::{Dashboard, DashboardFilter, DashboardRow, PAGE_SIZE};
    use crate::domain::calendar::SchoolCalendar;
    use crate::domain::child::{EligibilityFacts, eligibility};
    use crate::domain::pep::{PepState, Phase, SectionKey};
    use crate::domain::pep_form::{SectionPolicy, sections_for};
    use crate::domain::schedule::{contributions_due, submission_due};
    use crate::error::AppError;
    use crate::features::auth::CurrentUser;
    use crate::features::children::countdowns::{Countdowns, capitalise};
    use crate::features::children::server::{OpenPep, OpenPepColumns, next_pep, school_ref};
    use crate::features::guard::Reach;
    use crate::infra::db::Db;
    use crate::infra::reference_data::section_policy;
    use crate::infra::sql::sql;

    pub async fn virtual_school_dashboard(filter: DashboardFilter) -> Result<Dashboard, AppError> {
        let user = crate::features::guard::administrator().await?;
        let db = leptos::prelude::use_context::<Db>()
            .ok_or_else(|| crate::error::internal("dashboard", "no database in context"))?;
        let today = crate::domain::uk_time::uk_today(Utc::now());
        dashboard_for(&db, &user, &filter, today).await
    }

    /// How late a PEP is on a day: its own date passed (the countdown says so), and the parts
    /// past theirs and not done, in words for the row.
    #[derive(Default)]
    struct Lateness {
        pep_past_due: bool,
        parts: Vec<String>,
    }

    impl Lateness {
        fn overdue(&self) -> bool {
            self.pep_past_due || !self.parts.is_empty()
        }
    }

    /// How late `pep` is on `today` (see the module's words).
    #[allow(clippy::too_many_arguments)]
    fn lateness(
        pep: &OpenPep,
        state: PepState,
        phase: Option<Phase>,
        completed: &dyn Fn(SectionKey) -> bool,
        sections: &SectionPolicy,
        countdowns: &Countdowns,
        calendar: Option<&SchoolCalendar>,
        today: NaiveDate,
    ) -> Lateness {
        if matches!(state, PepState::Submitted | PepState::Approved) {
            return Lateness::default();
        }
        let mut late = Lateness {
            pep_past_due: pep.due_on < today,
            parts: Vec::new(),
        };
        let Some(meeting_on) = pep
            .meeting_at
            .map(|at| crate::domain::uk_time::uk_local(at).date())
        else {
            return late;
        };
        if matches!(state, PepState::Scheduled | PepState::Contributions) {
            let bank_holidays = countdowns.bank_holidays();
            for (role, deadline) in
                contributions_due(&countdowns.policy, meeting_on, calendar, bank_holidays)
            {
                let owned_not_done = phase.is_some_and(|phase| {
                    sections_for(phase)
                        .any(|section| sections.owner(section) == role && !completed(section))
                });
                if deadline.due < today && owned_not_done {
                    late.parts
                        .push(format!("{}'s contribution", capitalise(role.label())));
                }
            }
        } else if let Ok(deadline) = submission_due(
            &countdowns.policy,
            meeting_on,
            calendar,
            countdowns.bank_holidays(),
        ) && deadline.due < today
        {
            late.parts
                .push("Submission to the Virtual School".to_string());
        }
        late
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        first_name: String,
        last_name: String,
        date_of_birth: NaiveDate,
        nc_year_override: Option<i64>,
        in_care_since: Option<NaiveDate>,
        school_id: Option<String>,
        school: Option<String>,
        #[sqlx(flatten)]
        pep: OpenPepColumns,
    }

    /// The dashboard as `user` sees it on `today` (public for the benchmark).
    pub async fn dashboard_for(
        db: &Db,
        user: &CurrentUser,
        filter: &DashboardFilter,
        today: NaiveDate,
    ) -> Result<Dashboard, AppError> {
        let state_filter = match filter.state.as_deref() {
            None | Some("") => None,
            Some("none") => Some(None),
            Some(code) => Some(Some(PepState::parse(code).map_err(|e| {
                AppError::Invalid(vec![(
                    "state".into(),
                    format!("{e}: choose a state from the list"),
                )])
            })?)),
        };
        let phase_filter = match filter.phase.as_deref() {
            None | Some("") => None,
            Some(code) => Some(Phase::parse(code).map_err(|e| {
                AppError::Invalid(vec![(
                    "phase".into(),
                    format!("{e}: choose a phase from the list"),
                )])
            })?),
        };
        let school_filter = filter.school.as_deref().filter(|s| !s.is_empty());
        let query = sql(
            "SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.nc_year_override, \
             ce.started_on AS in_care_since, e.school_id, s.name AS school, \
             p.id AS pep_id, p.academic_year, p.term, p.kind, p.state, p.due_on, \
             p.due_explanation, p.meeting_at \
             FROM children c \
             LEFT JOIN care_episodes ce ON ce.child_id = c.id AND ce.ended_on IS NULL \
             LEFT JOIN education_episodes e ON e.child_id = c.id AND e.ended_on IS NULL \
             LEFT JOIN schools s ON s.id = e.school_id \
             LEFT JOIN peps p ON p.id = COALESCE( \
                  (SELECT p2.id FROM peps p2 WHERE p2.child_id = c.id \
                   AND p2.state <> 'approved' ORDER BY p2.due_on LIMIT 1), \
                  (SELECT p3.id FROM peps p3 WHERE p3.child_id = c.id \
                   AND p3.state = 'approved' ORDER BY p3.due_on DESC LIMIT 1)) \
             WHERE ",
        );
        let query = Reach::on(user, today).push_onto(query);
        let query = match school_filter {
            Some(school) => query.push(" AND e.school_id = ").push_bind(school),
            None => query,
        };
        let rows: Vec<Row> = query.fetch_all(db).await?;
        let schools: Vec<(String, String)> = {
            sql("SELECT id, name FROM schools WHERE council_id = $1 ORDER BY name")
                .bind(&user.council_id)
                .fetch_all(db)
                .await?
        };

        let completed: HashSet<(String, String)> = {
            sql(
                "SELECT s.pep_id, s.section FROM pep_sections s JOIN peps p ON p.id = s.pep_id \
                 JOIN children c ON c.id = p.child_id \
                 WHERE c.council_id = $1 AND s.status = 'completed' \
                 AND p.state IN ('scheduled', 'contributions')",
            )
            .bind(&user.council_id)
            .fetch_all(db)
            .await?
        }
        .into_iter()
        .collect();
        let sections = section_policy(db, &user.council_id).await?;
        let mut countdowns = Countdowns::load(db, &user.council_id, today).await?;

        // Phase and state decide in Rust what SQL cannot see (the phase follows from the date
        // of birth on `today`; a part's date from the school's calendar).
        let mut matching: Vec<(Row, Option<Phase>, String, Lateness)> = rows
            .into_iter()
            .filter_map(|row| {
                let facts = EligibilityFacts::from_register(
                    row.date_of_birth,
                    row.in_care_since,
                    row.nc_year_override,
                );
                let phase = eligibility(&facts, today).phase;
                if phase_filter.is_some() && phase != phase_filter {
                    return None;
                }
                let state = row.pep.state;
                if let Some(wanted) = state_filter
                    && state != wanted
                {
                    return None;
                }
                let late = match (row.pep.open_pep(), state) {
                    (Some(pep), Some(state)) => {
                        let calendar = countdowns.school_calendar(row.school_id.as_deref());
                        let done = |section: SectionKey| {
                            completed.contains(&(pep.id.clone(), section.as_str().to_string()))
                        };
                        lateness(
                            &pep,
                            state,
                            phase,
                            &done,
                            &sections,
                            &countdowns,
                            calendar.as_ref(),
                            today,
                        )
                    }
                    _ => Lateness::default(),
                };
                if filter.overdue && !late.overdue() {
                    return None;
                }
                let phase_words = phase
                    .map(|p| capitalise(p.label()))
                    .unwrap_or_else(|| "Past Year 13".to_string());
                Some((row, phase, phase_words, late))
            })
            .collect();
        matching.sort_by(|a, b| {
            (
                a.0.pep.due_on.unwrap_or(NaiveDate::MAX),
                &a.0.last_name,
                &a.0.first_name,
            )
                .cmp(&(
                    b.0.pep.due_on.unwrap_or(NaiveDate::MAX),
                    &b.0.last_name,
                    &b.0.first_name,
                ))
        });
        let total = matching.len();
        let overdue = matching.iter().filter(|m| m.3.overdue()).count();
        let awaiting_qa = matching
            .iter()
            .filter(|m| m.0.pep.state == Some(PepState::Submitted))
            .count();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = filter.page.clamp(1, pages);

        // Countdowns only for the rows on this page: the calendars sent are those they use.
        let rows = matching
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|(row, _, phase, late)| {
                let open = row.pep.open_pep();
                let school = school_ref(&row.school_id, &row.school);
                let pep = open.as_ref().map(|p| next_pep(p, school, &mut countdowns));
                DashboardRow {
                    child_id: row.id.clone(),
                    name: format!("{} {}", row.first_name, row.last_name),
                    school: row.school.clone(),
                    phase,
                    awaiting_qa: row.pep.state == Some(PepState::Submitted),
                    approved: row.pep.state == Some(PepState::Approved),
                    pep,
                    overdue: late.overdue(),
                    late: late.parts,
                }
            })
            .collect();
        Ok(Dashboard {
            rows,
            matching: total,
            overdue,
            awaiting_qa,
            page,
            pages,
            schools,
            calendars: countdowns.calendars(),
        })
    }
}
