//! The PEP's SMART targets on the server: read with what the checks need (the review window, the
//! council's mix rule, the child's key stage), added, their structured parts saved whole at a
//! version (a stale save gets the other person's target back), and removed; a target's actions
//! added and removed one by one. Saving never requires the checks to pass: a half-written target
//! is kept; the checks decide only whether the PEP may be marked ready. The words of targets and
//! actions are shared text (`text_edits`).

use crate::domain::ids::PepId;
use chrono::{Duration, NaiveDate, Utc};

use super::pp_plus::{REQUEST_COLUMNS, RequestRow};
use super::reached::{PepRow, Reached, reach};
use crate::domain::academic_year::AcademicYear;
use crate::domain::audit::AuditAction;
use crate::domain::child::year_group;
use crate::domain::pep::{PepState, SectionKey, Term};
use crate::domain::pep_form::SectionPolicy;
use crate::domain::policy::Access;
use crate::domain::pp_plus::{
    MOST_SESSIONS_A_WEEK, MOST_WEEKS, PpPlusLine, check_line_bounds, parse_count, parse_pounds,
};
use crate::domain::schedule::{term_windows, termly_due};
use crate::domain::targets::{
    ActionDraft, ActionTextPart, MOST_ACTIONS, PreviousTarget, ReviewWindow, TargetDraft,
    TargetTextPart, check_evaluation, check_target_bounds, key_stage,
};
use crate::error::AppError;
use crate::features::children::countdowns::{Countdowns, capitalise};
use crate::features::pep_form::{Saved, TargetEvaluation, TargetRecord, TargetsPart};
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// A term's length, for the review window when no calendar says when the next PEP is due.
const ABOUT_A_TERM: i64 = 120;

/// From the meeting (or today, before one is booked) to the next PEP's due date at the child's
/// school; without term dates, about a term after this PEP is due.
pub(in crate::features::pep_form) fn review_window(
    pep: &PepRow,
    countdowns: &Countdowns,
    today: NaiveDate,
) -> ReviewWindow {
    let starts = pep
        .meeting_at
        .map(|at| crate::domain::uk_time::uk_local(at).date())
        .unwrap_or(today);
    let this_term = Term::parse(&pep.term).ok();
    let next_review = countdowns
        .school_calendar(pep.school_id.as_deref())
        .and_then(|calendar| {
            let windows = term_windows(&calendar);
            let position = windows.iter().position(|w| {
                w.academic_year == AcademicYear::starting(pep.academic_year as i32)
                    && Some(w.term) == this_term
            })?;
            let next = windows.get(position + 1)?;
            Some(termly_due(&countdowns.policy, next, &calendar).due)
        })
        .unwrap_or(pep.due_on + Duration::days(ABOUT_A_TERM));
    ReviewWindow {
        starts,
        meeting_booked: pep.meeting_at.is_some(),
        next_review: next_review.max(starts),
    }
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: String,
    version: i64,
    need_area: String,
    reason_baseline: String,
    statement: String,
    success_measure: String,
    child_view: String,
    target_date: Option<NaiveDate>,
    override_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: String,
    target_id: Option<String>,
    description: String,
    owner_role: Option<String>,
    frequency: Option<String>,
}

