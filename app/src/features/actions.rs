//! "My actions": every open action the signed-in person owns, across the children they reach,
//! soonest first with its countdown (overdue said in words), each marked done from here. An
//! action is the person's when it names them, or, naming nobody, names their role (the carer,
//! the designated teacher). Carers and young people see theirs like everyone else.

mod my_actions_page;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use my_actions_page::MyActionsPage;

use crate::error::AppError;
use crate::ui::countdown::{CountdownData, CountingCalendars};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyActions {
    pub actions: Vec<MyAction>,
    pub calendars: CountingCalendars,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAction {
    pub id: String,
    pub description: String,
    /// "daily", or empty.
    pub frequency: String,
    pub child_name: String,
    pub pep_id: String,
    /// The target it serves: "Amelia will recall the 3, 4 and 8 times tables…".
    pub target: Option<String>,
    pub due: Option<CountdownData>,
}

#[server(name = MyActionsList, prefix = "/api", endpoint = "actions/mine")]
pub async fn my_actions() -> Result<MyActions, AppError> {
    server::my_actions()
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// Marks one of the person's own actions done (or open again).
#[server(name = SetActionStatus, prefix = "/api", endpoint = "actions/set_status")]
pub async fn set_action_status(action_id: String, done: bool) -> Result<(), AppError> {
    server::set_action_status(action_id, done)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use chrono::{NaiveDate, Utc};

    use super::{MyAction, MyActions};
    use crate::domain::audit::AuditAction;
    use crate::error::AppError;
    use crate::features::auth::CurrentUser;
    use crate::features::children::countdowns::Countdowns;
    use crate::features::guard::{Reach, reader, today};
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::sql::{Sql, sql};

    /// Adds "from the actions the person owns" (named, or by role when nobody is named) and
    /// their PEP, child, target and school, to `query`.
    fn owned_actions<'q>(query: Sql<'q>, user: &'q CurrentUser) -> Sql<'q> {
        query
            .push(
                " FROM actions a JOIN peps p ON p.id = a.pep_id \
                 JOIN children c ON c.id = p.child_id \
                 LEFT JOIN targets t ON t.id = a.target_id \
                 LEFT JOIN schools s ON s.id = p.school_id \
                 WHERE (a.owner_user_id = ",
            )
            .push_bind(&user.id)
            .push(" OR (a.owner_user_id IS NULL AND a.owner_role = ")
            .push_bind(user.role.as_str())
            .push("))")
    }

    #[derive(sqlx::FromRow)]
    struct ActionRow {
        id: String,
        description: String,
        frequency: Option<String>,
        first_name: String,
        last_name: String,
        pep_id: String,
        statement: Option<String>,
        due_on: Option<NaiveDate>,
        school_id: Option<String>,
        school: Option<String>,
    }

    pub async fn my_actions() -> Result<MyActions, AppError> {
        let user = reader().await?;
        let db = Db::from_context("actions")?;
        let query = sql(
            "SELECT a.id, a.description, a.frequency, c.first_name, c.last_name, \
             p.id AS pep_id, t.statement, a.due_on, p.school_id, s.name AS school",
        );
        let query = owned_actions(query, &user).push(" AND a.status = 'open' AND ");
        let rows: Vec<ActionRow> = Reach::today(&user)
            .push_onto(query)
            .push(" ORDER BY a.due_on IS NULL, a.due_on, c.last_name, a.id")
            .fetch_all(&db)
            .await?;
        let mut countdowns = Countdowns::load(&db, &user.council_id, today()).await?;
        let actions = rows
            .into_iter()
            .map(|row| {
                let school = match (&row.school_id, &row.school) {
                    (Some(id), Some(name)) => Some((id.as_str(), name.as_str())),
                    _ => None,
                };
                let due = row.due_on.map(|due| {
                    let rule = format!(
                        "The date the action's target is to be met by, set in the PEP: {}",
                        crate::domain::deadlines::long_date(due)
                    );
                    countdowns.countdown(due, &rule, school)
                });
                MyAction {
                    id: row.id,
                    description: row.description,
                    frequency: row.frequency.unwrap_or_default(),
                    child_name: format!("{} {}", row.first_name, row.last_name),
                    pep_id: row.pep_id,
                    target: row.statement.filter(|s| !s.trim().is_empty()),
                    due,
                }
            })
            .collect();
        Ok(MyActions {
            actions,
            calendars: countdowns.calendars(),
        })
    }

    /// Whether the action is the person's own and on a child they reach today.
    async fn owns(
        db: &Db,
        user: &CurrentUser,
        action_id: &str,
    ) -> Result<Option<(String, String)>, AppError> {
        let query = owned_actions(sql("SELECT p.id, c.id"), user)
            .push(" AND a.id = ")
            .push_bind(action_id)
            .push(" AND ");
        Ok(Reach::today(user)
            .push_onto(query)
            .fetch_optional(db)
            .await?)
    }

    pub async fn set_action_status(action_id: String, done: bool) -> Result<(), AppError> {
        let user = reader().await?;
        let db = Db::from_context("actions")?;
        // Someone else's action, another council's, or none: the same answer.
        let Some((pep_id, child_id)) = owns(&db, &user, &action_id).await? else {
            return Err(AppError::Forbidden);
        };
        let status = if done { "done" } else { "open" };
        let now = Utc::now();
        {
            let mut tx = db.begin_write().await?;
            sql("UPDATE actions SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(status).bind(now).bind(&action_id)
                .execute(&mut tx)
                .await?;
            audit::append(
                &mut tx,
                &AuditEvent {
                    occurred_at: now,
                    actor_id: Some(&user.id),
                    action: AuditAction::ActionStatusChanged,
                    entity: "action",
                    entity_id: Some(&action_id),
                    child_id: Some(&child_id),
                    pep_id: Some(&pep_id),
                    detail: serde_json::json!({ "status": status }),
                    request_id: None,
                },
            )
            .await?;
            tx.commit().await?;
        };
        Ok(())
    }
}
