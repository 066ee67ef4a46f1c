//! "Raise a concern": a carer or professional who reaches a child tells the child's Virtual School
//! advisor (or, with none assigned, the Virtual School head), and the concern is kept on the
//! child's record. The email says only that there is a concern and where to read it: no child's
//! name or words travel by email. Choice: young people raise worries with their designated
//! teacher or social worker, who can raise them here; the form is not offered to them.

use crate::domain::ids::ChildId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The longest concern kept (a full account, not a document).
pub const LONGEST_CONCERN: usize = 4_000;

/// A concern as the child's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernItem {
    /// "3 December 2026 at 14:02, Linda Bennett (carer)".
    pub raised: String,
    pub concern: String,
}

/// What raising a concern did: who was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernRaised {
    /// "Daniel Reid (Virtual School education advisor)".
    pub told: Vec<String>,
}

/// What is wrong with a concern's words, if anything.
pub fn check_concern(concern: &str) -> Result<(), String> {
    let characters = concern.trim().chars().count();
    if characters == 0 {
        Err("Write the concern: what happened or what worries you, and when".to_string())
    } else if characters > LONGEST_CONCERN {
        Err(format!(
            "Keep the concern to {LONGEST_CONCERN} characters or fewer: it has {characters}"
        ))
    } else {
        Ok(())
    }
}

#[server(name = RaiseConcern, prefix = "/api", endpoint = "children/raise_concern")]
pub async fn raise_concern(child_id: ChildId, concern: String) -> Result<ConcernRaised, AppError> {
    server::raise_concern(child_id, concern)
        .await
        .inspect_err(crate::features::auth::set_status)
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::domain::ids::ChildId;
    use chrono::{DateTime, Utc};

    use super::{ConcernItem, ConcernRaised, check_concern};
    use crate::domain::audit::AuditAction;
    use crate::domain::roles::Role;
    use crate::error::{AppError, internal};
    use crate::features::auth::{AuthContext, CurrentUser};
    use crate::features::guard::{child_reader, today};
    use crate::infra::audit;
    use crate::infra::audit::AuditEvent;
    use crate::infra::db::Db;
    use crate::infra::mail::Email;
    use crate::infra::sql::sql;

    /// Whether this person may raise concerns about children they reach (not young people).
    pub fn may_raise(user: &CurrentUser) -> bool {
        user.role != Role::YoungPerson
    }

    /// The concerns on a child's record the person may read: every one for Virtual School staff,
    /// their own for everyone else. Newest first.
    pub async fn concerns_for(
        db: &Db,
        user: &CurrentUser,
        child_id: &str,
    ) -> Result<Vec<ConcernItem>, AppError> {
        let rows: Vec<(DateTime<Utc>, String, String, String)> = {
            sql(
                "SELECT k.created_at, u.display_name, u.role, k.concern FROM concerns k \
                 JOIN users u ON u.id = k.raised_by \
                 WHERE k.child_id = $1 AND ($2 OR k.raised_by = $3) ORDER BY k.created_at DESC",
            )
            .bind(child_id)
            .bind(user.role.is_virtual_school())
            .bind(&user.id)
            .fetch_all(db)
            .await?
        };
        Ok(rows
            .into_iter()
            .map(|(at, name, role, concern)| {
                let role = Role::parse(&role).map(|r| r.label()).unwrap_or("");
                ConcernItem {
                    raised: format!(
                        "{}, {name} ({role})",
                        crate::domain::uk_time::uk_local(at).format("%-d %B %Y at %H:%M")
                    ),
                    concern,
                }
            })
            .collect())
    }

    pub async fn raise_concern(
        child_id: ChildId,
        concern: String,
    ) -> Result<ConcernRaised, AppError> {
        let db = Db::from_context("concerns")?;
        let user = child_reader(&db, &child_id).await?;
        let auth = leptos::prelude::use_context::<AuthContext>()
            .ok_or_else(|| internal("concerns", "no auth context"))?;
        if !may_raise(&user) {
            return Err(AppError::Forbidden);
        }
        check_concern(&concern)
            .map_err(|message| AppError::Invalid(vec![("concern".into(), message)]))?;
        // The child's advisors today; with none, the council's Virtual School head.
        let advisors: Vec<(String, String, String)> = {
            let assigned: Vec<(String, String, String)> = sql(
                "SELECT u.email, u.display_name, u.role FROM assignments a \
                 JOIN users u ON u.id = a.user_id \
                 WHERE a.child_id = $1 AND u.role = 'education_advisor' AND u.status = 'active' AND ",
            )
            .bind(&child_id)
            .push_in_force("a.starts_on", "a.ends_on", today())
            .push(" ORDER BY u.display_name")
            .fetch_all(&db)
            .await?;
            if assigned.is_empty() {
                sql(
                    "SELECT email, display_name, role FROM users WHERE council_id = $1 \
                     AND role = 'virtual_school_head' AND status = 'active' ORDER BY display_name",
                )
                .bind(&user.council_id)
                .fetch_all(&db)
                .await?
            } else {
                assigned
            }
        };
        let id = uuid::Uuid::now_v7().to_string();
        let now = Utc::now();
        {
            let mut tx = db.begin_write().await?;
            sql(
                "INSERT INTO concerns (id, child_id, raised_by, concern, notified, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(&child_id)
            .bind(&user.id)
            .bind(concern.trim())
            .bind(advisors.len() as i64)
            .bind(now)
            .execute(&mut tx)
            .await?;
            audit::append(
                &mut tx,
                &AuditEvent {
                    occurred_at: now,
                    actor_id: Some(&user.id),
                    action: AuditAction::ConcernRaised,
                    entity: "concern",
                    entity_id: Some(&id),
                    child_id: Some(&child_id),
                    pep_id: None,
                    detail: serde_json::json!({ "notified": advisors.len() }),
                    request_id: None,
                },
            )
            .await?;
            tx.commit().await?;
        };
        let link = format!(
            "{}/children/{child_id}",
            auth.public_url.trim_end_matches('/')
        );
        for (email, name, _) in &advisors {
            auth.mailer
                .send(&Email {
                    to: email.clone(),
                    subject: "A concern has been raised about a child you work with".into(),
                    body: format!(
                        "Hello {name},\n\n{} ({}) has raised a concern about a child on your \
                         caseload in ePEP. Sign in to read it on the child's record:\n{link}\n",
                        user.display_name,
                        user.role.label()
                    ),
                })
                .await
                .map_err(|e| internal("sending the concern email", e))?;
        }
        Ok(ConcernRaised {
            told: advisors
                .into_iter()
                .map(|(_, name, role)| {
                    let role = Role::parse(&role).map(|r| r.label()).unwrap_or("");
                    format!("{name} ({role})")
                })
                .collect(),
        })
    }
}
