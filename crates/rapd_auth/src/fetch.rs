//! The crate's only network I/O: GET of configured JWKS and discovery URLs, defensively
//! (reliability.md A20, A27): no redirects, a total time limit, a size cap enforced while the
//! body streams in, and nothing but 200 accepted.

use std::time::Duration;

use reqwest::header::ACCEPT;
use serde_json::Value;

use crate::config::{JwksSettings, JwksSource, url_allowed};
use rapd_model::strict_json;

/// Why a refresh failed. Holds configured URLs at most, never token material.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("{0:?} is not https (http is allowed only to a loopback host)")]
    InsecureUrl(String),
    #[error("the HTTP client could not be built")]
    NoClient,
    #[error("request failed: {0}")]
    Http(#[source] reqwest::Error),
    #[error("answered HTTP {0} (redirects are not followed)")]
    Status(u16),
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    #[error("no complete answer within {0:?}")]
    Timeout(Duration),
    #[error("discovery document: {0}")]
    Discovery(&'static str),
}

/// Fetches key sets for every issuer of one verifier; one connection pool.
pub(crate) struct Fetcher {
    client: Option<reqwest::Client>,
    pub(crate) settings: JwksSettings,
}

impl Fetcher {
    pub(crate) fn new(settings: JwksSettings) -> Fetcher {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.fetch_timeout)
            .connect_timeout(settings.fetch_timeout)
            .user_agent(concat!("rapd/", env!("CARGO_PKG_VERSION")))
            .build();
        let client = match client {
            Ok(client) => Some(client),
            Err(e) => {
                tracing::error!(error = %e, "cannot build the JWKS HTTP client; external issuers get no keys");
                None
            }
        };
        Fetcher { client, settings }
    }

    /// The raw JWKS document of `source`; with discovery, `issuer` must be the document's own.
    pub(crate) async fn jwks(
        &self,
        source: &JwksSource,
        issuer: &str,
    ) -> Result<Vec<u8>, FetchError> {
        let limit = self.settings.fetch_timeout;
        let fetch = async {
            match source {
                JwksSource::JwksUri(url) => self.get(url).await,
                JwksSource::Discovery(url) => {
                    let document = self.get(url).await?;
                    let jwks_uri = jwks_uri(&document, issuer)?;
                    self.get(&jwks_uri).await
                }
            }
        };
        tokio::time::timeout(limit, fetch)
            .await
            .unwrap_or(Err(FetchError::Timeout(limit)))
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if !url_allowed(url) {
            return Err(FetchError::InsecureUrl(url.to_owned()));
        }
        let client = self.client.as_ref().ok_or(FetchError::NoClient)?;
        let mut response = client
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(FetchError::Http)?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let max = self.settings.max_bytes;
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Http)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The `jwks_uri` of a discovery document that belongs to `issuer`.
fn jwks_uri(document: &[u8], issuer: &str) -> Result<String, FetchError> {
    let mut doc =
        strict_json::parse_object(document).ok_or(FetchError::Discovery("not one JSON object"))?;
    match doc.get("issuer") {
        Some(Value::String(published)) if published == issuer => {}
        _ => {
            return Err(FetchError::Discovery(
                "its issuer is not the configured issuer",
            ));
        }
    }
    match doc.remove("jwks_uri") {
        Some(Value::String(uri)) if url_allowed(&uri) => Ok(uri),
        Some(Value::String(uri)) => Err(FetchError::InsecureUrl(uri)),
        _ => Err(FetchError::Discovery("jwks_uri missing or not a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_must_name_the_issuer() {
        let issuer = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let doc = |iss: &str, uri: &str| {
            serde_json::json!({"issuer": iss, "jwks_uri": uri})
                .to_string()
                .into_bytes()
        };
        let uri = "https://login.microsoftonline.com/common/discovery/v2.0/keys";
        assert_eq!(jwks_uri(&doc(issuer, uri), issuer).unwrap(), uri);
        assert!(jwks_uri(&doc("https://evil.example/", uri), issuer).is_err());
        assert!(jwks_uri(&doc(issuer, "http://evil.example/keys"), issuer).is_err());
        assert!(jwks_uri(br#"{"issuer":1}"#, issuer).is_err());
        assert!(jwks_uri(b"not json", issuer).is_err());
    }
}
