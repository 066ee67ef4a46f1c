//! One way to run a statement on either backend, from plain functions.
//!
//! `sql("… $1 …").bind(x).fetch_all::<Row>(&db)` runs the same SQL text on SQLite and on
//! PostgreSQL. The statement holds its values as [`Param`]s (text, integer, date, instant …)
//! until it runs, and only then becomes a query of the backend at hand, so the code that builds
//! it is ordinary code: a store is a set of `async fn`s over [`Tx`] or [`Db`] that rustfmt
//! formats and that call each other, with no macro body in the way.
//!
//! Why not `sqlx::Any`: it has no dates or instants (chrono), and its rows decode through a
//! value type of its own. Here each backend keeps its own types, decoding is sqlx's own
//! (`#[derive(sqlx::FromRow)]` rows and tuples work unchanged), and the values are bound with
//! the type PostgreSQL needs to see, a NULL included.

use std::borrow::Cow;

use crate::domain::ids::{ChildId, PepId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Decode, FromRow, Postgres, Sqlite, Type};

use super::db::{BeginWrite, Db, WriteTransaction};

/// A value waiting to be bound, with its type (so a NULL is a NULL of that type).
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'q> {
    Text(Option<Cow<'q, str>>),
    Integer(Option<i64>),
    Real(Option<f64>),
    Boolean(Option<bool>),
    Date(Option<NaiveDate>),
    Instant(Option<DateTime<Utc>>),
}

/// What can be bound to a statement: text, integers, dates, instants, and `Option`s of them.
pub trait Bind<'q> {
    fn param(self) -> Param<'q>;
    /// The NULL of this type, for `None`.
    fn null() -> Param<'q>
    where
        Self: Sized;
}

macro_rules! bind_as {
    ($variant:ident: $($t:ty => |$v:ident| $into:expr),+ $(,)?) => {$(
        impl<'q> Bind<'q> for $t {
            fn param(self) -> Param<'q> {
                let $v = self;
                Param::$variant(Some($into))
            }
            fn null() -> Param<'q> {
                Param::$variant(None)
            }
        }
    )+};
}

bind_as!(Text:
    &'q str => |v| Cow::Borrowed(v),
    &'q String => |v| Cow::Borrowed(v.as_str()),
    String => |v| Cow::Owned(v),
    Cow<'q, str> => |v| v,
    &'q PepId => |v| Cow::Borrowed(v.0.as_str()),
    PepId => |v| Cow::Owned(v.0),
    &'q ChildId => |v| Cow::Borrowed(v.0.as_str()),
    ChildId => |v| Cow::Owned(v.0),
);
bind_as!(Integer:
    i64 => |v| v,
    &'q i64 => |v| *v,
    i32 => |v| i64::from(v),
    u32 => |v| i64::from(v),
);
bind_as!(Real: f64 => |v| v);
bind_as!(Boolean: bool => |v| v);
bind_as!(Date: NaiveDate => |v| v, &'q NaiveDate => |v| *v);
bind_as!(Instant: DateTime<Utc> => |v| v, &'q DateTime<Utc> => |v| *v);

impl<'q, T: Bind<'q>> Bind<'q> for Option<T> {
    fn param(self) -> Param<'q> {
        match self {
            Some(value) => value.param(),
            None => T::null(),
        }
    }
    fn null() -> Param<'q> {
        T::null()
    }
}

impl<'q> Bind<'q> for &'q Option<String> {
    fn param(self) -> Param<'q> {
        self.as_deref().param()
    }
    fn null() -> Param<'q> {
        Param::Text(None)
    }
}

