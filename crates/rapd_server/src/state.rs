//! What every handler shares: the store, the token verifier, the clock and the settings.

use std::sync::Arc;

use http::{HeaderMap, header};
use rapd_auth::{DevIssuer, Verifier};
use rapd_model::{ApiVersion, Clock};
use rapd_store::PartnerStore;

/// Settings of the HTTP layer, resolved by the binary from defaults, file, environment and flags.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long an onboarding request stays open after `beginOnboarding`.
    pub onboarding_ttl_secs: i64,
    /// The origin clients reach rapd at (`https://rapd.example.com`); links in responses use it.
    /// When unset, links use the request's `Host` header, which suits a local stand-in.
    pub public_url: Option<String>,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            onboarding_ttl_secs: 3600,
            public_url: None,
            max_body_bytes: 64 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn PartnerStore>,
    pub verifier: Arc<Verifier>,
    pub dev_issuer: Option<Arc<DevIssuer>>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ServerConfig>,
}

impl AppState {
    /// The origin links are built on: the configured public URL, else `http://` + `Host`.
    pub fn origin(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.config.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.parse::<http::uri::Authority>().is_ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// `{origin}/{version}`: the service root of one Graph version.
    pub fn service_root(&self, headers: &HeaderMap, version: ApiVersion) -> String {
        format!("{}/{}", self.origin(headers), version.segment())
    }
}
