//! The admin functions on the server: authorization first, then the council's rows only.

use crate::domain::ids::ChildId;
use chrono::{Duration, NaiveDate, Utc};

use super::{
    AssignmentRow, Choice, InvitationRow, PeopleOverview, PersonDetail, PersonRow,
    SectionRightsTable, assignment_relationship,
};
use crate::domain::audit::AuditAction;
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::policy::Access;
use crate::domain::roles::Role;
use crate::error::{AppError, internal};
use crate::features::auth::CurrentUser;
use crate::features::guard::{administrator, today};
use crate::infra::audit;
use crate::infra::audit::AuditEvent;
use crate::infra::db::Db;
use crate::infra::sql::sql;

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![(field.to_string(), message.into())])
}

/// The same words everywhere a date is shown: "3 September 2026".
fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

const CHANGED_MEANWHILE: &str = "Someone else changed this person just now. The page now shows \
                                 them as they are; make your change again if it is still needed.";

#[derive(sqlx::FromRow)]
struct PersonRecord {
    id: String,
    display_name: String,
    email: String,
    role: Role,
    school_id: Option<String>,
    school: Option<String>,
    status: String,
    second_factor_set_up: bool,
    version: i64,
}

const PERSON_SELECT: &str = "SELECT u.id, u.display_name, u.email, u.role, u.school_id, \
     s.name AS school, u.status, u.totp_confirmed_at IS NOT NULL AS second_factor_set_up, u.version \
     FROM users u LEFT JOIN schools s ON s.id = u.school_id";

impl PersonRecord {
    fn into_row(self) -> Result<(PersonRow, i64), AppError> {
        let role = self.role;
        Ok((
            PersonRow {
                id: self.id,
                name: self.display_name,
                email: self.email,
                role,
                school_id: self.school_id,
                school: self.school,
                active: self.status == "active",
                second_factor_set_up: self.second_factor_set_up,
            },
            self.version,
        ))
    }
}

async fn schools(db: &Db, council_id: &str) -> Result<Vec<Choice>, AppError> {
    let rows: Vec<(String, String)> = {
        sql("SELECT id, name FROM schools WHERE council_id = $1 ORDER BY name")
            .bind(council_id)
            .fetch_all(db)
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|(id, label)| Choice { id, label })
        .collect())
}

/// email, role, school name, expires at, used.
type InvitationRecord = (String, String, Option<String>, chrono::DateTime<Utc>, bool);

pub async fn list_people() -> Result<PeopleOverview, AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let people: Vec<PersonRecord> = {
        sql(&format!(
            "{PERSON_SELECT} WHERE u.council_id = $1 ORDER BY u.status, u.display_name"
        ))
        .bind(&admin.council_id)
        .fetch_all(&db)
        .await?
    };
    let since = Utc::now() - Duration::days(30);
    let invitations: Vec<InvitationRecord> = {
        sql(
            "SELECT i.email, i.role, s.name, i.expires_at, i.used_at IS NOT NULL \
             FROM invitations i LEFT JOIN schools s ON s.id = i.school_id \
             WHERE i.council_id = $1 AND i.created_at > $2 ORDER BY i.created_at DESC",
        )
        .bind(&admin.council_id)
        .bind(since)
        .fetch_all(&db)
        .await?
    };
    let now = Utc::now();
    Ok(PeopleOverview {
        people: people
            .into_iter()
            .map(|p| p.into_row().map(|(row, _)| row))
            .collect::<Result<_, _>>()?,
        invitations: invitations
            .into_iter()
            .map(|(email, role, school, expires_at, used)| {
                let role = Role::parse(&role).map_err(|e| internal("invitation role", e))?;
                let status = if used {
                    "Registered".to_string()
                } else if expires_at <= now {
                    format!("Expired on {}", long_date(expires_at.date_naive()))
                } else {
                    format!("Open until {}", long_date(expires_at.date_naive()))
                };
                Ok(InvitationRow {
                    email,
                    role,
                    school,
                    status,
                })
            })
            .collect::<Result<_, AppError>>()?,
        schools: schools(&db, &admin.council_id).await?,
    })
}

