//! The compact JWS form: three base64url parts, and the protected header we act on.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::AuthError;
use rapd_model::strict_json;

/// A token cut at its two dots; every part is canonical unpadded base64url.
pub(crate) struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a str,
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
    /// Still encoded: the signature check takes it so.
    pub signature: &'a str,
}

/// Cuts a compact JWS into its parts. A JWE (five parts) or anything else is malformed.
pub(crate) fn split(token: &str) -> Result<Compact<'_>, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed("not three dot-separated parts"));
    };
    let header = decode(header)?;
    let payload = decode(payload)?;
    decode(signature)?;
    let signing_input = &token[..token.len() - signature.len() - 1];
    Ok(Compact {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// Decodes one part; `=` padding, the standard alphabet and stray bits are refused.
fn decode(part: &str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::Malformed("part is not unpadded base64url"))
}

/// The protected header members that matter for trust. `jku`, `x5u`, `jwk` and `x5c` are
/// deliberately not read: trust comes only from keys the verifier was built with.
pub(crate) struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

/// Parses the decoded header. Any `crit` is refused: we implement no JWS extension.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header, AuthError> {
    let mut map = strict_json::parse_object(bytes)
        .ok_or(AuthError::Malformed("header is not a JSON object"))?;
    if map.contains_key("crit") {
        return Err(AuthError::CriticalHeader);
    }
    let alg =
        take_string(&mut map, "alg").ok_or(AuthError::Malformed("alg missing or not a string"))?;
    let kid = match map.remove("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(AuthError::UnknownKey),
    };
    let typ = match map.remove("typ") {
        None => None,
        Some(Value::String(typ)) => Some(typ),
        Some(_) => return Err(AuthError::UnsupportedType),
    };
    Ok(Header { alg, kid, typ })
}

fn take_string(map: &mut Map<String, Value>, name: &str) -> Option<String> {
    match map.remove(name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Whether an ES256 signature (base64url `r‖s`) has its `s` in the upper half of the group
/// order. It verifies as well as its low-S twin, so accepting both would let one token be written
/// two ways (two cache keys, two replay identities): the verifier refuses it.
pub(crate) fn is_high_s(signature: &str) -> bool {
    decode_es256(signature).is_some_and(|s| s.normalize_s().is_some())
}

/// `signature` (base64url ES256) in its low-S form, the one the verifier accepts: how every
/// signer here writes ES256. Anything that is no ES256 signature is returned as it is.
pub(crate) fn low_s(signature: &str) -> String {
    match decode_es256(signature).and_then(|s| s.normalize_s()) {
        Some(low) => URL_SAFE_NO_PAD.encode(low.to_bytes()),
        None => signature.to_owned(),
    }
}

fn decode_es256(signature: &str) -> Option<p256::ecdsa::Signature> {
    let bytes = URL_SAFE_NO_PAD.decode(signature).ok()?;
    p256::ecdsa::Signature::from_slice(&bytes).ok()
}