/// Every target of the PEP with its actions, in order.
pub(in crate::features::pep_form) async fn load_targets(
    db: &Db,
    pep_id: &str,
) -> Result<Vec<TargetRecord>, AppError> {
    type Versions = Vec<(String, String, i64)>;
    let (targets, actions, text_versions, action_versions): (
        Vec<TargetRow>,
        Vec<ActionRow>,
        Versions,
        Versions,
    ) = {
        let targets = sql(
            "SELECT id, version, need_area, reason_baseline, statement, success_measure, \
             child_view, target_date, override_reason FROM targets WHERE pep_id = $1 ORDER BY position, created_at",
        )
        .bind(pep_id)
        .fetch_all(db)
        .await?;
        let actions = sql(
            "SELECT id, target_id, description, owner_role, frequency FROM actions \
             WHERE pep_id = $1 AND target_id IS NOT NULL AND status <> 'cancelled' ORDER BY created_at, id",
        )
        .bind(pep_id)
        .fetch_all(db)
        .await?;
        let text_versions: Vec<(String, String, i64)> = sql(
            "SELECT v.target_id, v.part, v.version FROM target_text_versions v \
             JOIN targets t ON t.id = v.target_id WHERE t.pep_id = $1",
        )
        .bind(pep_id)
        .fetch_all(db)
        .await?;
        let action_versions: Vec<(String, String, i64)> = sql(
            "SELECT v.action_id, v.part, v.version FROM action_text_versions v \
             JOIN actions a ON a.id = v.action_id WHERE a.pep_id = $1",
        )
        .bind(pep_id)
        .fetch_all(db)
        .await?;
        (targets, actions, text_versions, action_versions)
    };
    let requests = super::pp_plus::requests_of(db, pep_id).await?;
    Ok(targets
        .into_iter()
        .map(|t| TargetRecord {
            draft: TargetDraft {
                need_area: t.need_area,
                reason_baseline: t.reason_baseline,
                statement: t.statement,
                success_measure: t.success_measure,
                child_view: t.child_view,
                target_date: t.target_date.map(|d| d.to_string()).unwrap_or_default(),
                actions: actions
                    .iter()
                    .filter(|a| a.target_id.as_deref() == Some(t.id.as_str()))
                    .map(|a| ActionDraft {
                        id: a.id.clone(),
                        description: a.description.clone(),
                        owner_role: a.owner_role.clone().unwrap_or_default(),
                        frequency: a.frequency.clone().unwrap_or_default(),
                    })
                    .collect(),
                pp_plus: requests
                    .iter()
                    .filter(|r| r.target_id == t.id)
                    .map(|r| r.line())
                    .collect(),
                override_reason: t.override_reason.unwrap_or_default(),
            },
            text_versions: text_versions
                .iter()
                .filter(|(target_id, ..)| *target_id == t.id)
                .filter_map(|(_, part, version)| {
                    Some((TargetTextPart::parse(part).ok()?, *version))
                })
                .collect(),
            action_text_versions: action_versions
                .iter()
                .filter(|(action_id, ..)| {
                    actions.iter().any(|a| {
                        a.id == *action_id && a.target_id.as_deref() == Some(t.id.as_str())
                    })
                })
                .filter_map(|(action_id, part, version)| {
                    let part = ActionTextPart::parse(part).ok()?;
                    Some((part.field_of(action_id), *version))
                })
                .collect(),
            id: t.id,
            version: t.version,
        })
        .collect())
}

/// The PEP's targets with what their checks need (whoever asks: the workflow checks them even
/// for people who may not read them). `previous`: the child's PEP before this one (id, title),
/// as `previous_pep` found it (the form reads it once for the targets and the action log).
pub(in crate::features::pep_form) async fn targets_of(
    db: &Db,
    reached: &Reached,
    sections: &SectionPolicy,
    countdowns: &Countdowns,
    today: NaiveDate,
    previous: Option<&(String, String)>,
) -> Result<TargetsPart, AppError> {
    let access = reached.access(SectionKey::Targets);
    let pep = &reached.pep;
    let mix_override: Option<String> = {
        sql("SELECT value FROM pep_fields WHERE pep_id = $1 AND section = 'targets' AND field = $2")
            .bind(&pep.id)
            .bind(MIX_OVERRIDE_FIELD)
            .fetch_optional_value(db)
            .await?
    };
    let (born, override_year): (NaiveDate, Option<i64>) = {
        sql("SELECT date_of_birth, nc_year_override FROM children WHERE id = $1")
            .bind(&pep.child_id)
            .fetch_one(db)
            .await?
    };
    let (previous, previous_title) = match previous {
        Some((id, title)) => (previous_targets(db, id).await?, Some(title.clone())),
        None => (Vec::new(), None),
    };
    let year = override_year.map_or_else(
        || year_group(born, AcademicYear::starting(pep.academic_year as i32)),
        |y| y as i32,
    );
    Ok(TargetsPart {
        label: sections.label(SectionKey::Targets),
        owner: capitalise(sections.owner(SectionKey::Targets).label()),
        editable: access == Access::Edit,
        phase: reached.phase,
        key_stage: key_stage(year),
        window: review_window(pep, countdowns, today),
        rule: crate::infra::reference_data::mix_rule(db, &reached.user.council_id).await?,
        targets: load_targets(db, &pep.id).await?,
        mix_override: mix_override.unwrap_or_default(),
        previous,
        previous_title,
        pp_plus: super::pp_plus::budget_of(db, reached).await?,
        decides_pp_plus: reached.user.role.is_virtual_school(),
    })
}

