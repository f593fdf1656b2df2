//! Configuration: defaults < TOML file < `RAPD_*` environment < command-line flags.
//! The only place that reads the environment. `docs/configuration.md` lists every key.

use std::{net::SocketAddr, path::PathBuf, str::FromStr};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// A local stand-in: development issuer on, tenants provisioned on first use.
    Development,
    /// A real service: tenants provisioned by an operator, development issuer off unless enabled.
    Production,
}

/// Which permission table authorises callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permissions {
    /// The founding reference page: delegated work or school tokens only.
    FoundingPage,
    /// Today's Graph table: application permissions too, and beta's `DeviceManagementConfiguration.*`.
    Graph,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Throttling {
    pub enabled: bool,
    pub window_secs: i64,
    pub tenant_writes: u32,
    pub tenant_requests: u32,
    pub app_writes: u32,
    pub app_requests: u32,
}

impl Default for Throttling {
    fn default() -> Throttling {
        Throttling {
            enabled: true,
            window_secs: 20,
            tenant_writes: 200,
            tenant_requests: 2000,
            app_writes: 100,
            app_requests: 1000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Jwks {
    pub min_refresh_interval_secs: u64,
    pub fetch_timeout_secs: u64,
    pub max_bytes: usize,
    pub max_age_secs: u64,
}

impl Default for Jwks {
    fn default() -> Jwks {
        Jwks {
            min_refresh_interval_secs: 300,
            fetch_timeout_secs: 5,
            max_bytes: 1024 * 1024,
            max_age_secs: 24 * 3600,
        }
    }
}

/// The development partner simulator: plays every tenant's remote assistance vendor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerSim {
    pub enabled: bool,
    /// How long after `beginOnboarding` the simulated vendor redeems the code.
    pub delay_secs: u64,
    /// How often the simulated vendor calls in once connected.
    pub heartbeat_secs: u64,
}

impl Default for PartnerSim {
    fn default() -> PartnerSim {
        PartnerSim {
            enabled: false,
            delay_secs: 2,
            heartbeat_secs: 30,
        }
    }
}

/// The test-control API under `/_rapd/` (reset, seed, export, faults, request log).
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Control {
    /// Unset: on in development, off in production.
    pub enabled: Option<bool>,
    /// Unset: a random token kept in the data directory (`rapd control-token` prints it).
    pub admin_token: Option<String>,
    /// Answer clients that are not on a loopback address.
    pub allow_remote: bool,
    /// Fault injection; unset: on in development. Refused in production.
    pub faults: Option<bool>,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
}

/// Shows whether an admin token is configured, never the token (`rapd config check` prints this).
impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("enabled", &self.enabled)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("allow_remote", &self.allow_remote)
            .field("faults", &self.faults)
            .field("request_log_capacity", &self.request_log_capacity)
            .finish()
    }
}

/// The largest request log allowed (each entry is a few hundred bytes, allocated up front).
pub const MAX_REQUEST_LOG_CAPACITY: usize = 100_000;

impl Default for Control {
    fn default() -> Control {
        Control {
            enabled: None,
            admin_token: None,
            allow_remote: false,
            faults: None,
            request_log_capacity: 1000,
        }
    }
}

/// The https listener.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tls {
    /// Address of the https listener; unset: no https.
    pub listen: Option<SocketAddr>,
    /// Serve https alone: the plain `listen` address is not opened.
    pub only: bool,
    /// Names (DNS or IP) the development certificate carries beside localhost, 127.0.0.1, ::1.
    pub names: Vec<String>,
    /// Your own certificate chain (PEM, leaf first) instead of the development CA's leaf.
    pub cert_file: Option<PathBuf>,
    /// The private key (PEM) of `cert_file`.
    pub key_file: Option<PathBuf>,
}

/// The development identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Idp {
    /// Approve device codes for the first development user on the second poll (tests).
    pub device_code_auto_approve: bool,
    pub device_code_interval_secs: u64,
    pub access_token_ttl_secs: u64,
}

impl Default for Idp {
    fn default() -> Idp {
        Idp {
            device_code_auto_approve: false,
            device_code_interval_secs: 5,
            access_token_ttl_secs: 3600,
        }
    }
}

