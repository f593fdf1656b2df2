//! The store the configuration selects: PostgreSQL when `database_url` is set, else the SQLite
//! file in the data directory.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use rapd_model::Clock;
use rapd_store::{Engine, Migrations, PostgresOptions, PostgresStore, SqliteStore};

use crate::config::{Config, Profile};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "rapd.db";

/// Opens the configured engine (its `PartnerStore` and `ControlStore`). A PostgreSQL schema is
/// migrated on open in the development profile; the production profile refuses an unmigrated one
/// (`rapd migrate` is the step).
pub async fn open_store(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<dyn Engine>> {
    let migrations = match config.profile {
        Profile::Development => Migrations::Apply,
        Profile::Production => Migrations::Require,
    };
    match postgres_options(config) {
        Some(options) => Ok(Arc::new(
            PostgresStore::open(&options, clock, migrations).await?,
        )),
        None => Ok(Arc::new(open_sqlite(config, clock)?)),
    }
}

/// `rapd migrate`: brings the configured database to the newest schema and fills in the list
/// items of rows written without them; says what it did.
pub async fn migrate(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<String> {
    match postgres_options(config) {
        Some(options) => {
            let (store, applied) =
                PostgresStore::open_reporting(&options, clock, Migrations::Apply).await?;
            let filled = store.fill_list_items().await?;
            Ok(format!(
                "applied {} migration(s); the PostgreSQL schema is at version {}, the newest{}",
                applied.len(),
                store.schema_version().await?,
                filled_rows(filled)
            ))
        }
        None => {
            create_data_dir(config)?;
            let path = config.data_dir.join(DATABASE_FILE);
            let (_, applied) = SqliteStore::open_reporting(&path, clock)?;
            let filled = SqliteStore::fill_list_items(&path)?;
            Ok(format!(
                "applied {applied} migration(s); the SQLite database {} is up to date{}",
                path.display(),
                filled_rows(filled as u64)
            ))
        }
    }
}

/// What `rapd migrate` says of the rows whose list items it stored (written without them by an
/// earlier release), when there were any.
fn filled_rows(rows: u64) -> String {
    match rows {
        0 => String::new(),
        n => format!("; stored the list items of {n} row(s) written without them"),
    }
}

fn create_data_dir(config: &Config) -> anyhow::Result<()> {
    rapd_store::create_private_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })
}

fn open_sqlite(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<SqliteStore> {
    create_data_dir(config)?;
    Ok(SqliteStore::open(
        &config.data_dir.join(DATABASE_FILE),
        clock,
    )?)
}

fn postgres_options(config: &Config) -> Option<PostgresOptions> {
    config.database_url.as_ref().map(|url| PostgresOptions {
        url: url.clone(),
        pool_size: config.database_pool_size,
        acquire_timeout: Duration::from_millis(config.database_acquire_timeout_ms),
        statement_timeout: Duration::from_millis(config.database_statement_timeout_ms),
        audit_wait: Duration::from_millis(config.database_statement_timeout_ms),
    })
}
