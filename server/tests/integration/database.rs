//! The schema on both backends: migrations, constraints, types and the event-log revisions.

use super::support::TestDb;
use app::infra::sql::sql;
use chrono::NaiveDate;

fn migration_versions(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    let mut versions: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    versions.sort();
    versions
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_versions("sqlite");
    let postgres = migration_versions("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must match one to one"
    );
    // And the embedded migrators agree with the folders.
    let embedded = |m: &sqlx::migrate::Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        embedded(&app::infra::db::SQLITE_MIGRATIONS),
        embedded(&app::infra::db::POSTGRES_MIGRATIONS)
    );
}

#[tokio::test]
async fn migrations_apply_and_reapplying_changes_nothing() {
    for t in TestDb::each_backend().await {
        t.db.migrate().await.expect("second run is a no-op");
        let roles: i64 = sql("SELECT COUNT(*) FROM roles")
            .fetch_value(&t.db)
            .await
            .unwrap();
        assert_eq!(roles, 6, "{}", t.db.backend_name());
        t.finish().await;
    }
}

#[tokio::test]
async fn sqlite_is_opened_in_wal_mode_with_foreign_keys_on() {
    let t = TestDb::sqlite().await;
    let app::infra::db::Db::Sqlite(pool) = &t.db else {
        unreachable!()
    };
    let mode: String = sql("PRAGMA journal_mode").fetch_value(pool).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sql("PRAGMA foreign_keys").fetch_value(pool).await.unwrap();
    assert_eq!(fk, 1);
    t.finish().await;
}

#[tokio::test]
async fn foreign_keys_and_checks_are_enforced_on_both_backends() {
    for t in TestDb::each_backend().await {
        let name = t.db.backend_name();
        let orphan = sql(
            "INSERT INTO schools (id, council_id, name, kind, phase, local_authority, created_at) \
             VALUES ('s1', 'no-such-council', 'X', 'community', 'primary', 'X', $1)",
        )
        .bind(chrono::Utc::now())
        .execute(&t.db)
        .await
        .map(|_| ());
        assert!(orphan.is_err(), "{name}: a school needs a council");
        let bad_period = sql("INSERT INTO councils (id, name, created_at) VALUES ('c1', 'C', $1)")
            .bind(chrono::Utc::now())
            .execute(&t.db)
            .await
            .map(|_| ());
        bad_period.unwrap();
        let backwards = {
            sql("INSERT INTO calendars (id, council_id, name, created_at) VALUES ('cal', 'c1', 'Cal', $1)")
                .bind(chrono::Utc::now()).execute(&t.db).await.unwrap();
            sql("INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) VALUES ('p', 'cal', $1, $2, 'term', 'Backwards')")
                .bind(NaiveDate::from_ymd_opt(2026, 9, 2)).bind(NaiveDate::from_ymd_opt(2026, 9, 1))
                .execute(&t.db).await.map(|_| ())
        };
        assert!(
            backwards.is_err(),
            "{name}: a period cannot end before it starts"
        );
        let unknown_kind = sql(
            "INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) VALUES ('q', 'cal', $1, $1, 'festival', 'X')")
            .bind(NaiveDate::from_ymd_opt(2026, 9, 1)).execute(&t.db).await.map(|_| ());
        assert!(
            unknown_kind.is_err(),
            "{name}: period kinds are a closed list"
        );
        t.finish().await;
    }
}

/// Every coded value goes into the database as its code and comes back as itself, on both
/// backends, and a code nobody knows is refused on reading (`app::infra::sql::every_code_reads_back`
/// covers every `text_enum!`; a unit test holds that list complete). And a row struct reads one
/// straight from a text column.
#[tokio::test]
async fn every_coded_value_reads_back_from_the_database_as_itself() {
    for t in TestDb::each_backend().await {
        let checked = app::infra::sql::every_code_reads_back(&t.db)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", t.db.backend_name()));
        assert!(checked > 150, "only {checked} values checked");
        #[derive(sqlx::FromRow)]
        struct RoleRow {
            code: app::domain::roles::Role,
        }
        let rows: Vec<RoleRow> = sql("SELECT code FROM roles ORDER BY code")
            .fetch_all(&t.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), app::domain::roles::Role::ALL.len());
        assert!(
            rows.iter()
                .any(|r| r.code == app::domain::roles::Role::Carer)
        );
        t.finish().await;
    }
}

/// A test that panics midway leaves no PostgreSQL database behind: `TestDb`'s drop removes it
/// (the same path as a test that fails before `finish`).
#[tokio::test]
async fn a_test_that_panics_leaves_no_postgres_database_behind() {
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL").ok() else {
        return;
    };
    let t = TestDb::postgres().await.expect("PostgreSQL configured");
    let name = t.postgres_name().unwrap().to_string();
    let exists = |admin: sqlx::PgPool, name: String| async move {
        let found: bool = sql("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_value(&admin)
            .await
            .unwrap();
        admin.close().await;
        found
    };
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    assert!(exists(admin, name.clone()).await, "made {name}");
    let failing = tokio::spawn(async move {
        let _database = t;
        panic!("a test that fails before finish");
    });
    assert!(failing.await.unwrap_err().is_panic());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    assert!(!exists(admin, name.clone()).await, "{name} left behind");
}

