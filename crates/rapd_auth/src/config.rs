//! What an operator configures: external OIDC issuers, where their keys come from, and how
//! those keys are fetched.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use url::{Host, Url};
use uuid::Uuid;

/// An external OIDC issuer whose access tokens rapd accepts, such as Microsoft Entra ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerConfig {
    /// The exact `iss`, or a template holding `{tenantid}` once, where a token's `tid` goes
    /// (Entra's multi-tenant form: `https://login.microsoftonline.com/{tenantid}/v2.0`).
    pub issuer: String,
    /// Where the issuer's signing keys come from.
    pub jwks: JwksSource,
    /// Accepted `aud` values, compared exactly (a string, or any member of an array).
    pub audiences: Vec<String>,
    /// `"1.0"` or `"2.0"`: the `ver` claim must equal it (Entra's v1 and v2 formats have their
    /// own issuers and must not be mixed). `None`: any `ver`, or none.
    pub token_version: Option<String>,
    /// If set, only these tenants (`tid`); a token of any other tenant is refused (401).
    pub tenants: Option<Vec<Uuid>>,
    /// Accepted header `typ` values, compared ignoring ASCII case and an `application/` prefix;
    /// empty means `JWT` (what Entra writes) and `at+jwt` (RFC 9068).
    pub token_types: Vec<String>,
}

/// Where an issuer's JWKS is read from. Only these configured URLs are ever fetched; each must
/// be `https`, or `http` to a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// The JWKS document itself.
    JwksUri(String),
    /// An OIDC discovery document; its `jwks_uri` is fetched next, and its `issuer` must equal
    /// the configured issuer (OpenID Connect Discovery 1.0 §4.3).
    Discovery(String),
}

/// How JWKS documents are fetched and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksSettings {
    /// At most one refresh per issuer in this interval, however many unknown `kid`s arrive.
    pub min_refresh_interval: Duration,
    /// Limit on one whole refresh (discovery and JWKS together), connection included.
    pub fetch_timeout: Duration,
    /// Largest document accepted, enforced while the body streams in.
    pub max_bytes: usize,
    /// Keys older than this are refreshed on the next unknown `kid`, or in the background when
    /// a token signed by them is verified.
    pub max_age: Duration,
}

impl Default for JwksSettings {
    fn default() -> Self {
        JwksSettings {
            min_refresh_interval: Duration::from_secs(300),
            fetch_timeout: Duration::from_secs(5),
            max_bytes: 1024 * 1024,
            max_age: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Everything a [`crate::Verifier`] trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Whether the development issuer handed to [`crate::Verifier::from_config`] is trusted.
    pub dev_issuer_trusted: bool,
    pub issuers: Vec<IssuerConfig>,
    pub jwks: JwksSettings,
}

/// A configuration that cannot work as written; [`VerifierConfig::validate`] names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("issuer {issuer:?}: {reason}")]
    Issuer {
        issuer: String,
        reason: &'static str,
    },
    #[error("issuer {issuer:?}: {url:?} must be an https URL (http only to a loopback host)")]
    Url { issuer: String, url: String },
    #[error("JWKS settings: {0}")]
    Jwks(&'static str),
}

impl VerifierConfig {
    /// Checks what can be checked without the network. [`crate::Verifier::from_config`] leaves
    /// out (and logs) every issuer this refuses, so a binary should call it first and stop.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let j = &self.jwks;
        if j.min_refresh_interval.is_zero() || j.fetch_timeout.is_zero() || j.max_age.is_zero() {
            return Err(ConfigError::Jwks("intervals and timeouts must be positive"));
        }
        if j.max_bytes == 0 {
            return Err(ConfigError::Jwks("max_bytes must be positive"));
        }
        let mut seen = HashSet::new();
        for issuer in &self.issuers {
            issuer.validate()?;
            if !seen.insert(issuer.issuer.as_str()) {
                return Err(issuer.error("configured twice"));
            }
        }
        Ok(())
    }
}

impl IssuerConfig {
    /// Checks this issuer alone; see [`VerifierConfig::validate`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.issuer.is_empty() {
            return Err(self.error("issuer is empty"));
        }
        if self.issuer.matches("{tenantid}").count() > 1 {
            return Err(self.error("{tenantid} may appear only once"));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(String::is_empty) {
            return Err(self.error("audiences must be non-empty strings"));
        }
        if let Some(v) = &self.token_version
            && v != "1.0"
            && v != "2.0"
        {
            return Err(self.error("token_version must be \"1.0\" or \"2.0\""));
        }
        if self.tenants.as_ref().is_some_and(Vec::is_empty) {
            return Err(self.error("an empty tenant allow-list refuses every token"));
        }
        if self.token_types.iter().any(|t| t.trim().is_empty()) {
            return Err(self.error("token_types must be non-empty strings"));
        }
        let url = match &self.jwks {
            JwksSource::JwksUri(url) | JwksSource::Discovery(url) => url,
        };
        if !url_allowed(url) {
            return Err(ConfigError::Url {
                issuer: self.issuer.clone(),
                url: url.clone(),
            });
        }
        Ok(())
    }

    fn error(&self, reason: &'static str) -> ConfigError {
        ConfigError::Issuer {
            issuer: self.issuer.clone(),
            reason,
        }
    }
}

/// `https`, or `http` to a loopback host (the only place a test or sidecar issuer lives).
pub fn url_allowed(url: &str) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://login.microsoftonline.com/common/discovery/v2.0/keys",
            "http://127.0.0.1:8080/keys",
            "http://127.9.9.9/keys",
            "http://[::1]:1/keys",
            "http://localhost/keys",
            "http://LOCALHOST/keys",
        ] {
            assert!(url_allowed(ok), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com/keys",
            "http://10.0.0.1/keys",
            "http://localhost.evil.example/keys",
            "ftp://127.0.0.1/keys",
            "file:///etc/passwd",
            "keys",
            "",
        ] {
            assert!(!url_allowed(bad), "{bad}");
        }
    }
}