/// The child's PEP before this one (by due date), if there is one: (id, title).
pub(in crate::features::pep_form) async fn previous_pep(
    db: &Db,
    pep: &PepRow,
) -> Result<Option<(String, String)>, AppError> {
    let row: Option<(String, i64, String, String)> = {
        sql(
            "SELECT id, academic_year, term, kind FROM peps WHERE child_id = $1 AND due_on < $2 \
             ORDER BY due_on DESC LIMIT 1",
        )
        .bind(&pep.child_id)
        .bind(pep.due_on)
        .fetch_optional(db)
        .await?
    };
    Ok(row.map(|(id, year, term, kind)| {
        (
            id,
            crate::features::children::countdowns::pep_title(year, &term, &kind),
        )
    }))
}

#[derive(sqlx::FromRow)]
struct PreviousRow {
    id: String,
    version: i64,
    need_area: String,
    statement: String,
    success_measure: String,
    evaluation: Option<String>,
    evaluation_evidence: Option<String>,
}

async fn previous_targets(db: &Db, previous_pep_id: &str) -> Result<Vec<PreviousTarget>, AppError> {
    let rows: Vec<PreviousRow> = {
        sql(
            "SELECT id, version, need_area, statement, success_measure, evaluation, \
             evaluation_evidence FROM targets WHERE pep_id = $1 ORDER BY position, created_at",
        )
        .bind(previous_pep_id)
        .fetch_all(db)
        .await?
    };
    Ok(rows
        .into_iter()
        .map(|r| PreviousTarget {
            id: r.id,
            version: r.version,
            need_area: r.need_area,
            statement: r.statement,
            success_measure: r.success_measure,
            evaluation: r.evaluation.unwrap_or_default(),
            evidence: r.evaluation_evidence.unwrap_or_default(),
        })
        .collect())
}

/// A previous target's evaluation as it stands, with who changed it last.
#[derive(sqlx::FromRow)]
struct EvaluationRow {
    version: i64,
    evaluation: Option<String>,
    evaluation_evidence: Option<String>,
    display_name: Option<String>,
}

