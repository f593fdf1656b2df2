//! The `RAPD_*` environment variables: one table of names and what each sets, and the parsers
//! of their values.

use std::{
    path::{Path, PathBuf},
    str::FromStr,
};

use anyhow::bail;
use serde::Deserialize;

use super::Config;

fn parse<T: FromStr>(value: &str) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(value.parse()?)
}

fn parse_enum<T: for<'de> Deserialize<'de>>(value: &str) -> anyhow::Result<T> {
    Ok(T::deserialize(serde::de::value::StrDeserializer::<
        serde::de::value::Error,
    >::new(value))?)
}

/// `scheme://user:password@host…` with the password replaced by `***`.
pub(super) fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// A PostgreSQL URL (the only engine chosen by URL; SQLite is the default without one).
pub(super) fn database_url(value: &str) -> anyhow::Result<String> {
    if !(value.starts_with("postgres://") || value.starts_with("postgresql://")) {
        bail!("database_url must be a postgres:// or postgresql:// URL");
    }
    Ok(value.to_owned())
}

pub(super) fn redis_url(value: &str) -> anyhow::Result<String> {
    if !(value.starts_with("redis://") || value.starts_with("rediss://")) {
        bail!("redis_url must be a redis:// or rediss:// URL");
    }
    Ok(value.to_owned())
}

/// A URL rapd may fetch: `https`, or `http` to a loopback host.
pub(super) fn fetchable_url(value: &str) -> anyhow::Result<String> {
    if !rapd_auth::url_allowed(value) {
        bail!("{value:?} must be an https URL (http only to a loopback host)");
    }
    Ok(value.to_owned())
}

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("expected true or false (or on/off)"),
    }
}

/// Sets one configuration value from the text of an environment variable.
type Setter = fn(&mut Config, &str) -> anyhow::Result<()>;

/// A table of `RAPD_*` names and what each sets.
macro_rules! env_table {
    ($($name:literal => |$c:ident, $v:ident| $set:expr,)*) => {
        &[$(($name, |$c: &mut Config, $v: &str| {
            $set;
            Ok(())
        })),*]
    };
}

