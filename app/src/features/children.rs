//! Children's records as each person may see them: only through a relationship in force today.

mod child_page;
pub mod concerns;
#[cfg(feature = "ssr")]
pub(crate) mod countdowns;
pub mod register;
mod register_page;

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use child_page::ChildPage;
pub use register_page::{EditChildPage, NewChildPage};

use crate::error::AppError;

/// One child in a person's list, with the next PEP that is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildListItem {
    pub id: String,
    pub name: String,
    pub school: Option<String>,
    pub next_pep: Option<NextPep>,
}

/// The children a person reaches, with the calendars their countdowns count over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenList {
    /// The role of the person asking: the list is their pupils, caseload or child.
    pub role: crate::domain::roles::Role,
    pub children: Vec<ChildListItem>,
    pub calendars: crate::ui::countdown::CountingCalendars,
}

/// The earliest PEP of a child still being written (not yet submitted to the Virtual School):
/// its due date is the deadline people are working to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextPep {
    pub pep_id: String,
    /// "Autumn 2026/27 termly review".
    pub title: String,
    /// Its state, in words: "pre-meeting contributions".
    pub state: String,
    pub countdown: crate::ui::countdown::CountdownData,
}

/// A PEP in a child's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PepListItem {
    pub id: String,
    pub academic_year: i64,
    pub term: String,
    pub kind: String,
    pub state: String,
    pub due_on: String,
}

/// A child's record: the facts of section A with what follows from them, and every PEP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildSummary {
    pub id: String,
    pub name: String,
    pub date_of_birth: String,
    pub upn: Option<String>,
    /// (label, value) rows for the page, in order, derived ones included ("Year group").
    pub facts: Vec<(String, String)>,
    /// Whether a PEP is due for the child, with the reason in words.
    pub eligible: bool,
    pub eligibility: String,
    /// The PEP being written now, with its countdown.
    pub next_pep: Option<NextPep>,
    /// The deadlines around its meeting: each contribution before it, the submission after.
    pub meeting_deadlines: Vec<LabelledDeadline>,
    /// Its open actions, soonest first.
    pub actions: Vec<ActionItem>,
    /// Every PEP, newest first.
    pub peps: Vec<PepListItem>,
    pub calendars: crate::ui::countdown::CountingCalendars,
    /// Care and education episodes, newest first.
    pub care_history: Vec<register::Episode>,
    pub education_history: Vec<register::Episode>,
    /// Whether the person may change the register entry (the Virtual School, the social worker).
    pub can_edit_register: bool,
    /// Whether the person may raise a concern (carers and professionals).
    pub may_raise_concern: bool,
    /// The concerns they may read: all for the Virtual School, their own for others.
    pub concerns: Vec<concerns::ConcernItem>,
}

/// "Social worker's contribution", with its countdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledDeadline {
    pub label: String,
    pub countdown: crate::ui::countdown::CountdownData,
}

/// An open action of the current PEP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub description: String,
    /// "Designated teacher", or the person's name.
    pub owner: String,
    pub countdown: Option<crate::ui::countdown::CountdownData>,
}

