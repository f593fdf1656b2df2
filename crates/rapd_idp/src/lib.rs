//! A local Entra-compatible identity provider on the development issuer, so code written for
//! Microsoft Entra ID (MSAL, azure-identity, @azure/identity) gets tokens from rapd with only
//! its authority changed.
//!
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`, `GET /adfs/.well-known/openid-configuration`
//! - `POST /{tenant}/oauth2/v2.0/token`, `POST /adfs/oauth2/token`: client credentials,
//!   password, device code (both `grant_type` spellings) and refresh tokens
//! - `POST /{tenant}/oauth2/v2.0/devicecode`, `POST /adfs/oauth2/devicecode`, and the
//!   approval page `GET|POST /devicelogin`
//! - `GET /{tenant}/discovery/v2.0/keys` (the development issuer's JWKS), `GET /common/userrealm/{upn}`
//! - managed identity: `GET /msi/token` (App Service) and `GET /metadata/identity/oauth2/token`
//!   (IMDS)
//!
//! Errors are OAuth-shaped (`error`, `error_description` with an AADSTS code), never Graph's.
//! Secrets, passwords, codes and tokens are never logged. The server mounts [`router`] while the
//! development issuer is on; this crate knows nothing of the server's state.
//!
//! ## Map
//!
//! The development identity provider (`lib.rs`: its state and router; OpenID
//! documents and keys in `discovery.rs`, the token endpoint's grants in `token.rs` and
//! `token_response.rs`, device codes and `/devicelogin` in `device_code.rs`, managed identity in
//! `managed_identity.rs`, dev users and apps in `directory.rs`, the back-off after wrong passwords
//! and client secrets in `lockout.rs`, Entra-shaped errors in `oauth_error.rs`; what the `#[utoipa::path]` on each handler names in
//! `described.rs`, so each route is registered with its description). Its own state, built by the server from the development issuer, the clock and
//! two settings; it knows nothing of the server's. Key types: `IdentityProvider`, `IdentityConfig`,
//! `DevUser`, `DevApp`, `OAuthError`, `router`.

mod described;
mod device_code;
mod directory;
mod discovery;
mod form;
mod lockout;
mod managed_identity;
mod oauth_error;
mod scopes;
mod tenant;
mod token;
mod token_response;

pub use described::TAG;
pub use device_code::{DeviceCodes, MAX_DEVICE_CODES_PER_CLIENT, MAX_PENDING_DEVICE_CODES};
pub use directory::{DEFAULT_APP_SECRET, DEFAULT_USER_PASSWORD, DevApp, DevUser, IdentityConfig};
pub use lockout::{FIRST_LOCKOUT_SECS, LOCKOUT_THRESHOLD, MAX_LOCKOUT_SECS};
pub use oauth_error::OAuthError;
pub use token_response::RefreshTokens;

use std::sync::Arc;

use http::HeaderMap;
use rapd_auth::DevIssuer;
use rapd_model::Clock;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::lockout::{Lockouts, Principal};

/// The identity provider's state: who may sign in, the codes and refresh tokens it issued, and
/// what it signs and dates them with. It exists only while the development issuer is on.
pub struct IdentityProvider {
    pub config: IdentityConfig,
    pub device_codes: DeviceCodes,
    pub refresh_tokens: RefreshTokens,
    /// Failed passwords and client secrets, for the back-off.
    lockouts: Lockouts,
    issuer: Arc<DevIssuer>,
    clock: Arc<dyn Clock>,
    /// The largest form body accepted.
    max_body_bytes: usize,
    /// The origin clients reach rapd at, when configured (see [`rapd_http::origin`]).
    public_url: Option<String>,
}

impl IdentityProvider {
    pub fn new(
        config: IdentityConfig,
        issuer: Arc<DevIssuer>,
        clock: Arc<dyn Clock>,
        max_body_bytes: usize,
        public_url: Option<String>,
    ) -> Arc<IdentityProvider> {
        Arc::new(IdentityProvider {
            config,
            device_codes: DeviceCodes::default(),
            refresh_tokens: RefreshTokens::default(),
            lockouts: Lockouts::default(),
            issuer,
            clock,
            max_body_bytes,
            public_url,
        })
    }

    /// The origin of this request's links: the authority clients were given.
    fn origin(&self, headers: &HeaderMap) -> String {
        rapd_http::origin(self.public_url.as_deref(), headers)
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_secs()
    }

    /// Signs a configured user in with a password, unless too many wrong ones locked them out.
    fn sign_in(&self, username: &str, password: &str) -> Result<&DevUser, OAuthError> {
        let user = self
            .config
            .user(username)
            .ok_or_else(OAuthError::invalid_credentials)?;
        let who = Principal::User(user.username.to_ascii_lowercase());
        self.lockouts
            .attempt(who, self.now(), || self.config.sign_in(username, password))
    }

    /// Checks the client secret `app` was sent (`required` for confidential flows), unless too
    /// many wrong ones locked the client out. A missing secret is not a failed one.
    fn authenticate_client(
        &self,
        app: &DevApp,
        secret: Option<&str>,
        required: bool,
    ) -> Result<(), OAuthError> {
        match secret {
            None => app.authenticate(None, required),
            Some(_) => self
                .lockouts
                .attempt(Principal::Client(app.client_id), self.now(), || {
                    app.authenticate(secret, required)
                }),
        }
    }
}

/// Every route of the identity provider, for any application state `S`, with its description:
/// each route is registered together with the `#[utoipa::path]` of its handler. The first
/// segment of these paths is a tenant; the router names it `version`, as the Graph routes it
/// shares a position with (one router cannot give one position two names), and the document
/// `tenant`.
pub fn router<S: Clone + Send + Sync + 'static>(idp: Arc<IdentityProvider>) -> OpenApiRouter<S> {
    let mut router = OpenApiRouter::default()
        .routes(routes!(discovery::get_openid_configuration))
        .routes(routes!(discovery::get_adfs_openid_configuration))
        .routes(routes!(token::post_token))
        .routes(routes!(token::post_adfs_token))
        .routes(routes!(device_code::post_device_code))
        .routes(routes!(device_code::post_adfs_device_code))
        .routes(routes!(discovery::get_keys))
        .routes(routes!(discovery::get_user_realm))
        .routes(routes!(
            device_code::get_device_login,
            device_code::post_device_login
        ))
        .routes(routes!(managed_identity::get_app_service_token))
        .routes(routes!(managed_identity::get_imds_token))
        .routes(routes!(managed_identity::get_imds_token_slash))
        .with_state(idp);
    described::tenant_named(router.get_openapi_mut());
    router
}