/// A development user of the identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DevUser {
    pub username: String,
    pub password: String,
    /// Default: derived from the username.
    pub object_id: Option<uuid::Uuid>,
    /// Default: the development tenant.
    pub tenant: Option<uuid::Uuid>,
    pub display_name: Option<String>,
}

/// A development application (client) of the identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DevApp {
    pub client_id: uuid::Uuid,
    /// Needed for client credentials; unset: a public client.
    pub secret: Option<String>,
    /// Application permissions of its app-only tokens [default: ReadWrite.All].
    pub roles: Option<Vec<String>>,
    /// Delegated permissions granted for `.default` [default: ReadWrite.All].
    pub scopes: Option<Vec<String>>,
}

/// An external OIDC issuer whose access tokens rapd accepts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Exact, or a template containing `{tenantid}`.
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub discovery_url: Option<String>,
    pub audiences: Vec<String>,
    /// `1.0` or `2.0`: the `ver` claim must match.
    pub token_version: Option<String>,
    /// Only these tenants, when given.
    pub tenants: Option<Vec<uuid::Uuid>>,
    /// Accepted header `typ` values; default `JWT` and `at+jwt`.
    #[serde(default)]
    pub token_types: Vec<String>,
}

/// Every setting, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub profile: Profile,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    pub onboarding_ttl_secs: i64,
    pub max_body_bytes: usize,
    pub max_concurrent_requests: usize,
    pub header_read_timeout_secs: u64,
    pub shutdown_drain_secs: u64,
    /// Threads serving requests; unset: one per CPU.
    pub worker_threads: Option<usize>,
    /// A partner's calls refresh `lastConnectionDateTime` at most this often.
    pub heartbeat_interval_secs: i64,
    /// Run the development partner simulator inside `serve`.
    pub partner_sim: PartnerSim,
    /// The built-in development issuer; unset: on in development, off in production.
    pub dev_issuer: Option<bool>,
    /// Allows the development issuer on a non-loopback listen address.
    pub dev_issuer_on_public_address: bool,
    pub permissions: Permissions,
    pub throttling: Throttling,
    pub jwks: Jwks,
    pub issuers: Vec<Issuer>,
    pub control: Control,
    pub tls: Tls,
    pub idp: Idp,
    /// Development users, beside the built-in one and those `rapd user add` wrote.
    pub dev_users: Vec<DevUser>,
    /// Development apps, beside the built-in one and those `rapd app add` wrote.
    pub dev_apps: Vec<DevApp>,
    pub log: String,
    /// A `postgres://` URL selects PostgreSQL; unset, the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// The most PostgreSQL connections one node holds.
    pub database_pool_size: usize,
    /// How long a request waits for a free connection before it is answered 503.
    pub database_acquire_timeout_ms: u64,
    /// PostgreSQL cancels any statement that runs longer.
    pub database_statement_timeout_ms: u64,
    /// A `redis://` URL shares throttling counters between nodes; unset, each node counts alone.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key rapd writes, so several deployments can share one Redis.
    pub redis_key_prefix: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            profile: Profile::Development,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./rapd-data"),
            public_url: None,
            onboarding_ttl_secs: 3600,
            max_body_bytes: 64 * 1024,
            max_concurrent_requests: 1024,
            header_read_timeout_secs: 10,
            shutdown_drain_secs: 20,
            worker_threads: None,
            heartbeat_interval_secs: 60,
            partner_sim: PartnerSim::default(),
            dev_issuer: None,
            dev_issuer_on_public_address: false,
            permissions: Permissions::FoundingPage,
            throttling: Throttling::default(),
            jwks: Jwks::default(),
            issuers: Vec::new(),
            control: Control::default(),
            tls: Tls::default(),
            idp: Idp::default(),
            dev_users: Vec::new(),
            dev_apps: Vec::new(),
            log: "info".into(),
            database_url: None,
            database_pool_size: 16,
            database_acquire_timeout_ms: 5000,
            database_statement_timeout_ms: 5000,
            redis_url: None,
            redis_key_prefix: "rapd".into(),
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub profile: Option<Profile>,
    pub partner_sim: bool,
    pub tls_listen: Option<SocketAddr>,
}