/// Records how far a target of the previous PEP was met. The person needs the right to edit this
/// PEP's targets; the target must belong to the child's previous PEP.
pub async fn evaluate_target(
    pep_id: PepId,
    target_id: String,
    version: i64,
    evaluation: TargetEvaluation,
) -> Result<Saved<TargetEvaluation>, AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    check_evaluation(&evaluation.evaluation, &evaluation.evidence).map_err(AppError::on_fields)?;
    let Some((previous_id, _)) = previous_pep(&db, &reached.pep).await? else {
        return Err(AppError::Forbidden);
    };
    let now = Utc::now();
    let outcome = {
        let mut tx = db.begin_write().await?;
        let written = sql(
            "UPDATE targets SET evaluation = $1, evaluation_evidence = $2, version = version + 1, \
             updated_at = $3, updated_by = $4 WHERE id = $5 AND pep_id = $6 AND version = $7",
        )
        .bind(Some(evaluation.evaluation.as_str()).filter(|e| !e.is_empty()))
        .bind(&evaluation.evidence)
        .bind(now)
        .bind(&reached.user.id)
        .bind(&target_id)
        .bind(&previous_id)
        .bind(version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if written == 0 {
            let current: Option<EvaluationRow> = sql(
                "SELECT t.version, t.evaluation, t.evaluation_evidence, u.display_name FROM targets t \
                 LEFT JOIN users u ON u.id = t.updated_by WHERE t.id = $1 AND t.pep_id = $2",
            )
            .bind(&target_id).bind(&previous_id)
            .fetch_optional(&mut tx)
            .await?;
            tx.rollback().await?;
            Err(current)
        } else {
            audit::append(
                &mut tx,
                &reached.event(
                    Utc::now(),
                    AuditAction::TargetEvaluated,
                    "target",
                    &target_id,
                    serde_json::json!({
                        "version": version + 1, "evaluation": evaluation.evaluation,
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(version + 1)
        }
    };
    match outcome {
        Ok(version) => Ok(Saved::Saved { version }),
        Err(None) => Err(AppError::Forbidden),
        Err(Some(current)) => Ok(Saved::Conflict {
            value: TargetEvaluation {
                evaluation: current.evaluation.unwrap_or_default(),
                evidence: current.evaluation_evidence.unwrap_or_default(),
            },
            version: current.version,
            by: current.display_name.unwrap_or_else(|| "Someone".into()),
        }),
    }
}

/// Where a PEP keeps why its targets stand although they do not follow the council's mix rule
/// (given when it is marked ready; read by quality assurance).
pub(in crate::features::pep_form) const MIX_OVERRIDE_FIELD: &str = "mix_override_reason";

/// The person asking, once they may edit this PEP's targets in its state.
async fn target_editor(db: &Db, pep_id: &str) -> Result<Reached, AppError> {
    let (reached, relationship) = reach(db, pep_id).await?;
    reached.authorize(SectionKey::Targets, true, relationship)?;
    Ok(reached)
}

pub async fn add_target(pep_id: PepId) -> Result<TargetRecord, AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        let position: i64 =
            sql("SELECT COALESCE(MAX(position) + 1, 0) FROM targets WHERE pep_id = $1")
                .bind(&pep_id)
                .fetch_value(&mut tx)
                .await?;
        sql(
            "INSERT INTO targets (id, pep_id, position, need_area, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, '', $4, $4, $5)",
        )
        .bind(&id).bind(&pep_id).bind(position).bind(now).bind(&reached.user.id)
        .execute(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            &reached.event(
                Utc::now(),
                AuditAction::TargetAdded,
                "target",
                &id,
                serde_json::json!({ "position": position }),
            ),
        )
        .await?;
        tx.commit().await?;
    };
    Ok(TargetRecord {
        id,
        version: 1,
        draft: TargetDraft::default(),
        text_versions: Default::default(),
        action_text_versions: Default::default(),
    })
}

/// A new action's id from the page: a part of this target (`{target id}-a…`) short enough to
/// name a shared-text field.
fn check_new_action_id(target_id: &str, action_id: &str) -> Result<(), AppError> {
    if crate::domain::ids::is_part_id_of(target_id, "-a", action_id)
        && crate::domain::ids::is_edit_id(action_id)
    {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![(
            "action_id".into(),
            format!("“{action_id}” is not an id for a new action of this target: reload the page"),
        )]))
    }
}