/// Every environment variable rapd reads and what it sets: the one list that parsing, the
/// documentation test and [`Config::env_vars`] read, so none can be missing from another.
const ENV: &[(&str, Setter)] = env_table! {
    "RAPD_CONFIG" => |_c, _v| {}, // read before the file, in `resolve`
    "RAPD_PROFILE" => |c, v| c.profile = parse_enum(v)?,
    "RAPD_LISTEN" => |c, v| c.listen = parse(v)?,
    "RAPD_DATA_DIR" => |c, v| c.data_dir = PathBuf::from(v),
    "RAPD_PUBLIC_URL" => |c, v| c.public_url = Some(v.to_owned()),
    "RAPD_ONBOARDING_TTL_SECS" => |c, v| c.onboarding_ttl_secs = parse(v)?,
    "RAPD_MAX_BODY_BYTES" => |c, v| c.max_body_bytes = parse(v)?,
    "RAPD_MAX_CONCURRENT_REQUESTS" => |c, v| c.max_concurrent_requests = parse(v)?,
    "RAPD_METRICS" => |c, v| c.metrics = parse_bool(v)?,
    "RAPD_HEADER_READ_TIMEOUT_SECS" => |c, v| c.header_read_timeout_secs = parse(v)?,
    "RAPD_BODY_READ_TIMEOUT_SECS" => |c, v| c.body_read_timeout_secs = parse(v)?,
    "RAPD_SHUTDOWN_DRAIN_SECS" => |c, v| c.shutdown_drain_secs = parse(v)?,
    "RAPD_WORKER_THREADS" => |c, v| c.worker_threads = Some(parse(v)?),
    "RAPD_HEARTBEAT_INTERVAL_SECS" => |c, v| c.heartbeat_interval_secs = parse(v)?,
    "RAPD_PARTNER_SIM" => |c, v| c.partner_sim.enabled = parse_bool(v)?,
    "RAPD_PARTNER_SIM_DELAY_SECS" => |c, v| c.partner_sim.delay_secs = parse(v)?,
    "RAPD_DEV_ISSUER" => |c, v| c.dev_issuer = Some(parse_bool(v)?),
    "RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS" => |c, v| c.dev_issuer_on_public_address = parse_bool(v)?,
    "RAPD_PERMISSIONS" => |c, v| c.permissions = parse_enum(v)?,
    "RAPD_THROTTLING" => |c, v| c.throttling.enabled = parse_bool(v)?,
    "RAPD_THROTTLING_WINDOW_SECS" => |c, v| c.throttling.window_secs = parse(v)?,
    "RAPD_TLS_LISTEN" => |c, v| c.tls.listen = Some(parse(v)?),
    "RAPD_TLS_ONLY" => |c, v| c.tls.only = parse_bool(v)?,
    "RAPD_TLS_NAMES" => |c, v| c.tls.names = v
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect(),
    "RAPD_TLS_CERT_FILE" => |c, v| c.tls.cert_file = Some(PathBuf::from(v)),
    "RAPD_TLS_KEY_FILE" => |c, v| c.tls.key_file = Some(PathBuf::from(v)),
    "RAPD_IDP_DEVICE_CODE_AUTO_APPROVE" => |c, v| c.idp.device_code_auto_approve = parse_bool(v)?,
    "RAPD_IDP_DEVICE_CODE_INTERVAL_SECS" => |c, v| c.idp.device_code_interval_secs = parse(v)?,
    "RAPD_LOG" => |c, v| c.log = v.to_owned(),
    "RAPD_LOG_FORMAT" => |c, v| c.log_format = parse_enum(v)?,
    "RAPD_DATABASE_URL" => |c, v| c.database_url = Some(database_url(v)?),
    "RAPD_DATABASE_POOL_SIZE" => |c, v| c.database_pool_size = parse(v)?,
    "RAPD_DATABASE_ACQUIRE_TIMEOUT_MS" => |c, v| c.database_acquire_timeout_ms = parse(v)?,
    "RAPD_DATABASE_STATEMENT_TIMEOUT_MS" => |c, v| c.database_statement_timeout_ms = parse(v)?,
    "RAPD_REDIS_URL" => |c, v| c.redis_url = Some(redis_url(v)?),
    "RAPD_REDIS_KEY_PREFIX" => |c, v| c.redis_key_prefix = v.to_owned(),
    "RAPD_CONTROL" => |c, v| c.control.enabled = Some(parse_bool(v)?),
    "RAPD_CONTROL_ADMIN_TOKEN" => |c, v| c.control.admin_token = Some(v.to_owned()),
    "RAPD_CONTROL_ALLOW_REMOTE" => |c, v| c.control.allow_remote = parse_bool(v)?,
    "RAPD_CONTROL_FAULTS" => |c, v| c.control.faults = Some(parse_bool(v)?),
    "RAPD_REQUEST_LOG_CAPACITY" => |c, v| c.control.request_log_capacity = parse(v)?,
    "RAPD_CONSOLE_CLIENT_ID" => |c, v| c.console.client_id = Some(v.to_owned()),
    "RAPD_CONSOLE_CLIENT_SECRET" => |c, v| c.console.client_secret = Some(v.to_owned()),
    "RAPD_CONSOLE_DISCOVERY_URL" => |c, v| c.console.discovery_url = Some(fetchable_url(v)?),
    "RAPD_CONSOLE_SCOPES" => |c, v| c.console.scopes = v
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect(),
};

impl Config {
    /// Every environment variable rapd reads, from the table parsing uses.
    #[cfg(test)]
    pub(super) fn env_vars() -> impl Iterator<Item = &'static str> {
        ENV.iter().map(|(name, _)| *name)
    }

    pub(super) fn apply_env(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        match ENV.iter().find(|(name, _)| *name == key) {
            Some((_, set)) => set(self, value),
            None => {
                eprintln!("rapd: warning: unknown environment variable {key} is ignored");
                Ok(())
            }
        }
    }
}

/// The directory under `$XDG_DATA_HOME` (or `~/.local/share`) that holds rapd's data by default.
const DEFAULT_NAME: &str = "rapd";

/// The per-user default, from the environment's `XDG_DATA_HOME` and `HOME` (as other local
/// emulators place theirs): `$XDG_DATA_HOME/rapd`, else `$HOME/.local/share/rapd`.
pub(super) fn default_location(xdg_data_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    let xdg = xdg_data_home.map(PathBuf::from).filter(|p| p.is_absolute());
    let home = home
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(h).join(".local").join("share"));
    xdg.or(home).map(|base| base.join(DEFAULT_NAME))
}
