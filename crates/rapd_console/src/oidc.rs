//! The production sign-in's client side: OpenID Connect authorization code flow with PKCE
//! (RFC 7636, `S256`) against the operator's issuer, as a confidential client when a secret is
//! configured and a public one otherwise.
//!
//! - The issuer's discovery document is fetched on the first sign-in (not at start, so rapd
//!   starts while the issuer is down) and kept once it was good.
//! - Every URL is `https`, or `http` to a loopback host (as the token verifier's); redirects are
//!   never followed; each call has a time limit and the answers a size cap.
//! - A sign-in in flight is a [`Pending`]: `state`, `nonce` and the PKCE verifier, random, kept on
//!   the server under a random id that only the browser's short-lived cookie knows. The callback
//!   must bring back the same `state`; the token endpoint checks the verifier; the ID token must
//!   name this client and carry the same `nonce`. The ID token comes straight from the token
//!   endpoint over TLS, so its signature is not checked again (OpenID Connect Core §3.1.3.7);
//!   the access token is verified as every Graph call's is, by the caller of [`Oidc::finish`].
//! - Neither codes nor tokens nor the secret are ever logged or shown.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::{
    ConsoleError,
    session::{insert_bounded, random_token},
};

/// How long a sign-in may take at the issuer.
pub const PENDING_TTL_SECS: i64 = 600;
/// Sign-ins in flight kept at most; past it the oldest go.
const MAX_PENDING: usize = 10_000;
/// The longest wait for the issuer's discovery document or token endpoint.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the issuer.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The console's registration at the operator's issuer.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer's OIDC discovery document.
    pub discovery_url: String,
    pub client_id: String,
    /// Unset: a public client (PKCE only).
    pub client_secret: Option<String>,
    /// `{public_url}/console/callback`, registered at the issuer.
    pub redirect_uri: String,
    /// Asked for besides `openid profile`: the Graph permissions the console's pages use.
    pub scopes: Vec<String>,
}

/// Never shows the secret.
impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("discovery_url", &self.discovery_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The endpoints the discovery document names.
#[derive(Debug, Deserialize)]
struct Provider {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
}

/// A sign-in sent to the issuer and not yet back.
pub struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    expires_at: i64,
}

/// What a finished sign-in brings back.
pub struct SignedInTokens {
    pub access_token: String,
    /// `preferred_username` (or `upn`, `email`) of the ID token.
    pub username: Option<String>,
    /// `name` of the ID token.
    pub name: Option<String>,
}

