//! `rapd`: the command line. `rapd` alone is `rapd serve`.
//!
//! ## Map
//!
//! `clap` CLI (`serve`, `token`, `tenant`, `onboarding-link`, `partner-sim`,
//! `ca`, `user add`, `app add`, `seed`, `control-token`, `migrate`, `config check`), the engine the
//! configuration selects (`storage.rs`), the data directory's per-user default and the refusal
//! to mint against one no server initialised (`data_dir.rs`), the test-control admin token and `rapd seed`
//! (`cmd/control.rs`), the identity provider's users and apps merged from built-ins,
//! `identities.toml` and config (`cmd/identities.rs`), the CA bundle and trust lines (`cmd/ca.rs`),
//! the development partner simulator (`cmd/partner_sim.rs`), layered configuration (`config.rs`,
//! checked against `docs/configuration.md` by a test), tracing set-up, the start-up banner. It uses
//! only what `rapd_server`, `rapd_idp` and `rapd_control` export at their crate roots. Key types:
//! `Config`, `Overrides`, `Profile`.

mod cmd;
mod config;
mod data_dir;
mod storage;

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

/// A request allocates and frees dozens of small blocks (headers, futures, JSON); mimalloc's
/// per-thread free lists do that in a fraction of glibc's instructions (`bench/analysis.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "rapd",
    version,
    about = "A Graph-compatible Intune remoteAssistancePartners service",
    long_about = "A Graph-compatible Intune remoteAssistancePartners service. \
        `rapd` alone serves, and takes the flags of `rapd serve`.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `rapd` without a subcommand is `rapd serve` with these flags.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Graph API (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Print one signed development token on stdout.
    Token(cmd::token::TokenArgs),
    /// Provision tenants and their Intune licence.
    Tenant {
        #[command(subcommand)]
        action: cmd::tenant::TenantAction,
    },
    /// Print the link (onboardingUrl with the one-time code) an administrator gives the vendor.
    OnboardingLink(cmd::partner_sim::OnboardingLinkArgs),
    /// Play a remote assistance vendor: redeem a code, then call in until disconnected.
    PartnerSim(cmd::partner_sim::PartnerSimArgs),
    /// Bring the database to the newest schema, then exit (the production profile never
    /// migrates on start).
    Migrate(DataArgs),
    /// Write a fixture (tenants, partners in given states, settings) into the store.
    Seed(cmd::control::SeedArgs),
    /// Delete one tenant's state (partners, audit records, settings, registration), or everyone's.
    Reset(cmd::control::TenantScopeArgs),
    /// Print the store's state as fixture JSON, the format `rapd seed` takes.
    Export(cmd::control::TenantScopeArgs),
    /// Print the admin token of the test-control API (made on first use).
    ControlToken(DataArgs),
    /// Print the development CA's path, write a bundle of the system CAs plus it, and print the
    /// variables that make Python and Node trust it.
    Ca(cmd::ca::CaArgs),
    /// Development users of the identity provider.
    User {
        #[command(subcommand)]
        action: cmd::identities::UserAction,
    },
    /// Development applications of the identity provider.
    App {
        #[command(subcommand)]
        action: cmd::identities::AppAction,
    },
    /// Check the configuration and print it resolved.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Load the configuration as `serve` would and print it; exit non-zero if it is invalid.
    Check(ServeArgs),
}

/// Where the data lives: the flags every command that opens the store takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataArgs {
    /// Directory for the database and the development issuer's key (also RAPD_DATA_DIR)
    /// [default: $XDG_DATA_HOME/rapd, else ~/.local/share/rapd].
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file (also RAPD_CONFIG).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// `development` (the default) or `production` (also RAPD_PROFILE).
    #[arg(long, value_parser = ["development", "production"])]
    profile: Option<String>,
    /// Play every tenant's remote assistance vendor: redeem onboarding codes and call in.
    #[arg(long)]
    partner_sim: bool,
    /// Also serve https on this address (also RAPD_TLS_LISTEN), e.g. 127.0.0.1:8443.
    #[arg(long)]
    tls_listen: Option<SocketAddr>,
    #[command(flatten)]
    data: DataArgs,
}

impl ServeArgs {
    fn overrides(&self) -> config::Overrides {
        config::Overrides {
            listen: self.listen,
            profile: self.profile.as_deref().map(|p| match p {
                "production" => config::Profile::Production,
                _ => config::Profile::Development,
            }),
            partner_sim: self.partner_sim,
            tls_listen: self.tls_listen,
            ..self.data.overrides()
        }
    }
}

impl DataArgs {
    pub fn overrides(&self) -> config::Overrides {
        config::Overrides {
            data_dir: self.data_dir.clone(),
            config_file: self.config.clone(),
            ..config::Overrides::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => cmd::serve::run(&args.overrides()),
        Command::Token(args) => cmd::token::run(&args),
        Command::Tenant { action } => cmd::tenant::run(action),
        Command::OnboardingLink(args) => cmd::partner_sim::onboarding_link(&args),
        Command::PartnerSim(args) => cmd::partner_sim::run_standalone(&args),
        Command::Migrate(args) => cmd::migrate(&args.overrides()),
        Command::Seed(args) => cmd::control::seed(&args),
        Command::Reset(args) => cmd::control::reset(&args),
        Command::Export(args) => cmd::control::export(&args),
        Command::ControlToken(args) => cmd::control::print_token(&args),
        Command::Ca(args) => cmd::ca::run(&args),
        Command::User { action } => cmd::identities::run_user(action),
        Command::App { action } => cmd::identities::run_app(action),
        Command::Config {
            action: ConfigAction::Check(args),
        } => cmd::check_config(&args.overrides()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rapd: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
