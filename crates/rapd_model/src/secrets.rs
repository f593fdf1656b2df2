//! The partner's secrets: the one-time onboarding code and the credential it is exchanged for.
//!
//! Both name their tenant and partner, so the store finds the row by its tenant-first key and
//! compares only the secret: `rac1.<tenant+partner>.<secret>` for a code,
//! `rap1.<tenant+partner>.<secret>` for a credential. Only their secrets' SHA-256 are stored, so
//! neither can be read back from the database.
//! `Display` writes the whole text, secret included, for the one party it is handed to; `Debug`
//! never shows the secret, so neither can reach a log by accident.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{PartnerId, TenantId};

const CODE_PREFIX: &str = "rac1";
const CREDENTIAL_PREFIX: &str = "rap1";
/// The longest secret a code or credential may carry.
const MAX_SECRET_LEN: usize = 128;

/// What is stored of an onboarding code: the SHA-256 of its secret, in lowercase hex.
pub fn code_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh random secret: 32 bytes, base64url.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The one-time onboarding code handed to the vendor; its secret is the partner's open
/// onboarding request's.
#[derive(Clone, PartialEq, Eq)]
pub struct OnboardingCode(Parts);

/// The credential a partner receives, once, for redeeming its code.
#[derive(Clone, PartialEq, Eq)]
pub struct PartnerCredential(Parts);

#[derive(Clone, PartialEq, Eq)]
struct Parts {
    tenant: TenantId,
    partner: PartnerId,
    secret: String,
}

impl OnboardingCode {
    pub fn new(tenant: TenantId, partner: PartnerId, secret: impl Into<String>) -> OnboardingCode {
        OnboardingCode(Parts::new(tenant, partner, secret))
    }

    /// The code in `text`, or `None` when it is not one (a credential is not a code).
    pub fn parse(text: &str) -> Option<OnboardingCode> {
        Parts::decode(CODE_PREFIX, text).map(OnboardingCode)
    }

    pub fn tenant(&self) -> TenantId {
        self.0.tenant
    }

    pub fn partner(&self) -> PartnerId {
        self.0.partner
    }

    /// The secret the store compares with the open request's.
    pub fn into_secret(self) -> String {
        self.0.secret
    }
}

impl PartnerCredential {
    pub fn new(
        tenant: TenantId,
        partner: PartnerId,
        secret: impl Into<String>,
    ) -> PartnerCredential {
        PartnerCredential(Parts::new(tenant, partner, secret))
    }

    /// A new credential for `partner`, with a fresh secret.
    pub fn issue(tenant: TenantId, partner: PartnerId) -> PartnerCredential {
        PartnerCredential::new(tenant, partner, new_secret())
    }

    /// The credential in `text`, or `None` when it is not one (a code is not a credential).
    pub fn parse(text: &str) -> Option<PartnerCredential> {
        Parts::decode(CREDENTIAL_PREFIX, text).map(PartnerCredential)
    }

    pub fn tenant(&self) -> TenantId {
        self.0.tenant
    }

    pub fn partner(&self) -> PartnerId {
        self.0.partner
    }

    /// What is stored of the credential: the SHA-256 of its secret.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.secret.as_bytes()).into()
    }
}

impl Parts {
    fn new(tenant: TenantId, partner: PartnerId, secret: impl Into<String>) -> Parts {
        Parts {
            tenant,
            partner,
            secret: secret.into(),
        }
    }

    fn encode(&self, prefix: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids = [0u8; 32];
        ids[..16].copy_from_slice(self.tenant.0.as_bytes());
        ids[16..].copy_from_slice(self.partner.0.as_bytes());
        write!(
            f,
            "{prefix}.{}.{}",
            URL_SAFE_NO_PAD.encode(ids),
            self.secret
        )
    }

    fn decode(prefix: &str, text: &str) -> Option<Parts> {
        let mut parts = text.trim().splitn(3, '.');
        if parts.next()? != prefix {
            return None;
        }
        let ids = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        let secret = parts.next()?;
        if ids.len() != 32 || secret.is_empty() || secret.len() > MAX_SECRET_LEN {
            return None;
        }
        Some(Parts {
            tenant: TenantId(Uuid::from_slice(&ids[..16]).ok()?),
            partner: PartnerId(Uuid::from_slice(&ids[16..]).ok()?),
            secret: secret.to_owned(),
        })
    }

    fn redacted(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("tenant", &self.tenant)
            .field("partner", &self.partner)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The code as handed to the vendor, secret included.
impl fmt::Display for OnboardingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.encode(CODE_PREFIX, f)
    }
}

/// The credential as handed to the partner, secret included.
impl fmt::Display for PartnerCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.encode(CREDENTIAL_PREFIX, f)
    }
}

/// Never shows the secret.
impl fmt::Debug for OnboardingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.redacted("OnboardingCode", f)
    }
}

/// Never shows the secret.
impl fmt::Debug for PartnerCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.redacted("PartnerCredential", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (TenantId, PartnerId) {
        (TenantId(Uuid::new_v4()), PartnerId::new_random())
    }

    #[test]
    fn codes_and_credentials_round_trip() {
        let (t, p) = ids();
        let secret = new_secret();
        let code = OnboardingCode::new(t, p, secret.clone());
        let text = code.to_string();
        assert!(text.starts_with("rac1."), "{text}");
        assert_eq!(OnboardingCode::parse(&text), Some(code));
        let credential = PartnerCredential::new(t, p, secret.clone());
        let parsed = PartnerCredential::parse(&credential.to_string()).unwrap();
        assert_eq!((parsed.tenant(), parsed.partner()), (t, p));
        assert_eq!(parsed.hash(), <[u8; 32]>::from(Sha256::digest(&secret)));
        assert!(
            PartnerCredential::parse(&text).is_none(),
            "a code is not a credential"
        );
        assert!(OnboardingCode::parse(&credential.to_string()).is_none());
        assert!(OnboardingCode::parse("rac1.x.y").is_none());
        assert!(OnboardingCode::parse("").is_none());
        let long = OnboardingCode::new(t, p, "s".repeat(MAX_SECRET_LEN + 1));
        assert!(OnboardingCode::parse(&long.to_string()).is_none());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let (t, p) = ids();
        let secret = new_secret();
        let code = format!("{:?}", OnboardingCode::new(t, p, secret.clone()));
        let credential = format!("{:?}", PartnerCredential::new(t, p, secret.clone()));
        for shown in [&code, &credential] {
            assert!(!shown.contains(&secret), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
            assert!(shown.contains(&p.to_string()), "{shown}");
        }
    }
}
