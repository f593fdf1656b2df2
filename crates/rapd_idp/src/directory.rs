//! Development users and applications: who may sign in to the identity provider.

use rapd_auth::{
    DEV_APP, DEV_TENANT, DEV_USER, PLACEHOLDER_NAME, PLACEHOLDER_UPN, SCOPE_READ_WRITE,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::OAuthError;

/// The development user's password when none is configured.
pub const DEFAULT_USER_PASSWORD: &str = "rapd-dev-password";
/// The development app's client secret when none is configured.
pub const DEFAULT_APP_SECRET: &str = "rapd-dev-secret";

/// A user who can sign in with a password or approve a device code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevUser {
    /// The sign-in name (`upn`, `preferred_username`).
    pub username: String,
    pub password: String,
    pub object_id: Uuid,
    /// The user's home tenant, used when the authority names no tenant id.
    pub tenant: Uuid,
    pub display_name: String,
}

/// A registered application (client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevApp {
    pub client_id: Uuid,
    /// Required for client credentials; when given with a user flow it must match.
    pub secret: Option<String>,
    /// Application permissions (`roles`) of its app-only tokens.
    pub roles: Vec<String>,
    /// Delegated permissions granted when a user flow asks for `.default` or for no Graph scope.
    pub scopes: Vec<String>,
}

/// Settings of the identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    pub users: Vec<DevUser>,
    pub apps: Vec<DevApp>,
    /// Approve every device code for the first user on the client's second poll (tests).
    pub device_code_auto_approve: bool,
    /// How often device-code clients are told to poll.
    pub device_code_interval_secs: u64,
    /// Lifetime of a device code.
    pub device_code_ttl_secs: u64,
    /// Lifetime of access tokens and id tokens.
    pub access_token_ttl_secs: u64,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl_secs: u64,
}

impl Default for IdentityConfig {
    fn default() -> IdentityConfig {
        IdentityConfig {
            users: vec![DevUser::development()],
            apps: vec![DevApp::development()],
            device_code_auto_approve: false,
            device_code_interval_secs: 5,
            device_code_ttl_secs: 900,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 24 * 3600,
        }
    }
}

impl DevUser {
    /// `dev@rapd.localhost`, the user of `rapd token`'s delegated tokens.
    pub fn development() -> DevUser {
        DevUser {
            username: PLACEHOLDER_UPN.to_owned(),
            password: DEFAULT_USER_PASSWORD.to_owned(),
            object_id: DEV_USER,
            tenant: DEV_TENANT,
            display_name: PLACEHOLDER_NAME.to_owned(),
        }
    }
}

impl DevApp {
    /// The development app: the client id of `rapd token`'s tokens.
    pub fn development() -> DevApp {
        DevApp {
            client_id: DEV_APP,
            secret: Some(DEFAULT_APP_SECRET.to_owned()),
            roles: vec![SCOPE_READ_WRITE.to_owned()],
            scopes: vec![SCOPE_READ_WRITE.to_owned()],
        }
    }

    /// Checks a client secret; `required` for confidential flows.
    pub fn authenticate(&self, given: Option<&str>, required: bool) -> Result<(), OAuthError> {
        match (given, &self.secret) {
            (None, _) if required => Err(OAuthError::missing_client_secret()),
            (None, _) => Ok(()),
            (Some(given), Some(secret)) if same_secret(given, secret) => Ok(()),
            (Some(_), _) => Err(OAuthError::invalid_client_secret(self.client_id)),
        }
    }
}

impl IdentityConfig {
    /// The app registered as `client_id`.
    pub fn app(&self, client_id: &str) -> Result<&DevApp, OAuthError> {
        Uuid::parse_str(client_id)
            .ok()
            .and_then(|id| self.apps.iter().find(|a| a.client_id == id))
            .ok_or_else(|| OAuthError::unknown_client(client_id))
    }

    /// The user signing in as `username` with `password`.
    pub fn sign_in(&self, username: &str, password: &str) -> Result<&DevUser, OAuthError> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .filter(|u| same_secret(password, &u.password))
            .ok_or_else(OAuthError::invalid_credentials)
    }

    pub fn user(&self, username: &str) -> Option<&DevUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}

/// Compares digests, so the time taken says nothing about how much of a secret matched.
fn same_secret(given: &str, expected: &str) -> bool {
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}