/// A row type both backends can decode: any `#[derive(sqlx::FromRow)]` struct or tuple whose
/// fields both decode.
pub trait EitherRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> EitherRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A single column's type both backends can decode.
pub trait EitherValue:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> EitherValue for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// A transaction on either backend. It is rolled back when dropped without [`Tx::commit`].
pub enum Tx {
    Sqlite(WriteTransaction<Sqlite>),
    Postgres(WriteTransaction<Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Where a statement runs: the pool (a connection of its own) or a transaction.
pub enum On<'c> {
    SqlitePool(&'c SqlitePool),
    PostgresPool(&'c PgPool),
    SqliteTx(&'c mut SqliteConnection),
    PostgresTx(&'c mut PgConnection),
}

impl<'c> From<&'c Db> for On<'c> {
    fn from(db: &'c Db) -> Self {
        match db {
            Db::Sqlite(pool) => On::SqlitePool(pool),
            Db::Postgres(pool) => On::PostgresPool(pool),
        }
    }
}

impl<'c> From<&'c SqlitePool> for On<'c> {
    fn from(pool: &'c SqlitePool) -> Self {
        On::SqlitePool(pool)
    }
}

impl<'c> From<&'c PgPool> for On<'c> {
    fn from(pool: &'c PgPool) -> Self {
        On::PostgresPool(pool)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        match tx {
            Tx::Sqlite(tx) => On::SqliteTx(tx),
            Tx::Postgres(tx) => On::PostgresTx(tx),
        }
    }
}

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// Every coded value (`text_enum!`) binds as its code.
impl<'q, T: crate::domain::Coded> Bind<'q> for T {
    fn param(self) -> Param<'q> {
        Param::Text(Some(Cow::Borrowed(self.code())))
    }
    fn null() -> Param<'q> {
        Param::Text(None)
    }
}

/// A statement and its values, run on either backend.
#[must_use = "a statement does nothing until it is executed or fetched"]
#[derive(Debug, Clone)]
pub struct Sql<'q> {
    text: Cow<'q, str>,
    params: Vec<Param<'q>>,
}

/// Starts a statement. Its placeholders are `$1`, `$2` … (both backends read them); a statement
/// built from pieces numbers them itself with [`Sql::push_bind`].
pub fn sql(text: &str) -> Sql<'_> {
    Sql {
        text: Cow::Borrowed(text),
        params: Vec::new(),
    }
}

fn sqlite_query<'q>(
    text: &'q str,
    params: Vec<Param<'q>>,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    params
        .into_iter()
        .fold(sqlx::query(text), |query, param| match param {
            Param::Text(v) => query.bind(v),
            Param::Integer(v) => query.bind(v),
            Param::Real(v) => query.bind(v),
            Param::Boolean(v) => query.bind(v),
            Param::Date(v) => query.bind(v),
            Param::Instant(v) => query.bind(v),
        })
}

fn postgres_query<'q>(text: &'q str, params: Vec<Param<'q>>) -> Query<'q, Postgres, PgArguments> {
    params
        .into_iter()
        .fold(sqlx::query(text), |query, param| match param {
            Param::Text(v) => query.bind(v),
            Param::Integer(v) => query.bind(v),
            Param::Real(v) => query.bind(v),
            Param::Boolean(v) => query.bind(v),
            Param::Date(v) => query.bind(v),
            Param::Instant(v) => query.bind(v),
        })
}

/// Runs `$run` (a method of sqlx's `Query`, `Map` …) on the backend `$on` names; `$query` is the
/// backend's own query from `$make`. Private: the one place each backend's arm is written out.
macro_rules! on_either {
    ($self:ident, $on:expr, |$query:ident, $executor:ident| $run:expr) => {{
        let text = $self.text;
        match $on.into() {
            On::SqlitePool($executor) => {
                let $query = sqlite_query(&text, $self.params);
                $run
            }
            On::SqliteTx($executor) => {
                let $query = sqlite_query(&text, $self.params);
                $run
            }
            On::PostgresPool($executor) => {
                let $query = postgres_query(&text, $self.params);
                $run
            }
            On::PostgresTx($executor) => {
                let $query = postgres_query(&text, $self.params);
                $run
            }
        }
    }};
}