/// A person of the administrator's council; another council's person is "not found" (403), the
/// same answer as a person who does not exist.
async fn person_in_council(
    db: &Db,
    admin: &CurrentUser,
    user_id: &str,
) -> Result<PersonRecord, AppError> {
    let person: Option<PersonRecord> = {
        sql(&format!(
            "{PERSON_SELECT} WHERE u.id = $1 AND u.council_id = $2"
        ))
        .bind(user_id)
        .bind(&admin.council_id)
        .fetch_optional(db)
        .await?
    };
    person.ok_or(AppError::Forbidden)
}

pub async fn get_person(user_id: String) -> Result<PersonDetail, AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let (person, version) = person_in_council(&db, &admin, &user_id).await?.into_row()?;
    let today = today();
    let assignments: Vec<(String, String, String, String, NaiveDate, Option<NaiveDate>)> = {
        sql(
            "SELECT a.id, c.id, c.first_name, c.last_name, a.starts_on, a.ends_on \
             FROM assignments a JOIN children c ON c.id = a.child_id \
             WHERE a.user_id = $1 ORDER BY a.ends_on IS NOT NULL, a.starts_on DESC",
        )
        .bind(&person.id)
        .fetch_all(&db)
        .await?
    };
    let children: Vec<(String, String, String)> = {
        sql(
            "SELECT id, first_name, last_name FROM children WHERE council_id = $1 \
             ORDER BY last_name, first_name",
        )
        .bind(&admin.council_id)
        .fetch_all(&db)
        .await?
    };
    Ok(PersonDetail {
        is_you: person.id == admin.id,
        version,
        assignments: assignments
            .into_iter()
            .map(
                |(id, child_id, first, last, starts_on, ends_on)| AssignmentRow {
                    id,
                    child_id,
                    child_name: format!("{first} {last}"),
                    starts_on: long_date(starts_on),
                    ends_on: ends_on.map(long_date),
                    current: starts_on <= today && ends_on.is_none_or(|end| end >= today),
                },
            )
            .collect(),
        children: children
            .into_iter()
            .map(|(id, first, last)| Choice {
                id,
                label: format!("{first} {last}"),
            })
            .collect(),
        schools: schools(&db, &admin.council_id).await?,
        person,
    })
}

/// The administrator, the database and the person they want to change, who must not be
/// themselves (`what` completes "You cannot …"; the problem goes on `field`).
async fn someone_else(
    user_id: &str,
    field: &str,
    what: &str,
) -> Result<(CurrentUser, Db, PersonRecord), AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let person = person_in_council(&db, &admin, user_id).await?;
    if person.id == admin.id {
        return Err(invalid(
            field,
            format!("You cannot {what}. Ask another member of the Virtual School."),
        ));
    }
    Ok((admin, db, person))
}

pub async fn change_role(
    user_id: String,
    new_role: Role,
    school_id: Option<String>,
    version: i64,
) -> Result<(), AppError> {
    let (admin, db, person) = someone_else(&user_id, "role", "change your own role").await?;
    let school_id = match new_role {
        Role::DesignatedTeacher => Some(
            school_id
                .filter(|s| !s.is_empty())
                .ok_or_else(|| invalid("school_id", "Choose the designated teacher's school"))?,
        ),
        _ => None,
    };
    if new_role == person.role && school_id == person.school_id {
        return Ok(());
    }
    if let Some(school) = &school_id {
        let known: i64 = {
            sql("SELECT COUNT(*) FROM schools WHERE id = $1 AND council_id = $2")
                .bind(school)
                .bind(&admin.council_id)
                .fetch_value(&db)
                .await?
        };
        if known == 0 {
            return Err(invalid("school_id", "Choose a school from the list"));
        }
    }
    let change = PersonChange {
        role: new_role,
        school_id,
        active: person.status == "active",
    };
    apply_person_change(&db, &admin, &person, version, change, "role").await
}

pub async fn set_person_active(
    user_id: String,
    active: bool,
    version: i64,
) -> Result<(), AppError> {
    let (admin, db, person) = someone_else(&user_id, "status", "deactivate yourself").await?;
    if (person.status == "active") == active {
        return Ok(());
    }
    let change = PersonChange {
        role: person.role,
        school_id: person.school_id.clone(),
        active,
    };
    apply_person_change(&db, &admin, &person, version, change, "status").await
}

/// A person's role, school and status after a change.
struct PersonChange {
    role: Role,
    school_id: Option<String>,
    active: bool,
}

