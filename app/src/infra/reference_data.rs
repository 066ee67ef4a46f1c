//! Reference data every database gets with its migrations: the shipped bank holidays. Loading is
//! idempotent and never overwrites rows a council has imported itself.

use crate::domain::calendar::{BankHolidays, ENGLAND_AND_WALES, SHIPPED_BANK_HOLIDAYS_JSON};
use crate::infra::db::Db;
use crate::on_db;

/// Adds the shipped England and Wales bank holidays that are not in the table yet.
pub async fn load_shipped_bank_holidays(db: &Db) -> Result<(), sqlx::Error> {
    let holidays = BankHolidays::from_gov_uk_json(SHIPPED_BANK_HOLIDAYS_JSON, ENGLAND_AND_WALES)
        .map_err(|e| sqlx::Error::Protocol(format!("the shipped bank holidays: {e}")))?;
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for (day, title) in holidays.iter() {
            sqlx::query(
                "INSERT INTO bank_holidays (division, holiday_on, title) VALUES ($1, $2, $3) \
                 ON CONFLICT (division, holiday_on) DO NOTHING",
            )
            .bind(ENGLAND_AND_WALES)
            .bind(day)
            .bind(title)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The bank holidays of a division, as stored.
pub async fn bank_holidays(db: &Db, division: &str) -> Result<BankHolidays, sqlx::Error> {
    let rows: Vec<(chrono::NaiveDate, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT holiday_on, title FROM bank_holidays WHERE division = $1")
            .bind(division)
            .fetch_all(pool)
            .await?
    });
    Ok(BankHolidays::new(rows))
}
