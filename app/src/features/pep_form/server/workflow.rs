//! Moving a PEP on in its workflow on the server: who may make the move (`domain::workflow`), the
//! SMART checks before ready and submitted, the contributions the council requires before ready
//! and approved (or a reason to go on without them), a reason to return it, the PEP's version so
//! two people cannot both move it, and an audit row carrying the PEP's next revision.

use crate::domain::ids::PepId;
use chrono::Utc;

use super::reached::{Reached, reach};
use super::targets::{MIX_OVERRIDE_FIELD, previous_pep, targets_of};
use crate::domain::audit::AuditAction;
use crate::domain::pep::{PepState, SectionKey};
use crate::domain::pep_form::SectionStatus;
use crate::domain::workflow::{MoveRefused, check_move, check_went_on_without, next_steps};
use crate::error::AppError;
use crate::features::children::countdowns::Countdowns;
use crate::features::pep_form::{TargetsPart, WorkflowPart};
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::reference_data::{contribution_rule, section_policy};
use crate::infra::sql::sql;

/// Where the PEP is and what `reached.user` may do to move it on, with what blocks ready and
/// submitted (read from the targets as they stand) and the required contributions not completed.
pub(in crate::features::pep_form) async fn workflow_part(
    db: &Db,
    reached: &Reached,
    targets: &TargetsPart,
) -> Result<WorkflowPart, AppError> {
    let steps = next_steps(reached.user.role, reached.state);
    let ready_problems = if steps.iter().any(|s| s.needs_checks) {
        targets.ready_problems()
    } else {
        Vec::new()
    };
    let missing_contributions = if steps.iter().any(|s| s.needs_contributions) {
        missing_contributions(db, reached)
            .await?
            .into_iter()
            .map(|(_, words)| words)
            .collect()
    } else {
        Vec::new()
    };
    Ok(WorkflowPart {
        state: reached.state,
        version: reached.pep.version,
        steps,
        ready_problems,
        returned_reason: reached
            .pep
            .returned_reason
            .clone()
            .filter(|_| reached.state == PepState::Returned),
        missing_contributions,
        went_on_without: reached.pep.went_on_without.clone(),
    })
}

pub async fn pep_workflow(pep_id: PepId) -> Result<WorkflowPart, AppError> {
    let db = Db::from_context("pep form")?;
    let (reached, _) = reach(&db, &pep_id).await?;
    let targets = current_targets(&db, &reached).await?;
    workflow_part(&db, &reached, &targets).await
}

/// The sections the council's contributions rule requires that this PEP has and that are not
/// completed, each with its words: "Carer's contribution (carer): not started".
async fn missing_contributions(
    db: &Db,
    reached: &Reached,
) -> Result<Vec<(SectionKey, String)>, AppError> {
    let rule = contribution_rule(db, &reached.user.council_id).await?;
    if rule.required.is_empty() {
        return Ok(Vec::new());
    }
    let sections = section_policy(db, &reached.user.council_id).await?;
    let stored: Vec<(String, String)> = {
        sql("SELECT section, status FROM pep_sections WHERE pep_id = $1")
            .bind(&reached.pep.id)
            .fetch_all(db)
            .await?
    };
    let status = |section: SectionKey| {
        stored
            .iter()
            .find(|(key, _)| key == section.as_str())
            .and_then(|(_, status)| SectionStatus::parse(status).ok())
            .unwrap_or_else(|| SectionStatus::initial(section))
    };
    Ok(rule
        .missing(|s| s.applies_to(reached.phase), status)
        .into_iter()
        .map(|(section, status)| {
            let words = format!(
                "{} ({}): {}",
                sections.label(section),
                sections.owner(section).label(),
                status.label()
            );
            (section, words)
        })
        .collect())
}

/// The PEP's targets as they stand, with the checks ready and submitted apply.
async fn current_targets(db: &Db, reached: &Reached) -> Result<TargetsPart, AppError> {
    let today = crate::domain::uk_time::uk_today(Utc::now());
    let countdowns = Countdowns::load(db, &reached.user.council_id, today).await?;
    let sections = section_policy(db, &reached.user.council_id).await?;
    let previous = previous_pep(db, &reached.pep).await?;
    targets_of(
        db,
        reached,
        &sections,
        &countdowns,
        today,
        previous.as_ref(),
    )
    .await
}