/// Writes a change to a person in one transaction: the version check (a stale page gets its
/// problem on `field`), the end of every session they have (a new role's rules, or deactivation,
/// take effect at once, live connections included), and the audit row.
async fn apply_person_change(
    db: &Db,
    admin: &CurrentUser,
    person: &PersonRecord,
    version: i64,
    change: PersonChange,
    field: &str,
) -> Result<(), AppError> {
    let was_active = person.status == "active";
    let action = match (was_active, change.active) {
        (true, false) => AuditAction::UserDeactivated,
        (false, true) => AuditAction::UserReactivated,
        _ => AuditAction::UserRoleChanged,
    };
    let role_changes = change.role != person.role;
    let now = Utc::now();
    let today = today();
    {
        let mut tx = db.begin_write().await?;
        // Links to children belong to the old role (a carer's child is not a social worker's
        // case): they must be ended first, on purpose, rather than carried over silently.
        if role_changes {
            let current: i64 = sql("SELECT COUNT(*) FROM assignments WHERE user_id = $1 AND ")
                .bind(&person.id)
                .push_in_force("starts_on", "ends_on", today)
                .fetch_value(&mut tx)
                .await?;
            if current > 0 {
                return Err(invalid(
                    field,
                    format!(
                        "{} is assigned to {current} {} as {}. End {} below before changing the role.",
                        person.display_name,
                        if current == 1 { "child" } else { "children" },
                        person.role.label(),
                        if current == 1 {
                            "that assignment"
                        } else {
                            "those assignments"
                        },
                    ),
                ));
            }
        }
        let changed = sql(
            "UPDATE users SET role = $1, school_id = $2, status = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(change.role.as_str())
        .bind(&change.school_id)
        .bind(if change.active {
            "active"
        } else {
            "deactivated"
        })
        .bind(now)
        .bind(&person.id)
        .bind(version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(invalid(field, CHANGED_MEANWHILE));
        }
        sql("DELETE FROM sessions WHERE user_id = $1")
            .bind(&person.id)
            .execute(&mut tx)
            .await?;
        audit::append(&mut tx, &AuditEvent {
            occurred_at: now,
            actor_id: Some(&admin.id),
            action,
            entity: "user",
            entity_id: Some(&person.id),
            child_id: None,
            pep_id: None,
            detail: serde_json::json!({
                "from": { "role": person.role, "school_id": person.school_id, "active": was_active },
                "to": { "role": change.role.as_str(), "school_id": change.school_id, "active": change.active },
            }),
            request_id: None,
        }).await?;
        tx.commit().await?;
    };
    crate::infra::live_signal::recheck();
    Ok(())
}

pub async fn assign_child(
    user_id: String,
    child_id: ChildId,
    starts_on: String,
) -> Result<(), AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let person = person_in_council(&db, &admin, &user_id).await?;
    let role = person.role;
    let Some(relationship) = assignment_relationship(role) else {
        return Err(invalid(
            "child_id",
            match role {
                Role::DesignatedTeacher => {
                    "A designated teacher reaches the children on their school's roll: no assignment is needed"
                }
                _ => "The Virtual School head sees every child: no assignment is needed",
            },
        ));
    };
    let starts_on = match starts_on.trim() {
        "" => today(),
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| {
                invalid(
                    "starts_on",
                    "Enter the start date as a real date, for example 30 11 2026",
                )
            })
            .and_then(|day| {
                crate::domain::plausible::check_date_in_range(day, "the start date")
                    .map_err(|problem| invalid("starts_on", problem))
            })?,
    };
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    {
        let mut tx = db.begin_write().await?;
        let child: Option<(String, String)> =
            sql("SELECT first_name, last_name FROM children WHERE id = $1 AND council_id = $2")
                .bind(&child_id)
                .bind(&admin.council_id)
                .fetch_optional(&mut tx)
                .await?;
        let Some((first, last)) = child else {
            return Err(invalid("child_id", "Choose a child from the list"));
        };
        // One open link per person and child; a young person is linked to one child only.
        let open: Vec<(String,)> = sql("SELECT child_id FROM assignments WHERE user_id = $1 \
             AND (ends_on IS NULL OR ends_on >= $2)")
        .bind(&person.id)
        .bind(starts_on)
        .fetch_all(&mut tx)
        .await?;
        if open.iter().any(|(c,)| *c == child_id.0) {
            return Err(invalid(
                "child_id",
                format!(
                    "{} is already assigned to {first} {last}",
                    person.display_name
                ),
            ));
        }
        if role == Role::YoungPerson && !open.is_empty() {
            return Err(invalid(
                "child_id",
                "A young person's account is linked to one child. End the current link first.",
            ));
        }
        sql(
            "INSERT INTO assignments (id, user_id, child_id, relationship, starts_on, ends_on, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
        )
        .bind(&id)
        .bind(&person.id)
        .bind(&child_id)
        .bind(relationship)
        .bind(starts_on)
        .bind(now)
        .bind(&admin.id)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            &AuditEvent {
                occurred_at: now,
                actor_id: Some(&admin.id),
                action: AuditAction::AssignmentCreated,
                entity: "assignment",
                entity_id: Some(&id),
                child_id: Some(&child_id),
                pep_id: None,
                detail: serde_json::json!({
                    "user_id": person.id,
                    "relationship": relationship,
                    "starts_on": starts_on,
                }),
                request_id: None,
            },
        )
        .await?;
        tx.commit().await?;
    };
    Ok(())
}