/// The children the signed-in person reaches today, by name.
#[server(prefix = "/api", endpoint = "children/mine")]
pub async fn my_children() -> Result<ChildrenList, AppError> {
    server::my_children()
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// One child's record; every read is audited.
#[server(name = ChildRecord, prefix = "/api", endpoint = "children/record")]
pub async fn child_record(child_id: ChildId) -> Result<ChildSummary, AppError> {
    server::child_record(child_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::domain::ids::ChildId;
    use chrono::{DateTime, NaiveDate, Utc};

    use super::countdowns::{Countdowns, SchoolRef, capitalise, pep_due_explanation, pep_title};
    use super::{
        ActionItem, ChildListItem, ChildSummary, ChildrenList, LabelledDeadline, NextPep,
        PepListItem,
    };
    use crate::domain::access::Action;
    use crate::domain::audit::AuditAction;
    use crate::domain::child::{
        Eligibility, EligibilityFacts, check_upn, eligibility, year_group_name,
    };
    use crate::domain::deadlines::long_date;
    use crate::domain::pep::PepState;
    use crate::domain::policy::Access;
    use crate::domain::roles::Role;
    use crate::domain::schedule::{contributions_due, submission_due};
    use crate::error::AppError;
    use crate::features::guard::{Reach, authorize, child_reader, reader, relationship, today};
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::sql::sql;

    /// The children the person reaches today, each with their next PEP, soonest first.
    pub async fn my_children() -> Result<ChildrenList, AppError> {
        let user = reader().await?;
        let db = Db::from_context("children")?;
        let query = sql(
            "SELECT c.id, c.first_name, c.last_name, e.school_id, s.name AS school, \
             p.id AS pep_id, p.academic_year, p.term, p.kind, p.state, p.due_on, \
             p.due_explanation, p.meeting_at \
             FROM children c \
             LEFT JOIN education_episodes e ON e.child_id = c.id AND e.ended_on IS NULL \
             LEFT JOIN schools s ON s.id = e.school_id \
             LEFT JOIN peps p ON p.id = (SELECT p2.id FROM peps p2 WHERE p2.child_id = c.id \
                  AND ",
        )
        .push_not_in("p2.state", &PepState::LOCKED)
        .push(" ORDER BY p2.due_on LIMIT 1) WHERE ");
        let rows: Vec<ChildRow> = Reach::today(&user)
            .push_onto(query)
            .push(" ORDER BY c.last_name, c.first_name")
            .fetch_all(&db)
            .await?;
        let mut countdowns = Countdowns::load(&db, &user.council_id, today()).await?;
        let mut children: Vec<ChildListItem> = rows
            .into_iter()
            .map(|row| {
                let school = school_ref(&row.school_id, &row.school);
                let next_pep = row
                    .pep
                    .open_pep()
                    .map(|pep| next_pep(&pep, school, &mut countdowns));
                ChildListItem {
                    id: row.id,
                    name: format!("{} {}", row.first_name, row.last_name),
                    school: row.school,
                    next_pep,
                }
            })
            .collect();
        // Soonest deadline first; children without a PEP due at the end, by name.
        children.sort_by_key(|c| {
            c.next_pep
                .as_ref()
                .map(|p| p.countdown.due)
                .unwrap_or(NaiveDate::MAX)
        });
        Ok(ChildrenList {
            role: user.role,
            children,
            calendars: countdowns.calendars(),
        })
    }

    #[derive(sqlx::FromRow)]
    struct ChildRow {
        id: String,
        first_name: String,
        last_name: String,
        school_id: Option<String>,
        school: Option<String>,
        #[sqlx(flatten)]
        pep: OpenPepColumns,
    }

    /// A child's current PEP as columns of a LEFT JOIN (`p.id AS pep_id, p.academic_year,
    /// p.term, p.kind, p.state, p.due_on, p.due_explanation, p.meeting_at`): all NULL when there
    /// is none.
    #[derive(sqlx::FromRow)]
    pub(crate) struct OpenPepColumns {
        pep_id: Option<String>,
        academic_year: Option<i64>,
        term: Option<String>,
        kind: Option<String>,
        pub state: Option<PepState>,
        pub due_on: Option<NaiveDate>,
        due_explanation: Option<String>,
        /// When its meeting is (planned, or held).
        pub meeting_at: Option<DateTime<Utc>>,
    }

    impl OpenPepColumns {
        pub fn open_pep(&self) -> Option<OpenPep> {
            Some(OpenPep {
                id: self.pep_id.clone()?,
                academic_year: self.academic_year?,
                term: self.term.clone()?,
                kind: self.kind.clone()?,
                state: self.state?,
                due_on: self.due_on?,
                due_explanation: self.due_explanation.clone().unwrap_or_default(),
                meeting_at: self.meeting_at,
            })
        }
    }

    /// A PEP still being written.
    #[derive(sqlx::FromRow)]
    pub(crate) struct OpenPep {
        pub id: String,
        pub academic_year: i64,
        pub term: String,
        pub kind: String,
        pub state: PepState,
        pub due_on: NaiveDate,
        pub due_explanation: String,
        pub meeting_at: Option<DateTime<Utc>>,
    }

    pub(crate) fn school_ref<'a>(
        id: &'a Option<String>,
        name: &'a Option<String>,
    ) -> SchoolRef<'a> {
        id.as_deref().zip(name.as_deref())
    }

    /// The next PEP with its countdown: school days at the child's school, or working days for
    /// a child with no school (or a school with no calendar yet).
    pub(crate) fn next_pep(
        pep: &OpenPep,
        school: SchoolRef,
        countdowns: &mut Countdowns,
    ) -> NextPep {
        let title = pep_title(pep.academic_year, &pep.term, &pep.kind);
        let explanation = pep_due_explanation(&pep.due_explanation, pep.due_on, &title);
        NextPep {
            pep_id: pep.id.clone(),
            state: pep.state.label().to_string(),
            countdown: countdowns.countdown(pep.due_on, &explanation, school),
            title,
        }
    }

    pub async fn child_record(child_id: ChildId) -> Result<ChildSummary, AppError> {
        let db = Db::from_context("children")?;
        let user = child_reader(&db, &child_id).await?;
        let child: Option<ChildFacts> = {
            sql(
                "SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.upn, c.gender, \
                 c.ethnicity, c.first_language, c.sen_status, c.nc_year_override, \
                 ce.started_on AS in_care_since, ce.legal_status, ce.placement_type, \
                 e.school_id, s.name AS school, e.status AS education_status, \
                 e.started_on AS education_since \
                 FROM children c \
                 LEFT JOIN care_episodes ce ON ce.child_id = c.id AND ce.ended_on IS NULL \
                 LEFT JOIN education_episodes e ON e.child_id = c.id AND e.ended_on IS NULL \
                 LEFT JOIN schools s ON s.id = e.school_id \
                 WHERE c.id = $1 AND c.council_id = $2",
            )
            .bind(&child_id)
            .bind(&user.council_id)
            .fetch_optional(&db)
            .await?
        };
        // Gone since the check above: the same answer as "not yours".
        let Some(child) = child else {
            return Err(AppError::Forbidden);
        };
        let id = child.id.clone();
        let relationship = relationship(&db, &user, &id).await?;
        let (peps, open_peps): (Vec<PepListItem>, Vec<OpenPep>) = {
            let mut tx = db.begin_write().await?;
            let peps: Vec<(String, i64, String, String, String, NaiveDate)> = sql(
                "SELECT id, academic_year, term, kind, state, due_on FROM peps \
                 WHERE child_id = $1 ORDER BY academic_year DESC, due_on DESC",
            )
            .bind(&id)
            .fetch_all(&mut tx)
            .await?;
            let open: Vec<OpenPep> = sql(
                "SELECT id, academic_year, term, kind, state, due_on, due_explanation, meeting_at \
                 FROM peps WHERE child_id = $1 AND ",
            )
            .bind(&id)
            .push_not_in("state", &PepState::LOCKED)
            .push(" ORDER BY due_on LIMIT 1")
            .fetch_all(&mut tx)
            .await?;
            audit::append(
                &mut tx,
                &AuditEvent {
                    occurred_at: Utc::now(),
                    actor_id: Some(&user.id),
                    action: AuditAction::ChildRead,
                    entity: "child",
                    entity_id: Some(&id),
                    child_id: Some(&id),
                    pep_id: None,
                    detail: serde_json::json!({ "relationship": format!("{relationship:?}") }),
                    request_id: None,
                },
            )
            .await?;
            tx.commit().await?;
            let peps = peps
                .into_iter()
                .map(
                    |(id, academic_year, term, kind, state, due_on)| PepListItem {
                        id,
                        academic_year,
                        term,
                        kind,
                        state,
                        due_on: due_on.to_string(),
                    },
                )
                .collect();
            (peps, open)
        };
        let today = today();
        let eligibility = child_eligibility(&child, today);
        let mut countdowns = Countdowns::load(&db, &user.council_id, today).await?;
        let school = school_ref(&child.school_id, &child.school);
        let open_pep = open_peps.into_iter().next();
        let next_pep = open_pep
            .as_ref()
            .map(|pep| next_pep(pep, school, &mut countdowns));
        let meeting_deadlines = match &open_pep {
            Some(pep) => meeting_deadlines(pep, school, &mut countdowns),
            None => Vec::new(),
        };
        let actions = match &open_pep {
            Some(pep) => open_actions(&db, &pep.id, school, &mut countdowns).await?,
            None => Vec::new(),
        };
        let (care_history, education_history) = super::register::server::episodes(&db, &id).await?;
        let can_edit_register = authorize(
            Some(&user),
            Action::EditRegister,
            relationship,
            Access::None,
        )
        .is_ok();
        let concerns = super::concerns::server::concerns_for(&db, &user, &id).await?;
        Ok(ChildSummary {
            id,
            name: format!("{} {}", child.first_name, child.last_name),
            date_of_birth: child.date_of_birth.to_string(),
            upn: child.upn.clone(),
            facts: child_facts(&child, &eligibility),
            eligible: eligibility.eligible,
            eligibility: eligibility.reason,
            next_pep,
            meeting_deadlines,
            actions,
            peps,
            calendars: countdowns.calendars(),
            care_history,
            education_history,
            can_edit_register,
            may_raise_concern: super::concerns::server::may_raise(&user),
            concerns,
        })
    }

    /// Before a meeting, each contribution's deadline counted back from it; after it, the
    /// designated teacher's submission deadline.
    fn meeting_deadlines(
        pep: &OpenPep,
        school: SchoolRef,
        countdowns: &mut Countdowns,
    ) -> Vec<LabelledDeadline> {
        let Some(meeting_at) = pep.meeting_at else {
            return Vec::new();
        };
        let meeting_on = crate::domain::uk_time::uk_local(meeting_at).date();
        let calendar = countdowns.school_calendar(school.map(|(id, _)| id));
        let state = pep.state;
        let mut deadlines = Vec::new();
        if matches!(state, PepState::Scheduled | PepState::Contributions) {
            for (role, deadline) in contributions_due(
                &countdowns.policy.clone(),
                meeting_on,
                calendar.as_ref(),
                countdowns.bank_holidays(),
            ) {
                deadlines.push(LabelledDeadline {
                    label: format!("{}'s contribution", capitalise(role.label())),
                    countdown: countdowns.countdown(deadline.due, &deadline.explanation, school),
                });
            }
        } else if matches!(
            state,
            PepState::Meeting | PepState::Draft | PepState::Ready | PepState::Returned
        ) {
            let policy = countdowns.policy.clone();
            if let Ok(deadline) = submission_due(
                &policy,
                meeting_on,
                calendar.as_ref(),
                countdowns.bank_holidays(),
            ) {
                deadlines.push(LabelledDeadline {
                    label: "Submission to the Virtual School".to_string(),
                    countdown: countdowns.countdown(deadline.due, &deadline.explanation, school),
                });
            }
        }
        deadlines
    }

    /// The PEP's open actions with their countdowns, soonest first.
    async fn open_actions(
        db: &Db,
        pep_id: &str,
        school: SchoolRef<'_>,
        countdowns: &mut Countdowns,
    ) -> Result<Vec<ActionItem>, AppError> {
        /// (description, owner role, owner's name, due date)
        type ActionRow = (String, Option<String>, Option<String>, Option<NaiveDate>);
        let rows: Vec<ActionRow> = {
            sql(
                "SELECT a.description, a.owner_role, u.display_name, a.due_on FROM actions a \
                 LEFT JOIN users u ON u.id = a.owner_user_id \
                 WHERE a.pep_id = $1 AND a.status = 'open' ORDER BY a.due_on, a.created_at",
            )
            .bind(pep_id)
            .fetch_all(db)
            .await?
        };
        Ok(rows
            .into_iter()
            .map(|(description, owner_role, owner_name, due_on)| {
                let owner = owner_name
                    .or_else(|| {
                        owner_role
                            .and_then(|r| Role::parse(&r).ok())
                            .map(|r| capitalise(r.label()))
                    })
                    .unwrap_or_else(|| "No owner yet".to_string());
                let countdown = due_on.map(|due| {
                    countdowns.countdown(
                        due,
                        &format!("{} is the date set for this action", long_date(due)),
                        school,
                    )
                });
                ActionItem {
                    description,
                    owner,
                    countdown,
                }
            })
            .collect())
    }

    #[derive(sqlx::FromRow)]
    struct ChildFacts {
        id: String,
        first_name: String,
        last_name: String,
        date_of_birth: NaiveDate,
        upn: Option<String>,
        gender: String,
        ethnicity: String,
        first_language: String,
        sen_status: String,
        nc_year_override: Option<i64>,
        in_care_since: Option<NaiveDate>,
        legal_status: Option<String>,
        placement_type: Option<String>,
        school_id: Option<String>,
        school: Option<String>,
        education_status: Option<String>,
        education_since: Option<NaiveDate>,
    }

    fn child_eligibility(child: &ChildFacts, today: NaiveDate) -> Eligibility {
        eligibility(
            &EligibilityFacts::from_register(
                child.date_of_birth,
                child.in_care_since,
                child.nc_year_override,
            ),
            today,
        )
    }

    /// The rows of section A as people read them, derived values marked as such.
    fn child_facts(child: &ChildFacts, eligibility: &Eligibility) -> Vec<(String, String)> {
        let upn = match &child.upn {
            None => "Not recorded".to_string(),
            Some(upn) => match check_upn(upn) {
                Ok(upn) => upn,
                Err(problem) => format!("{upn} (needs checking: {problem})"),
            },
        };
        let year_group = format!(
            "{}{}",
            year_group_name(eligibility.year_group),
            if child.nc_year_override.is_some() {
                " (set by hand)"
            } else {
                " (from the date of birth)"
            }
        );
        let sen = match child.sen_status.as_str() {
            "ehcp" => "Education, health and care plan (EHCP)",
            "sen_support" => "SEN support",
            _ => "None recorded",
        };
        let education = match (
            &child.school,
            &child.education_status,
            child.education_since,
        ) {
            (Some(school), _, Some(since)) => format!("{school}, since {}", long_date(since)),
            (None, Some(status), _) => match status.as_str() {
                "neet" => "Not in education, employment or training (NEET)".to_string(),
                "not_in_setting" => "Not in an early years setting".to_string(),
                "missing_education" => "Missing education".to_string(),
                other => other.replace('_', " "),
            },
            _ => "Not recorded".to_string(),
        };
        let mut rows = vec![
            ("Date of birth".to_string(), long_date(child.date_of_birth)),
            ("UPN".to_string(), upn),
            ("Year group".to_string(), year_group),
            (
                "Phase".to_string(),
                eligibility
                    .phase
                    .map(|p| capitalise(p.label()))
                    .unwrap_or_else(|| "Past Year 13".to_string()),
            ),
            ("School or setting".to_string(), education),
            ("Special educational needs".to_string(), sen.to_string()),
            ("Gender".to_string(), capitalise(&child.gender)),
            ("Ethnicity".to_string(), child.ethnicity.clone()),
            ("First language".to_string(), child.first_language.clone()),
        ];
        if let Some(since) = child.in_care_since {
            rows.push(("Looked after since".to_string(), long_date(since)));
        }
        if let Some(status) = &child.legal_status {
            rows.push(("Legal status".to_string(), status.clone()));
        }
        if let Some(placement) = &child.placement_type {
            rows.push(("Placement".to_string(), placement.clone()));
        }
        rows
    }
}
