//! The two backends' schemas say the same thing: every table, column, type family, nullability
//! and index made by `migrations/sqlite` is made by `migrations/postgres` too, and nothing more.
//! The queries are the same SQL text on both, so a column or index missing on one backend
//! would otherwise show only when a query reached it there.

use std::collections::BTreeMap;

use app::infra::db::Db;

use super::support::TestDb;

/// A column as both backends can describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    family: &'static str,
    nullable: bool,
}

/// Every table's columns, and every index as (table, columns in order, unique).
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeMap<String, BTreeMap<String, Column>>,
    indexes: BTreeMap<(String, Vec<String>), bool>,
}

/// The family of a declared type: what the app reads and writes through it. SQLite keeps dates
/// and times as text (sqlx writes and reads them as ISO strings), so on PostgreSQL a date, time,
/// timestamp, uuid or json column is of the text family too.
fn family(declared: &str) -> &'static str {
    let declared = declared.to_ascii_lowercase();
    match declared.as_str() {
        "integer" | "bigint" | "smallint" | "int" | "int4" | "int8" | "bigserial" | "serial" => {
            "integer"
        }
        // SQLite has no boolean: it keeps 0 and 1 in an INTEGER column, and sqlx reads both
        // as `bool`.
        "boolean" | "bool" => "integer",
        "real" | "double precision" | "double" | "float" | "numeric" => "float",
        "blob" | "bytea" => "bytes",
        "text"
        | "character varying"
        | "varchar"
        | "date"
        | "timestamp with time zone"
        | "timestamptz"
        | "timestamp without time zone"
        | "time without time zone"
        | "uuid"
        | "jsonb"
        | "json" => "text",
        _ => "unknown",
    }
}

async fn schema_of(db: &Db) -> Schema {
    let mut schema = Schema::default();
    match db {
        Db::Sqlite(pool) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for table in tables {
                let columns: Vec<(String, String, i64, i64)> = sqlx::query_as(&format!(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
                ))
                .fetch_all(pool)
                .await
                .unwrap();
                let columns = columns
                    .into_iter()
                    .map(|(name, declared, not_null, pk)| {
                        // A primary key is never null on PostgreSQL; SQLite lets a lone
                        // non-integer key be null unless it says NOT NULL.
                        let nullable = not_null == 0 && pk == 0;
                        let column = Column {
                            family: family(&declared),
                            nullable,
                        };
                        (name, column)
                    })
                    .collect();
                let indexes: Vec<(String, i64, String)> = sqlx::query_as(&format!(
                    "SELECT name, \"unique\", origin FROM pragma_index_list('{table}')"
                ))
                .fetch_all(pool)
                .await
                .unwrap();
                for (index, unique, _origin) in indexes {
                    let columns: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
                    ))
                    .fetch_all(pool)
                    .await
                    .unwrap();
                    schema.indexes.insert((table.clone(), columns), unique == 1);
                }
                // SQLite makes no index for a lone INTEGER PRIMARY KEY (it is the row id);
                // PostgreSQL does: count the key as an index on both.
                let key: Vec<(String, String)> = sqlx::query_as(&format!(
                    "SELECT name, type FROM pragma_table_info('{table}') WHERE pk > 0"
                ))
                .fetch_all(pool)
                .await
                .unwrap();
                if let [(name, declared)] = key.as_slice()
                    && declared.eq_ignore_ascii_case("integer")
                {
                    schema
                        .indexes
                        .entry((table.clone(), vec![name.clone()]))
                        .or_insert(true);
                }
                schema.tables.insert(table, columns);
            }
        }
        Db::Postgres(pool) => {
            let columns: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, column, declared, nullable) in columns {
                schema.tables.entry(table).or_default().insert(
                    column,
                    Column {
                        family: family(&declared),
                        nullable: nullable == "YES",
                    },
                );
            }
            let indexes: Vec<(String, bool, Vec<String>)> = sqlx::query_as(
                "SELECT t.relname::text, ix.indisunique, \
                 ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) \
                 FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace s ON s.oid = t.relnamespace \
                 WHERE s.nspname = current_schema() AND t.relname <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (table, unique, columns) in indexes {
                schema.indexes.insert((table, columns), unique);
            }
        }
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_tables_columns_types_nullability_and_indexes() {
    let backends = TestDb::each_backend().await;
    if backends.len() < 2 {
        // Without PostgreSQL there is nothing to compare (CI sets EPEP_REQUIRE_POSTGRES).
        assert!(
            std::env::var("EPEP_REQUIRE_POSTGRES").is_err(),
            "PostgreSQL is required"
        );
        for db in backends {
            db.finish().await;
        }
        return;
    }
    let mut schemas = Vec::new();
    for db in backends {
        schemas.push(schema_of(&db.db).await);
        db.finish().await;
    }
    let (sqlite, postgres) = (&schemas[0], &schemas[1]);
    assert!(sqlite.tables.len() > 20, "{:?}", sqlite.tables.keys());
    let mut problems = Vec::new();
    for (table, columns) in &sqlite.tables {
        let Some(theirs) = postgres.tables.get(table) else {
            problems.push(format!("{table}: only on SQLite"));
            continue;
        };
        for (name, column) in columns {
            match theirs.get(name) {
                None => problems.push(format!("{table}.{name}: only on SQLite")),
                Some(other) if other != column => problems.push(format!(
                    "{table}.{name}: SQLite {column:?}, PostgreSQL {other:?}"
                )),
                Some(_) => {}
            }
        }
        for name in theirs.keys().filter(|name| !columns.contains_key(*name)) {
            problems.push(format!("{table}.{name}: only on PostgreSQL"));
        }
    }
    for table in postgres
        .tables
        .keys()
        .filter(|t| !sqlite.tables.contains_key(*t))
    {
        problems.push(format!("{table}: only on PostgreSQL"));
    }
    for unknown in schemas
        .iter()
        .flat_map(|s| s.tables.iter())
        .flat_map(|(table, columns)| {
            columns
                .iter()
                .filter(|(_, c)| c.family == "unknown")
                .map(move |(name, _)| format!("{table}.{name}: a type this test does not know"))
        })
    {
        problems.push(unknown);
    }
    for (index, unique) in &sqlite.indexes {
        match postgres.indexes.get(index) {
            None => problems.push(format!("index on {index:?}: only on SQLite")),
            Some(other) if other != unique => problems.push(format!(
                "index on {index:?}: unique {unique} on SQLite, {other} on PostgreSQL"
            )),
            Some(_) => {}
        }
    }
    for index in postgres
        .indexes
        .keys()
        .filter(|i| !sqlite.indexes.contains_key(*i))
    {
        problems.push(format!("index on {index:?}: only on PostgreSQL"));
    }
    assert!(
        problems.is_empty(),
        "the backends' schemas differ:\n{}",
        problems.join("\n")
    );
}
