//! The data directory every command shares: where it is by default, and whether a server has
//! initialised it. A command that would mint a token or a certificate, or read the store, in a
//! directory no server uses refuses and names the path, instead of making a new key or database
//! that the running server knows nothing of (its tokens would be answered 401).

use anyhow::bail;

use crate::config::Config;

/// The file in the data directory holding the generated test-control admin token.
pub const TOKEN_FILE: &str = "control-token";
/// The file `rapd user add` and `rapd app add` write, inside the data directory.
pub const IDENTITIES_FILE: &str = "identities.toml";

/// What a command needs to find in the data directory before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The development issuer's key, which a server made: `rapd token`.
    IssuerKey,
    /// Any sign that a server (or `rapd migrate`, `rapd seed`, `rapd user add`) set it up.
    Initialised,
    /// The store to read: PostgreSQL when configured (no directory needed), else as
    /// [`Needs::Initialised`].
    Store,
}

/// Files whose presence shows a data directory is in use.
fn markers() -> [&'static str; 4] {
    [
        crate::storage::DATABASE_FILE,
        rapd_auth::DEV_KEY_FILE,
        TOKEN_FILE,
        IDENTITIES_FILE,
    ]
}

/// Refuses, naming the directory, unless it holds what `needs` asks for.
pub fn require(config: &Config, needs: Needs, command: &str) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    let found = match needs {
        Needs::IssuerKey => dir.join(rapd_auth::DEV_KEY_FILE).is_file(),
        Needs::Store if config.database_url.is_some() => true,
        Needs::Initialised | Needs::Store => markers().iter().any(|n| dir.join(n).exists()),
    };
    if found {
        return Ok(());
    }
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
    let what = match needs {
        Needs::IssuerKey => format!(
            "has no development issuer key ({}); a token signed by a new key would be refused \
             by every server",
            rapd_auth::DEV_KEY_FILE
        ),
        Needs::Initialised | Needs::Store => "is not one a rapd server has initialised".to_owned(),
    };
    bail!(
        "{command}: the data directory {} {what}. Start `rapd serve` with it first, or name the \
         directory your server uses with --data-dir, RAPD_DATA_DIR or data_dir in the \
         configuration file",
        shown.display()
    )
}