pub struct Oidc {
    settings: OidcSettings,
    http: Option<reqwest::Client>,
    provider: OnceCell<Provider>,
    pending: Mutex<HashMap<String, Pending>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Oidc {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .user_agent(concat!("rapd-console/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| tracing::error!(error = %e, "console: no HTTP client for sign-in"))
            .ok();
        Oidc {
            settings,
            http,
            provider: OnceCell::new(),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Whether users reach the console over https (its redirect URI is): its cookies are then
    /// `Secure`, also behind a proxy that ends TLS.
    pub fn over_https(&self) -> bool {
        self.settings.redirect_uri.starts_with("https://")
    }

    /// Starts a sign-in: the id of its [`Pending`] (for the browser's cookie) and the issuer's
    /// authorization URL to send the browser to.
    pub async fn start(&self, now: i64) -> Result<(String, String), ConsoleError> {
        let provider = self.provider().await?;
        let pending = Pending {
            state: random_token(),
            nonce: random_token(),
            verifier: random_token(),
            expires_at: now + PENDING_TTL_SECS,
        };
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
        let scope = ["openid", "profile"]
            .into_iter()
            .chain(self.settings.scopes.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        let mut url = url::Url::parse(&provider.authorization_endpoint)
            .map_err(|_| sign_in_failed("the issuer's authorization_endpoint is not a URL"))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.settings.redirect_uri)
            .append_pair("scope", &scope)
            .append_pair("state", &pending.state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("response_mode", "query");
        let id = random_token();
        self.keep(id.clone(), pending, now);
        Ok((id, url.into()))
    }

    /// Finishes the sign-in `id` names: `state` must be its own, then the code is redeemed
    /// with its PKCE verifier and the ID token checked. A pending sign-in is used once.
    pub async fn finish(
        &self,
        id: &str,
        state: &str,
        code: &str,
        now: i64,
    ) -> Result<SignedInTokens, ConsoleError> {
        let pending = self
            .take(id, now)
            .ok_or_else(|| sign_in_failed("the sign-in expired or was already used"))?;
        if Sha256::digest(state.as_bytes()) != Sha256::digest(pending.state.as_bytes()) {
            return Err(sign_in_failed("the answer's state is not this sign-in's"));
        }
        let provider = self.provider().await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.settings.redirect_uri.as_str()),
            ("client_id", self.settings.client_id.as_str()),
            ("code_verifier", pending.verifier.as_str()),
        ];
        if let Some(secret) = &self.settings.client_secret {
            form.push(("client_secret", secret));
        }
        let body = self
            .call(self.client()?.post(&provider.token_endpoint).form(&form))
            .await?;
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| sign_in_failed("the token endpoint's answer has no access_token"))?;
        let id_token = answer
            .id_token
            .as_deref()
            .ok_or_else(|| sign_in_failed("the token endpoint sent no ID token"))?;
        let claims = id_claims(id_token)?;
        claims.check(provider, &self.settings.client_id, &pending.nonce, now)?;
        Ok(SignedInTokens {
            access_token: answer.access_token,
            username: claims.preferred_username.or(claims.upn).or(claims.email),
            name: claims.name,
        })
    }

    /// The live pending sign-in `id`, removed: each is used once.
    fn take(&self, id: &str, now: i64) -> Option<Pending> {
        let mut all = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        all.remove(id).filter(|p| p.expires_at > now)
    }

    fn keep(&self, id: String, pending: Pending, now: i64) {
        let mut all = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        insert_bounded(&mut all, id, pending, MAX_PENDING, now, |p| p.expires_at);
    }

    async fn provider(&self) -> Result<&Provider, ConsoleError> {
        self.provider
            .get_or_try_init(|| async {
                let url = &self.settings.discovery_url;
                let body = self.call(self.client()?.get(url)).await?;
                let provider: Provider = serde_json::from_slice(&body)
                    .map_err(|_| sign_in_failed("the discovery document lacks an endpoint"))?;
                for endpoint in [&provider.authorization_endpoint, &provider.token_endpoint] {
                    if !rapd_auth::url_allowed(endpoint) {
                        return Err(sign_in_failed(
                            "an endpoint of the discovery document is not https",
                        ));
                    }
                }
                Ok(provider)
            })
            .await
    }

    fn client(&self) -> Result<&reqwest::Client, ConsoleError> {
        self.http
            .as_ref()
            .ok_or_else(|| sign_in_failed("no HTTP client"))
    }

    /// Sends `request` and reads a 200 answer of at most [`MAX_ANSWER_BYTES`].
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, ConsoleError> {
        let mut response = request
            .send()
            .await
            .map_err(|e| issuer_unreachable(e.without_url()))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| issuer_unreachable(e.without_url()))?
        {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(sign_in_failed("the issuer's answer is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        if status != reqwest::StatusCode::OK {
            let error: IssuerError = serde_json::from_slice(&body).unwrap_or_default();
            tracing::info!(%status, error = %error.error, "console: the issuer refused the sign-in");
            return Err(sign_in_failed(format!(
                "the issuer answered {status} {}",
                error.error
            )));
        }
        Ok(body)
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    id_token: Option<String>,
}

#[derive(Default, Deserialize)]
struct IssuerError {
    #[serde(default)]
    error: String,
}

#[derive(Deserialize)]
struct IdClaims {
    iss: String,
    #[serde(deserialize_with = "one_or_many")]
    aud: Vec<String>,
    exp: i64,
    nonce: Option<String>,
    tid: Option<String>,
    name: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    email: Option<String>,
}

impl IdClaims {
    fn check(
        &self,
        provider: &Provider,
        client_id: &str,
        nonce: &str,
        now: i64,
    ) -> Result<(), ConsoleError> {
        // Entra's multi-tenant documents name `{tenantid}`, which the token's `tid` fills.
        let issuer = match &self.tid {
            Some(tid) => provider.issuer.replace("{tenantid}", tid),
            None => provider.issuer.clone(),
        };
        if self.iss != issuer {
            return Err(sign_in_failed(
                "the ID token's issuer is not the configured one",
            ));
        }
        if !self.aud.iter().any(|a| a == client_id) {
            return Err(sign_in_failed("the ID token is not for this client"));
        }
        if self.nonce.as_deref() != Some(nonce) {
            return Err(sign_in_failed("the ID token's nonce is not this sign-in's"));
        }
        if self.exp <= now {
            return Err(sign_in_failed("the ID token has expired"));
        }
        Ok(())
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// The claims of a compact JWS, unverified (see the module comment for why that is enough).
fn id_claims(token: &str) -> Result<IdClaims, ConsoleError> {
    let payload = token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .ok_or_else(|| sign_in_failed("the ID token is not a JWT"))?;
    serde_json::from_slice(&payload).map_err(|_| sign_in_failed("the ID token lacks a claim"))
}

fn sign_in_failed(reason: impl Into<String>) -> ConsoleError {
    ConsoleError::SignInFailed(reason.into())
}

fn issuer_unreachable(e: reqwest::Error) -> ConsoleError {
    tracing::warn!(error = %e, "console: the issuer could not be reached");
    sign_in_failed("the issuer could not be reached")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn provider() -> Provider {
        Provider {
            issuer: "https://login.example/{tenantid}/v2.0".into(),
            authorization_endpoint: "https://login.example/authorize".into(),
            token_endpoint: "https://login.example/token".into(),
        }
    }

    fn claims(extra: serde_json::Value) -> IdClaims {
        let mut claims = json!({
            "iss": "https://login.example/t1/v2.0", "aud": "client", "exp": 100,
            "nonce": "n", "tid": "t1",
        });
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(claims).unwrap()
    }

    #[test]
    fn the_id_token_must_be_the_issuers_for_this_client_and_this_sign_in() {
        let p = provider();
        assert!(claims(json!({})).check(&p, "client", "n", 99).is_ok());
        let refused = [
            (claims(json!({"iss": "https://evil/t1/v2.0"})), "n", 99),
            (claims(json!({"aud": ["other"]})), "n", 99),
            (claims(json!({})), "other nonce", 99),
            (claims(json!({"nonce": null})), "n", 99),
            (claims(json!({})), "n", 100),
        ];
        for (c, nonce, now) in refused {
            assert!(c.check(&p, "client", nonce, now).is_err());
        }
    }

    #[test]
    fn a_pending_sign_in_is_used_once_and_expires() {
        let oidc = Oidc::new(OidcSettings {
            discovery_url: "https://login.example/.well-known/openid-configuration".into(),
            client_id: "client".into(),
            client_secret: Some("s3cret".into()),
            redirect_uri: "https://rapd.example/console/callback".into(),
            scopes: vec![],
        });
        assert!(!format!("{:?}", oidc.settings).contains("s3cret"));
        let pending = |expires_at| Pending {
            state: "s".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            expires_at,
        };
        oidc.keep("a".into(), pending(10), 0);
        oidc.keep("b".into(), pending(10), 0);
        assert!(oidc.take("a", 9).is_some());
        assert!(oidc.take("a", 9).is_none(), "used once");
        assert!(oidc.take("b", 10).is_none(), "expired");
    }
}