pub async fn add_target_action(
    pep_id: PepId,
    target_id: String,
    action_id: String,
) -> Result<(), AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    check_new_action_id(&target_id, &action_id)?;
    let now = Utc::now();
    let refused: Option<String> = {
        let mut tx = db.begin_write().await?;
        let target: Option<Option<NaiveDate>> =
            sql("SELECT target_date FROM targets WHERE id = $1 AND pep_id = $2")
                .bind(&target_id)
                .bind(&pep_id)
                .fetch_optional_value(&mut tx)
                .await?;
        // Sent again (its answer was lost): it is there already.
        let there: Option<Option<String>> = sql("SELECT target_id FROM actions WHERE id = $1")
            .bind(&action_id)
            .fetch_optional_value(&mut tx)
            .await?;
        let count: i64 = sql("SELECT COUNT(*) FROM actions WHERE target_id = $1")
            .bind(&target_id)
            .fetch_value(&mut tx)
            .await?;
        let refused = match (target, there) {
            (None, _) => Some("This target has been removed by someone else.".to_string()),
            (Some(_), Some(on)) if on.as_deref() == Some(target_id.as_str()) => None,
            (Some(_), Some(_)) => Some(format!(
                "“{action_id}” is another action's id: reload the page"
            )),
            (Some(_), None) if count >= MOST_ACTIONS as i64 => Some(format!(
                "A target can have at most {MOST_ACTIONS} actions: split it into two targets"
            )),
            (Some(due_on), None) => {
                sql(
                    "INSERT INTO actions (id, pep_id, target_id, description, owner_role, frequency, \
                     due_on, status, created_at, updated_at) VALUES ($1, $2, $3, '', NULL, NULL, $4, 'open', $5, $5)",
                )
                .bind(&action_id).bind(&pep_id).bind(&target_id).bind(due_on).bind(now)
                .execute(&mut tx)
                .await?;
                audit::append(
                    &mut tx,
                    &reached.event(
                        now,
                        AuditAction::TargetActionAdded,
                        "action",
                        &action_id,
                        serde_json::json!({ "target": target_id }),
                    ),
                )
                .await?;
                None
            }
        };
        tx.commit().await?;
        refused
    };
    match refused {
        None => Ok(()),
        Some(message) => Err(AppError::Invalid(vec![("actions".into(), message)])),
    }
}

pub async fn remove_target_action(pep_id: PepId, action_id: String) -> Result<(), AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    if reached.state == PepState::Approved {
        return Err(AppError::Forbidden);
    }
    let fields: Vec<String> = ActionTextPart::ALL
        .iter()
        .map(|part| part.field_of(&action_id))
        .collect();
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        let removed =
            sql("DELETE FROM actions WHERE id = $1 AND pep_id = $2 AND target_id IS NOT NULL")
                .bind(&action_id)
                .bind(&pep_id)
                .execute(&mut tx)
                .await?
                .rows_affected();
        if removed == 0 {
            // Gone already: nothing to tell anyone.
            tx.rollback().await?;
        } else {
            // Its words' history goes with it (their versions go by cascade).
            sql("DELETE FROM text_edits WHERE pep_id = $1 AND section = 'targets' AND field IN ($2, $3)")
                .bind(&pep_id).bind(&fields[0]).bind(&fields[1])
                .execute(&mut tx)
                .await?;
            audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::TargetActionRemoved,
                    "action",
                    &action_id,
                    serde_json::json!({}),
                ),
            )
            .await?;
            tx.commit().await?;
        }
    };
    Ok(())
}

/// A request's amounts as stored: empty until typed (bounds are checked before).
struct StoredAmounts {
    unit_cost_pence: Option<i64>,
    sessions: Option<i64>,
    weeks: Option<i64>,
}

impl StoredAmounts {
    fn of(line: &PpPlusLine) -> StoredAmounts {
        StoredAmounts {
            unit_cost_pence: parse_pounds(&line.unit_cost).ok(),
            sessions: parse_count(&line.sessions, "sessions", MOST_SESSIONS_A_WEEK).ok(),
            weeks: parse_count(&line.weeks, "weeks", MOST_WEEKS).ok(),
        }
    }
}

