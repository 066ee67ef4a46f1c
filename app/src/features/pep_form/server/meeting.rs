//! The meeting on the server: started, its attendance recorded and ended by whoever may write
//! the meeting record now (the designated teacher, by the council's default table). Each change
//! is audited and rings the live channel, so every open page shows the meeting at once. Starting
//! it puts the PEP in its meeting and ending it makes the PEP a draft, in the same transaction.

use crate::domain::ids::PepId;
use chrono::{DateTime, Utc};

use super::reached::{Reached, reach, when};
use crate::domain::audit::AuditAction;
use crate::domain::meeting::{Attendee, MeetingInfo, check_attendees};
use crate::domain::pep::{PepState, SectionKey};
use crate::error::AppError;
use crate::infra::audit;
use crate::infra::db::Db;
use crate::infra::sql::{Tx, sql};

/// Inside a meeting change's transaction: moves the PEP to `to` when it is in one of the two
/// `from` states, with its own audit row.
async fn follow_the_meeting(
    tx: &mut Tx,
    reached: &Reached,
    now: DateTime<Utc>,
    pep_id: &str,
    [first, second]: [&str; 2],
    to: PepState,
    why: &str,
) -> Result<(), sqlx::Error> {
    let moved = sql(
        "UPDATE peps SET state = $1, version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND (state = $4 OR state = $5)",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(pep_id)
    .bind(first)
    .bind(second)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 {
        let detail = serde_json::json!({
            "from": reached.state.as_str(), "to": to.as_str(), "reason": why,
        });
        let event = reached.event(now, AuditAction::PepStateChanged, "pep", pep_id, detail);
        audit::append(tx, &event).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    started_at: DateTime<Utc>,
    started_by: String,
    ended_at: Option<DateTime<Utc>>,
    attendees_json: String,
    version: i64,
}

/// The PEP's meeting, if it has started.
pub(crate) async fn meeting_of(db: &Db, pep_id: &str) -> Result<Option<MeetingInfo>, AppError> {
    let row: Option<MeetingRow> = {
        sql(
            "SELECT m.started_at, u.display_name AS started_by, m.ended_at, m.attendees_json, \
             m.version FROM pep_meetings m JOIN users u ON u.id = m.started_by WHERE m.pep_id = $1",
        )
        .bind(pep_id)
        .fetch_optional(db)
        .await?
    };
    Ok(row.map(|row| MeetingInfo {
        started: when(row.started_at),
        started_by: row.started_by,
        ended: row.ended_at.map(when),
        // A list that does not read (written by a newer version) shows as empty.
        attendees: serde_json::from_str(&row.attendees_json).unwrap_or_default(),
        version: row.version,
    }))
}

/// Whether the person may run the meeting: whoever may edit the meeting record now.
pub(in crate::features::pep_form) fn runs_meeting(
    reached: &Reached,
    relationship: crate::domain::access::Relationship,
) -> bool {
    reached
        .authorize(SectionKey::MeetingRecord, true, relationship)
        .is_ok()
}

/// The person asking, once they may run this PEP's meeting now.
async fn meeting_runner(db: &Db, pep_id: &str) -> Result<Reached, AppError> {
    let (reached, relationship) = reach(db, pep_id).await?;
    reached.authorize(SectionKey::MeetingRecord, true, relationship)?;
    Ok(reached)
}

fn not_running() -> AppError {
    AppError::Invalid(vec![(
        "meeting".into(),
        "The meeting has not started, or has ended: start it first".into(),
    )])
}

pub async fn start_meeting(pep_id: PepId) -> Result<MeetingInfo, AppError> {
    let db = Db::from_context("meeting")?;
    let reached = meeting_runner(&db, &pep_id).await?;
    let now = Utc::now();
    let revision = {
        let mut tx = db.begin_write().await?;
        let started = sql(
            "INSERT INTO pep_meetings (pep_id, started_at, started_by) VALUES ($1, $2, $3) \
             ON CONFLICT (pep_id) DO NOTHING",
        )
        .bind(&pep_id)
        .bind(now)
        .bind(&reached.user.id)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if started == 0 {
            tx.rollback().await?;
            None
        } else {
            // A PEP not yet past its meeting is now in it (workflow::made_by_the_meeting).
            follow_the_meeting(
                &mut tx,
                &reached,
                now,
                &pep_id,
                ["scheduled", "contributions"],
                PepState::Meeting,
                "The meeting started",
            )
            .await?;
            let revision = audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::MeetingStarted,
                    "pep_meeting",
                    &pep_id,
                    serde_json::json!({}),
                ),
            )
            .await?;
            tx.commit().await?;
            revision
        }
    };
    let meeting = meeting_of(&db, &pep_id).await?.ok_or_else(not_running)?;
    match revision {
        Some(revision) => crate::infra::live_signal::ring(&pep_id, revision),
        None => {
            return Err(AppError::Invalid(vec![(
                "meeting".into(),
                format!(
                    "The meeting already started on {}, by {}",
                    meeting.started, meeting.started_by
                ),
            )]));
        }
    }
    Ok(meeting)
}

