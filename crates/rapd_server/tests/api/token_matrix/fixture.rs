//! The matrix's rapd: the development issuer plus Entra-like v1 and v2 issuers on loopback, and
//! a forger that signs whatever header and claims a case needs.

use std::time::Duration;

pub use rapd_auth::testing::EntraVersion;
use rapd_auth::testing::{JwksServer, Principal, TestKey, entra_claims};
use rapd_auth::{CONSUMER_TENANT, JwksSettings, JwksSource, SCOPE_READ_WRITE};
use reqwest::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::app::{TestApp, TestSettings};

pub use super::jose::*;
pub use super::ops::Op;
pub use EntraVersion::{V1, V2};

/// The audience the external issuers are configured with.
pub const API: &str = "api://rapd-token-matrix";
/// Tenants of external tokens.
pub const TA: Uuid = Uuid::from_u128(0x7a7a7a7a_0000_4000_8000_00000000000a);
pub const TB: Uuid = Uuid::from_u128(0x7b7b7b7b_0000_4000_8000_00000000000b);
pub const RSA_KID: &str = "rsa-1";
pub const EC_KID: &str = "ec-1";
/// Published by the v1 issuer only (J23).
pub const V1_ONLY_KID: &str = "v1-only";
/// The RSA key again, for encryption (J24).
pub const ENC_KID: &str = "rsa-enc";
/// The RSA key again, published for RS384 (J24).
pub const RS384_KID: &str = "rsa-rs384";
/// The P-256 key again, published for RS256 (J24).
pub const EC_AS_RSA_KID: &str = "ec-as-rs256";
/// A v2 key bound to the consumer tenant's issuer, as Entra publishes MSA keys (J25).
pub const CONSUMER_KID: &str = "consumer-1";
/// Long, so a refresh the matrix sees is one an unknown `kid` caused (J16, J17).
pub const MIN_REFRESH_SECS: u64 = 3600;

/// Both token formats, for cases that run once per format.
pub const VERSIONS: [EntraVersion; 2] = [V1, V2];
/// Both algorithms, for cases that run once per key.
pub const ALGS: [Alg; 2] = [Alg::Rs256, Alg::Es256];

/// Which of the two keys both external issuers publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Es256,
}

pub struct Matrix {
    pub app: TestApp,
    pub v1: JwksServer,
    pub v2: JwksServer,
    pub rsa: TestKey,
    pub ec: TestKey,
    pub v1_only: TestKey,
    pub consumer: TestKey,
}

impl Matrix {
    pub async fn start() -> Matrix {
        Matrix::with(|_| {}).await
    }

    /// The matrix's rapd with `adjust` applied last (e.g. `s.issuers.remove(0)` leaves v2 alone).
    pub async fn with(adjust: impl FnOnce(&mut TestSettings)) -> Matrix {
        let (v1, v2) = (JwksServer::start().await, JwksServer::start().await);
        let (rsa, ec) = (TestKey::rsa(), TestKey::es256());
        let (v1_only, consumer) = (TestKey::rsa_second(), TestKey::es256());
        for (server, version) in [(&v1, V1), (&v2, V2)] {
            // Entra publishes v2 keys with the `{tenantid}` issuer, v1 keys without one.
            let bound = (version == V2).then(|| version.issuer_template());
            let mut enc = rsa.jwk(ENC_KID, bound);
            enc["use"] = json!("enc");
            let mut rs384 = rsa.jwk(RS384_KID, bound);
            rs384["alg"] = json!("RS384");
            let mut ec_as_rsa = ec.jwk(EC_AS_RSA_KID, bound);
            ec_as_rsa["alg"] = json!("RS256");
            let mut keys = vec![
                rsa.jwk(RSA_KID, bound),
                ec.jwk(EC_KID, bound),
                enc,
                rs384,
                ec_as_rsa,
            ];
            match version {
                V1 => keys.push(v1_only.jwk(V1_ONLY_KID, None)),
                V2 => keys.push(consumer.jwk(CONSUMER_KID, Some(&V2.issuer(CONSUMER_TENANT)))),
            }
            server.set_keys(keys);
        }
        let issuers = vec![
            V1.issuer_config(JwksSource::JwksUri(v1.jwks_uri()), &[API]),
            V2.issuer_config(JwksSource::JwksUri(v2.jwks_uri()), &[API]),
        ];
        let app = TestApp::with(|s| {
            s.issuers = issuers;
            s.jwks = JwksSettings {
                min_refresh_interval: Duration::from_secs(MIN_REFRESH_SECS),
                fetch_timeout: Duration::from_secs(3),
                ..JwksSettings::default()
            };
            adjust(s);
        })
        .await;
        Matrix {
            app,
            v1,
            v2,
            rsa,
            ec,
            v1_only,
            consumer,
        }
    }

