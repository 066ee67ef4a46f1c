//! PP+ requests on the server: read with their targets, the child's allocation for the PEP's
//! financial year less what the child's other PEPs of that year take, and the Virtual School's
//! decision on one request (at its version, never past the allocation, declining with a reason).
//! Requests are written with their target (`targets::save_target`), so a target and its money
//! are one save.

use crate::domain::ids::PepId;
use chrono::Utc;

use super::reached::{Reached, reach};
use crate::domain::access::Action;
use crate::domain::audit::AuditAction;
use crate::domain::pep::Phase;
use crate::domain::pp_plus::{
    PpPlusBudget, PpPlusLine, check_decision, financial_year_days, financial_year_of, pounds,
};
use crate::error::AppError;
use crate::features::guard::authorize;
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::reference_data::pp_plus_policy;
use crate::infra::sql::sql;

/// A stored request, as its target's draft shows it.
#[derive(sqlx::FromRow)]
pub(in crate::features::pep_form) struct RequestRow {
    pub(in crate::features::pep_form) id: String,
    pub(in crate::features::pep_form) target_id: String,
    item: String,
    provider: String,
    unit_cost_pence: Option<i64>,
    sessions: Option<i64>,
    weeks: Option<i64>,
    status: String,
    decision_reason: Option<String>,
    version: i64,
}

impl RequestRow {
    pub(in crate::features::pep_form) fn line(&self) -> PpPlusLine {
        PpPlusLine {
            id: self.id.clone(),
            item: self.item.clone(),
            provider: self.provider.clone(),
            unit_cost: self
                .unit_cost_pence
                .map(|p| format!("{}.{:02}", p / 100, p % 100))
                .unwrap_or_default(),
            sessions: self.sessions.map(|n| n.to_string()).unwrap_or_default(),
            weeks: self.weeks.map(|n| n.to_string()).unwrap_or_default(),
            status: self.status.clone(),
            decision_reason: self.decision_reason.clone().unwrap_or_default(),
            version: self.version,
        }
    }
}

pub(in crate::features::pep_form) const REQUEST_COLUMNS: &str = "id, target_id, item, provider, unit_cost_pence, \
     sessions, weeks, status, decision_reason, version";

/// Every request of the PEP, in order.
pub(in crate::features::pep_form) async fn requests_of(
    db: &Db,
    pep_id: &str,
) -> Result<Vec<RequestRow>, AppError> {
    let select = format!(
        "SELECT {REQUEST_COLUMNS} FROM pp_plus_requests WHERE pep_id = $1 ORDER BY position, id"
    );
    Ok(sql(&select).bind(pep_id).fetch_all(db).await?)
}

/// A request's id with its cost per session, sessions a week and weeks (each empty until typed).
type CostRow = (String, Option<i64>, Option<i64>, Option<i64>);

/// (id, cost) of the costed requests of the child's PEPs due in `financial_year`
/// that take money; `except_pep` leaves one PEP out, `only_approved` counts what is given.
async fn costs_in_year(
    db: &Db,
    child_id: &str,
    financial_year: i32,
    except_pep: Option<&str>,
    only_approved: bool,
) -> Result<Vec<(String, i64)>, AppError> {
    let (first, last) = financial_year_days(financial_year);
    let rows: Vec<CostRow> = {
        sql(
            "SELECT r.id, r.unit_cost_pence, r.sessions, r.weeks FROM pp_plus_requests r \
             JOIN peps p ON p.id = r.pep_id \
             WHERE p.child_id = $1 AND p.due_on BETWEEN $2 AND $3 AND p.id <> $4 \
             AND (r.status = 'approved' OR (r.status = 'requested' AND NOT $5))",
        )
        .bind(child_id)
        .bind(first)
        .bind(last)
        .bind(except_pep.unwrap_or(""))
        .bind(only_approved)
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, unit, sessions, weeks)| Some((id, unit? * sessions? * weeks?)))
        .collect())
}

