//! The partner's secrets: the one-time onboarding code and the credential it is exchanged for.
//!
//! Both name their tenant and partner, so the store finds the row by its tenant-first key and
//! compares only the secret: `rac1.<tenant+partner>.<secret>` for a code,
//! `rap1.<tenant+partner>.<secret>` for a credential. Only the credential's SHA-256 is stored.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use rapd_model::{PartnerId, TenantId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const CODE_PREFIX: &str = "rac1";
const CREDENTIAL_PREFIX: &str = "rap1";

/// A fresh random secret: 32 bytes, base64url.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn encode(prefix: &str, tenant: TenantId, partner: PartnerId, secret: &str) -> String {
    let mut ids = [0u8; 32];
    ids[..16].copy_from_slice(tenant.0.as_bytes());
    ids[16..].copy_from_slice(partner.0.as_bytes());
    format!("{prefix}.{}.{secret}", URL_SAFE_NO_PAD.encode(ids))
}

fn decode(prefix: &str, text: &str) -> Option<(TenantId, PartnerId, String)> {
    let mut parts = text.trim().splitn(3, '.');
    if parts.next()? != prefix {
        return None;
    }
    let ids = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
    let secret = parts.next()?;
    if ids.len() != 32 || secret.is_empty() || secret.len() > 128 {
        return None;
    }
    let tenant = TenantId(Uuid::from_slice(&ids[..16]).ok()?);
    let partner = PartnerId(Uuid::from_slice(&ids[16..]).ok()?);
    Some((tenant, partner, secret.to_owned()))
}

/// The onboarding code handed to the vendor.
pub fn code(tenant: TenantId, partner: PartnerId, secret: &str) -> String {
    encode(CODE_PREFIX, tenant, partner, secret)
}

pub fn parse_code(text: &str) -> Option<(TenantId, PartnerId, String)> {
    decode(CODE_PREFIX, text)
}

/// The credential returned, once, to the partner that redeemed a code.
pub fn credential(tenant: TenantId, partner: PartnerId, secret: &str) -> String {
    encode(CREDENTIAL_PREFIX, tenant, partner, secret)
}

pub fn parse_credential(text: &str) -> Option<(TenantId, PartnerId, [u8; 32])> {
    decode(CREDENTIAL_PREFIX, text).map(|(t, p, secret)| (t, p, hash(&secret)))
}

/// What is stored of a credential's secret.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_credentials_round_trip() {
        let (t, p) = (TenantId(Uuid::new_v4()), PartnerId::new_random());
        let secret = new_secret();
        assert_eq!(
            parse_code(&code(t, p, &secret)),
            Some((t, p, secret.clone()))
        );
        assert_eq!(
            parse_credential(&credential(t, p, &secret)),
            Some((t, p, hash(&secret)))
        );
        assert!(
            parse_credential(&code(t, p, &secret)).is_none(),
            "a code is not a credential"
        );
        assert!(parse_code("rac1.x.y").is_none());
        assert!(parse_code("").is_none());
    }
}
