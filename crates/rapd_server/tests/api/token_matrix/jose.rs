//! Compact-JWS plumbing for forging: base64url, parts, signature damage.

use rapd_auth::testing::b64url;
use serde_json::Value;

/// Decodes unpadded base64url (the parts of a compact JWS).
pub fn b64url_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => panic!("not base64url: {c}"),
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        acc = (acc << 6) | u32::from(value(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Standard base64 with padding, for PEM bodies.
pub fn b64_standard(bytes: &[u8]) -> String {
    let mut text = b64url(bytes).replace('-', "+").replace('_', "/");
    while !text.len().is_multiple_of(4) {
        text.push('=');
    }
    text
}

/// `token` with one character of its signature changed (not the last, whose low bits may be
/// padding): a different signature, still canonical base64url.
pub fn flip_signature(token: &str) -> String {
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut chars: Vec<char> = signature.chars().collect();
    chars[5] = if chars[5] == 'A' { 'B' } else { 'A' };
    format!("{input}.{}", chars.into_iter().collect::<String>())
}

/// The three parts of a compact JWS.
pub fn parts(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    parts.try_into().expect("three parts")
}

/// The decoded JSON of one part.
pub fn part_json(part: &str) -> Value {
    serde_json::from_slice(&b64url_decode(part)).unwrap()
}
