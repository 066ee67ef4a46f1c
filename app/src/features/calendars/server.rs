//! Calendars on the server: Virtual School staff for any school of their council, a designated
//! teacher for their own school; every import audited in the transaction that stores it.

use chrono::{NaiveDate, Utc};

use super::{KnownBankHolidays, SchoolCalendarView};
use crate::domain::access::{Action, Relationship};
use crate::domain::audit::AuditAction;
use crate::domain::calendar::{BankHolidays, LineError, Period, PeriodKind, parse_calendar};
use crate::domain::policy::Access;
use crate::domain::school::{NewSchoolForm, check_new_school};
use crate::error::{AppError, internal};
use crate::features::auth::{CurrentUser, current_user};
use crate::features::guard::authorize;
use crate::features::people::Choice;
use crate::infra::audit;
use crate::infra::audit::AuditEvent;
use crate::infra::db::Db;
use crate::infra::sql::sql;

/// The largest file accepted (CSV or iCalendar): a school's calendar is a few dozen periods.
const MAX_CSV_BYTES: usize = 64 * 1024;

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

/// What a calendar request touches.
enum Scope<'a> {
    /// Nothing stored yet (a preview, the page's first load): their own school if any.
    OwnSchool,
    School(&'a str),
    /// Shared by every school (the bank holidays): the Virtual School's.
    EverySchool,
}

/// The person asking, if they may manage calendars in `scope`.
async fn calendar_manager(scope: Scope<'_>) -> Result<CurrentUser, AppError> {
    let user = current_user().await?;
    let own_school = match (scope, user.as_ref()) {
        (Scope::OwnSchool, _) => true,
        (Scope::School(school), Some(user)) => user.school_id.as_deref() == Some(school),
        _ => false,
    };
    authorize(
        user.as_ref(),
        Action::ManageSchoolCalendar { own_school },
        Relationship::None,
        Access::None,
    )?;
    user.ok_or(AppError::SignedOut)
}

