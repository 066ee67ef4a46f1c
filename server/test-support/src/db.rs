//! Fresh databases for tests: a SQLite file in a temporary folder, and a new PostgreSQL database
//! on the server named by `TEST_DATABASE_URL` (the test command starts a throwaway cluster).

use app::infra::db::Db;
use app::infra::sql::sql;

pub struct TestDb {
    pub db: Db,
    mail_dir: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
    postgres_admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}/epep-test.db", dir.path().display());
        let db = Db::connect(&url).await.expect("SQLite opens");
        db.migrate().await.expect("SQLite migrations apply");
        TestDb {
            mail_dir: tempfile::tempdir().unwrap(),
            db,
            _dir: Some(dir),
            postgres_admin: None,
        }
    }

    /// A new empty database on the test PostgreSQL server; `None` when none is configured and
    /// `EPEP_REQUIRE_POSTGRES` is not set (the test command always sets both).
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("EPEP_REQUIRE_POSTGRES").is_none(),
                "EPEP_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
            );
            eprintln!("TEST_DATABASE_URL not set: PostgreSQL half of this test skipped");
            return None;
        };
        let name = format!("epep_test_{}", uuid::Uuid::now_v7().simple());
        on_admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
        let url = replace_database(&admin_url, &name);
        let db = Db::connect(&url)
            .await
            .expect("new PostgreSQL database opens");
        db.migrate().await.expect("PostgreSQL migrations apply");
        Some(TestDb {
            mail_dir: tempfile::tempdir().unwrap(),
            db,
            _dir: None,
            postgres_admin: Some((admin_url, name)),
        })
    }

    /// The folder this test's outgoing email goes to.
    pub fn mail_folder(&self) -> std::path::PathBuf {
        self.mail_dir.path().to_path_buf()
    }

    /// SQLite always, PostgreSQL when configured.
    pub async fn each_backend() -> Vec<TestDb> {
        let mut all = vec![TestDb::sqlite().await];
        all.extend(TestDb::postgres().await);
        all
    }

    /// Closes the pool and drops a PostgreSQL test database. A test that panics before it gets
    /// here drops its database all the same (see `Drop`), so a failing run leaves none behind.
    pub async fn finish(mut self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.postgres_admin.take() {
            drop_database(&admin_url, &name).await;
        }
    }

    /// The same database for a second server beside the first: it owns nothing, so dropping it
    /// drops nothing; its mail goes to a folder of its own.
    pub(crate) fn alongside(&self) -> TestDb {
        TestDb {
            db: self.db.clone(),
            mail_dir: tempfile::tempdir().unwrap(),
            _dir: None,
            postgres_admin: None,
        }
    }

    /// The PostgreSQL database this test made, if it made one.
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres_admin.as_ref().map(|(_, name)| name.as_str())
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    // FORCE: the test's own pool may still hold connections when it panicked.
    on_admin(
        admin_url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}

/// Runs one statement on the test server's admin database, on a connection of its own.
async fn on_admin(admin_url: &str, statement: &str) {
    let admin = sqlx::PgPool::connect(admin_url)
        .await
        .expect("test PostgreSQL reachable");
    sql(statement)
        .execute(&admin)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
    admin.close().await;
}

impl Drop for TestDb {
    /// A test that panicked (or never called `finish`) still drops its PostgreSQL database. Drop
    /// cannot wait on the test's runtime, so a thread of its own does it, with its own runtime.
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres_admin.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database")
                .block_on(drop_database(&admin_url, &name));
        })
        .join();
        if dropped.is_err() {
            eprintln!("a PostgreSQL test database could not be dropped");
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (server, _db) = base
        .rsplit_once('/')
        .expect("postgres URL has a database path");
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// A TCP port nobody is listening on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