    /// The server's clock, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.app.now().unix_secs()
    }

    pub fn key(&self, alg: Alg) -> (&TestKey, &'static str) {
        match alg {
            Alg::Rs256 => (&self.rsa, RSA_KID),
            Alg::Es256 => (&self.ec, EC_KID),
        }
    }

    /// The header Entra writes: `typ: JWT`, the key's algorithm, its `kid`.
    pub fn header(key: &TestKey, kid: &str) -> Value {
        json!({"typ": "JWT", "alg": key.alg(), "kid": kid})
    }

    /// Valid claims of `tenant`'s `principal`, issued now for an hour.
    pub fn claims_of(&self, version: EntraVersion, tenant: Uuid, principal: Principal) -> Value {
        entra_claims(tenant, version, API, principal, self.now())
    }

    /// The baseline: a delegated read-write token's claims for tenant `TA`.
    pub fn claims(&self, version: EntraVersion) -> Value {
        self.claims_of(version, TA, Principal::User(&[SCOPE_READ_WRITE]))
    }

    /// `claims` signed with `alg`'s key under its `kid`.
    pub fn sign(&self, alg: Alg, claims: &Value) -> String {
        let (key, kid) = self.key(alg);
        key.sign(&Matrix::header(key, kid), &claims.to_string())
    }

    /// The baseline token: GET of the list answers 200.
    pub fn token(&self, version: EntraVersion, alg: Alg) -> String {
        self.sign(alg, &self.claims(version))
    }

    /// The baseline token with `edit` applied to its claims.
    pub fn with_claims(
        &self,
        version: EntraVersion,
        alg: Alg,
        edit: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let mut claims = self.claims(version);
        edit(claims.as_object_mut().unwrap());
        self.sign(alg, &claims)
    }

    /// The baseline token with `edit` applied to its header, signed with `alg`'s key.
    pub fn with_header(
        &self,
        version: EntraVersion,
        alg: Alg,
        edit: impl FnOnce(&mut Map<String, Value>),
    ) -> String {
        let (key, kid) = self.key(alg);
        let mut header = Matrix::header(key, kid);
        edit(header.as_object_mut().unwrap());
        key.sign(&header, &self.claims(version).to_string())
    }

    /// A development token of the development user in `tenant`, minted now.
    pub fn dev_token(&self, tenant: Uuid, scopes: &[&str]) -> String {
        self.app.token_for(tenant, scopes)
    }

    pub fn list_url(&self) -> String {
        self.app.url(&self.app.partners("v1.0"))
    }

    /// `GET /v1.0/deviceManagement/remoteAssistancePartners` with `token`.
    pub async fn list(&self, token: &str) -> Response {
        self.app
            .client
            .get(self.list_url())
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Asserts the list answers 200 to `token`: the positive control of a case.
    pub async fn accepts(&self, token: &str) {
        let response = self.list(token).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, 200, "a valid token was refused: {body}");
    }

    /// Creates a partner with `token` and returns its id.
    pub async fn create(&self, token: &str, name: &str) -> String {
        let response = self
            .app
            .client
            .post(self.list_url())
            .bearer_auth(token)
            .json(&json!({ "displayName": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// One operation on partner `id` (ignored by `List`, `Count` and `Create`).
    pub async fn send(&self, op: Op, id: &str, token: &str) -> Response {
        let base = self.app.url(&self.app.partners("v1.0"));
        let item = format!("{base}/{id}");
        let client = &self.app.client;
        let request = match op {
            Op::List => client.get(&base),
            Op::Count => client.get(format!("{base}/$count")),
            Op::Get => client.get(&item),
            Op::Create => client
                .post(&base)
                .json(&json!({"displayName": "made by J"})),
            Op::Update => client.patch(&item).json(&json!({"displayName": "renamed"})),
            Op::BeginOnboarding => client.post(format!("{item}/beginOnboarding")),
            Op::Disconnect => client.post(format!("{item}/disconnect")),
            Op::Delete => client.delete(&item),
        };
        request.bearer_auth(token).send().await.unwrap()
    }
}
