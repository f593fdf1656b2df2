//! `rapd token`: mints one development token and prints it alone on stdout.

use rapd_auth::{
    DEV_APP, DEV_TENANT, DEV_USER, DevIssuer, SCOPE_READ_WRITE, Subject, TokenRequest,
};
use uuid::Uuid;

use crate::{DataArgs, config::Config, data_dir::Needs};

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// Where the development issuer's key is: the data directory, found as `serve` finds it
    /// (`--data-dir`, `RAPD_DATA_DIR`, the configuration file's `data_dir`).
    #[command(flatten)]
    data: DataArgs,
    /// Tenant id (tid) [default: the development tenant].
    #[arg(long)]
    tenant: Option<Uuid>,
    /// A scope (delegated) or role (--app); repeat for several
    /// [default: DeviceManagementServiceConfig.ReadWrite.All].
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// The user's object id (oid) [default: the development user].
    #[arg(long, conflicts_with = "app")]
    user: Option<Uuid>,
    /// Mint an application (app-only) token instead of a delegated one.
    #[arg(long)]
    app: bool,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
}

pub fn run(args: &TokenArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.data.overrides())?;
    crate::data_dir::require(&config, Needs::IssuerKey, "rapd token")?;
    let issuer = DevIssuer::load_or_create(&config.data_dir)?;
    let scopes = if args.scopes.is_empty() {
        vec![SCOPE_READ_WRITE.to_owned()]
    } else {
        args.scopes.clone()
    };
    let subject = if args.app {
        Subject::App(DEV_APP)
    } else {
        Subject::User(args.user.unwrap_or(DEV_USER))
    };
    let request = TokenRequest {
        tenant: args.tenant.unwrap_or(DEV_TENANT),
        subject,
        scopes,
        ttl_secs: args.ttl,
    };
    let now = rapd_model::Timestamp::now().unix_secs();
    println!("{}", issuer.mint(&request, now)?);
    Ok(())
}
