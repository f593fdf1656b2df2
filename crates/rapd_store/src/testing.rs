//! Fresh PostgreSQL schemas for tests (feature `testing`): each test gets its own schema in the
//! database named by `RAPD_TEST_DATABASE_URL`, dropped when the test ends, so parallel runs never
//! see each other's rows.

use std::time::Duration;

use tokio_postgres::NoTls;

use crate::PostgresOptions;

/// The variable naming the PostgreSQL database tests may use. Unset: tests run on SQLite only.
pub const DATABASE_URL_VAR: &str = "RAPD_TEST_DATABASE_URL";

/// The test database's URL, if the test run was given one. (Tests, unlike the library, read
/// their environment.) Under `CI=true` a missing URL fails the test: CI never skips PostgreSQL.
pub fn database_url() -> Option<String> {
    let url = std::env::var(DATABASE_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty());
    if url.is_none() && std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true: set {DATABASE_URL_VAR}; PostgreSQL tests never skip in CI");
    }
    url
}

/// The variable that moves suites which run on one engine at a time (the HTTP suite) to
/// PostgreSQL: `RAPD_TEST_ENGINE=postgres`, with [`DATABASE_URL_VAR`] set.
pub const ENGINE_VAR: &str = "RAPD_TEST_ENGINE";

/// The database a one-engine suite should use: `Some(url)` for PostgreSQL, `None` for SQLite.
/// Panics when PostgreSQL is asked for without a URL, so a misconfigured run fails loudly.
pub fn postgres_engine() -> Option<String> {
    match std::env::var(ENGINE_VAR).as_deref() {
        Ok("postgres") => Some(
            database_url()
                .unwrap_or_else(|| panic!("{ENGINE_VAR}=postgres needs {DATABASE_URL_VAR}")),
        ),
        Ok("sqlite") | Ok("") | Err(_) => None,
        Ok(other) => panic!("{ENGINE_VAR}={other}: expected sqlite or postgres"),
    }
}

/// A uniquely named schema; its `url` makes every connection use it.
pub struct TestSchema {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl TestSchema {
    /// Creates a fresh schema in the database at `admin_url`. Panics if PostgreSQL is not there:
    /// a test given a database must not silently skip it.
    pub async fn create(admin_url: &str) -> TestSchema {
        let name = format!("rapd_t_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(admin_url, NoTls)
            .await
            .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR} is set but PostgreSQL refused: {e}"));
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{name}");
        TestSchema {
            admin_url: admin_url.to_owned(),
            name,
            url,
        }
    }

    /// Store options for this schema, with test-sized limits.
    pub fn options(&self) -> PostgresOptions {
        PostgresOptions {
            url: self.url.clone(),
            pool_size: 8,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            audit_wait: Duration::from_secs(30),
        }
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop may run inside a runtime, which cannot block: use a thread with its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&url, NoTls).await.ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop the test schema {}", self.name);
        }
    }
}
