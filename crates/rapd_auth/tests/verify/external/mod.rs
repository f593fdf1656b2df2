//! External OIDC issuers (an Entra-like issuer served by `JwksServer`): every token case of
//! reliability.md J6–J42 that applies to them, key binding, the JWKS cache and its refresh,
//! and unsafe JWKS answers (A27).

mod binding;
mod claims;
mod forgery;
mod refresh;
mod unsafe_fetch;
mod valid;

use std::{sync::Arc, time::Duration};

use rapd_auth::testing::{EntraVersion, JwksServer, Principal, TestKey, entra_claims};
use rapd_auth::{
    AuthError, Caller, JwksSettings, JwksSource, SCOPE_READ_WRITE, Verifier, VerifierConfig,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::NOW;

/// The API the test issuer's tokens are for.
pub const API: &str = "api://rapd-test";
pub const TA: Uuid = Uuid::from_u128(0x1a2b3c4d_0000_4000_8000_00000000000a);
pub const TB: Uuid = Uuid::from_u128(0x1b2c3d4e_0000_4000_8000_00000000000b);
pub const RSA_KID: &str = "rsa-1";
pub const EC_KID: &str = "ec-1";
/// The refresh interval of these tests, on the injected clock.
pub const INTERVAL: i64 = 60;

pub fn settings() -> JwksSettings {
    JwksSettings {
        min_refresh_interval: Duration::from_secs(INTERVAL as u64),
        fetch_timeout: Duration::from_secs(3),
        ..JwksSettings::default()
    }
}

/// A running issuer with one RSA and one P-256 key, and a verifier that trusts it alone.
pub struct Ext {
    pub version: EntraVersion,
    pub server: JwksServer,
    pub rsa: TestKey,
    pub ec: TestKey,
    pub verifier: Verifier,
}

impl Ext {
    /// Keys published as Entra does: v2 keys carry the `{tenantid}` issuer, v1 keys none.
    pub async fn start(version: EntraVersion) -> Ext {
        Ext::start_with(version, |_| {}).await
    }

    pub async fn start_with(version: EntraVersion, edit: impl FnOnce(&mut VerifierConfig)) -> Ext {
        let server = JwksServer::start().await;
        let (rsa, ec) = (TestKey::rsa(), TestKey::es256());
        let key_issuer = (version == EntraVersion::V2).then(|| version.issuer_template());
        server.set_keys(vec![
            rsa.jwk(RSA_KID, key_issuer),
            ec.jwk(EC_KID, key_issuer),
        ]);
        let mut config = VerifierConfig {
            dev_issuer_trusted: false,
            issuers: vec![version.issuer_config(JwksSource::JwksUri(server.jwks_uri()), &[API])],
            jwks: settings(),
        };
        edit(&mut config);
        let verifier = Verifier::from_config(None, config).await;
        Ext {
            version,
            server,
            rsa,
            ec,
            verifier,
        }
    }

    /// Both keys with their kids, for tests that run once per algorithm.
    pub fn keys(&self) -> [(&TestKey, &'static str); 2] {
        [(&self.rsa, RSA_KID), (&self.ec, EC_KID)]
    }

    /// A delegated read-write token's claims for tenant `TA`.
    pub fn claims(&self) -> Value {
        entra_claims(
            TA,
            self.version,
            API,
            Principal::User(&[SCOPE_READ_WRITE]),
            NOW,
        )
    }

    pub fn header(key: &TestKey, kid: &str) -> Value {
        json!({"typ": "JWT", "alg": key.alg(), "kid": kid})
    }

    /// A valid token signed with `key`.
    pub fn token(&self, key: &TestKey, kid: &str) -> String {
        key.sign(&Ext::header(key, kid), &self.claims().to_string())
    }

    pub fn with_claims(
        &self,
        key: &TestKey,
        kid: &str,
        edit: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let mut claims = self.claims();
        edit(claims.as_object_mut().unwrap());
        key.sign(&Ext::header(key, kid), &claims.to_string())
    }

    pub fn with_header(
        &self,
        key: &TestKey,
        kid: &str,
        edit: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let mut header = Ext::header(key, kid);
        edit(header.as_object_mut().unwrap());
        key.sign(&header, &self.claims().to_string())
    }

    pub async fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        self.verifier
            .verify(token, NOW)
            .await
            .map(Arc::unwrap_or_clone)
    }

    pub async fn err(&self, token: &str) -> AuthError {
        self.verify(token).await.unwrap_err()
    }
}

/// Both token versions, for tests that run once per format.
pub const VERSIONS: [EntraVersion; 2] = [EntraVersion::V1, EntraVersion::V2];