impl Config {
    /// Loads the configuration from the process environment and `overrides`.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("RAPD_"))
            .collect();
        Config::resolve(overrides, &env)
    }

    /// The layering itself, from an explicit environment so it can be tested.
    pub fn resolve(overrides: &Overrides, env: &[(String, String)]) -> anyhow::Result<Config> {
        let file = overrides.config_file.clone().or_else(|| {
            env.iter()
                .find(|(k, _)| k == "RAPD_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid config file {}", path.display()))?
            }
            None => Config::default(),
        };
        for (key, value) in env {
            config
                .apply_env(key, value)
                .with_context(|| format!("{key}={value}"))?;
        }
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(profile) = overrides.profile {
            config.profile = profile;
        }
        if overrides.partner_sim {
            config.partner_sim.enabled = true;
        }
        if let Some(listen) = overrides.tls_listen {
            config.tls.listen = Some(listen);
        }
        config.validate()?;
        Ok(config)
    }

    /// Every environment variable rapd reads, from the table parsing uses.
    #[cfg(test)]
    fn env_vars() -> impl Iterator<Item = &'static str> {
        ENV.iter().map(|(name, _)| *name)
    }

    fn apply_env(&mut self, key: &str, value: &str) -> anyhow::Result<()> {
        match ENV.iter().find(|(name, _)| *name == key) {
            Some((_, set)) => set(self, value),
            None => {
                eprintln!("rapd: warning: unknown environment variable {key} is ignored");
                Ok(())
            }
        }
    }

    /// A copy safe to print: passwords in URLs replaced by `***`.
    pub fn redacted(&self) -> Config {
        let hide = |url: &Option<String>| url.as_deref().map(redact_password);
        Config {
            database_url: hide(&self.database_url),
            redis_url: hide(&self.redis_url),
            ..self.clone()
        }
    }

    /// The plain listener (unless `tls.only`) and the https listener (if any).
    pub fn listen_addresses(&self) -> impl Iterator<Item = SocketAddr> {
        let http = (!self.tls.only).then_some(self.listen);
        http.into_iter().chain(self.tls.listen)
    }

    /// Whether the development issuer is trusted and served.
    pub fn dev_issuer_enabled(&self) -> bool {
        self.dev_issuer
            .unwrap_or(self.profile == Profile::Development)
    }

    /// Whether the test-control API is served.
    pub fn control_enabled(&self) -> bool {
        self.control
            .enabled
            .unwrap_or(self.profile == Profile::Development)
    }

    /// Whether fault injection is available (never in production).
    pub fn faults_enabled(&self) -> bool {
        self.control_enabled()
            && self.profile == Profile::Development
            && self.control.faults.unwrap_or(true)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.onboarding_ttl_secs <= 0 {
            bail!(
                "onboarding_ttl_secs must be positive, not {}",
                self.onboarding_ttl_secs
            );
        }
        for (name, value) in [
            ("max_body_bytes", self.max_body_bytes as u64),
            (
                "max_concurrent_requests",
                self.max_concurrent_requests as u64,
            ),
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("worker_threads", self.worker_threads.unwrap_or(1) as u64),
            ("database_pool_size", self.database_pool_size as u64),
            (
                "database_acquire_timeout_ms",
                self.database_acquire_timeout_ms,
            ),
            (
                "database_statement_timeout_ms",
                self.database_statement_timeout_ms,
            ),
            (
                "throttling.window_secs",
                self.throttling.window_secs.max(0) as u64,
            ),
        ] {
            if value == 0 {
                bail!("{name} must be positive");
            }
        }
        if let Some(url) = &self.database_url {
            database_url(url)?;
        }
        if let Some(url) = &self.redis_url {
            redis_url(url)?;
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("public_url must start with http:// or https://, not {url:?}");
        }
        for issuer in &self.issuers {
            if issuer.jwks_uri.is_some() == issuer.discovery_url.is_some() {
                bail!(
                    "issuer {}: give exactly one of jwks_uri and discovery_url",
                    issuer.issuer
                );
            }
            if issuer.audiences.is_empty() {
                bail!("issuer {}: audiences must not be empty", issuer.issuer);
            }
        }
        for listen in self.listen_addresses() {
            if self.dev_issuer_enabled()
                && !listen.ip().is_loopback()
                && !self.dev_issuer_on_public_address
            {
                bail!(
                    "refusing to serve the development issuer on the non-loopback address {listen}: \
                     it trusts tokens that anyone with this data dir can mint, which is for local \
                     use. Listen on 127.0.0.1, turn the issuer off (dev_issuer = false, or the \
                     production profile), or set dev_issuer_on_public_address = true if you mean it"
                );
            }
        }
        if self.tls.only && self.tls.listen.is_none() {
            bail!("tls.only needs tls.listen: there would be nothing to listen on");
        }
        if self.tls.cert_file.is_some() != self.tls.key_file.is_some() {
            bail!("tls.cert_file and tls.key_file go together: give both or neither");
        }
        if self.tls.only && self.partner_sim.enabled {
            bail!("the partner simulator calls rapd over plain http; it needs tls.only = false");
        }
        if self.idp.device_code_interval_secs == 0 || self.idp.access_token_ttl_secs == 0 {
            bail!("idp.device_code_interval_secs and idp.access_token_ttl_secs must be positive");
        }
        if self.partner_sim.enabled && self.profile == Profile::Production {
            bail!(
                "the partner simulator is for development; it is refused in the production profile"
            );
        }
        if self.control.faults == Some(true) && self.profile == Profile::Production {
            bail!("fault injection is for development; it is refused in the production profile");
        }
        let capacity = self.control.request_log_capacity;
        if !(1..=MAX_REQUEST_LOG_CAPACITY).contains(&capacity) {
            bail!(
                "control.request_log_capacity must be 1 to {MAX_REQUEST_LOG_CAPACITY}, not {capacity}"
            );
        }
        if let Some(token) = &self.control.admin_token
            && token.len() < 16
        {
            bail!("control.admin_token must be at least 16 characters");
        }
        if !self.dev_issuer_enabled() && self.issuers.is_empty() {
            bail!("no token issuer: enable dev_issuer or configure at least one [[issuers]] entry");
        }
        Ok(())
    }
}

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
fn redact_password(url: &str) -> String {
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
fn database_url(value: &str) -> anyhow::Result<String> {
    if !(value.starts_with("postgres://") || value.starts_with("postgresql://")) {
        bail!("database_url must be a postgres:// or postgresql:// URL");
    }
    Ok(value.to_owned())
}

fn redis_url(value: &str) -> anyhow::Result<String> {
    if !(value.starts_with("redis://") || value.starts_with("rediss://")) {
        bail!("redis_url must be a redis:// or rediss:// URL");
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
    "RAPD_HEADER_READ_TIMEOUT_SECS" => |c, v| c.header_read_timeout_secs = parse(v)?,
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
};

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    fn file(text: &str) -> (tempfile::TempDir, Overrides) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rapd.toml");
        std::fs::write(&path, text).unwrap();
        (
            dir,
            Overrides {
                config_file: Some(path),
                ..Overrides::default()
            },
        )
    }

    /// `docs/configuration.md` names every key and every environment variable.
    #[test]
    fn the_configuration_doc_is_complete() {
        let doc = include_str!("../../../docs/configuration.md");
        let defaults = toml::Value::try_from(Config {
            issuers: vec![Issuer {
                issuer: String::new(),
                jwks_uri: Some(String::new()),
                discovery_url: Some(String::new()),
                audiences: Vec::new(),
                token_version: Some(String::new()),
                tenants: Some(Vec::new()),
                token_types: Vec::new(),
            }],
            public_url: Some(String::new()),
            dev_issuer: Some(true),
            database_url: Some(String::new()),
            redis_url: Some(String::new()),
            control: Control {
                enabled: Some(true),
                admin_token: Some(String::new()),
                faults: Some(true),
                ..Control::default()
            },
            tls: Tls {
                listen: Some(SocketAddr::from(([127, 0, 0, 1], 8443))),
                cert_file: Some(PathBuf::new()),
                key_file: Some(PathBuf::new()),
                ..Tls::default()
            },
            dev_users: vec![DevUser {
                username: String::new(),
                password: String::new(),
                object_id: Some(uuid::Uuid::nil()),
                tenant: Some(uuid::Uuid::nil()),
                display_name: Some(String::new()),
            }],
            dev_apps: vec![DevApp {
                client_id: uuid::Uuid::nil(),
                secret: Some(String::new()),
                roles: Some(Vec::new()),
                scopes: Some(Vec::new()),
            }],
            ..Config::default()
        })
        .unwrap();
        let mut keys = Vec::new();
        for (key, value) in defaults.as_table().unwrap() {
            keys.push(key.clone());
            let nested = match value {
                toml::Value::Table(t) => Some(t),
                toml::Value::Array(a) => a.first().and_then(|v| v.as_table()),
                _ => None,
            };
            keys.extend(nested.into_iter().flat_map(|t| t.keys().cloned()));
        }
        for key in keys {
            let named = [
                format!("`{key}`"),
                format!("`[{key}]`"),
                format!("`[[{key}]]`"),
            ];
            assert!(
                named.iter().any(|n| doc.contains(n)),
                "docs/configuration.md lacks `{key}`"
            );
        }
        // And the other way: every variable the docs name is one the table parses.
        for named in doc
            .split('`')
            .filter(|w| w.starts_with("RAPD_") && !w.contains('*'))
        {
            assert!(
                Config::env_vars().any(|v| v == named),
                "docs/configuration.md names {named}, which rapd does not read"
            );
        }
        for var in Config::env_vars() {
            assert!(
                doc.contains(&format!("`{var}`")),
                "docs/configuration.md lacks `{var}`"
            );
            // A bad value of a typed variable is an error, not a warning.
            if ![
                "RAPD_CONFIG",
                "RAPD_DATA_DIR",
                "RAPD_PUBLIC_URL",
                "RAPD_LOG",
                "RAPD_REDIS_KEY_PREFIX",
                "RAPD_CONTROL_ADMIN_TOKEN",
                "RAPD_TLS_NAMES",
                "RAPD_TLS_CERT_FILE",
                "RAPD_TLS_KEY_FILE",
            ]
            .contains(&var)
            {
                assert!(
                    Config::default().apply_env(var, "not a value").is_err(),
                    "{var}"
                );
            }
        }
    }

    #[test]
    fn layers_in_order() {
        let (_dir, overrides) = file(
            "listen = \"127.0.0.1:9000\"\nonboarding_ttl_secs = 60\nlog = \"debug\"\n\
             [throttling]\napp_writes = 5\n",
        );
        let c = Config::resolve(&overrides, &env(&[("RAPD_ONBOARDING_TTL_SECS", "120")])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(c.onboarding_ttl_secs, 120);
        assert_eq!(c.log, "debug");
        assert_eq!(c.throttling.app_writes, 5);
        assert_eq!(c.throttling.tenant_writes, 200);
        let flags = Overrides {
            listen: Some("127.0.0.1:9100".parse().unwrap()),
            ..overrides
        };
        let c = Config::resolve(&flags, &env(&[("RAPD_THROTTLING", "off")])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9100".parse().unwrap());
        assert!(!c.throttling.enabled);
    }

    #[test]
    fn profiles_decide_the_dev_issuer() {
        let c = Config::resolve(&Overrides::default(), &[]).unwrap();
        assert!(c.dev_issuer_enabled());
        let prod = env(&[("RAPD_PROFILE", "production")]);
        assert!(
            Config::resolve(&Overrides::default(), &prod).is_err(),
            "no issuer at all"
        );
        let prod_dev = env(&[("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")]);
        let c = Config::resolve(&Overrides::default(), &prod_dev).unwrap();
        assert_eq!(c.profile, Profile::Production);
        assert!(c.dev_issuer_enabled());
        let (_dir, overrides) = file(
            "profile = \"production\"\nlisten = \"0.0.0.0:443\"\n[[issuers]]\n\
             issuer = \"https://login.microsoftonline.com/{tenantid}/v2.0\"\n\
             jwks_uri = \"https://login.microsoftonline.com/common/discovery/v2.0/keys\"\n\
             audiences = [\"https://graph.microsoft.com\"]\n",
        );
        let c = Config::resolve(&overrides, &[]).unwrap();
        assert!(
            !c.dev_issuer_enabled(),
            "production may listen publicly without the dev issuer"
        );
    }

    #[test]
    fn refuses_public_bind_with_the_dev_issuer_and_typos() {
        let public = Overrides {
            listen: Some("0.0.0.0:8080".parse().unwrap()),
            ..Overrides::default()
        };
        assert!(Config::resolve(&public, &[]).is_err());
        let allowed = env(&[("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS", "true")]);
        assert!(Config::resolve(&public, &allowed).is_ok());
        let (_dir, typo) = file("lisen = \"127.0.0.1:9000\"\n");
        assert!(Config::resolve(&typo, &[]).is_err());
        assert!(
            Config::resolve(&Overrides::default(), &env(&[("RAPD_PERMISSIONS", "all")])).is_err()
        );
        let graph = env(&[("RAPD_PERMISSIONS", "graph")]);
        assert_eq!(
            Config::resolve(&Overrides::default(), &graph)
                .unwrap()
                .permissions,
            Permissions::Graph
        );
    }

    #[test]
    fn database_and_redis_urls_are_checked_and_redacted() {
        let bad = env(&[("RAPD_DATABASE_URL", "mysql://x@h/db")]);
        assert!(Config::resolve(&Overrides::default(), &bad).is_err());
        let bad = env(&[("RAPD_REDIS_URL", "http://h:6379")]);
        assert!(Config::resolve(&Overrides::default(), &bad).is_err());
        let good = env(&[
            ("RAPD_DATABASE_URL", "postgres://rapd:s3cret@db:5432/rapd"),
            ("RAPD_REDIS_URL", "redis://:hunter2@cache:6379/0"),
            ("RAPD_DATABASE_POOL_SIZE", "4"),
        ]);
        let c = Config::resolve(&Overrides::default(), &good).unwrap();
        assert_eq!(c.database_pool_size, 4);
        let shown = format!("{:?}", c.redacted());
        assert!(
            !shown.contains("s3cret") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(
            shown.contains("postgres://rapd:***@db:5432/rapd"),
            "{shown}"
        );
        let zero = env(&[("RAPD_DATABASE_POOL_SIZE", "0")]);
        assert!(Config::resolve(&Overrides::default(), &zero).is_err());
    }

    #[test]
    fn control_limits_and_profiles() {
        let at = |n: &str| env(&[("RAPD_REQUEST_LOG_CAPACITY", n)]);
        assert!(Config::resolve(&Overrides::default(), &at("100000")).is_ok());
        assert!(Config::resolve(&Overrides::default(), &at("100001")).is_err());
        assert!(Config::resolve(&Overrides::default(), &at("1")).is_ok());
        assert!(Config::resolve(&Overrides::default(), &at("0")).is_err());
        let dev = Config::resolve(&Overrides::default(), &[]).unwrap();
        assert!(dev.control_enabled() && dev.faults_enabled());
        let prod = [("RAPD_PROFILE", "production"), ("RAPD_DEV_ISSUER", "true")];
        let c = Config::resolve(&Overrides::default(), &env(&prod)).unwrap();
        assert!(!c.control_enabled() && !c.faults_enabled());
        let mut on = prod.to_vec();
        on.push(("RAPD_CONTROL", "on"));
        let c = Config::resolve(&Overrides::default(), &env(&on)).unwrap();
        assert!(c.control_enabled() && !c.faults_enabled());
        on.push(("RAPD_CONTROL_FAULTS", "on"));
        assert!(Config::resolve(&Overrides::default(), &env(&on)).is_err());
        let short = env(&[("RAPD_CONTROL_ADMIN_TOKEN", "short")]);
        assert!(Config::resolve(&Overrides::default(), &short).is_err());
        let secret = env(&[("RAPD_CONTROL_ADMIN_TOKEN", "sixteen-chars-secret")]);
        let c = Config::resolve(&Overrides::default(), &secret).unwrap();
        assert!(
            !format!("{c:#?}").contains("sixteen-chars-secret"),
            "never printed"
        );
    }
}
