//! One module per subcommand.

pub mod ca;
pub mod control;
pub mod identities;
pub mod partner_sim;
pub mod serve;
pub mod tenant;
pub mod token;

use std::sync::Arc;

use crate::config::{Config, Overrides};

/// `rapd migrate`
pub fn migrate(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let done = runtime.block_on(crate::storage::migrate(
        &config,
        Arc::new(rapd_model::SystemClock),
    ))?;
    println!("{done}");
    Ok(())
}

/// `rapd config check`
pub fn check_config(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    serve::verifier_config(&config)?;
    println!("{:#?}", config.redacted());
    Ok(())
}