pub async fn school_calendar(school_id: String) -> Result<SchoolCalendarView, AppError> {
    let scope = match school_id.as_str() {
        "" => Scope::OwnSchool,
        school => Scope::School(school),
    };
    let admin = calendar_manager(scope).await?;
    let db = Db::from_context("calendars")?;
    // A designated teacher sees only their own school.
    let all_schools = admin.role.is_virtual_school();
    let schools: Vec<(String, String)> = {
        sql("SELECT id, name FROM schools WHERE council_id = $1 AND ($2 OR id = $3) ORDER BY name")
            .bind(&admin.council_id)
            .bind(all_schools)
            .bind(&admin.school_id)
            .fetch_all(&db)
            .await?
    };
    let chosen = if school_id.is_empty() {
        schools.first().cloned()
    } else {
        schools.iter().find(|(id, _)| *id == school_id).cloned()
    };
    // Another council's school, or none: the same answer as "not yours".
    let Some((school_id, school)) = chosen else {
        return Err(AppError::Forbidden);
    };
    let (own, default): (Option<String>, Option<String>) = {
        sql("SELECT (SELECT id FROM calendars WHERE school_id = $1), \
             (SELECT id FROM calendars WHERE council_id = $2 AND school_id IS NULL LIMIT 1)")
        .bind(&school_id)
        .bind(&admin.council_id)
        .fetch_one(&db)
        .await?
    };
    let (calendar_id, source) = match (own, default) {
        (Some(id), _) => (Some(id), "its own calendar"),
        (None, Some(id)) => (Some(id), "the council's default calendar"),
        (None, None) => (None, "no calendar yet: countdowns count working days"),
    };
    let rows: Vec<(NaiveDate, NaiveDate, String, String)> = match &calendar_id {
        Some(id) => {
            sql(
                "SELECT starts_on, ends_on, kind, label FROM calendar_periods \
                 WHERE calendar_id = $1 ORDER BY starts_on, ends_on",
            )
            .bind(id)
            .fetch_all(&db)
            .await?
        }
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
    calendar_manager(Scope::OwnSchool).await?;
    parse(&csv)
}

pub async fn import_calendar(school_id: String, csv: String) -> Result<usize, AppError> {
    let admin = calendar_manager(Scope::School(&school_id)).await?;
    let periods = parse(&csv)?;
    let db = Db::from_context("calendars")?;
    let now = Utc::now();
    let stored = periods.len();
    {
        let mut tx = db.begin_write().await?;
        let school: Option<String> =
            sql("SELECT name FROM schools WHERE id = $1 AND council_id = $2")
                .bind(&school_id)
                .bind(&admin.council_id)
                .fetch_optional_value(&mut tx)
                .await?;
        let Some(school) = school else {
            return Err(AppError::Forbidden);
        };
        let existing: Option<String> = sql("SELECT id FROM calendars WHERE school_id = $1")
            .bind(&school_id)
            .fetch_optional_value(&mut tx)
            .await?;
        // A school on the council's default gets a calendar of its own; the default is untouched.
        let calendar_id = match existing {
            Some(id) => {
                sql("DELETE FROM calendar_periods WHERE calendar_id = $1")
                    .bind(&id)
                    .execute(&mut tx)
                    .await?;
                id
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                sql(
                    "INSERT INTO calendars (id, council_id, school_id, name, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(&admin.council_id)
                .bind(&school_id)
                .bind(&school)
                .bind(now)
                .execute(&mut tx)
                .await?;
                id
            }
        };
        for period in &periods {
            sql(
                "INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&calendar_id)
            .bind(period.start)
            .bind(period.end)
            .bind(period.kind.as_str())
            .bind(&period.label)
            .execute(&mut tx)
            .await?;
        }
        audit::append(
            &mut tx,
            &AuditEvent {
                occurred_at: now,
                actor_id: Some(&admin.id),
                action: AuditAction::CalendarImported,
                entity: "calendar",
                entity_id: Some(&calendar_id),
                child_id: None,
                pep_id: None,
                detail: serde_json::json!({ "school_id": school_id, "periods": stored }),
                request_id: None,
            },
        )
        .await?;
        tx.commit().await?;
    };
    Ok(stored)
}

/// The government's file for every division is about 40 KB.
const MAX_BANK_HOLIDAYS_BYTES: usize = 256 * 1024;

pub async fn bank_holiday_list() -> Result<KnownBankHolidays, AppError> {
    let user = calendar_manager(Scope::OwnSchool).await?;
    let db = Db::from_context("calendars")?;
    let division = crate::infra::reference_data::council_division(&db, &user.council_id).await?;
    let holidays = crate::infra::reference_data::bank_holidays(&db, &division).await?;
    Ok(KnownBankHolidays {
        holidays: holidays.iter().map(|(d, t)| (d, t.to_string())).collect(),
        division,
    })
}

/// Bank holidays are the government's, shared by every council of the division on this server:
/// the Virtual School imports them (a designated teacher only sees them).
async fn read_bank_holidays(json: &str) -> Result<(CurrentUser, Db, KnownBankHolidays), AppError> {
    let user = calendar_manager(Scope::EverySchool).await?;
    if json.len() > MAX_BANK_HOLIDAYS_BYTES {
        return Err(AppError::Invalid(vec![(
            "bank_holidays".into(),
            "The file is too big for the government's bank holidays (256 KB at most)".into(),
        )]));
    }
    let db = Db::from_context("calendars")?;
    let division = crate::infra::reference_data::council_division(&db, &user.council_id).await?;
    let holidays = BankHolidays::read_gov_uk_json(json, &division).map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|e| ("bank_holidays".to_string(), e.to_string()))
                .collect(),
        )
    })?;
    let list = KnownBankHolidays {
        holidays: holidays.iter().map(|(d, t)| (d, t.to_string())).collect(),
        division,
    };
    Ok((user, db, list))
}

