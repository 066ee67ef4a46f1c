//! Children's records as each person may see them: only through a relationship in force today.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One child in a person's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildListItem {
    pub id: String,
    pub name: String,
    pub school: Option<String>,
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

/// A child's record (more arrives with the children register).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildSummary {
    pub id: String,
    pub name: String,
    pub date_of_birth: String,
    pub upn: Option<String>,
    pub peps: Vec<PepListItem>,
}

/// The children the signed-in person reaches today, by name.
#[server(prefix = "/api", endpoint = "children/mine")]
pub async fn my_children() -> Result<Vec<ChildListItem>, AppError> {
    server::my_children()
        .await
        .inspect_err(crate::features::auth::set_status)
}

/// One child's record; every read is audited.
#[server(name = ChildRecord, prefix = "/api", endpoint = "children/record")]
pub async fn child_record(child_id: String) -> Result<ChildSummary, AppError> {
    server::child_record(child_id)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use chrono::{NaiveDate, Utc};

    use super::{ChildListItem, ChildSummary, PepListItem};
    use crate::domain::access::{Action, Actor, Denial, Relationship, authorize};
    use crate::domain::policy::Access;
    use crate::error::AppError;
    use crate::features::auth::{CurrentUser, current_user};
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::{append_audit_event, on_db};

    /// The rule of `domain::access` in SQL, for lists: children of the actor's council that the
    /// actor reaches today. Binds: $1 council, $2 role, $3 user id, $4 today, $5 the user's school.
    pub const REACHABLE_CHILDREN: &str = "c.council_id = $1 AND ( \
        $2 = 'virtual_school_head' \
        OR EXISTS (SELECT 1 FROM assignments a WHERE a.child_id = c.id AND a.user_id = $3 \
                   AND a.starts_on <= $4 AND (a.ends_on IS NULL OR a.ends_on >= $4)) \
        OR ($2 = 'designated_teacher' AND EXISTS (SELECT 1 FROM education_episodes e \
                   WHERE e.child_id = c.id AND e.school_id = $5 \
                   AND e.started_on <= $4 AND (e.ended_on IS NULL OR e.ended_on >= $4))))";

    pub fn denial_error(denial: Denial) -> AppError {
        match denial {
            Denial::SignedOut => AppError::SignedOut,
            Denial::SecondFactorPending => AppError::SecondFactorRequired,
            Denial::NotAssigned | Denial::SectionRights | Denial::NotVirtualSchool => {
                AppError::Forbidden
            }
        }
    }

    fn actor_of(user: &Option<CurrentUser>) -> Option<Actor> {
        user.as_ref().map(|u| Actor {
            role: u.role,
            second_factor_pending: u.second_factor_pending,
        })
    }

    fn db() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>()
            .ok_or_else(|| crate::error::internal("children", "no database in context"))
    }

    /// Today in England: assignments and school rolls start and end on English dates.
    fn today() -> NaiveDate {
        crate::domain::uk_time::uk_today(Utc::now())
    }

    pub async fn my_children() -> Result<Vec<ChildListItem>, AppError> {
        let user = current_user().await?;
        authorize(
            actor_of(&user),
            Action::ReadChild,
            Relationship::Current,
            Access::None,
        )
        .map_err(denial_error)?;
        let user = user.ok_or(AppError::SignedOut)?;
        let db = db()?;
        let rows: Vec<(String, String, String, Option<String>)> = on_db!(&db, pool => {
            sqlx::query_as(&format!(
                "SELECT c.id, c.first_name, c.last_name, \
                 (SELECT s.name FROM education_episodes e JOIN schools s ON s.id = e.school_id \
                  WHERE e.child_id = c.id AND e.ended_on IS NULL ORDER BY e.started_on DESC LIMIT 1) \
                 FROM children c WHERE {REACHABLE_CHILDREN} ORDER BY c.last_name, c.first_name"
            ))
            .bind(&user.council_id)
            .bind(user.role.as_str())
            .bind(&user.id)
            .bind(today())
            .bind(&user.school_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, first, last, school)| ChildListItem {
                id,
                name: format!("{first} {last}"),
                school,
            })
            .collect())
    }

    /// How `user` relates to `child_id` today (see `domain::access::Relationship`).
    pub async fn relationship(
        db: &Db,
        user: &CurrentUser,
        child_id: &str,
    ) -> Result<Relationship, AppError> {
        let (current, ever): (bool, bool) = on_db!(db, pool => {
            sqlx::query_as(
                "SELECT \
                   EXISTS (SELECT 1 FROM assignments a WHERE a.child_id = $1 AND a.user_id = $2 \
                           AND a.starts_on <= $3 AND (a.ends_on IS NULL OR a.ends_on >= $3)) \
                   OR ($4 = 'designated_teacher' AND EXISTS (SELECT 1 FROM education_episodes e \
                           WHERE e.child_id = $1 AND e.school_id = $5 \
                           AND e.started_on <= $3 AND (e.ended_on IS NULL OR e.ended_on >= $3))), \
                   EXISTS (SELECT 1 FROM assignments a WHERE a.child_id = $1 AND a.user_id = $2) \
                   OR ($4 = 'designated_teacher' AND EXISTS (SELECT 1 FROM education_episodes e \
                           WHERE e.child_id = $1 AND e.school_id = $5))",
            )
            .bind(child_id)
            .bind(&user.id)
            .bind(today())
            .bind(user.role.as_str())
            .bind(&user.school_id)
            .fetch_one(pool)
            .await?
        });
        Ok(match (current, ever) {
            (true, _) => Relationship::Current,
            (false, true) => Relationship::Ended,
            (false, false) => Relationship::None,
        })
    }

    pub async fn child_record(child_id: String) -> Result<ChildSummary, AppError> {
        let user = current_user().await?;
        // Refuse signed-out and pending sessions before touching the child.
        authorize(
            actor_of(&user),
            Action::ReadChild,
            Relationship::Current,
            Access::None,
        )
        .map_err(denial_error)?;
        let user = user.ok_or(AppError::SignedOut)?;
        let db = db()?;
        let child: Option<(String, String, String, NaiveDate, Option<String>)> = on_db!(&db, pool => {
            sqlx::query_as(
                "SELECT id, first_name, last_name, date_of_birth, upn FROM children \
                 WHERE id = $1 AND council_id = $2",
            )
            .bind(&child_id)
            .bind(&user.council_id)
            .fetch_optional(pool)
            .await?
        });
        // Another council's child, or no such child: the same answer as "not yours".
        let Some((id, first, last, date_of_birth, upn)) = child else {
            return Err(AppError::Forbidden);
        };
        let relationship = relationship(&db, &user, &id).await?;
        authorize(
            actor_of(&Some(user.clone())),
            Action::ReadChild,
            relationship,
            Access::None,
        )
        .map_err(denial_error)?;
        let peps: Vec<(String, i64, String, String, String, NaiveDate)> = on_db!(&db, pool => {
            let mut tx = pool.begin().await?;
            let peps = sqlx::query_as(
                "SELECT id, academic_year, term, kind, state, due_on FROM peps \
                 WHERE child_id = $1 ORDER BY academic_year DESC, due_on DESC",
            )
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
            append_audit_event!(tx, &AuditEvent {
                occurred_at: Utc::now(),
                actor_id: Some(&user.id),
                action: "child.read",
                entity: "child",
                entity_id: Some(&id),
                child_id: Some(&id),
                pep_id: None,
                detail: serde_json::json!({ "relationship": format!("{relationship:?}") }),
                request_id: None,
            })?;
            tx.commit().await?;
            peps
        });
        Ok(ChildSummary {
            id,
            name: format!("{first} {last}"),
            date_of_birth: date_of_birth.to_string(),
            upn,
            peps: peps
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
                .collect(),
        })
    }
}
