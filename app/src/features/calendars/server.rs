//! Calendars on the server: Virtual School staff for any school of their council, a designated
//! teacher for their own school; every import audited in the transaction that stores it.

use chrono::{NaiveDate, Utc};

use super::SchoolCalendarView;
use crate::domain::access::{Action, Actor, Relationship, authorize};
use crate::domain::calendar::{LineError, Period, PeriodKind, parse_calendar};
use crate::domain::policy::Access;
use crate::error::{AppError, internal};
use crate::features::auth::{CurrentUser, current_user};
use crate::features::children::server::denial_error;
use crate::features::people::Choice;
use crate::infra::audit::AuditEvent;
use crate::infra::db::Db;
use crate::{append_audit_event, on_db};

/// The largest file accepted (CSV or iCalendar): a school's calendar is a few dozen periods.
const MAX_CSV_BYTES: usize = 64 * 1024;

fn db() -> Result<Db, AppError> {
    leptos::prelude::use_context::<Db>().ok_or_else(|| internal("calendars", "no database"))
}

fn problems(errors: Vec<LineError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| ("csv".to_string(), e.to_string()))
            .collect(),
    )
}

fn parse(csv: &str) -> Result<Vec<Period>, AppError> {
    if csv.len() > MAX_CSV_BYTES {
        return Err(AppError::Invalid(vec![(
            "csv".into(),
            "The file is too big for a school calendar (64 KB at most)".into(),
        )]));
    }
    parse_calendar(csv).map_err(problems)
}

/// The person asking, if they may manage `school_id`'s calendar (`None`: no school yet, as for
/// a preview or the page's first load).
async fn calendar_manager(school_id: Option<&str>) -> Result<CurrentUser, AppError> {
    let user = current_user().await?;
    let actor = user.as_ref().map(|u| Actor {
        role: u.role,
        second_factor_pending: u.second_factor_pending,
    });
    let own_school = match (school_id, user.as_ref()) {
        (None, _) => true,
        (Some(school), Some(user)) => user.school_id.as_deref() == Some(school),
        (Some(_), None) => false,
    };
    authorize(
        actor,
        Action::ManageSchoolCalendar { own_school },
        Relationship::None,
        Access::None,
    )
    .map_err(denial_error)?;
    user.ok_or(AppError::SignedOut)
}

pub async fn school_calendar(school_id: String) -> Result<SchoolCalendarView, AppError> {
    let admin = calendar_manager(Some(school_id.as_str()).filter(|s| !s.is_empty())).await?;
    let db = db()?;
    // A designated teacher sees only their own school.
    let all_schools = admin.role.is_virtual_school();
    let schools: Vec<(String, String)> = on_db!(&db, pool => {
        sqlx::query_as(
            "SELECT id, name FROM schools WHERE council_id = $1 AND ($2 OR id = $3) ORDER BY name",
        )
        .bind(&admin.council_id)
        .bind(all_schools)
        .bind(&admin.school_id)
        .fetch_all(pool)
        .await?
    });
    let chosen = if school_id.is_empty() {
        schools.first().cloned()
    } else {
        schools.iter().find(|(id, _)| *id == school_id).cloned()
    };
    // Another council's school, or none: the same answer as "not yours".
    let Some((school_id, school)) = chosen else {
        return Err(AppError::Forbidden);
    };
    let (own, default): (Option<String>, Option<String>) = on_db!(&db, pool => {
        sqlx::query_as(
            "SELECT (SELECT id FROM calendars WHERE school_id = $1), \
             (SELECT id FROM calendars WHERE council_id = $2 AND school_id IS NULL LIMIT 1)",
        )
        .bind(&school_id)
        .bind(&admin.council_id)
        .fetch_one(pool)
        .await?
    });
    let (calendar_id, source) = match (own, default) {
        (Some(id), _) => (Some(id), "its own calendar"),
        (None, Some(id)) => (Some(id), "the council's default calendar"),
        (None, None) => (None, "no calendar yet: countdowns count working days"),
    };
    let rows: Vec<(NaiveDate, NaiveDate, String, String)> = match &calendar_id {
        Some(id) => on_db!(&db, pool => {
            sqlx::query_as(
                "SELECT starts_on, ends_on, kind, label FROM calendar_periods \
                 WHERE calendar_id = $1 ORDER BY starts_on, ends_on",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        }),
        None => Vec::new(),
    };
    let periods = rows
        .into_iter()
        .map(|(start, end, kind, label)| {
            Ok(Period {
                start,
                end,
                kind: PeriodKind::parse(&kind).map_err(|e| internal("stored calendar", e))?,
                label,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(SchoolCalendarView {
        school_id,
        school,
        all_schools,
        source: source.to_string(),
        periods,
        schools: schools
            .into_iter()
            .map(|(id, label)| Choice { id, label })
            .collect(),
    })
}

pub async fn preview_calendar(csv: String) -> Result<Vec<Period>, AppError> {
    calendar_manager(None).await?;
    parse(&csv)
}

pub async fn import_calendar(school_id: String, csv: String) -> Result<usize, AppError> {
    let admin = calendar_manager(Some(&school_id)).await?;
    let periods = parse(&csv)?;
    let db = db()?;
    let now = Utc::now();
    let stored = periods.len();
    on_db!(&db, pool => {
        let mut tx = pool.begin().await?;
        let school: Option<String> = sqlx::query_scalar(
            "SELECT name FROM schools WHERE id = $1 AND council_id = $2",
        )
        .bind(&school_id)
        .bind(&admin.council_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(school) = school else {
            return Err(AppError::Forbidden);
        };
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM calendars WHERE school_id = $1")
                .bind(&school_id)
                .fetch_optional(&mut *tx)
                .await?;
        // A school on the council's default gets a calendar of its own; the default is untouched.
        let calendar_id = match existing {
            Some(id) => {
                sqlx::query("DELETE FROM calendar_periods WHERE calendar_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                sqlx::query(
                    "INSERT INTO calendars (id, council_id, school_id, name, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(&admin.council_id)
                .bind(&school_id)
                .bind(&school)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        for period in &periods {
            sqlx::query(
                "INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&calendar_id)
            .bind(period.start)
            .bind(period.end)
            .bind(period.kind.as_str())
            .bind(&period.label)
            .execute(&mut *tx)
            .await?;
        }
        append_audit_event!(tx, &AuditEvent {
            occurred_at: now,
            actor_id: Some(&admin.id),
            action: "calendar.imported",
            entity: "calendar",
            entity_id: Some(&calendar_id),
            child_id: None,
            pep_id: None,
            detail: serde_json::json!({ "school_id": school_id, "periods": stored }),
            request_id: None,
        })?;
        tx.commit().await?;
    });
    Ok(stored)
}