pub async fn preview_bank_holidays(json: String) -> Result<KnownBankHolidays, AppError> {
    Ok(read_bank_holidays(&json).await?.2)
}

pub async fn import_bank_holidays(json: String) -> Result<usize, AppError> {
    let (user, db, list) = read_bank_holidays(&json).await?;
    let now = Utc::now();
    let changed = {
        let mut tx = db.begin_write().await?;
        let mut changed = 0u64;
        for (day, title) in &list.holidays {
            changed += sql(
                "INSERT INTO bank_holidays (division, holiday_on, title) VALUES ($1, $2, $3) \
                 ON CONFLICT (division, holiday_on) DO UPDATE SET title = excluded.title \
                 WHERE bank_holidays.title <> excluded.title",
            )
            .bind(&list.division)
            .bind(day)
            .bind(title)
            .execute(&mut tx)
            .await?
            .rows_affected();
        }
        audit::append(&mut tx, &AuditEvent {
            occurred_at: now,
            actor_id: Some(&user.id),
            action: AuditAction::BankHolidaysImported,
            entity: "bank_holidays",
            entity_id: Some(&list.division),
            child_id: None,
            pep_id: None,
            detail: serde_json::json!({ "in_file": list.holidays.len(), "new_or_changed": changed }),
            request_id: None,
        }).await?;
        tx.commit().await?;
        changed
    };
    Ok(changed as usize)
}

pub async fn add_school(form: NewSchoolForm) -> Result<String, AppError> {
    let admin = calendar_manager(Scope::EverySchool).await?;
    let school = check_new_school(&form).map_err(AppError::on_fields)?;
    let db = Db::from_context("calendars")?;
    let school_id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    {
        let mut tx = db.begin_write().await?;
        sql(
            "INSERT INTO schools (id, council_id, name, urn, kind, phase, local_authority, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&school_id)
        .bind(&admin.council_id)
        .bind(&school.name)
        .bind(&school.urn)
        .bind(school.kind.as_str())
        .bind(&school.phase)
        .bind(&school.local_authority)
        .bind(now)
        .execute(&mut tx)
        .await?;
        // The council default, copied: the school's own from the start, so correcting it for
        // this school never changes another's.
        let default: Option<String> =
            sql("SELECT id FROM calendars WHERE council_id = $1 AND school_id IS NULL LIMIT 1")
                .bind(&admin.council_id)
                .fetch_optional_value(&mut tx)
                .await?;
        let mut copied = 0u64;
        if let Some(default) = default {
            let calendar_id = uuid::Uuid::now_v7().to_string();
            sql(
                "INSERT INTO calendars (id, council_id, school_id, name, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&calendar_id)
            .bind(&admin.council_id)
            .bind(&school_id)
            .bind(&school.name)
            .bind(now)
            .execute(&mut tx)
            .await?;
            let periods: Vec<(NaiveDate, NaiveDate, String, String)> = sql(
                "SELECT starts_on, ends_on, kind, label FROM calendar_periods WHERE calendar_id = $1",
            )
            .bind(&default)
            .fetch_all(&mut tx)
            .await?;
            for (starts, ends, kind, label) in periods {
                copied += sql(
                    "INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&calendar_id)
                .bind(starts)
                .bind(ends)
                .bind(kind)
                .bind(label)
                .execute(&mut tx)
                .await?
                .rows_affected();
            }
        }
        audit::append(&mut tx, &AuditEvent {
            occurred_at: now,
            actor_id: Some(&admin.id),
            action: AuditAction::SchoolAdded,
            entity: "school",
            entity_id: Some(&school_id),
            child_id: None,
            pep_id: None,
            detail: serde_json::json!({ "name": school.name, "default_periods_copied": copied }),
            request_id: None,
        }).await?;
        tx.commit().await?;
    };
    Ok(school_id)
}
