//! Forgetting old edit ids. A page re-sends an edit whose answer it lost within seconds or, for a
//! phone asleep, hours; after a week the id has done its work. Should a page still re-send one
//! after that, the save meets a moved version: the same words read as saved, different ones are
//! shown beside the person's own to choose. Nothing is applied twice silently.

use chrono::{DateTime, Duration, Utc};

use crate::infra::db::Db;
use crate::infra::sql::sql;

/// How long an edit id is kept.
pub const KEEP_EDIT_IDS: Duration = Duration::days(7);

/// Deletes the ids of edits applied before `before`; how many went.
pub async fn forget_applied_edits(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    Ok({
        sql("DELETE FROM applied_edits WHERE applied_at < $1")
            .bind(before)
            .execute(db)
            .await?
            .rows_affected()
    })
}
