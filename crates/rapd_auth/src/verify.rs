//! Strict verification of bearer tokens against the keys the verifier was built with.

use std::collections::HashMap;
use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};

use crate::cache::VerifiedCache;
use crate::claims::{self, IssuerPolicy};
use crate::{
    AuthError, Caller, DEV_ISSUER_TEMPLATE, DevIssuer, GRAPH_APP_ID, GRAPH_AUDIENCE,
    MAX_TOKEN_BYTES, jose, strict_json,
};

/// A key we trust, bound to one algorithm, one token type and one issuer (RFC 8725 §3.1, §3.12).
struct TrustedKey {
    alg: Algorithm,
    /// The header `alg` that must name `alg`, compared exactly.
    alg_name: &'static str,
    key: DecodingKey,
    /// Accepted header `typ` values (media types, so compared ignoring ASCII case).
    typ: &'static [&'static str],
    policy: IssuerPolicy,
}

/// Verifies bearer tokens strictly and remembers the ones that passed. Cheap to share
/// behind an `Arc`; `verify` takes `&self` and never blocks on I/O.
pub struct Verifier {
    keys: HashMap<String, TrustedKey>,
    cache: VerifiedCache,
}

impl Verifier {
    /// Trusts the development issuer's key, for its issuer template only; with `None`,
    /// no token verifies.
    pub fn new(dev: Option<&DevIssuer>) -> Verifier {
        let mut keys = HashMap::new();
        if let Some(dev) = dev {
            let (x, y) = dev.public_coordinates();
            let key = DecodingKey::from_ec_components(x, y)
                .expect("DevIssuer encodes its coordinates as base64url");
            keys.insert(
                dev.kid().to_owned(),
                TrustedKey {
                    alg: Algorithm::ES256,
                    alg_name: "ES256",
                    key,
                    typ: &["at+jwt", "application/at+jwt"],
                    policy: IssuerPolicy {
                        issuer_template: DEV_ISSUER_TEMPLATE,
                        audiences: &[GRAPH_AUDIENCE, GRAPH_APP_ID],
                    },
                },
            );
        }
        Verifier {
            keys,
            cache: VerifiedCache::new(),
        }
    }

    /// Checks `token` (the part after `Bearer `) as of `now_unix` and says who sent it.
    /// Personal-account and app-only tokens verify; [`Caller::authorize`] refuses them.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<Caller, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::TooLarge);
        }
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        if let Some(hit) = self.cache.get(token, now_unix) {
            return hit;
        }
        let compact = jose::split(token)?;
        let header = jose::parse_header(&compact.header)?;
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(AuthError::UnknownKey)?;
        if header.alg != key.alg_name {
            return Err(AuthError::UnsupportedAlgorithm);
        }
        let typ_ok = header
            .typ
            .as_deref()
            .is_some_and(|typ| key.typ.iter().any(|t| t.eq_ignore_ascii_case(typ)));
        if !typ_ok {
            return Err(AuthError::UnsupportedType);
        }
        let signed = jsonwebtoken::crypto::verify(
            compact.signature,
            compact.signing_input.as_bytes(),
            &key.key,
            key.alg,
        );
        if !matches!(signed, Ok(true)) {
            return Err(AuthError::BadSignature);
        }
        let claims = strict_json::parse_object(&compact.payload)
            .ok_or(AuthError::Malformed("payload is not a JSON object"))?;
        let (caller, lifetime) = claims::check(claims, &key.policy, now_unix)?;
        self.cache.insert(token, &caller, lifetime, now_unix);
        Ok(caller)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