pub async fn save_target(
    pep_id: PepId,
    target_id: String,
    version: i64,
    target: TargetDraft,
) -> Result<Saved<TargetDraft>, AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    check_target_bounds(&target).map_err(AppError::on_fields)?;
    check_line_bounds(&target_id, &target.pp_plus).map_err(AppError::on_fields)?;
    if let Some(bad) = target
        .actions
        .iter()
        .find(|a| !crate::domain::ids::is_part_id_of(&target_id, "-a", &a.id))
    {
        return Err(AppError::Invalid(vec![(
            "actions".into(),
            format!("“{}” is not an action of this target", bad.id),
        )]));
    }
    let date: Option<NaiveDate> =
        NaiveDate::parse_from_str(target.target_date.trim(), "%Y-%m-%d").ok();
    let now = Utc::now();
    let outcome = {
        let mut tx = db.begin_write().await?;
        let written = sql("UPDATE targets SET need_area = $1, target_date = $2, \
             version = version + 1, updated_at = $3, updated_by = $4 \
             WHERE id = $5 AND pep_id = $6 AND version = $7")
        .bind(&target.need_area)
        .bind(date)
        .bind(now)
        .bind(&reached.user.id)
        .bind(&target_id)
        .bind(&pep_id)
        .bind(version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if written == 0 {
            let current: Option<(i64, Option<String>)> = sql(
                "SELECT t.version, u.display_name FROM targets t LEFT JOIN users u ON u.id = t.updated_by \
                 WHERE t.id = $1 AND t.pep_id = $2",
            )
            .bind(&target_id).bind(&pep_id)
            .fetch_optional(&mut tx)
            .await?;
            tx.rollback().await?;
            Err(current)
        } else {
            // Actions are added and removed on their own and their words are shared text: the
            // save names each one's owner, and the target's date is when they are all due.
            sql("UPDATE actions SET due_on = $1, updated_at = $2 WHERE target_id = $3")
                .bind(date)
                .bind(now)
                .bind(&target_id)
                .execute(&mut tx)
                .await?;
            for action in &target.actions {
                let owner = Some(action.owner_role.as_str()).filter(|r| !r.is_empty());
                sql("UPDATE actions SET owner_role = $1, version = version + 1 WHERE id = $2 AND target_id = $3")
                    .bind(owner).bind(&action.id).bind(&target_id)
                    .execute(&mut tx)
                    .await?;
            }
            // PP+ requests: a changed one waits for the Virtual School again; an unchanged one
            // keeps its decision and version.
            let stored: Vec<RequestRow> = sql(&format!(
                "SELECT {REQUEST_COLUMNS} FROM pp_plus_requests WHERE target_id = $1"
            ))
            .bind(&target_id)
            .fetch_all(&mut tx)
            .await?;
            for (position, line) in target.pp_plus.iter().enumerate() {
                let amounts = StoredAmounts::of(line);
                match stored.iter().find(|r| r.id == line.id) {
                    Some(before) if !line.changed_from(&before.line()) => {
                        sql("UPDATE pp_plus_requests SET position = $1 WHERE id = $2")
                            .bind(position as i64)
                            .bind(&line.id)
                            .execute(&mut tx)
                            .await?;
                    }
                    Some(_) => {
                        sql(
                            "UPDATE pp_plus_requests SET position = $1, item = $2, provider = $3, \
                             unit_cost_pence = $4, sessions = $5, weeks = $6, status = 'requested', \
                             decision_reason = NULL, decided_by = NULL, decided_at = NULL, \
                             version = version + 1, updated_at = $7 WHERE id = $8",
                        )
                        .bind(position as i64).bind(line.item.trim()).bind(line.provider.trim())
                        .bind(amounts.unit_cost_pence).bind(amounts.sessions).bind(amounts.weeks)
                        .bind(now).bind(&line.id)
                        .execute(&mut tx)
                        .await?;
                    }
                    None => {
                        sql(
                            "INSERT INTO pp_plus_requests (id, pep_id, target_id, position, item, provider, \
                             unit_cost_pence, sessions, weeks, status, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10, $10)",
                        )
                        .bind(&line.id).bind(&pep_id).bind(&target_id).bind(position as i64)
                        .bind(line.item.trim()).bind(line.provider.trim())
                        .bind(amounts.unit_cost_pence).bind(amounts.sessions).bind(amounts.weeks)
                        .bind(now)
                        .execute(&mut tx)
                        .await?;
                    }
                }
            }
            for gone in stored
                .iter()
                .filter(|r| !target.pp_plus.iter().any(|l| l.id == r.id))
            {
                sql("DELETE FROM pp_plus_requests WHERE id = $1")
                    .bind(&gone.id)
                    .execute(&mut tx)
                    .await?;
            }
            audit::append(
                &mut tx,
                &reached.event(
                    Utc::now(),
                    AuditAction::TargetSaved,
                    "target",
                    &target_id,
                    serde_json::json!({
                        "version": version + 1,
                        "need_area": target.need_area,
                        "actions": target.actions.len(),
                        "pp_plus_requests": target.pp_plus.len(),
                    }),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(version + 1)
        }
    };
    match outcome {
        Ok(version) => Ok(Saved::Saved { version }),
        // Removed meanwhile: there is nothing to save over.
        Err(None) => Err(AppError::Invalid(vec![(
            "target".into(),
            "This target has been removed by someone else. Copy what you wrote into a new target."
                .into(),
        )])),
        Err(Some((version, by))) => {
            let value = load_targets(&db, &pep_id)
                .await?
                .into_iter()
                .find(|t| t.id == target_id)
                .map(|t| t.draft)
                .unwrap_or_default();
            Ok(Saved::Conflict {
                value,
                version,
                by: by.unwrap_or_else(|| "Someone".into()),
            })
        }
    }
}

pub async fn remove_target(pep_id: PepId, target_id: String, version: i64) -> Result<(), AppError> {
    let db = Db::from_context("pep form")?;
    let reached = target_editor(&db, &pep_id).await?;
    if reached.state == PepState::Approved {
        return Err(AppError::Forbidden);
    }
    let removed = {
        let mut tx = db.begin_write().await?;
        sql("DELETE FROM actions WHERE target_id = $1 AND pep_id = $2")
            .bind(&target_id)
            .bind(&pep_id)
            .execute(&mut tx)
            .await?;
        let removed = sql("DELETE FROM targets WHERE id = $1 AND pep_id = $2 AND version = $3")
            .bind(&target_id)
            .bind(&pep_id)
            .bind(version)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if removed == 0 {
            tx.rollback().await?;
        } else {
            // Its shared-text parts' history goes with it (their versions go by cascade).
            sql("DELETE FROM target_text_versions WHERE target_id = $1")
                .bind(&target_id)
                .execute(&mut tx)
                .await?;
            sql("DELETE FROM text_edits WHERE pep_id = $1 AND section = 'targets' AND (field LIKE $2 OR field LIKE $3)")
                .bind(&pep_id).bind(format!("{target_id}.%")).bind(format!("{target_id}-a%"))
                .execute(&mut tx)
                .await?;
            audit::append(
                &mut tx,
                &reached.event(
                    Utc::now(),
                    AuditAction::TargetRemoved,
                    "target",
                    &target_id,
                    serde_json::json!({ "version": version }),
                ),
            )
            .await?;
            tx.commit().await?;
        }
        removed
    };
    if removed == 0 {
        return Err(AppError::Invalid(vec![(
            "target".into(),
            "Someone changed this target since you opened it: reload the page to see it before removing it".into(),
        )]));
    }
    Ok(())
}
