//! Connection settings and versioned migrations, tracked in `PRAGMA user_version`.

use std::{path::Path, time::Duration};

use rusqlite::{Connection, functions::FunctionFlags};

use crate::StoreError;

/// Each migration, in order; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_tenants.sql"),
    include_str!("../../migrations/sqlite/0003_partner_side.sql"),
    include_str!("../../migrations/sqlite/0004_settings.sql"),
    include_str!("../../migrations/sqlite/0005_code_hashes.sql"),
    include_str!("../../migrations/sqlite/0006_audit_order.sql"),
    include_str!("../../migrations/sqlite/0007_stored_json.sql"),
];

/// Opens a connection with every durability setting set explicitly and read back.
pub(super) fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let open = |e: rusqlite::Error| StoreError::Open(format!("{}: {e}", path.display()));
    let conn = Connection::open(path).map_err(open)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(open)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(open)?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(open)?;
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .map_err(open)?;
    if !mode.eq_ignore_ascii_case("wal") || sync != 2 {
        return Err(StoreError::Open(format!(
            "{}: journal_mode={mode}, synchronous={sync}; need wal and FULL (2)",
            path.display()
        )));
    }
    Ok(conn)
}

/// Brings the schema up to the newest version, one transaction per migration; returns how many
/// it applied.
pub(super) fn migrate(conn: &Connection) -> Result<usize, StoreError> {
    let fail = |e: rusqlite::Error| StoreError::Open(format!("migration failed: {e}"));
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(fail)?
        .try_into()
        .unwrap_or(0);
    if current > MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database is at schema version {current}, newer than this rapd ({})",
            MIGRATIONS.len()
        )));
    }
    // 0005 hashes the onboarding codes stored before it in place.
    conn.create_scalar_function(
        "rapd_sha256_hex",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(rapd_model::code_hash(&ctx.get::<String>(0)?)),
    )
    .map_err(fail)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = i + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {version}; COMMIT;"
        ))
        .map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            fail(e)
        })?;
    }
    Ok(MIGRATIONS.len() - current)
}
