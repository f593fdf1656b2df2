//! One module per subcommand.

pub mod ca;
pub mod identities;
pub mod partner_sim;
pub mod serve;
pub mod tenant;
pub mod token;

use crate::config::{Config, Overrides};

/// `rapd config check`
pub fn check_config(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    serve::verifier_config(&config)?;
    println!("{config:#?}");
    Ok(())
}