#[tokio::test]
async fn dates_round_trip_and_sort_the_same_on_both_backends() {
    for t in TestDb::each_backend().await {
        let dates = [(2027, 1, 4), (2026, 12, 21), (2026, 9, 1)]
            .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let back: Vec<NaiveDate> = {
            sql("INSERT INTO councils (id, name, created_at) VALUES ('c', 'C', $1)")
                .bind(chrono::Utc::now())
                .execute(&t.db)
                .await
                .unwrap();
            sql("INSERT INTO calendars (id, council_id, name, created_at) VALUES ('cal', 'c', 'Cal', $1)")
                .bind(chrono::Utc::now()).execute(&t.db).await.unwrap();
            for (n, date) in dates.iter().enumerate() {
                sql("INSERT INTO calendar_periods (id, calendar_id, starts_on, ends_on, kind, label) VALUES ($1, 'cal', $2, $2, 'inset', 'INSET')")
                    .bind(format!("p{n}")).bind(date).execute(&t.db).await.unwrap();
            }
            sql("SELECT starts_on FROM calendar_periods WHERE starts_on >= $1 ORDER BY starts_on")
                .bind(NaiveDate::from_ymd_opt(2026, 10, 1))
                .fetch_column(&t.db)
                .await
                .unwrap()
        };
        assert_eq!(back, vec![dates[1], dates[0]], "{}", t.db.backend_name());
        t.finish().await;
    }
}

/// Transactions that read and then write, started at the same time from many requests, all
/// commit on both backends: on SQLite `begin_write` takes the write lock first, so none fails with
/// "database is locked" (SQLITE_BUSY_SNAPSHOT, which a plain deferred `BEGIN` gets when another
/// writer commits between its read and its write, and which no busy timeout waits out).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_read_then_write_transactions_all_commit() {
    for t in TestDb::each_backend().await {
        let name = t.db.backend_name();
        {
            sql("INSERT INTO councils (id, name, created_at) VALUES ('race', 'Race', '2026-01-01T00:00:00Z')")
                .execute(&t.db).await.unwrap();
        };
        let mut tasks = Vec::new();
        for task in 0..8 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..15 {
                    {
                        let mut tx = db.begin_write().await?;
                        let name: String = sql("SELECT name FROM councils WHERE id = 'race'")
                            .fetch_value(&mut tx)
                            .await?;
                        tokio::task::yield_now().await;
                        sql("UPDATE councils SET name = $1 WHERE id = 'race'")
                            .bind(format!("{}{task}-{round};", &name[..name.len().min(40)]))
                            .execute(&mut tx)
                            .await?;
                        tx.commit().await?;
                    };
                }
                Ok::<(), sqlx::Error>(())
            }));
        }
        for task in tasks {
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        t.finish().await;
    }
}

/// Writers on SQLite are served in the order they asked (`begin_write` queues them in the
/// process): four tasks writing as fast as they can each get a fair share of the first 80
/// commits. SQLite's busy handler alone served whoever retried when the lock came free, which
/// was mostly the task that had just committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writers_take_turns_in_the_order_they_asked() {
    const TASKS: usize = 4;
    const ROUNDS: usize = 40;
    let t = TestDb::sqlite().await;
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    // All four start together, so none has a head start of its own making.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (db, order, start) = (t.db.clone(), order.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            for round in 0..ROUNDS {
                {
                    let mut tx = db.begin_write().await?;
                    sql("INSERT INTO councils (id, name, created_at) VALUES ($1, 'Turn', '2026-01-01T00:00:00Z')")
                        .bind(format!("turn-{task}-{round}"))
                        .execute(&mut tx).await?;
                    tx.commit().await?;
                };
                order.lock().unwrap().push(task);
            }
            Ok::<(), sqlx::Error>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let order = order.lock().unwrap().clone();
    // Counted from the moment all four are writing (each has committed once): before that, on a
    // busy machine a task that started first may commit a few times with nobody queued behind it.
    let all_writing = (0..TASKS)
        .map(|task| order.iter().position(|t| *t == task).unwrap())
        .max()
        .unwrap();
    assert!(
        all_writing < ROUNDS,
        "a task wrote nothing in the first {ROUNDS} commits: {order:?}"
    );
    // While all four were writing, each was served about a quarter of the time.
    let first: Vec<usize> = order[all_writing..all_writing + TASKS * ROUNDS / 2].to_vec();
    for task in 0..TASKS {
        let served = first.iter().filter(|t| **t == task).count();
        assert!(
            served >= ROUNDS / 4,
            "task {task} was served {served} of the first {} commits: {first:?}",
            first.len()
        );
    }
    // And none was served many times in a row while the others waited.
    let longest_run = first
        .chunk_by(|a, b| a == b)
        .map(<[usize]>::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_run <= 3,
        "one task was served {longest_run} times in a row: {first:?}"
    );
    t.finish().await;
}
