//! Claims of valid Entra-like access tokens, v1 and v2, for tests to sign and then spoil.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::{IssuerConfig, JwksSource};

/// The client application of test tokens (`appid` / `azp`).
pub const TEST_CLIENT_APP: Uuid = Uuid::from_u128(0x7e57c11e_0000_4000_8000_00000000c11e);
/// The user (or, in app tokens, service principal) object id of test tokens.
pub const TEST_USER: Uuid = Uuid::from_u128(0x7e57a5e2_0000_4000_8000_0000000005e2);

/// Entra's two access-token formats; each has its own issuer and `ver`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntraVersion {
    V1,
    V2,
}

impl EntraVersion {
    /// The multi-tenant issuer template.
    pub fn issuer_template(self) -> &'static str {
        match self {
            EntraVersion::V1 => "https://sts.windows.net/{tenantid}/",
            EntraVersion::V2 => "https://login.microsoftonline.com/{tenantid}/v2.0",
        }
    }

    /// The issuer of `tenant`'s tokens.
    pub fn issuer(self, tenant: Uuid) -> String {
        self.issuer_template()
            .replace("{tenantid}", &tenant.hyphenated().to_string())
    }

    /// The `ver` claim.
    pub fn ver(self) -> &'static str {
        match self {
            EntraVersion::V1 => "1.0",
            EntraVersion::V2 => "2.0",
        }
    }

    /// A multi-tenant issuer of this version accepting `audiences`, keys from `jwks`.
    pub fn issuer_config(self, jwks: JwksSource, audiences: &[&str]) -> IssuerConfig {
        IssuerConfig {
            issuer: self.issuer_template().to_owned(),
            jwks,
            audiences: audiences.iter().map(|a| (*a).to_owned()).collect(),
            token_version: Some(self.ver().to_owned()),
            tenants: None,
            token_types: Vec::new(),
        }
    }
}

/// Who a token is for: a user with delegated scopes (`scp`), or an application with
/// application permissions (`roles`, `idtyp: app`).
#[derive(Debug, Clone, Copy)]
pub enum Principal<'a> {
    User(&'a [&'a str]),
    App(&'a [&'a str]),
}

/// The claims of a valid access token for `audience`, issued at `now` for an hour.
pub fn entra_claims(
    tenant: Uuid,
    version: EntraVersion,
    audience: &str,
    principal: Principal<'_>,
    now: i64,
) -> Value {
    let mut claims = json!({
        "aud": audience,
        "iss": version.issuer(tenant),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": tenant,
        "oid": TEST_USER,
        "sub": "x2lBvCHyHy7xGqTUkrl1NpP7bInWJV0kiwVN8Kg3gKc",
        "ver": version.ver(),
        "uti": "AbCdEfGhIjKlMnOpQrStUv",
        "rh": "0.ARoAv4j5cvGGr0GRqy180BHbR1",
    });
    let c = claims.as_object_mut().expect("an object");
    match version {
        EntraVersion::V1 => {
            c.insert("appid".into(), json!(TEST_CLIENT_APP));
            c.insert("appidacr".into(), json!("1"));
        }
        EntraVersion::V2 => {
            c.insert("azp".into(), json!(TEST_CLIENT_APP));
            c.insert("azpacr".into(), json!("1"));
        }
    }
    match principal {
        Principal::User(scopes) => {
            c.insert("scp".into(), json!(scopes.join(" ")));
            c.insert("idtyp".into(), json!("user"));
            c.insert("name".into(), json!("Test User"));
            let upn = match version {
                EntraVersion::V1 => "upn",
                EntraVersion::V2 => "preferred_username",
            };
            c.insert(upn.into(), json!("test.user@contoso.example"));
        }
        Principal::App(roles) => {
            c.insert("roles".into(), json!(roles));
            c.insert("idtyp".into(), json!("app"));
        }
    }
    claims
}
