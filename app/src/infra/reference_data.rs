//! Reference data: the shipped bank holidays every database gets with its migrations (loading is
//! idempotent and never overwrites rows a council has imported itself), and the council's
//! calendars and deadline rules as the schedule and dashboards read them.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::calendar::{
    BankHolidays, ENGLAND_AND_WALES, Period, PeriodKind, SHIPPED_BANK_HOLIDAYS_JSON,
};
use crate::domain::schedule::DeadlinePolicy;
use crate::infra::db::{Db, DbError};
use crate::infra::sql::sql;

/// Adds the shipped England and Wales bank holidays that are not in the table yet.
pub async fn load_shipped_bank_holidays(db: &Db) -> Result<(), sqlx::Error> {
    let holidays = BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES)
        .map_err(|e| sqlx::Error::Protocol(format!("the shipped bank holidays: {e}")))?;
    {
        let mut tx = db.begin_write().await?;
        for (day, title) in holidays.iter() {
            sql(
                "INSERT INTO bank_holidays (division, holiday_on, title) VALUES ($1, $2, $3) \
                 ON CONFLICT (division, holiday_on) DO NOTHING",
            )
            .bind(ENGLAND_AND_WALES)
            .bind(day)
            .bind(title)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
    };
    Ok(())
}

/// The bank holiday division a council counts working days with ("england-and-wales").
pub async fn council_division(db: &Db, council_id: &str) -> Result<String, sqlx::Error> {
    Ok({
        sql("SELECT bank_holiday_division FROM councils WHERE id = $1")
            .bind(council_id)
            .fetch_value(db)
            .await?
    })
}

/// The bank holidays of a division, as stored.
pub async fn bank_holidays(db: &Db, division: &str) -> Result<BankHolidays, sqlx::Error> {
    let rows: Vec<(chrono::NaiveDate, String)> = {
        sql("SELECT holiday_on, title FROM bank_holidays WHERE division = $1")
            .bind(division)
            .fetch_all(db)
            .await?
    };
    Ok(BankHolidays::new(rows))
}

/// Every calendar of a council at once (for the schedule and dashboards): the default one and
/// each school's own. A school without its own calendar uses the default.
#[derive(Debug, Clone, Default)]
pub struct CouncilCalendars {
    pub default: Vec<Period>,
    pub by_school: HashMap<String, Vec<Period>>,
}

impl CouncilCalendars {
    /// The periods that apply at `school_id`: its own, else the council default.
    pub fn for_school(&self, school_id: &str) -> &[Period] {
        self.by_school
            .get(school_id)
            .map(Vec::as_slice)
            .unwrap_or(&self.default)
    }
}

pub async fn council_calendars(db: &Db, council_id: &str) -> Result<CouncilCalendars, sqlx::Error> {
    let rows: Vec<(Option<String>, NaiveDate, NaiveDate, String, String)> = {
        sql(
            "SELECT c.school_id, p.starts_on, p.ends_on, p.kind, p.label \
             FROM calendar_periods p JOIN calendars c ON c.id = p.calendar_id \
             WHERE c.council_id = $1 ORDER BY p.starts_on",
        )
        .bind(council_id)
        .fetch_all(db)
        .await?
    };
    let mut calendars = CouncilCalendars::default();
    for (school_id, start, end, kind, label) in rows {
        let kind = PeriodKind::parse(&kind)
            .map_err(|e| sqlx::Error::Protocol(format!("a stored calendar period: {e}")))?;
        let period = Period {
            start,
            end,
            kind,
            label,
        };
        match school_id {
            Some(school_id) => calendars
                .by_school
                .entry(school_id)
                .or_default()
                .push(period),
            None => calendars.default.push(period),
        }
    }
    Ok(calendars)
}

/// One of the council's stored policies (`council_policies`), as its JSON text.
async fn council_policy(
    db: &Db,
    council_id: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    Ok({
        sql("SELECT value_json FROM council_policies WHERE council_id = $1 AND key = $2")
            .bind(council_id)
            .bind(key)
            .fetch_optional_value(db)
            .await?
    })
}

/// The council's deadline rules (`council_policies` key `deadline_rules`), or the defaults from
/// DOMAIN.md when it has none. Stored rules that do not read are an error naming the problem.
pub async fn deadline_policy(db: &Db, council_id: &str) -> Result<DeadlinePolicy, sqlx::Error> {
    match council_policy(db, council_id, "deadline_rules").await? {
        None => Ok(DeadlinePolicy::default()),
        Some(json) => DeadlinePolicy::from_json(&json).map_err(sqlx::Error::Protocol),
    }
}

/// The council's section labels and owners (`council_policies` key `sections`), or DOMAIN.md's
/// defaults when it has none.
pub async fn section_policy(
    db: &Db,
    council_id: &str,
) -> Result<crate::domain::pep_form::SectionPolicy, sqlx::Error> {
    match council_policy(db, council_id, "sections").await? {
        None => Ok(Default::default()),
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| e.to_string())
            .and_then(|value| crate::domain::pep_form::SectionPolicy::from_json(&value))
            .map_err(sqlx::Error::Protocol),
    }
}

/// One of the council's policies read with `parse`, or `T::default()` (DOMAIN.md's) when it has
/// none. A stored policy that does not read is an error naming the problem.
async fn policy_or_default<T: Default>(
    db: &Db,
    council_id: &str,
    key: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, sqlx::Error> {
    match council_policy(db, council_id, key).await? {
        None => Ok(T::default()),
        Some(json) => parse(&json).map_err(sqlx::Error::Protocol),
    }
}

/// The council's rule for a PEP's targets (`council_policies` key `smart_targets`), or DOMAIN.md's
/// default.
pub async fn mix_rule(
    db: &Db,
    council_id: &str,
) -> Result<crate::domain::targets::MixRule, sqlx::Error> {
    policy_or_default(
        db,
        council_id,
        "smart_targets",
        crate::domain::targets::MixRule::from_json,
    )
    .await
}

/// The council's PP+ amounts per child per financial year (`council_policies` key `pp_plus`), or
/// DOMAIN.md's 2024–25 figures.
pub async fn pp_plus_policy(
    db: &Db,
    council_id: &str,
) -> Result<crate::domain::pp_plus::PpPlusPolicy, sqlx::Error> {
    policy_or_default(
        db,
        council_id,
        "pp_plus",
        crate::domain::pp_plus::PpPlusPolicy::from_json,
    )
    .await
}

/// The council's rule on which contributors' sections must be completed before a PEP is marked
/// ready or approved (`council_policies` key `contributions`), or DOMAIN.md's default: none.
pub async fn contribution_rule(
    db: &Db,
    council_id: &str,
) -> Result<crate::domain::workflow::ContributionRule, sqlx::Error> {
    policy_or_default(
        db,
        council_id,
        "contributions",
        crate::domain::workflow::ContributionRule::from_json,
    )
    .await
}

impl Db {
    /// Brings the schema up to date and loads the reference data the app ships (bank
    /// holidays). Safe to run on every start.
    pub async fn migrate(&self) -> Result<(), DbError> {
        self.migrate_schema().await?;
        load_shipped_bank_holidays(self)
            .await
            .map_err(|e| DbError::Migration(sqlx::migrate::MigrateError::Execute(e)))?;
        Ok(())
    }
}
