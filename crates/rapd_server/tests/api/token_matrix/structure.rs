//! The shape of the token: J6 (not a compact JWS), J7 (JWE), J8 (size).

use rapd_auth::MAX_TOKEN_BYTES;
use rapd_auth::testing::b64url;
use serde_json::{Value, json};

use super::expect::*;
use super::fixture::*;

#[tokio::test]
async fn j06_not_a_compact_jws_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let good = m.token(version, Alg::Rs256);
        let [h, p, s] = parts(&good);
        let standard = |part: &str| part.replace('-', "+").replace('_', "/");
        let cases = [
            "not-a-jwt".to_owned(),
            format!("{h}.{p}"),
            format!("{h}.{p}.{s}."),
            format!("{h}.{p}.{s}.{s}"),
            format!("{h}=.{p}.{s}"),
            format!("{h}.{p}=.{s}"),
            format!("{h}.{p}.{s}=="),
            format!("{}+/.{p}.{s}", standard(h)),
            format!("{h}.{p}.{}+/", standard(s)),
            format!("{}.{p}.{s}", b64url("not json")),
            format!("{}.{p}.{s}", b64url("[\"alg\",\"RS256\"]")),
            format!("{h}.{}.{s}", b64url("not json")),
            format!("{h}.{}.{s}", b64url("[]")),
            format!("{h}.!!.{s}"),
            "..".to_owned(),
        ];
        for token in cases {
            unauthorized_with(m.list(&token).await, &token, PARSE).await;
        }
        m.accepts(&good).await;
    }
}

#[tokio::test]
async fn j07_five_part_jwe_is_401() {
    let m = Matrix::start().await;
    let good = m.token(V2, Alg::Es256);
    let [h, p, s] = parts(&good);
    let jwe_header =
        b64url(json!({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": RSA_KID}).to_string());
    for token in [
        format!("{h}.{p}.{s}.{s}.{s}"),
        format!(
            "{jwe_header}.{}.{}.{p}.{}",
            b64url([7u8; 256]),
            b64url([1u8; 12]),
            b64url([2u8; 16])
        ),
        format!("{jwe_header}...."),
    ] {
        unauthorized_with(m.list(&token).await, &token, PARSE).await;
    }
}

/// A validly signed ES256 token of exactly `len` bytes, padded through an ignored header member
/// and an ignored claim.
fn token_of_len(m: &Matrix, version: EntraVersion, kid: &str, len: usize) -> String {
    let b64_len = |n: usize| (n * 4).div_ceil(3);
    let signature = 86; // 64 bytes of r‖s
    for header_pad in 0..4 {
        let mut header: Value = Matrix::header(&m.ec, kid);
        header["pad"] = json!("h".repeat(header_pad));
        let header_len = b64_len(header.to_string().len());
        let mut claims = m.claims(version);
        claims["pad"] = json!("");
        let claims_len = claims.to_string().len();
        for claim_pad in 0..len {
            if header_len + 1 + b64_len(claims_len + claim_pad) + 1 + signature == len {
                claims["pad"] = json!("c".repeat(claim_pad));
                let token = m.ec.sign(&header, &claims.to_string());
                assert_eq!(token.len(), len);
                return token;
            }
        }
    }
    panic!("no padding gives {len} bytes");
}

#[tokio::test]
async fn j08_a_20_kib_token_is_401_before_any_key_lookup() {
    let m = Matrix::start().await;
    let fetches = m.v2.fetches();
    // Validly signed by a trusted key: refused for its size alone.
    let signed = token_of_len(&m, V2, EC_KID, 20 * 1024);
    unauthorized_with(m.list(&signed).await, &signed, PARSE).await;
    // Under a kid nobody published: a key lookup would have refreshed the JWKS. None happened,
    // so the verifier stopped before looking for a key, let alone checking a signature.
    let unknown = token_of_len(&m, V2, "never-published", 20 * 1024);
    unauthorized_with(m.list(&unknown).await, &unknown, PARSE).await;
    let garbage = "a".repeat(20 * 1024);
    unauthorized_with(m.list(&garbage).await, &garbage, PARSE).await;
    assert_eq!(
        m.v2.fetches(),
        fetches,
        "no key lookup for an oversized token"
    );
    // The control: the same unknown kid in a normal-sized token does cost one refresh.
    let small = m.with_header(V2, Alg::Es256, |h| {
        h.insert("kid".into(), json!("never-published"));
    });
    unauthorized_with(m.list(&small).await, &small, INVALID).await;
    assert_eq!(m.v2.fetches(), fetches + 1);
}

#[tokio::test]
async fn j08_the_16_kib_limit_is_inclusive() {
    let m = Matrix::start().await;
    assert_eq!(MAX_TOKEN_BYTES, 16 * 1024);
    for version in VERSIONS {
        let at_limit = token_of_len(&m, version, EC_KID, MAX_TOKEN_BYTES);
        m.accepts(&at_limit).await;
        let past = token_of_len(&m, version, EC_KID, MAX_TOKEN_BYTES + 1);
        unauthorized_with(m.list(&past).await, &past, PARSE).await;
    }
}
