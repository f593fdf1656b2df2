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
/// `rapd config check`: the resolved configuration as TOML, every default filled in and every
/// secret redacted, so it can be saved as a configuration file. A reader that stops early
/// (`| head`) is no error.
pub fn check_config(overrides: &Overrides) -> anyhow::Result<()> {
    use std::io::Write;
    let config = Config::load(overrides)?;
    serve::verifier_config(&config)?;
    let text = toml::to_string_pretty(&config.redacted())?;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
