//! The sections of the configuration file, each with its defaults.

use std::{net::SocketAddr, path::PathBuf};

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

/// How log lines are written on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One line of text per event, coloured only on a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
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

/// The console's sign-in at the operator's issuer (OpenID Connect, authorization code with
/// PKCE). With `client_id` set the console is served, in any profile, and users sign in there;
/// unset, it is served only in development, with the development sign-in.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Console {
    /// The console's application (client) id at the issuer; unset: no issuer sign-in.
    pub client_id: Option<String>,
    /// Its secret (a confidential client); unset: a public client, PKCE only.
    pub client_secret: Option<String>,
    /// The issuer's OIDC discovery document; unset: the first `[[issuers]]` entry's.
    pub discovery_url: Option<String>,
    /// Scopes asked for besides `openid profile`.
    pub scopes: Vec<String>,
}

/// Shows whether a secret is configured, never the secret.
impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("discovery_url", &self.discovery_url)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Default for Console {
    fn default() -> Console {
        Console {
            client_id: None,
            client_secret: None,
            discovery_url: None,
            scopes: vec![
                "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All".into(),
                "https://graph.microsoft.com/DeviceManagementApps.Read.All".into(),
            ],
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
