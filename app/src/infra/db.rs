//! The database: SQLite embedded by default, PostgreSQL when one machine is not enough.
//!
//! Both backends run the same SQL text (`$1` placeholders work in both) through [`on_db!`], which
//! expands a block once per backend so sqlx's types stay concrete. Dates bind as
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

/// Runs the block with `$pool` bound to the concrete pool of whichever backend `$db` is (with
/// [`BeginWrite`] in scope, so `pool.begin_write()` starts a write transaction on either).
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {{
        #[allow(unused_imports)]
        use $crate::infra::db::BeginWrite as _;
        match $db {
            $crate::infra::db::Db::Sqlite($pool) => $body,
            $crate::infra::db::Db::Postgres($pool) => $body,
        }
    }};
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads and then writes fails at once with "database is
/// locked" (SQLITE_BUSY_SNAPSHOT) if another writer committed in between, and the busy timeout
/// cannot wait that out; an immediate one waits its turn instead. PostgreSQL's `BEGIN` is
/// unchanged.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>,
    > + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>,
    > + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>,
    > + Send {
        self.begin()
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

    /// Brings the schema up to date. Safe to run on every start.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        crate::infra::reference_data::load_shipped_bank_holidays(self)
            .await
            .map_err(|e| DbError::Migration(sqlx::migrate::MigrateError::Execute(e)))?;
        Ok(())
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
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
