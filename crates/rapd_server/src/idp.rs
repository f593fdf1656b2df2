//! A local Entra-compatible identity provider on the development issuer, so code written for
//! Microsoft Entra ID (MSAL, azure-identity, @azure/identity) gets tokens from rapd with only
//! its authority changed.
//!
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`, `GET /adfs/.well-known/openid-configuration`
//! - `POST /{tenant}/oauth2/v2.0/token`, `POST /adfs/oauth2/token`: client credentials,
//!   password, device code (both `grant_type` spellings) and refresh tokens
//! - `POST /{tenant}/oauth2/v2.0/devicecode`, `POST /adfs/oauth2/devicecode`, and the
//!   approval page `GET|POST /devicelogin`
//! - `GET /{tenant}/discovery/v2.0/keys`, `GET /common/userrealm/{upn}`
//! - managed identity: `GET /msi/token` (App Service) and `GET /metadata/identity/oauth2/token`
//!   (IMDS)
//!
//! Errors are OAuth-shaped (`error`, `error_description` with an AADSTS code), never Graph's.
//! Secrets, passwords, codes and tokens are never logged.

pub mod device_code;
pub mod directory;
mod discovery;
mod form;
mod managed_identity;
mod oauth_error;
mod scopes;
mod tenant;
mod token;
mod token_response;

pub use device_code::{
    DeviceCodes, get_device_login, post_adfs_device_code, post_device_code, post_device_login,
};
pub use directory::{DevApp, DevUser, IdentityConfig};
pub use discovery::{get_adfs_openid_configuration, get_openid_configuration, get_user_realm};
pub use managed_identity::{get_app_service_token, get_imds_token};
pub use oauth_error::OAuthError;
pub use token::{post_adfs_token, post_token};
pub use token_response::RefreshTokens;

use std::sync::Arc;

/// The identity provider's state: who may sign in, and the codes and refresh tokens it issued.
#[derive(Debug)]
pub struct IdentityProvider {
    pub config: IdentityConfig,
    pub device_codes: DeviceCodes,
    pub refresh_tokens: RefreshTokens,
}

impl IdentityProvider {
    pub fn new(config: IdentityConfig) -> Arc<IdentityProvider> {
        Arc::new(IdentityProvider {
            config,
            device_codes: DeviceCodes::default(),
            refresh_tokens: RefreshTokens::default(),
        })
    }
}
