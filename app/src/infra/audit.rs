//! The audit log, which doubles as each PEP's event log.
//!
//! Every mutation appends its event in the same transaction as the change. An event about a PEP
//! takes that PEP's next revision (`peps.revision + 1`), so "everything for PEP P after revision R"
//! is what a live client that reconnects needs to catch up.

use chrono::{DateTime, Utc};

use super::sql::{Tx, sql};
use crate::domain::audit::AuditAction;

/// One thing that happened, by whom, to what.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<&'a str>,
    /// What happened, as a stable dotted code: `pep.created`, `pep.field_changed`, `child.read`.
    pub action: AuditAction,
    pub entity: &'a str,
    pub entity_id: Option<&'a str>,
    pub child_id: Option<&'a str>,
    pub pep_id: Option<&'a str>,
    pub detail: serde_json::Value,
    pub request_id: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// Something a person did now to a child's record (not to a PEP): `action` on `entity`.
    pub fn about_child(
        actor_id: &'a str,
        action: AuditAction,
        entity: &'a str,
        entity_id: &'a str,
        child_id: &'a str,
        detail: serde_json::Value,
    ) -> AuditEvent<'a> {
        AuditEvent {
            occurred_at: Utc::now(),
            actor_id: Some(actor_id),
            action,
            entity,
            entity_id: Some(entity_id),
            child_id: Some(child_id),
            pep_id: None,
            detail,
            request_id: None,
        }
    }
}

/// Appends `event` inside the caller's transaction: the PEP's new revision when the event is
/// about a PEP.
pub async fn append(tx: &mut Tx, event: &AuditEvent<'_>) -> Result<Option<i64>, sqlx::Error> {
    let revision: Option<i64> = match event.pep_id {
        Some(pep_id) => Some(
            sql("UPDATE peps SET revision = revision + 1 WHERE id = $1 RETURNING revision")
                .bind(pep_id)
                .fetch_value(&mut *tx)
                .await?,
        ),
        None => None,
    };
    sql(
        "INSERT INTO audit_events (occurred_at, actor_id, action, entity, entity_id, child_id, \
         pep_id, revision, detail_json, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(event.occurred_at)
    .bind(event.actor_id)
    .bind(event.action.as_str())
    .bind(event.entity)
    .bind(event.entity_id)
    .bind(event.child_id)
    .bind(event.pep_id)
    .bind(revision)
    .bind(event.detail.to_string())
    .bind(event.request_id)
    .execute(tx)
    .await?;
    Ok(revision)
}