pub async fn change_pep_state(
    pep_id: PepId,
    to: PepState,
    version: i64,
    reason: String,
    without_reason: String,
) -> Result<(), AppError> {
    let db = Db::from_context("pep form")?;
    // Reaching the child is the first gate; the move's own rule is the second.
    let (reached, _) = reach(&db, &pep_id).await?;
    let step =
        check_move(reached.user.role, reached.state, to, &reason).map_err(
            |refused| match refused {
                MoveRefused::NotYours(_) => AppError::Forbidden,
                MoveRefused::Invalid(message) => {
                    AppError::Invalid(vec![("reason".into(), message)])
                }
            },
        )?;
    if version != reached.pep.version {
        return Err(moved_meanwhile());
    }
    let reason = reason.trim().to_string();
    let overrides_mix = step.needs_checks && !reason.is_empty();
    if step.needs_checks {
        let mut targets = current_targets(&db, &reached).await?;
        if overrides_mix {
            targets.mix_override = reason.clone();
        }
        let problems = targets.ready_problems();
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| ("targets".to_string(), p))
                    .collect(),
            ));
        }
    }
    let now = Utc::now();
    // Required contributions not completed: the move goes on only with a reason, kept with the
    // PEP (shown on its page) and in the audit row with the sections it went on without.
    let without = if step.needs_contributions {
        let missing = missing_contributions(&db, &reached).await?;
        let words: Vec<String> = missing.iter().map(|(_, w)| w.clone()).collect();
        check_went_on_without(&words, &without_reason)
            .map_err(|problem| AppError::Invalid(vec![("without_reason".into(), problem)]))?;
        missing
    } else {
        Vec::new()
    };
    let without_reason = without_reason.trim().to_string();
    let went_on_without = (!without.is_empty()).then(|| {
        let sections: Vec<&str> = without.iter().map(|(_, w)| w.as_str()).collect();
        format!(
            "{} {} {} without {}. Reason: {}",
            crate::domain::uk_time::uk_today(now).format("%-d %B %Y"),
            reached.user.display_name,
            if to == PepState::Approved {
                "approved it"
            } else {
                "marked it ready"
            },
            sections.join("; "),
            without_reason
        )
    });
    // Marking ready starts the record afresh; approving adds its line to the one from ready.
    let before = reached.pep.went_on_without.clone();
    let went_on_without = match (to, went_on_without) {
        (PepState::Ready, line) => line,
        (PepState::Approved, Some(line)) => Some(match before {
            Some(before) => format!("{before}\n{line}"),
            None => line,
        }),
        _ => before,
    };
    let without_detail: Vec<&str> = without.iter().map(|(s, _)| s.as_str()).collect();
    let from = reached.state;
    let moved = {
        let mut tx = db.begin_write().await?;
        let moved = sql(
            "UPDATE peps SET state = $1, version = version + 1, updated_at = $2, \
             submitted_at = CASE WHEN $1 = 'submitted' THEN $2 ELSE submitted_at END, \
             approved_at = CASE WHEN $1 = 'approved' THEN $2 ELSE approved_at END, \
             returned_reason = CASE WHEN $1 = 'returned' THEN $3 ELSE returned_reason END, \
             went_on_without = $6 \
             WHERE id = $4 AND version = $5",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(&reason)
        .bind(&pep_id)
        .bind(version)
        .bind(&went_on_without)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if moved == 1 {
            if overrides_mix {
                sql(
                    "INSERT INTO pep_fields (pep_id, section, field, value, updated_at, updated_by) \
                     VALUES ($1, 'targets', $2, $3, $4, $5) ON CONFLICT (pep_id, section, field) \
                     DO UPDATE SET value = excluded.value, version = pep_fields.version + 1, \
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(&pep_id).bind(MIX_OVERRIDE_FIELD).bind(&reason).bind(now).bind(&reached.user.id)
                .execute(&mut tx)
                .await?;
            }
            let revision = audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::PepStateChanged,
                    "pep",
                    &pep_id,
                    serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason,
                    "went_on_without": without_detail, "without_reason": without_reason }),
                ),
            )
            .await?;
            tx.commit().await?;
            Some(revision)
        } else {
            tx.rollback().await?;
            None
        }
    };
    let Some(revision) = moved else {
        return Err(moved_meanwhile());
    };
    // Everyone else with the PEP open sees it move (their workflow part reads itself again).
    if let Some(revision) = revision {
        crate::infra::live_signal::ring(&pep_id, revision);
    }
    Ok(())
}

/// The PEP is no longer at the version the page read (checked first, and again by the UPDATE).
fn moved_meanwhile() -> AppError {
    AppError::Invalid(vec![(
        "version".into(),
        "Someone moved this PEP on since you opened it: reload the page to see where it is".into(),
    )])
}