impl<'q> Sql<'q> {
    /// Adds the value of the next placeholder.
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.params.push(value.param());
        self
    }

    /// Adds text to the statement, for one built from pieces.
    pub fn push(mut self, text: &str) -> Self {
        self.text.to_mut().push_str(text);
        self
    }

    /// Adds a placeholder numbered after those already bound, and its value: a piece of SQL
    /// written this way binds its own values and can go anywhere in a statement.
    pub fn push_bind(mut self, value: impl Bind<'q>) -> Self {
        self = self.bind(value);
        let number = self.params.len();
        self.text.to_mut().push_str(&format!("${number}"));
        self
    }

    /// Adds "`column` is none of `values`", each value bound: `state NOT IN ($4, $5)`.
    pub fn push_not_in<T: Bind<'q> + Copy>(self, column: &str, values: &[T]) -> Self {
        let mut this = self.push(column).push(" NOT IN (");
        for (n, &value) in values.iter().enumerate() {
            if n > 0 {
                this = this.push(", ");
            }
            this = this.push_bind(value);
        }
        this.push(")")
    }

    /// Adds "the row from `from` to `until` (NULL: open-ended) is in force on `day`": the rule
    /// every dated row (assignments, school and care episodes) is read by.
    pub fn push_in_force(self, from: &str, until: &str, day: NaiveDate) -> Self {
        let this = self.push("(").push(from).push(" <= ").push_bind(day);
        let number = this.params.len();
        this.push(&format!(" AND ({until} IS NULL OR {until} >= ${number}))"))
    }

    pub async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<Done, sqlx::Error> {
        let rows_affected = on_either!(self, on, |query, executor| query
            .execute(executor)
            .await?
            .rows_affected());
        Ok(Done { rows_affected })
    }

    pub async fn fetch_all<'c, T: EitherRow>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Vec<T>, sqlx::Error> {
        on_either!(self, on, |query, executor| {
            let rows = query.fetch_all(executor).await?;
            rows.iter().map(|row| T::from_row(row)).collect()
        })
    }

    pub async fn fetch_optional<'c, T: EitherRow>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<T>, sqlx::Error> {
        on_either!(self, on, |query, executor| {
            let row = query.fetch_optional(executor).await?;
            row.as_ref().map(|row| T::from_row(row)).transpose()
        })
    }

    pub async fn fetch_one<'c, T: EitherRow>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<T, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of every row.
    pub async fn fetch_column<'c, T: EitherValue>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let rows: Vec<(T,)> = self.fetch_all(on).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// The first column of the one row.
    pub async fn fetch_value<'c, T: EitherValue>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<T, sqlx::Error> {
        let (value,): (T,) = self.fetch_one(on).await?;
        Ok(value)
    }

    /// The first column of the row, if there is one.
    pub async fn fetch_optional_value<'c, T: EitherValue>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<T>, sqlx::Error> {
        let row: Option<(T,)> = self.fetch_optional(on).await?;
        Ok(row.map(|(value,)| value))
    }
}

/// Every coded value (`text_enum!`) bound as a parameter reads back as itself on this
/// backend, and an unknown code is refused: for the tests of both backends. Returns how many
/// values it checked.
pub async fn every_code_reads_back(db: &Db) -> Result<usize, String> {
    let mut checked = 0;
    macro_rules! check {
        ($($kind:ty),+ $(,)?) => {$(
            for &value in <$kind>::ALL {
                let read: $kind = sql("SELECT $1")
                    .bind(value)
                    .fetch_value(db)
                    .await
                    .map_err(|e| format!("{}: {value:?}: {e}", stringify!($kind)))?;
                if read != value {
                    return Err(format!("{value:?} read back as {read:?}"));
                }
                let stored: String = sql("SELECT $1").bind(value).fetch_value(db).await
                    .map_err(|e| e.to_string())?;
                if stored != value.as_str() {
                    return Err(format!("{value:?} stored as {stored}, not its code"));
                }
                checked += 1;
            }
            if sql("SELECT 'no such code'").fetch_value::<$kind>(db).await.is_ok() {
                return Err(format!("{} read an unknown code", stringify!($kind)));
            }
        )+};
    }
    crate::domain::every_text_enum!(check);
    Ok(checked)
}

/// Transactions and the health check, here beside [`Tx`] so `db.rs` needs nothing from this file.
impl Db {
    /// Starts a transaction that will write (see [`BeginWrite`]): on SQLite it waits its turn
    /// and takes the write lock at once.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_write().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin_write().await?),
        })
    }

    /// Starts a transaction that only reads: one snapshot for several statements.
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(WriteTransaction::reading(pool.begin().await?)),
            Db::Postgres(pool) => Tx::Postgres(WriteTransaction::reading(pool.begin().await?)),
        })
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sql("SELECT 1").execute(self).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_built_from_pieces_numbers_its_placeholders_after_those_bound() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let built = sql("SELECT 1 FROM assignments a WHERE a.user_id = $1 AND ")
            .bind("u-1")
            .push_in_force("a.starts_on", "a.ends_on", day)
            .push(" AND a.child_id = ")
            .push_bind("c-1");
        assert_eq!(
            built.text,
            "SELECT 1 FROM assignments a WHERE a.user_id = $1 AND \
             (a.starts_on <= $2 AND (a.ends_on IS NULL OR a.ends_on >= $2)) AND a.child_id = $3"
        );
        assert_eq!(
            built.params,
            vec![
                Param::Text(Some("u-1".into())),
                Param::Date(Some(day)),
                Param::Text(Some("c-1".into())),
            ]
        );
    }
}
