//! Adding an action straight to the PEP's action log (not tied to a target): owned by a role, or
//! by a named person of the child's team today (so it reaches their "My actions"), with how often
//! and by when. Whoever may edit the PEP's Actions section adds them.

use crate::domain::ids::PepId;
use chrono::{NaiveDate, Utc};

use super::reached::{Reached, reach};
use crate::domain::audit::AuditAction;
use crate::domain::pep::SectionKey;
use crate::domain::roles::Role;
use crate::domain::targets::ACTION_OWNERS;
use crate::error::AppError;
use crate::features::children::countdowns::{Countdowns, capitalise};
use crate::features::pep_form::{ActionLogItem, ActionOwner, NewAction};
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// The people who reach the child today (assigned, or the designated teacher of the school the
/// child is on the roll of), who may be named as an action's owner.
pub(in crate::features::pep_form) async fn team_of(
    db: &Db,
    child_id: &str,
    today: NaiveDate,
) -> Result<Vec<ActionOwner>, AppError> {
    // A stored role the app does not know is an error on the row, not a person left off.
    let rows: Vec<(String, String, Role)> = sql(
        "SELECT u.id, u.display_name, u.role FROM users u JOIN assignments a ON a.user_id = u.id \
         WHERE a.child_id = ",
    )
    .push_bind(child_id)
    .push(" AND ")
    .push_in_force("a.starts_on", "a.ends_on", today)
    .push(
        " AND u.status = 'active' \
         UNION \
         SELECT u.id, u.display_name, u.role FROM users u \
         JOIN education_episodes e ON e.school_id = u.school_id \
         WHERE e.child_id = ",
    )
    .push_bind(child_id)
    .push(" AND u.role = 'designated_teacher' AND ")
    .push_in_force("e.started_on", "e.ended_on", today)
    .push(" AND u.status = 'active' ORDER BY 2")
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role)| ActionOwner { role, id, name })
        .collect())
}

/// A new action's owner (a role, or a person's id) and date, checked.
struct CheckedAction {
    role: Option<Role>,
    person: Option<String>,
    due_on: Option<NaiveDate>,
}

/// Checks a new action: what to do, one owner (a role, or a person of the child's team), an
/// optional date. Every problem by field.
fn check_new_action(
    action: &NewAction,
    team: &[ActionOwner],
) -> Result<CheckedAction, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let description = action.description.trim();
    if description.is_empty() {
        problems.push(("description", "Say what is to be done".to_string()));
    } else if description.chars().count() > 300 {
        problems.push((
            "description",
            "The action must be 300 characters or fewer: put the detail in a target".to_string(),
        ));
    }
    let owner = action.owner.trim();
    let (role, person) = if let Some(code) = owner.strip_prefix("role:") {
        match Role::parse(code) {
            Ok(role) if ACTION_OWNERS.contains(&role) => (Some(role), None),
            _ => {
                problems.push(("owner", format!("“{code}” cannot own an action")));
                (None, None)
            }
        }
    } else if let Some(id) = owner.strip_prefix("person:") {
        if team.iter().any(|member| member.id == id) {
            (None, Some(id.to_string()))
        } else {
            problems.push((
                "owner",
                "Choose someone who works with the child now, or a role".to_string(),
            ));
            (None, None)
        }
    } else {
        problems.push(("owner", "Choose who will do it".to_string()));
        (None, None)
    };
    let due_on = match action.due_on.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(day) => match crate::domain::plausible::check_date_in_range(day, "the date") {
                Ok(day) => Some(day),
                Err(problem) => {
                    problems.push(("due_on", problem));
                    None
                }
            },
            Err(_) => {
                problems.push((
                    "due_on",
                    format!("“{text}” is not a date: write it like 2027-01-15"),
                ));
                None
            }
        },
    };
    if action.frequency.chars().count() > 100 {
        problems.push((
            "frequency",
            "How often must be 100 characters or fewer".to_string(),
        ));
    }
    if problems.is_empty() {
        Ok(CheckedAction {
            role,
            person,
            due_on,
        })
    } else {
        Err(problems)
    }
}

pub async fn add_action(pep_id: PepId, action: NewAction) -> Result<ActionLogItem, AppError> {
    let db = Db::from_context("pep form")?;
    let (reached, relationship): (Reached, _) = reach(&db, &pep_id).await?;
    reached.authorize(SectionKey::Actions, true, relationship)?;
    let today = crate::domain::uk_time::uk_today(Utc::now());
    let team = team_of(&db, &reached.pep.child_id, today).await?;
    let CheckedAction {
        role,
        person,
        due_on,
    } = check_new_action(&action, &team).map_err(AppError::on_fields)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    let description = action.description.trim().to_string();
    let frequency = Some(action.frequency.trim()).filter(|f| !f.is_empty());
    {
        let mut tx = db.begin_write().await?;
        sql(
            "INSERT INTO actions (id, pep_id, description, owner_role, owner_user_id, frequency, \
             due_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)",
        )
        .bind(&id).bind(&pep_id).bind(&description).bind(role.map(Role::as_str))
        .bind(&person).bind(frequency).bind(due_on).bind(now)
        .execute(&mut tx)
        .await?;
        audit::append(&mut tx, &reached.event(now, AuditAction::ActionAdded, "action", &id,
            serde_json::json!({ "owner_role": role.map(Role::as_str), "owner_user_id": person }))).await?;
        tx.commit().await?;
    };
    let owner = match (&person, role) {
        (Some(id), _) => team
            .iter()
            .find(|m| &m.id == id)
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        (None, Some(role)) => capitalise(role.label()),
        (None, None) => String::new(),
    };
    let due = match due_on {
        Some(day) => {
            let mut countdowns = Countdowns::load(&db, &reached.user.council_id, today).await?;
            let school = reached.pep.school_ref();
            let rule = format!(
                "The date set for this action in the PEP: {}",
                crate::domain::deadlines::long_date(day)
            );
            Some(countdowns.countdown(day, &rule, school))
        }
        None => None,
    };
    Ok(ActionLogItem {
        description,
        owner,
        frequency: frequency.unwrap_or_default().to_string(),
        status: "open".to_string(),
        due,
        from_last_pep: false,
    })
}
