//! The PEP form read for one person (each section they may read, with its deadlines and the
//! parts' pieces), field saves that only succeed against the version the person started from,
//! and the task list's statuses. Who may do what with each section is `reached`'s.

use crate::domain::ids::PepId;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::audit::AuditAction;
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::pep_form::{SectionStatus, check_field_value, field, fields, sections_for};
use crate::domain::policy::Access;
use crate::domain::roles::Role;
use crate::domain::schedule::{contributions_due, submission_due};
use crate::error::AppError;
use crate::features::children::countdowns::{
    Countdowns, capitalise, pep_due_explanation, pep_title,
};
use crate::features::guard::today;
use crate::features::pep_form::{FieldSaved, FormField, FormSection, PepForm};
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::reference_data::section_policy;
use crate::infra::sql::{Tx, sql};
use crate::ui::countdown::CountdownData;

use super::reached::{PepRow, reach, when};

/// Sets a section's task-list status inside the caller's transaction.
pub(in crate::features::pep_form) async fn upsert_status(
    tx: &mut Tx,
    pep_id: &str,
    section: SectionKey,
    status: SectionStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql(
        "INSERT INTO pep_sections (pep_id, section, status, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (pep_id, section) DO UPDATE SET status = excluded.status, \
         version = pep_sections.version + 1, updated_at = excluded.updated_at",
    )
    .bind(pep_id)
    .bind(section.as_str())
    .bind(status.as_str())
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// After a field of the section is written, in the caller's transaction: a section not started
/// becomes in progress (`SectionStatus::after_edit`).
pub(in crate::features::pep_form) async fn mark_section_edited(
    tx: &mut Tx,
    pep_id: &str,
    section: SectionKey,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let status: Option<String> =
        sql("SELECT status FROM pep_sections WHERE pep_id = $1 AND section = $2")
            .bind(pep_id)
            .bind(section.as_str())
            .fetch_optional_value(&mut *tx)
            .await?;
    let status = status
        .and_then(|s| SectionStatus::parse(&s).ok())
        .unwrap_or_else(|| SectionStatus::initial(section))
        .after_edit();
    upsert_status(tx, pep_id, section, status, now).await
}
/// A saved answer, with the name of who saved it last.
#[derive(sqlx::FromRow)]
struct StoredField {
    section: String,
    field: String,
    value: String,
    version: i64,
    updated_at: DateTime<Utc>,
    updated_by: Option<String>,
}

pub async fn pep_form(pep_id: PepId) -> Result<PepForm, AppError> {
    let db = Db::from_context("pep form")?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    // Section A shows the register's facts; reading them is audited like any child record.
    let child =
        crate::features::children::server::child_record(reached.pep.child_id.clone().into())
            .await?;
    let policy = section_policy(&db, &reached.user.council_id).await?;
    let pep = &reached.pep;
    let (stored_fields, statuses): (Vec<StoredField>, Vec<(String, String)>) = {
        let fields = sql(
            "SELECT f.section, f.field, f.value, f.version, f.updated_at, u.display_name AS updated_by \
             FROM pep_fields f LEFT JOIN users u ON u.id = f.updated_by WHERE f.pep_id = $1",
        )
        .bind(&pep.id)
        .fetch_all(&db)
        .await?;
        let statuses = sql("SELECT section, status FROM pep_sections WHERE pep_id = $1")
            .bind(&pep.id)
            .fetch_all(&db)
            .await?;
        (fields, statuses)
    };
    let mut stored: HashMap<(String, String), StoredField> = stored_fields
        .into_iter()
        .map(|f| ((f.section.clone(), f.field.clone()), f))
        .collect();
    let statuses: HashMap<String, String> = statuses.into_iter().collect();

    let mut countdowns = Countdowns::load(&db, &reached.user.council_id, today()).await?;
    let school = pep.school_ref();
    // The child's PEP before this one: its targets are evaluated here, its open actions listed.
    let previous = super::targets::previous_pep(&db, pep).await?;
    let deadlines = section_deadlines(pep, school, &mut countdowns);
    let all_targets = super::targets::targets_of(
        &db,
        &reached,
        &policy,
        &countdowns,
        today(),
        previous.as_ref(),
    )
    .await?;
    let workflow = super::workflow::workflow_part(&db, &reached, &all_targets).await?;
    let targets = (reached.access(SectionKey::Targets) != Access::None).then_some(all_targets);
    let action_log = if reached.access(SectionKey::Actions) == Access::None {
        None
    } else {
        let previous_id = previous.as_ref().map(|(id, _)| id.as_str());
        Some(action_log(&db, &pep.id, previous_id, school, &mut countdowns).await?)
    };
    let suspensions = super::suspensions::suspensions_of(&db, &reached).await?;
    let adds_actions = reached.access(SectionKey::Actions) == Access::Edit;
    let runs_meeting = super::meeting::runs_meeting(&reached, relationship);
    let team = if adds_actions || runs_meeting {
        super::action_log::team_of(&db, &pep.child_id, today()).await?
    } else {
        Vec::new()
    };
    let action_owners = if adds_actions {
        team.clone()
    } else {
        Vec::new()
    };
    let meeting_team = if runs_meeting { team } else { Vec::new() };
    let meeting = super::meeting::meeting_of(&db, &pep.id).await?;

    let sections = sections_for(reached.phase)
        .filter(|&section| reached.access(section) != Access::None)
        // Targets and the action log are records of their own, shown by their own parts.
        .filter(|&section| !fields(section).is_empty())
        .map(|section| {
            let owner = policy.owner(section);
            let status = statuses
                .get(section.as_str())
                .and_then(|s| SectionStatus::parse(s).ok())
                .unwrap_or_else(|| SectionStatus::initial(section));
            FormSection {
                key: section,
                label: policy.label(section),
                owner: capitalise(owner.label()),
                status,
                // Finished work has no countdown: a completed section, a PEP submitted or approved
                // (an approved PEP read "60 school days overdue" on every section).
                due: (status != SectionStatus::Completed
                    && !matches!(reached.state, PepState::Submitted | PepState::Approved))
                .then(|| deadlines.for_owner(owner)),
                editable: reached.access(section) == Access::Edit,
                fields: fields(section)
                    .iter()
                    .map(|spec| {
                        let saved =
                            stored.remove(&(section.as_str().to_string(), spec.key.to_string()));
                        FormField {
                            key: spec.key.to_string(),
                            label: spec.label.to_string(),
                            hint: spec.hint.to_string(),
                            kind: spec.kind,
                            version: saved.as_ref().map_or(0, |s| s.version),
                            last_change: saved.as_ref().map(|s| {
                                let by = s.updated_by.as_deref().unwrap_or("Someone");
                                format!("{by}, {}", when(s.updated_at))
                            }),
                            value: saved.map(|s| s.value).unwrap_or_default(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(PepForm {
        pep_id: pep.id.clone().into(),
        child_id: pep.child_id.clone(),
        child_name: child.name,
        title: pep_title(pep.academic_year, &pep.term, &pep.kind),
        workflow,
        child_details: child.facts,
        sections,
        targets,
        revision: pep.revision,
        action_log,
        action_owners,
        adds_actions,
        meeting,
        runs_meeting,
        meeting_team,
        suspensions,
        calendars: countdowns.calendars(),
    })
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    description: String,
    owner_role: Option<String>,
    owner_name: Option<String>,
    frequency: Option<String>,
    status: String,
    due_on: Option<NaiveDate>,
    /// Still open from the child's previous PEP.
    carried: bool,
}

/// Every action of the PEP, and those of the child's previous PEP still open (they come forward
/// until done: DOMAIN.md's pre-population), open ones first and soonest first, each open one with
/// its countdown.
async fn action_log(
    db: &Db,
    pep_id: &str,
    previous_pep_id: Option<&str>,
    school: Option<(&str, &str)>,
    countdowns: &mut Countdowns,
) -> Result<Vec<crate::features::pep_form::ActionLogItem>, AppError> {
    let rows: Vec<ActionRow> = {
        sql(
            "SELECT a.description, a.owner_role, u.display_name AS owner_name, a.frequency, \
             a.status, a.due_on, a.pep_id <> $1 AS carried \
             FROM actions a LEFT JOIN users u ON u.id = a.owner_user_id \
             WHERE (a.pep_id = $1 OR (a.pep_id = $2 AND a.status = 'open')) AND a.description <> '' \
             ORDER BY CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, a.due_on, a.id",
        )
        .bind(pep_id)
        .bind(previous_pep_id.unwrap_or(""))
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let owner = row
                .owner_name
                .or_else(|| {
                    row.owner_role
                        .as_deref()
                        .and_then(|r| Role::parse(r).ok())
                        .map(|r| capitalise(r.label()))
                })
                .unwrap_or_else(|| "Nobody named yet".to_string());
            let due = row.due_on.filter(|_| row.status == "open").map(|due| {
                let rule = format!(
                    "The date the action's target is to be met by, set in the PEP: {}",
                    crate::domain::deadlines::long_date(due)
                );
                countdowns.countdown(due, &rule, school)
            });
            crate::features::pep_form::ActionLogItem {
                description: row.description,
                owner,
                frequency: row.frequency.unwrap_or_default(),
                status: row.status,
                due,
                from_last_pep: row.carried,
            }
        })
        .collect())
}

/// Each section's due date by its owner: contributors (social worker, carer, young person) by
/// their pre-meeting deadline, everyone else by the submission deadline after the meeting;
/// before a meeting is booked, the PEP's own due date.
struct SectionDeadlines {
    contributions: HashMap<Role, CountdownData>,
    everything_else: CountdownData,
}

impl SectionDeadlines {
    fn for_owner(&self, owner: Role) -> CountdownData {
        self.contributions
            .get(&owner)
            .unwrap_or(&self.everything_else)
            .clone()
    }
}

fn section_deadlines(
    pep: &PepRow,
    school: Option<(&str, &str)>,
    countdowns: &mut Countdowns,
) -> SectionDeadlines {
    let title = pep_title(pep.academic_year, &pep.term, &pep.kind);
    let mut deadlines = SectionDeadlines {
        contributions: HashMap::new(),
        everything_else: countdowns.countdown(
            pep.due_on,
            &pep_due_explanation(&pep.due_explanation, pep.due_on, &title),
            school,
        ),
    };
    let Some(meeting_at) = pep.meeting_at else {
        return deadlines;
    };
    let meeting_on = crate::domain::uk_time::uk_local(meeting_at).date();
    let calendar = countdowns.school_calendar(school.map(|(id, _)| id));
    let policy = countdowns.policy.clone();
    for (role, deadline) in contributions_due(
        &policy,
        meeting_on,
        calendar.as_ref(),
        countdowns.bank_holidays(),
    ) {
        let countdown = countdowns.countdown(deadline.due, &deadline.explanation, school);
        deadlines.contributions.insert(role, countdown);
    }
    if let Ok(deadline) = submission_due(
        &policy,
        meeting_on,
        calendar.as_ref(),
        countdowns.bank_holidays(),
    ) {
        deadlines.everything_else =
            countdowns.countdown(deadline.due, &deadline.explanation, school);
    }
    // No part is due after the PEP itself: a late meeting does not move the PEP's own date.
    let pep_due = countdowns.countdown(
        pep.due_on,
        &pep_due_explanation(&pep.due_explanation, pep.due_on, &title),
        school,
    );
    for deadline in deadlines
        .contributions
        .values_mut()
        .chain(std::iter::once(&mut deadlines.everything_else))
    {
        if deadline.due > pep.due_on {
            *deadline = pep_due.clone();
        }
    }
    deadlines
}

/// Saves one field of one section, only over the version the person started from: a plain
/// `UPDATE … WHERE version = $v` (or an insert that finds no row), so two saves racing for the
/// same version cannot both succeed.
pub async fn save_pep_field(
    pep_id: PepId,
    section: String,
    field_key: String,
    value: String,
    version: i64,
    edit_id: Option<String>,
) -> Result<FieldSaved, AppError> {
    let db = Db::from_context("pep form")?;
    if let Some(id) = &edit_id
        && !crate::domain::ids::is_edit_id(id)
    {
        return Err(AppError::Invalid(vec![(
            "edit_id".into(),
            "An edit id is 1 to 64 letters, digits, hyphens or underscores".into(),
        )]));
    }
    let (reached, relationship) = reach(&db, &pep_id).await?;
    let unknown = || {
        AppError::Invalid(vec![(
            "section".into(),
            format!("This PEP has no question “{field_key}” in “{section}”"),
        )])
    };
    let section_key = SectionKey::parse(&section).map_err(|_| unknown())?;
    if !section_key.applies_to(reached.phase) {
        return Err(unknown());
    }
    let spec = field(section_key, &field_key).ok_or_else(unknown)?;
    reached.authorize(section_key, true, relationship)?;
    check_field_value(spec, &value)
        .map_err(|message| AppError::Invalid(vec![(field_key.clone(), message)]))?;
    if version < 0 {
        return Err(AppError::Invalid(vec![(
            "version".into(),
            "The version must be 0 or more".into(),
        )]));
    }
    let user = &reached.user;
    let now = Utc::now();
    let outcome = {
        let mut tx = db.begin_write().await?;
        // The same edit sent again (its answer was lost): answer as the first time.
        let applied: Option<(i64, String, String)> = match &edit_id {
            Some(id) => {
                sql("SELECT version, user_id, pep_id FROM applied_edits WHERE edit_id = $1")
                    .bind(id)
                    .fetch_optional(&mut tx)
                    .await?
            }
            None => None,
        };
        let written = if applied.is_some() {
            0
        } else if version == 0 {
            sql(
                "INSERT INTO pep_fields (pep_id, section, field, value, version, updated_at, updated_by)                  VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (pep_id, section, field) DO NOTHING",
            )
            .bind(&pep_id).bind(&section).bind(&field_key).bind(&value).bind(now).bind(&user.id)
            .execute(&mut tx)
            .await?
            .rows_affected()
        } else {
            sql(
                "UPDATE pep_fields SET value = $4, version = version + 1, updated_at = $5, updated_by = $6                  WHERE pep_id = $1 AND section = $2 AND field = $3 AND version = $7",
            )
            .bind(&pep_id).bind(&section).bind(&field_key).bind(&value).bind(now).bind(&user.id).bind(version)
            .execute(&mut tx)
            .await?
            .rows_affected()
        };
        if let Some((applied_version, by, on_pep)) = applied {
            tx.rollback().await?;
            if by != user.id || on_pep != pep_id.0 {
                return Err(AppError::Invalid(vec![(
                    "edit_id".into(),
                    "This edit id belongs to another edit: send a new one".into(),
                )]));
            }
            (
                FieldSaved::Saved {
                    version: applied_version,
                },
                None,
            )
        } else if written == 0 {
            let current: Option<(String, i64, Option<String>)> = sql(
                "SELECT f.value, f.version, u.display_name FROM pep_fields f                  LEFT JOIN users u ON u.id = f.updated_by                  WHERE f.pep_id = $1 AND f.section = $2 AND f.field = $3",
            )
            .bind(&pep_id).bind(&section).bind(&field_key)
            .fetch_optional(&mut tx)
            .await?;
            tx.rollback().await?;
            let (value, version, by) = current.unwrap_or_default();
            (
                FieldSaved::Conflict {
                    value,
                    version,
                    by: by.unwrap_or_else(|| "Someone".into()),
                },
                None,
            )
        } else {
            mark_section_edited(&mut tx, &pep_id, section_key, now).await?;
            if let Some(id) = &edit_id {
                sql(
                    "INSERT INTO applied_edits (edit_id, pep_id, user_id, version, applied_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&pep_id)
                .bind(&user.id)
                .bind(version + 1)
                .bind(now)
                .execute(&mut tx)
                .await?;
            }
            let field_id = format!("{section}.{field_key}");
            // The words stay in the PEP; the log says who changed what, and how much.
            let revision = audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::PepFieldSaved,
                    "pep_field",
                    &field_id,
                    serde_json::json!({
                        "section": section, "field": field_key, "version": version + 1,
                        "characters": value.chars().count(),
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
            (
                FieldSaved::Saved {
                    version: version + 1,
                },
                revision,
            )
        }
    };
    let (outcome, revision) = outcome;
    if let Some(revision) = revision {
        crate::infra::live_signal::ring(&pep_id, revision);
    }
    Ok(outcome)
}

/// Marks a section on the task list: completed, checked (needs checking to completed), or back
/// to in progress. Anyone who may edit the section may.
pub async fn set_section_status(
    pep_id: PepId,
    section: SectionKey,
    status: SectionStatus,
) -> Result<(), AppError> {
    let db = Db::from_context("pep form")?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    if !section.applies_to(reached.phase) {
        return Err(AppError::Invalid(vec![(
            "section".into(),
            format!("This PEP has no section “{}”", section.as_str()),
        )]));
    }
    if !matches!(status, SectionStatus::Completed | SectionStatus::InProgress) {
        return Err(AppError::Invalid(vec![(
            "status".into(),
            "A section can be marked completed or in progress".into(),
        )]));
    }
    reached.authorize(section, true, relationship)?;
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        upsert_status(&mut tx, &pep_id, section, status, now).await?;
        audit::append(
            &mut tx,
            &reached.event(
                now,
                AuditAction::PepSectionStatus,
                "pep_section",
                section.as_str(),
                serde_json::json!({ "section": section, "status": status.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
    };
    Ok(())
}