/// Replaces the attendance list, only over the version the person saw.
pub async fn record_attendance(
    pep_id: PepId,
    attendees: Vec<Attendee>,
    version: i64,
) -> Result<MeetingInfo, AppError> {
    let db = Db::from_context("meeting")?;
    let reached = meeting_runner(&db, &pep_id).await?;
    let problems = check_attendees(&attendees);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let attendees: Vec<Attendee> = attendees
        .into_iter()
        .map(|a| Attendee {
            name: a.name.trim().to_string(),
            ..a
        })
        .collect();
    let json = serde_json::to_string(&attendees)
        .map_err(|e| crate::error::internal("meeting", e.to_string()))?;
    let revision = {
        let mut tx = db.begin_write().await?;
        let written = sql(
            "UPDATE pep_meetings SET attendees_json = $1, version = version + 1 \
             WHERE pep_id = $2 AND version = $3 AND ended_at IS NULL",
        )
        .bind(&json)
        .bind(&pep_id)
        .bind(version)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if written == 0 {
            tx.rollback().await?;
            None
        } else {
            // Who came is the meeting record's; the log keeps how many, not who.
            let revision = audit::append(
                &mut tx,
                &reached.event(
                    Utc::now(),
                    AuditAction::MeetingAttendance,
                    "pep_meeting",
                    &pep_id,
                    serde_json::json!({ "people": attendees.len(), "version": version + 1 }),
                ),
            )
            .await?;
            tx.commit().await?;
            revision
        }
    };
    let meeting = meeting_of(&db, &pep_id).await?.ok_or_else(not_running)?;
    match revision {
        Some(revision) => {
            crate::infra::live_signal::ring(&pep_id, revision);
            Ok(meeting)
        }
        None if !meeting.running() => Err(not_running()),
        None => Err(AppError::Invalid(vec![(
            "attendees".into(),
            "Someone else changed the list while you were: it now shows theirs. Make your change again".into(),
        )])),
    }
}

pub async fn end_meeting(pep_id: PepId) -> Result<MeetingInfo, AppError> {
    let db = Db::from_context("meeting")?;
    let reached = meeting_runner(&db, &pep_id).await?;
    let now = Utc::now();
    let revision = {
        let mut tx = db.begin_write().await?;
        let ended = sql(
            "UPDATE pep_meetings SET ended_at = $1, version = version + 1 \
             WHERE pep_id = $2 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(&pep_id)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if ended == 0 {
            tx.rollback().await?;
            None
        } else {
            // The meeting's end makes the PEP a draft: the record is completed after it.
            follow_the_meeting(
                &mut tx,
                &reached,
                now,
                &pep_id,
                ["meeting", "meeting"],
                PepState::Draft,
                "The meeting ended",
            )
            .await?;
            let revision = audit::append(
                &mut tx,
                &reached.event(
                    now,
                    AuditAction::MeetingEnded,
                    "pep_meeting",
                    &pep_id,
                    serde_json::json!({}),
                ),
            )
            .await?;
            tx.commit().await?;
            revision
        }
    };
    let Some(revision) = revision else {
        return Err(not_running());
    };
    crate::infra::live_signal::ring(&pep_id, revision);
    meeting_of(&db, &pep_id).await?.ok_or_else(not_running)
}