/// The child's PP+ for the PEP's financial year (the year its due date falls in), less what the
/// child's other PEPs of that year ask for or were given.
pub(in crate::features::pep_form) async fn budget_of(
    db: &Db,
    reached: &Reached,
) -> Result<PpPlusBudget, AppError> {
    let policy = pp_plus_policy(db, &reached.user.council_id).await?;
    let financial_year = financial_year_of(reached.pep.due_on);
    let elsewhere = costs_in_year(
        db,
        &reached.pep.child_id,
        financial_year,
        Some(&reached.pep.id),
        false,
    )
    .await?;
    Ok(PpPlusBudget {
        financial_year,
        allocation_pence: if reached.phase == Phase::EarlyYears {
            policy.early_years_allocation_pence
        } else {
            policy.allocation_pence
        },
        committed_elsewhere_pence: elsewhere.iter().map(|(_, cost)| cost).sum(),
    })
}

/// The Virtual School approves or declines one request, at the version they saw. Approving never
/// takes what the child is given this financial year past the allocation; declining needs a
/// reason. Returns the request's new version.
pub async fn decide_pp_plus(
    pep_id: PepId,
    request_id: String,
    version: i64,
    decision: String,
    reason: String,
) -> Result<i64, AppError> {
    let db = Db::from_context("pp plus")?;
    let (reached, relationship) = reach(&db, &pep_id).await?;
    authorize(
        Some(&reached.user),
        Action::DecidePpPlus,
        relationship,
        crate::domain::policy::Access::None,
    )?;
    let status = check_decision(&decision, &reason).map_err(AppError::on_fields)?;
    let request = requests_of(&db, &pep_id)
        .await?
        .into_iter()
        .find(|r| r.id == request_id)
        .ok_or(AppError::Forbidden)?;
    let stale = || {
        AppError::Invalid(vec![(
            "version".into(),
            "This request changed since you opened the page: reload it to see what is asked \
             now before deciding"
                .into(),
        )])
    };
    if request.version != version {
        return Err(stale());
    }
    let line = request.line();
    if status == crate::domain::pp_plus::PpPlusStatus::Approved {
        let Some(cost) = line.cost_pence() else {
            return Err(AppError::Invalid(vec![(
                "decision".into(),
                "This request is not fully costed yet: it can be approved once it gives the \
                 cost per session, sessions a week and weeks"
                    .into(),
            )]));
        };
        let budget = budget_of(&db, &reached).await?;
        let given: i64 = costs_in_year(
            &db,
            &reached.pep.child_id,
            budget.financial_year,
            None,
            true,
        )
        .await?
        .iter()
        .filter(|(id, _)| *id != request_id)
        .map(|(_, cost)| cost)
        .sum();
        if given + cost > budget.allocation_pence {
            return Err(AppError::Invalid(vec![(
                "decision".into(),
                format!(
                    "Approving this {} would give the child {} of PP+ for {}, over the {} \
                     allocation: decline it with a reason, or ask for a smaller request",
                    pounds(cost),
                    pounds(given + cost),
                    budget.year_in_words(),
                    pounds(budget.allocation_pence)
                ),
            )]));
        }
    }
    let now = Utc::now();
    let reason = reason.trim().to_string();
    let written = {
        let mut tx = db.begin_write().await?;
        let written = sql(
            "UPDATE pp_plus_requests SET status = $1, decision_reason = $2, decided_by = $3, \
             decided_at = $4, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND pep_id = $6 AND version = $7",
        )
        .bind(status.as_str())
        .bind(Some(reason.as_str()).filter(|r| !r.is_empty()))
        .bind(&reached.user.id)
        .bind(now)
        .bind(&request_id)
        .bind(&pep_id)
        .bind(version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if written == 1 {
            audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::PpPlusDecided,
                    "pp_plus_request",
                    &request_id,
                    serde_json::json!({
                        "decision": status.as_str(),
                        "pence": line.cost_pence(),
                        "version": version + 1,
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        written
    };
    if written == 1 {
        Ok(version + 1)
    } else {
        Err(stale())
    }
}
