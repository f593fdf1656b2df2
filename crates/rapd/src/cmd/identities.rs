//! `rapd user add` and `rapd app add`: development users and apps of the identity provider, kept
//! in the data directory (`identities.toml`), and the merge `serve` makes of the built-in pair,
//! that file and the configuration's `[[dev_users]]` and `[[dev_apps]]` (later entries win).

use std::path::Path;

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use rapd_idp::{DevApp, DevUser, IdentityConfig};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    DataArgs,
    config::{self, Config},
};

use crate::data_dir::IDENTITIES_FILE;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Stored {
    dev_users: Vec<config::DevUser>,
    dev_apps: Vec<config::DevApp>,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserAction {
    /// Add (or replace) a development user who can sign in with a password or a device code.
    Add {
        /// The sign-in name, e.g. adele@contoso.onmicrosoft.com.
        username: String,
        #[arg(long)]
        password: String,
        /// The user's home tenant [default: the development tenant].
        #[arg(long)]
        tenant: Option<Uuid>,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum AppAction {
    /// Add (or replace) a development application; prints its client id and secret.
    Add {
        /// [default: a new GUID]
        #[arg(long)]
        client_id: Option<Uuid>,
        /// [default: a new random secret, printed once]
        #[arg(long, conflicts_with = "public")]
        secret: Option<String>,
        /// A public client: no secret, user flows only.
        #[arg(long)]
        public: bool,
        /// An application permission of its app-only tokens; repeat for several
        /// [default: DeviceManagementServiceConfig.ReadWrite.All].
        #[arg(long = "role")]
        roles: Vec<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub fn run_user(action: UserAction) -> anyhow::Result<()> {
    let UserAction::Add {
        username,
        password,
        tenant,
        display_name,
        data,
    } = action;
    if username.is_empty() || password.is_empty() {
        bail!("the username and the password must not be empty");
    }
    let config = Config::load(&data.overrides())?;
    let mut stored = load(&config.data_dir)?;
    stored
        .dev_users
        .retain(|u| !u.username.eq_ignore_ascii_case(&username));
    let user = config::DevUser {
        object_id: Some(derived_id(&username)),
        username,
        password,
        tenant,
        display_name,
    };
    println!(
        "added user {} (object id {}, tenant {})",
        user.username,
        user.object_id.unwrap_or_default(),
        user.tenant.unwrap_or(DEV_TENANT)
    );
    stored.dev_users.push(user);
    save(&config.data_dir, &stored)?;
    print_restart_note();
    Ok(())
}

pub fn run_app(action: AppAction) -> anyhow::Result<()> {
    let AppAction::Add {
        client_id,
        secret,
        public,
        roles,
        data,
    } = action;
    let config = Config::load(&data.overrides())?;
    let mut stored = load(&config.data_dir)?;
    let client_id = client_id.unwrap_or_else(Uuid::new_v4);
    let secret = match (public, secret) {
        (true, _) => None,
        (false, Some(secret)) if secret.is_empty() => bail!("the secret must not be empty"),
        (false, Some(secret)) => Some(secret),
        (false, None) => Some(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())),
    };
    stored.dev_apps.retain(|a| a.client_id != client_id);
    println!("added app {client_id}");
    if let Some(secret) = &secret {
        println!("client secret: {secret}");
    }
    stored.dev_apps.push(config::DevApp {
        client_id,
        secret,
        roles: (!roles.is_empty()).then_some(roles),
        scopes: None,
    });
    save(&config.data_dir, &stored)?;
    print_restart_note();
    Ok(())
}

/// The identity provider reads `identities.toml` when it starts; unlike `rapd tenant add`, an
/// addition reaches a running server only through a restart, so the command says so.
pub const RESTART_NOTE: &str =
    "a rapd already serving this data directory signs this identity in after a restart";

fn print_restart_note() {
    println!("{RESTART_NOTE}");
}

/// The identity provider's users and apps: built-in, then `identities.toml`, then the config.
pub fn identity_config(config: &Config) -> anyhow::Result<IdentityConfig> {
    let stored = load(&config.data_dir)?;
    let mut identity = IdentityConfig {
        device_code_auto_approve: config.idp.device_code_auto_approve,
        device_code_interval_secs: config.idp.device_code_interval_secs,
        access_token_ttl_secs: config.idp.access_token_ttl_secs,
        ..IdentityConfig::default()
    };
    for user in stored.dev_users.iter().chain(&config.dev_users) {
        identity
            .users
            .retain(|u| !u.username.eq_ignore_ascii_case(&user.username));
        identity.users.push(DevUser {
            object_id: user.object_id.unwrap_or_else(|| derived_id(&user.username)),
            tenant: user.tenant.unwrap_or(DEV_TENANT),
            display_name: user
                .display_name
                .clone()
                .unwrap_or_else(|| user.username.clone()),
            username: user.username.clone(),
            password: user.password.clone(),
        });
    }
    for app in stored.dev_apps.iter().chain(&config.dev_apps) {
        identity.apps.retain(|a| a.client_id != app.client_id);
        let default_permissions = || vec![SCOPE_READ_WRITE.to_owned()];
        identity.apps.push(DevApp {
            client_id: app.client_id,
            secret: app.secret.clone(),
            roles: app.roles.clone().unwrap_or_else(default_permissions),
            scopes: app.scopes.clone().unwrap_or_else(default_permissions),
        });
    }
    Ok(identity)
}

fn load(data_dir: &Path) -> anyhow::Result<Stored> {
    let path = data_dir.join(IDENTITIES_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("invalid {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Stored::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn save(data_dir: &Path, stored: &Stored) -> anyhow::Result<()> {
    rapd_store::create_private_dir(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let text = toml::to_string(stored)?;
    // Holds passwords and secrets: private to the owner, replaced atomically.
    rapd_server::write_atomically(&data_dir.join(IDENTITIES_FILE), text.as_bytes(), true)?;
    Ok(())
}

/// A stable object id for a username, so the same user keeps the same `oid` across restarts.
fn derived_id(username: &str) -> Uuid {
    let digest = Sha256::digest(username.to_ascii_lowercase().as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}
