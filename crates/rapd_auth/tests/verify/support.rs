//! Fixtures and a forger: tokens signed with the real development key (read from its file, as
//! an attacker who stole it would) or with an attacker's key, from hand-written JSON.

use std::{path::Path, sync::Arc};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use rapd_auth::{
    DEV_KEY_FILE, DEV_TENANT, DEV_USER, DevIssuer, SCOPE_READ_WRITE, Subject, TokenRequest,
    Verifier,
};
use serde_json::Value;
use tempfile::TempDir;

/// 2026-01-01T00:00:00Z, the clock of every test.
pub const NOW: i64 = 1_767_225_600;
pub const HOUR: u64 = 3600;

pub struct Fixture {
    pub dir: TempDir,
    pub dev: DevIssuer,
    pub verifier: Verifier,
    /// The development private key, read back from `dev-issuer-key.pem`.
    pub secret: SecretKey,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let dev = DevIssuer::load_or_create(dir.path()).unwrap();
        let verifier = Verifier::new(Some(&dev));
        let secret = read_secret(dir.path());
        Fixture {
            dir,
            dev,
            verifier,
            secret,
        }
    }

    /// Verifies on a throwaway runtime: the development issuer never fetches, so the
    /// synchronous dev-issuer tests need no runtime of their own.
    pub fn verify(&self, token: &str, now: i64) -> Result<rapd_auth::Caller, rapd_auth::AuthError> {
        block_on(self.verifier.verify(token, now)).map(Arc::unwrap_or_clone)
    }

    pub fn mint(&self, req: &TokenRequest) -> String {
        self.dev.mint(req, NOW).unwrap()
    }

    /// The header and claims a minted delegated read-write token carries, to be altered.
    pub fn parts(&self) -> (Value, Value) {
        let token = self.mint(&user(&[SCOPE_READ_WRITE]));
        let mut parts = token.split('.');
        let header = decode_json(parts.next().unwrap());
        let claims = decode_json(parts.next().unwrap());
        (header, claims)
    }

    /// Signs with the genuine development key.
    pub fn forge(&self, header: &Value, claims: &Value) -> String {
        self.forge_raw(&header.to_string(), &claims.to_string())
    }

    pub fn forge_raw(&self, header: &str, claims: &str) -> String {
        sign_es256(&self.secret, header, claims)
    }

    /// The genuine token with `edit` applied to its claims, re-signed with the genuine key.
    pub fn with_claims(&self, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
        let (header, mut claims) = self.parts();
        edit(claims.as_object_mut().unwrap());
        self.forge(&header, &claims)
    }

    /// The genuine token with `edit` applied to its header, re-signed with the genuine key.
    pub fn with_header(&self, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
        let (mut header, claims) = self.parts();
        edit(header.as_object_mut().unwrap());
        self.forge(&header, &claims)
    }
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

pub fn read_secret(dir: &Path) -> SecretKey {
    let pem = std::fs::read_to_string(dir.join(DEV_KEY_FILE)).unwrap();
    SecretKey::from_pkcs8_pem(&pem).unwrap()
}

pub fn user(scopes: &[&str]) -> TokenRequest {
    TokenRequest {
        tenant: DEV_TENANT,
        subject: Subject::User(DEV_USER),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ttl_secs: HOUR,
    }
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn decode_json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

pub fn signing_input(header: &str, claims: &str) -> String {
    format!("{}.{}", b64(header), b64(claims))
}

pub fn sign_es256(secret: &SecretKey, header: &str, claims: &str) -> String {
    let input = signing_input(header, claims);
    let signature: Signature = SigningKey::from(secret).sign(input.as_bytes());
    // Low S, as every ES256 signer writes it (the verifier refuses the high-S twin).
    let signature = signature.normalize_s().unwrap_or(signature);
    format!("{input}.{}", b64(signature.to_bytes()))
}
