//! Session settings and versioned migrations, tracked in [`MIGRATIONS_TABLE`].
//!
//! The versions match SQLite's (`migrations/sqlite/` and `migrations/postgres/` hold the same
//! numbers). Each migration runs in its own transaction while the migrating session holds an
//! advisory lock, so nodes that start together migrate once.

use deadpool_postgres::Object;

use super::{PostgresOptions, rows::db_error};
use crate::StoreError;

/// The table that records which migrations have run.
pub const MIGRATIONS_TABLE: &str = "rapd_schema_migrations";

/// Each migration, in order; never edit one that has shipped.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "tenants",
        include_str!("../../migrations/postgres/0002_tenants.sql"),
    ),
    (
        3,
        "partner_side",
        include_str!("../../migrations/postgres/0003_partner_side.sql"),
    ),
    (
        4,
        "settings",
        include_str!("../../migrations/postgres/0004_settings.sql"),
    ),
    (
        5,
        "code_hashes",
        include_str!("../../migrations/postgres/0005_code_hashes.sql"),
    ),
    (
        6,
        "audit_order",
        include_str!("../../migrations/postgres/0006_audit_order.sql"),
    ),
    (
        7,
        "stored_json",
        include_str!("../../migrations/postgres/0007_stored_json.sql"),
    ),
];

/// The advisory lock key migrations hold ("rapd" in ASCII).
const MIGRATION_LOCK: i64 = 0x7261_7064;

/// The connection settings of `options`: its URL, plus the session settings rapd relies on,
/// appended to any `options` the URL already carries (such as a `search_path`).
pub(super) fn session_config(
    options: &PostgresOptions,
) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config = options
        .url
        .parse()
        .map_err(|e| StoreError::Open(format!("invalid database URL: {e}")))?;
    let timeout_ms = options.statement_timeout.as_millis().max(1);
    let given = config.get_options().unwrap_or_default().to_owned();
    config.options(format!(
        "{given} -c synchronous_commit=on -c statement_timeout={timeout_ms} \
         -c idle_in_transaction_session_timeout={}",
        timeout_ms.saturating_mul(2)
    ));
    config.application_name("rapd");
    config.connect_timeout(options.acquire_timeout);
    Ok(config)
}

/// Reads back the settings durability depends on, as the SQLite engine reads its pragmas.
pub(super) async fn check_session(client: &Object) -> Result<(), StoreError> {
    let row = client
        .query_one("SELECT current_setting('synchronous_commit')", &[])
        .await
        .map_err(open_error)?;
    let value: String = row.get(0);
    if value != "on" && value != "remote_apply" && value != "remote_write" {
        return Err(StoreError::Open(format!(
            "synchronous_commit is {value}; rapd needs on, so an acknowledged write is durable"
        )));
    }
    Ok(())
}

fn open_error(e: tokio_postgres::Error) -> StoreError {
    StoreError::Open(db_error(e).to_string())
}

pub(super) async fn current_version(client: &Object) -> Result<u32, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&MIGRATIONS_TABLE])
        .await
        .map_err(open_error)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let version: Option<i32> = client
        .query_one(&format!("SELECT max(version) FROM {MIGRATIONS_TABLE}"), &[])
        .await
        .map_err(open_error)?
        .get(0);
    Ok(version.unwrap_or(0).max(0) as u32)
}

fn newest() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Fails unless the schema is exactly the one this rapd was built for.
pub(super) async fn require_current(client: &Object) -> Result<(), StoreError> {
    let version = current_version(client).await?;
    match version.cmp(&newest()) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Less => Err(StoreError::Open(format!(
            "the database schema is at version {version} and this rapd needs version {}: run \
             `rapd migrate` first (the production profile never migrates on start)",
            newest()
        ))),
        std::cmp::Ordering::Greater => Err(too_new(version)),
    }
}

fn too_new(version: u32) -> StoreError {
    StoreError::Open(format!(
        "the database schema is at version {version}, newer than this rapd ({})",
        newest()
    ))
}

/// Applies every pending migration under the advisory lock; returns the versions applied.
pub(super) async fn migrate(client: &mut Object) -> Result<Vec<u32>, StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(open_error)?;
    let result = migrate_locked(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(open_error);
    let applied = result?;
    unlocked?;
    Ok(applied)
}

async fn migrate_locked(client: &mut Object) -> Result<Vec<u32>, StoreError> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version integer PRIMARY KEY, \
             name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        ))
        .await
        .map_err(open_error)?;
    let current = current_version(client).await?;
    if current > newest() {
        return Err(too_new(current));
    }
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let fail = |e| {
            StoreError::Open(format!(
                "migration {version} ({name}) failed: {}",
                db_error(e)
            ))
        };
        let tx = client.transaction().await.map_err(fail)?;
        tx.batch_execute(sql).await.map_err(fail)?;
        tx.execute(
            &format!("INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)"),
            &[&(*version as i32), name],
        )
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(version, name, "applied migration");
        applied.push(*version);
    }
    Ok(applied)
}
