//! Keys we trust, and how a JWKS document becomes a set of them (RFC 7517, RFC 7518 §6).
//!
//! Only RSA (RS256) and P-256 (ES256) signing keys are kept. An entry that is for encryption,
//! of another type or curve, names another algorithm, or has broken components is skipped, so
//! one odd key never costs the others (reliability.md J24, A27).

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};

use rapd_model::strict_json;

/// Most keys kept per issuer; Entra publishes a handful.
pub(crate) const MAX_KEYS_PER_ISSUER: usize = 100;
/// Longest `kid` kept.
const MAX_KID_BYTES: usize = 256;

/// A key we trust, bound to one algorithm (RFC 8725 §3.1) and, if its JWKS entry says so, to
/// one issuer.
pub(crate) struct TrustedKey {
    pub alg: Algorithm,
    /// The header `alg` that must name `alg`, compared exactly.
    pub alg_name: &'static str,
    pub key: DecodingKey,
    /// The entry's `issuer` (Entra publishes one, possibly with `{tenantid}`): the key signs
    /// only tokens whose `iss` is this, with the token's `tid` substituted.
    pub issuer: Option<String>,
    /// The public components and issuer, to tell a replaced key from a kept one.
    pub material: String,
}

impl TrustedKey {
    pub(crate) fn es256(x: &str, y: &str, issuer: Option<String>) -> Option<TrustedKey> {
        let (xb, yb) = (b64(x)?, b64(y)?);
        if xb.len() != 32 || yb.len() != 32 {
            return None;
        }
        let mut sec1 = Vec::with_capacity(65);
        sec1.push(0x04);
        sec1.extend_from_slice(&xb);
        sec1.extend_from_slice(&yb);
        // Refuses points off the curve and the identity.
        p256::PublicKey::from_sec1_bytes(&sec1).ok()?;
        Some(TrustedKey {
            alg: Algorithm::ES256,
            alg_name: "ES256",
            key: DecodingKey::from_ec_components(x, y).ok()?,
            material: format!("EC {x} {y} {issuer:?}"),
            issuer,
        })
    }

    fn rs256(n: &str, e: &str, issuer: Option<String>) -> Option<TrustedKey> {
        let (nb, eb) = (b64(n)?, b64(e)?);
        // 2048 to 4096 bits (RFC 7518 §3.3 asks at least 2048; the rsa crate stops at 4096),
        // minimal encoding, and an odd public exponent of at least 3.
        let modulus_ok = (256..=512).contains(&nb.len()) && nb[0] != 0;
        let exponent_ok = (1..=8).contains(&eb.len())
            && eb[0] != 0
            && eb[eb.len() - 1] & 1 == 1
            && !(eb.len() == 1 && eb[0] < 3);
        if !modulus_ok || !exponent_ok {
            return None;
        }
        Some(TrustedKey {
            alg: Algorithm::RS256,
            alg_name: "RS256",
            key: DecodingKey::from_rsa_raw_components(&nb, &eb),
            material: format!("RSA {n} {e} {issuer:?}"),
            issuer,
        })
    }
}

fn b64(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// One issuer's keys by `kid`.
#[derive(Default)]
pub(crate) struct KeySet {
    pub keys: HashMap<String, Arc<TrustedKey>>,
}

/// A parsed document: the usable keys and how many entries were left out.
pub(crate) struct Parsed {
    pub set: KeySet,
    pub skipped: usize,
    /// `kid`s that more than one entry claimed; none of those entries is kept.
    pub ambiguous: Vec<String>,
}

/// Parses a JWKS document. Fails only if the document itself is not a JWKS.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, &'static str> {
    let mut doc =
        strict_json::parse_object(bytes).ok_or("not one JSON object without duplicate members")?;
    let Some(Value::Array(entries)) = doc.remove("keys") else {
        return Err("`keys` missing or not an array");
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for entry in &entries {
        if let Some(Value::String(kid)) = entry.get("kid") {
            *counts.entry(kid).or_default() += 1;
        }
    }
    let mut ambiguous: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(kid, _)| (*kid).to_owned())
        .collect();
    ambiguous.sort();
    let mut set = KeySet::default();
    let mut skipped = 0;
    for entry in &entries {
        let key = match entry {
            Value::Object(entry) => trusted_key(entry),
            _ => None,
        };
        match key {
            Some((kid, key))
                if set.keys.len() < MAX_KEYS_PER_ISSUER && !ambiguous.contains(&kid) =>
            {
                set.keys.insert(kid, Arc::new(key));
            }
            _ => skipped += 1,
        }
    }
    Ok(Parsed {
        set,
        skipped,
        ambiguous,
    })
}

