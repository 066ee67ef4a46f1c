//! The database: SQLite embedded by default, PostgreSQL when one machine is not enough.
//!
//! Both backends run the same SQL text (`$1` placeholders work in both) through
//! [`super::sql::sql`], whose statements become each backend's own query only when they run, so
//! sqlx's types stay concrete. Dates bind as
//! `chrono::NaiveDate` (TEXT in SQLite, DATE in PostgreSQL), instants as `DateTime<Utc>`,
//! integers as `i64`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The embedded migrations, one folder per backend with matching version numbers.
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// A connection pool on either backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads and then writes fails at once with "database is
/// locked" (SQLITE_BUSY_SNAPSHOT) if another writer committed in between, and the busy timeout
/// cannot wait that out; an immediate one waits its turn instead. PostgreSQL's `BEGIN` is
/// unchanged.
///
/// On SQLite the turn is also taken in this process first, first come first served
/// ([`WriteTransaction`]): SQLite's busy handler serves whichever waiting writer happens to retry
/// when the lock comes free, so under steady typing one person was served half as often as
/// another, and every waiter polled.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<WriteTransaction<Self::Database>, sqlx::Error>> + Send;
}

/// A write transaction, holding this process's turn to write on SQLite until it commits, rolls
/// back or is dropped. It derefs to the connection, so `&mut *tx` runs a query in it.
pub struct WriteTransaction<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTransaction<DB> {
    /// A transaction that takes no turn: for one that only reads.
    pub(crate) fn reading(tx: sqlx::Transaction<'static, DB>) -> Self {
        WriteTransaction { tx, _turn: None }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTransaction<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTransaction<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// How long a writer waits in the queue before giving up (as SQLite's own busy timeout): the
/// request then fails as "busy" and the page tries again.
const LONGEST_WRITE_WAIT: Duration = Duration::from_secs(5);

/// One queue of writers per SQLite file in this process (a tokio mutex serves its waiters in
/// the order they came).
fn write_queue(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static QUEUES: std::sync::LazyLock<
        std::sync::Mutex<
            std::collections::HashMap<std::path::PathBuf, std::sync::Arc<tokio::sync::Mutex<()>>>,
        >,
    > = std::sync::LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut queues = QUEUES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    queues.entry(file).or_default().clone()
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<WriteTransaction<sqlx::Sqlite>, sqlx::Error> {
        let turn = tokio::time::timeout(LONGEST_WRITE_WAIT, write_queue(self).lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        let tx = self.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTransaction {
            tx,
            _turn: Some(turn),
        })
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    async fn begin_write(&self) -> Result<WriteTransaction<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTransaction {
            tx: self.begin().await?,
            _turn: None,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "DATABASE_URL “{0}” is not a database address: use sqlite://PATH (for example \
         sqlite://data/epep.db) or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    )]
    BadUrl(String),
    #[error("cannot open the database at {url}: {source}")]
    Unreachable {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot apply the database migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// The database a server function or page reaches through Leptos context (never a global);
    /// its absence is a wiring fault, logged under `area` with a correlation id (500).
    pub fn from_context(area: &str) -> Result<Db, crate::error::AppError> {
        leptos::prelude::use_context::<Db>()
            .ok_or_else(|| crate::error::internal(area, "no database in context"))
    }

    /// Opens a pool. SQLite files are created on first start, in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        let unreachable = |source| DbError::Unreachable {
            url: redact(url),
            source,
        };
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|_| DbError::BadUrl(redact(url)))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = options.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| unreachable(sqlx::Error::Io(e)))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(unreachable)?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await
                .map_err(unreachable)?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::BadUrl(redact(url)))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// The schema's migrations, for this backend. [`Db::migrate`] (in `reference_data.rs`)
    /// runs these and then loads the reference data the app ships.
    pub async fn migrate_schema(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// The URL with any password replaced, safe for logs and error messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://epep:s3cret@db:5432/epep"),
            "postgres://epep:***@db:5432/epep"
        );
        assert_eq!(redact("sqlite://data/epep.db"), "sqlite://data/epep.db");
        assert_eq!(redact("postgres://epep@db/epep"), "postgres://epep@db/epep");
    }

    #[tokio::test]
    async fn a_url_of_another_kind_is_refused_with_what_to_write_instead() {
        let err = Db::connect("mysql://root:pw@localhost/epep")
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("mysql://root:***@localhost/epep"),
            "{message}"
        );
        assert!(message.contains("use sqlite://PATH"), "{message}");
    }
}
