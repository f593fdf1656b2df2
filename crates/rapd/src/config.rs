//! Configuration: defaults < TOML file < `RAPD_*` environment < command-line flags.
//! The only place that reads the environment. `docs/configuration.md` lists every key.
//!
//! [`sections`] holds the types of the file's sections, [`env`] the table of `RAPD_*` variables
//! and the parsers of their values; this file the whole [`Config`], its layering and its checks.
//!
//! Hand-written rather than through a layering crate: the file's keys are the serde types of
//! [`sections`] and the variables one table in [`env`], and `tests.rs` checks both lists against
//! `docs/configuration.md` in both directions, so no key can be parsed and not documented, or
//! documented and not parsed; the layering itself is the thirty lines of [`Config::resolve`].

mod env;
mod sections;
#[cfg(test)]
mod tests;

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

pub use sections::*;

/// The variables besides `RAPD_*` that the default data directory is found from.
const DATA_HOME_VARS: [&str; 2] = ["XDG_DATA_HOME", "HOME"];

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
    pub body_read_timeout_secs: u64,
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
    pub console: Console,
    pub tls: Tls,
    pub idp: Idp,
    /// Development users, beside the built-in one and those `rapd user add` wrote.
    pub dev_users: Vec<DevUser>,
    /// Development apps, beside the built-in one and those `rapd app add` wrote.
    pub dev_apps: Vec<DevApp>,
    pub log: String,
    pub log_format: LogFormat,
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
    /// Serve `/metrics` (Prometheus) and count requests for it.
    pub metrics: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            profile: Profile::Development,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            // Empty: unset, so `resolve` puts the per-user default in its place.
            data_dir: PathBuf::new(),
            public_url: None,
            onboarding_ttl_secs: 3600,
            max_body_bytes: 64 * 1024,
            max_concurrent_requests: 1024,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 10,
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
            console: Console::default(),
            tls: Tls::default(),
            idp: Idp::default(),
            dev_users: Vec::new(),
            dev_apps: Vec::new(),
            log: "info".into(),
            log_format: LogFormat::Text,
            database_url: None,
            database_pool_size: 16,
            database_acquire_timeout_ms: 5000,
            database_statement_timeout_ms: 5000,
            redis_url: None,
            redis_key_prefix: "rapd".into(),
            metrics: true,
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
            .filter(|(k, _)| k.starts_with("RAPD_") || DATA_HOME_VARS.contains(&k.as_str()))
            .collect();
        Config::resolve(overrides, &env)
    }

    /// The layering itself, from an explicit environment so it can be tested. Of the variables
    /// not named `RAPD_*`, only `XDG_DATA_HOME` and `HOME` are read: for the default data
    /// directory.
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
        for (key, value) in env.iter().filter(|(k, _)| k.starts_with("RAPD_")) {
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
        if config.data_dir.as_os_str().is_empty() {
            let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
            config.data_dir = env::default_location(var("XDG_DATA_HOME"), var("HOME")).context(
                "no data directory: neither XDG_DATA_HOME nor HOME is set; give --data-dir \
                     or RAPD_DATA_DIR",
            )?;
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

    /// A copy safe to print: passwords in URLs replaced by `***`.
    pub fn redacted(&self) -> Config {
        const HIDDEN: &str = "<redacted>";
        let hide = |url: &Option<String>| url.as_deref().map(env::redact_password);
        let mut shown = Config {
            database_url: hide(&self.database_url),
            redis_url: hide(&self.redis_url),
            ..self.clone()
        };
        if shown.control.admin_token.is_some() {
            shown.control.admin_token = Some(HIDDEN.into());
        }
        if shown.console.client_secret.is_some() {
            shown.console.client_secret = Some(HIDDEN.into());
        }
        for user in &mut shown.dev_users {
            user.password = HIDDEN.into();
        }
        for app in shown.dev_apps.iter_mut().filter(|a| a.secret.is_some()) {
            app.secret = Some(HIDDEN.into());
        }
        shown
    }

    /// The console's sign-in at the operator's issuer, when `console.client_id` is set: its
    /// discovery document (given, or the first issuer's) and its redirect URI under `public_url`.
    pub fn console_sign_in(&self) -> anyhow::Result<Option<rapd_server::OidcSettings>> {
        let c = &self.console;
        let Some(client_id) = &c.client_id else {
            return Ok(None);
        };
        let Some(public_url) = &self.public_url else {
            bail!(
                "console.client_id needs public_url: the issuer sends users back to \
                 <public_url>/console/callback, which must be registered with it"
            );
        };
        let discovery_url = c
            .discovery_url
            .clone()
            .or_else(|| self.issuers.iter().find_map(|i| i.discovery_url.clone()))
            .context("console.client_id needs console.discovery_url (or an [[issuers]] entry with discovery_url)")?;
        if !rapd_auth::url_allowed(&discovery_url) {
            bail!(
                "console.discovery_url must be https (http only to a loopback host), not {discovery_url:?}"
            );
        }
        Ok(Some(rapd_server::OidcSettings {
            discovery_url,
            client_id: client_id.clone(),
            client_secret: c.client_secret.clone(),
            redirect_uri: format!("{}/console/callback", public_url.trim_end_matches('/')),
            scopes: c.scopes.clone(),
        }))
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
            ("body_read_timeout_secs", self.body_read_timeout_secs),
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
            env::database_url(url)?;
        }
        if let Some(url) = &self.redis_url {
            env::redis_url(url)?;
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
        self.console_sign_in()?;
        if !self.dev_issuer_enabled() && self.issuers.is_empty() {
            bail!("no token issuer: enable dev_issuer or configure at least one [[issuers]] entry");
        }
        Ok(())
    }
}