/// The `kid` and key of one entry, or `None` if it is not a usable signing key.
fn trusted_key(entry: &Map<String, Value>) -> Option<(String, TrustedKey)> {
    let string = |name: &str| match entry.get(name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let kid = string("kid").filter(|k| !k.is_empty() && k.len() <= MAX_KID_BYTES)?;
    if entry.contains_key("use") && string("use") != Some("sig") {
        return None;
    }
    if let Some(ops) = entry.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"));
        if !verifies {
            return None;
        }
    }
    let issuer = match entry.get("issuer") {
        None => None,
        Some(Value::String(iss)) if !iss.is_empty() => Some(iss.clone()),
        Some(_) => return None,
    };
    let alg = match entry.get("alg") {
        None => None,
        Some(Value::String(alg)) => Some(alg.as_str()),
        Some(_) => return None,
    };
    let key = match (string("kty")?, string("crv")) {
        ("RSA", _) if alg.is_none_or(|a| a == "RS256") => {
            TrustedKey::rs256(string("n")?, string("e")?, issuer)?
        }
        ("EC", Some("P-256")) if alg.is_none_or(|a| a == "ES256") => {
            TrustedKey::es256(string("x")?, string("y")?, issuer)?
        }
        _ => return None,
    };
    Some((kid.to_owned(), key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ec() -> Value {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let point = p256::EncodedPoint::from(secret.public_key());
        json!({
            "kty": "EC", "crv": "P-256", "kid": "ec",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        })
    }

    fn rsa() -> Value {
        let mut n = vec![0xc5u8; 256];
        n[255] = 0x01;
        json!({"kty": "RSA", "kid": "rsa", "n": URL_SAFE_NO_PAD.encode(n), "e": "AQAB"})
    }

    fn kids(keys: Vec<Value>) -> Vec<String> {
        let doc = json!({ "keys": keys }).to_string();
        let mut kids: Vec<String> = parse(doc.as_bytes())
            .unwrap()
            .set
            .keys
            .into_keys()
            .collect();
        kids.sort();
        kids
    }

    fn with(mut v: Value, name: &str, value: Value) -> Value {
        v[name] = value;
        v
    }

    #[test]
    fn keeps_good_keys_and_skips_the_rest() {
        assert_eq!(kids(vec![ec(), rsa()]), ["ec", "rsa"]);
        let bad = [
            with(ec(), "use", json!("enc")),
            with(ec(), "use", json!(1)),
            with(ec(), "alg", json!("ES384")),
            with(ec(), "alg", json!("RS256")),
            with(ec(), "crv", json!("P-384")),
            with(ec(), "key_ops", json!(["encrypt"])),
            with(ec(), "issuer", json!(5)),
            with(ec(), "x", json!("AAAA")),
            with(ec(), "y", ec()["x"].clone()),
            with(ec(), "kid", json!("")),
            with(ec(), "kid", json!(7)),
            with(rsa(), "alg", json!("PS256")),
            with(rsa(), "alg", json!("RS384")),
            with(rsa(), "e", json!("AQ")),
            with(rsa(), "e", json!("AAE")),
            with(rsa(), "e", json!("Ag")),
            with(rsa(), "n", json!(URL_SAFE_NO_PAD.encode([0xc5u8; 128]))),
            with(rsa(), "n", json!("not base64!")),
            with(rsa(), "kty", json!("oct")),
            with(rsa(), "kty", json!("OKP")),
            json!("not an object"),
        ];
        for entry in bad {
            assert!(kids(vec![entry.clone()]).is_empty(), "{entry}");
        }
        let good = [
            with(ec(), "use", json!("sig")),
            with(ec(), "alg", json!("ES256")),
            with(ec(), "key_ops", json!(["verify"])),
            with(rsa(), "alg", json!("RS256")),
            with(rsa(), "x5c", json!(["ignored"])),
        ];
        for entry in good {
            assert_eq!(kids(vec![entry.clone()]).len(), 1, "{entry}");
        }
    }

    #[test]
    fn ambiguous_kids_are_dropped_and_the_set_is_capped() {
        let doc = json!({"keys": [ec(), with(rsa(), "kid", json!("ec")), rsa()]}).to_string();
        let parsed = parse(doc.as_bytes()).unwrap();
        assert_eq!(parsed.ambiguous, ["ec"]);
        assert_eq!(parsed.set.keys.len(), 1);
        let many: Vec<Value> = (0..MAX_KEYS_PER_ISSUER + 5)
            .map(|i| with(ec(), "kid", json!(format!("k{i}"))))
            .collect();
        assert_eq!(kids(many).len(), MAX_KEYS_PER_ISSUER);
    }

    #[test]
    fn documents_that_are_not_a_jwks() {
        for doc in [
            &b"[]"[..],
            b"{}",
            br#"{"keys":{}}"#,
            b"{",
            br#"{"keys":[],"keys":[]}"#,
        ] {
            assert!(parse(doc).is_err());
        }
    }
}