pub async fn end_assignment(assignment_id: String) -> Result<(), AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let now = Utc::now();
    let today = today();
    let yesterday = today - Duration::days(1);
    {
        let mut tx = db.begin_write().await?;
        let found: Option<(String, String, NaiveDate, Option<NaiveDate>)> = sql(
            "SELECT a.user_id, a.child_id, a.starts_on, a.ends_on FROM assignments a \
             JOIN users u ON u.id = a.user_id WHERE a.id = $1 AND u.council_id = $2",
        )
        .bind(&assignment_id)
        .bind(&admin.council_id)
        .fetch_optional(&mut tx)
        .await?;
        let Some((user_id, child_id, starts_on, ends_on)) = found else {
            return Err(AppError::Forbidden);
        };
        if ends_on.is_some_and(|end| end < today) {
            return Ok(());
        }
        // Ends are inclusive days, so "now" means the last day was yesterday. A link that had not
        // started before today never gave access worth keeping: it is withdrawn (the audit log
        // keeps the record).
        let action = if starts_on <= yesterday {
            sql("UPDATE assignments SET ends_on = $1 WHERE id = $2")
                .bind(yesterday)
                .bind(&assignment_id)
                .execute(&mut tx)
                .await?;
            AuditAction::AssignmentEnded
        } else {
            sql("DELETE FROM assignments WHERE id = $1")
                .bind(&assignment_id)
                .execute(&mut tx)
                .await?;
            AuditAction::AssignmentWithdrawn
        };
        audit::append(
            &mut tx,
            &AuditEvent {
                occurred_at: now,
                actor_id: Some(&admin.id),
                action,
                entity: "assignment",
                entity_id: Some(&assignment_id),
                child_id: Some(&child_id),
                pep_id: None,
                detail: serde_json::json!({
                    "user_id": user_id,
                    "starts_on": starts_on,
                    "ends_on": (action == AuditAction::AssignmentEnded).then_some(yesterday),
                }),
                request_id: None,
            },
        )
        .await?;
        tx.commit().await?;
    };
    // Someone whose link to a child ended may have the child's PEP open: they ask again.
    crate::infra::live_signal::recheck();
    Ok(())
}

pub async fn section_rights(state: PepState) -> Result<SectionRightsTable, AppError> {
    let admin = administrator().await?;
    let db = Db::from_context("people")?;
    let stored: Vec<(String, String, String)> = {
        sql(
            "SELECT role, section, access FROM section_rights WHERE council_id = $1 AND pep_state = $2",
        )
        .bind(&admin.council_id)
        .bind(state.as_str())
        .fetch_all(&db)
        .await?
    };
    let lookup = |role: Role, section: SectionKey| -> Result<Access, AppError> {
        // A missing row means no access: the table is the council's word, not the defaults.
        match stored
            .iter()
            .find(|(r, s, _)| r == role.as_str() && s == section.as_str())
        {
            Some((_, _, access)) => Access::parse(access).map_err(|e| internal("stored access", e)),
            None => Ok(Access::None),
        }
    };
    let roles = Role::ALL.to_vec();
    let rows = SectionKey::ALL
        .iter()
        .map(|&section| {
            let cells = roles
                .iter()
                .map(|&role| lookup(role, section))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((section.label().to_string(), cells))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(SectionRightsTable {
        state: state.as_str().to_string(),
        roles,
        rows,
    })
}
