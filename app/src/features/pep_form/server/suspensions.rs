//! Suspensions and exclusions on the server: the child's records for the PEP's school year (read
//! with the PEP's "Suspensions and exclusions" section), and a new one recorded by whoever may
//! edit that section now. Records belong to the child, so a school year's days count across PEPs
//! and schools; the reason is kept on the record, never in the audit log.

use crate::domain::ids::PepId;
use chrono::{NaiveDate, Utc};

use super::reached::{Reached, reach};
use crate::domain::academic_year::AcademicYear;
use crate::domain::audit::AuditAction;
use crate::domain::pep::SectionKey;
use crate::domain::policy::Access;
use crate::domain::school_record::{
    ExclusionKind, SuspensionDetails, SuspensionDraft, SuspensionRecord, check_suspension,
};
use crate::error::AppError;
use crate::features::pep_form::SuspensionsPart;
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::sql::sql;

#[derive(sqlx::FromRow)]
struct SuspensionRow {
    id: String,
    kind: ExclusionKind,
    starts_on: NaiveDate,
    days: i64,
    reason: String,
    reintegration_on: Option<NaiveDate>,
    virtual_school_told_on: Option<NaiveDate>,
    social_worker_told_on: Option<NaiveDate>,
    recorded_by: String,
}

/// The child's suspensions and exclusions that started in the PEP's school year, earliest first,
/// when the person may read the section.
pub(in crate::features::pep_form) async fn suspensions_of(
    db: &Db,
    reached: &Reached,
) -> Result<Option<SuspensionsPart>, AppError> {
    let access = reached.access(SectionKey::SuspensionsExclusions);
    if access == Access::None {
        return Ok(None);
    }
    let year = AcademicYear::starting(reached.pep.academic_year as i32);
    let rows: Vec<SuspensionRow> = {
        sql(
            "SELECT s.id, s.kind, s.starts_on, s.days, s.reason, s.reintegration_on, \
             s.virtual_school_told_on, s.social_worker_told_on, u.display_name AS recorded_by \
             FROM suspensions s JOIN users u ON u.id = s.recorded_by \
             WHERE s.child_id = $1 AND s.starts_on BETWEEN $2 AND $3 ORDER BY s.starts_on, s.created_at",
        )
        .bind(&reached.pep.child_id)
        .bind(year.first_day())
        .bind(year.last_day())
        .fetch_all(db)
        .await?
    };
    let records = rows
        .into_iter()
        .map(|r| {
            Ok(SuspensionRecord {
                details: SuspensionDetails {
                    kind: r.kind,
                    starts_on: r.starts_on,
                    days: u32::try_from(r.days).unwrap_or(0),
                    reason: r.reason,
                    reintegration_on: r.reintegration_on,
                    virtual_school_told_on: r.virtual_school_told_on,
                    social_worker_told_on: r.social_worker_told_on,
                },
                id: r.id,
                recorded_by: r.recorded_by,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Some(SuspensionsPart {
        editable: access == Access::Edit,
        academic_year: year.start_year(),
        records,
    }))
}

/// Records a suspension or exclusion on the PEP's child. The person needs the right to edit the
/// PEP's "Suspensions and exclusions" section in its current state.
pub async fn record_suspension(
    pep_id: PepId,
    suspension: SuspensionDraft,
) -> Result<SuspensionRecord, AppError> {
    let db = Db::from_context("suspensions")?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    reached.authorize(SectionKey::SuspensionsExclusions, true, relationship)?;
    let checked = check_suspension(&suspension).map_err(AppError::on_fields)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        sql(
            "INSERT INTO suspensions (id, child_id, pep_id, kind, starts_on, days, reason, \
             reintegration_on, virtual_school_told_on, social_worker_told_on, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id).bind(&reached.pep.child_id).bind(&pep_id).bind(checked.kind.as_str())
        .bind(checked.starts_on).bind(i64::from(checked.days)).bind(&checked.reason)
        .bind(checked.reintegration_on).bind(checked.virtual_school_told_on)
        .bind(checked.social_worker_told_on).bind(&reached.user.id).bind(now)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            &reached.event(
                now,
                AuditAction::SuspensionRecorded,
                "suspension",
                &id,
                serde_json::json!({ "kind": checked.kind.as_str(), "days": checked.days }),
            ),
        )
        .await?;
        tx.commit().await?;
    };
    Ok(SuspensionRecord {
        id,
        details: checked,
        recorded_by: reached.user.display_name.clone(),
    })
}
