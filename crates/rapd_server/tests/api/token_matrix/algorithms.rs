//! The signature and its algorithm: J10–J15, for both external keys and the development key.

use rapd_auth::testing::{TestKey, b64url, sign_hs256_with, unsigned};
use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use serde_json::json;

use super::expect::*;
use super::fixture::*;

/// The development issuer's public key as SPKI DER (P-256, uncompressed point).
fn dev_public_key_der(m: &Matrix) -> Vec<u8> {
    let jwk = &m.app.issuer.jwks()["keys"][0];
    let prefix = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ];
    let mut der = prefix.to_vec();
    der.extend(b64url_decode(jwk["x"].as_str().unwrap()));
    der.extend(b64url_decode(jwk["y"].as_str().unwrap()));
    der
}

fn pem(der: &[u8]) -> String {
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        b64_standard(der)
    )
}

#[tokio::test]
async fn j10_alg_none_is_401() {
    let m = Matrix::start().await;
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let [_, dev_payload, dev_signature] = parts(&dev);
    let dev_kid = m.app.issuer.kid().to_owned();
    for alg in ["none", "None", "NONE", "nOnE"] {
        for version in VERSIONS {
            let claims = m.claims(version).to_string();
            for kid in [RSA_KID, EC_KID] {
                let header = json!({"typ": "JWT", "alg": alg, "kid": kid});
                let token = unsigned(&header, &claims);
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
                let token = format!("{token}AAAA");
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
            }
            let token = unsigned(&json!({"alg": alg}), &claims);
            unauthorized(m.list(&token).await, &token).await;
        }
        // The development issuer: its kid, a genuine payload, no or any signature.
        let header = b64url(json!({"alg": alg, "typ": "at+jwt", "kid": dev_kid}).to_string());
        for signature in ["", "AAAA", dev_signature] {
            let token = format!("{header}.{dev_payload}.{signature}");
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
    m.accepts(&dev).await;
}

#[tokio::test]
async fn j11_hs256_with_the_public_key_as_secret_is_401() {
    let m = Matrix::start().await;
    let jwk = m.rsa.jwk(RSA_KID, None);
    let n = jwk["n"].as_str().unwrap();
    let rsa_secrets: Vec<Vec<u8>> = vec![
        m.rsa.public_key_pem().into_bytes(),
        m.rsa.public_key_der(),
        b64url_decode(n),
        n.as_bytes().to_vec(),
        jwk.to_string().into_bytes(),
    ];
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        for secret in &rsa_secrets {
            let header = json!({"typ": "JWT", "alg": "HS256", "kid": RSA_KID});
            let token = sign_hs256_with(secret, &header, &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": EC_KID});
        for secret in [m.ec.public_key_pem().into_bytes(), m.ec.public_key_der()] {
            let token = sign_hs256_with(&secret, &header, &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
    // The development key, as anyone can read it from /common/discovery/v2.0/keys.
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let dev_claims = String::from_utf8(b64url_decode(parts(&dev)[1])).unwrap();
    let jwks: serde_json::Value = m
        .app
        .client
        .get(m.app.url("/common/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dev_jwk = &jwks["keys"][0];
    assert_eq!(dev_jwk["kid"], m.app.issuer.kid());
    let der = dev_public_key_der(&m);
    let header = json!({"typ": "at+jwt", "alg": "HS256", "kid": m.app.issuer.kid()});
    for secret in [
        pem(&der).into_bytes(),
        der.clone(),
        der[26..].to_vec(),
        dev_jwk.to_string().into_bytes(),
        dev_jwk["x"].as_str().unwrap().as_bytes().to_vec(),
    ] {
        let token = sign_hs256_with(&secret, &header, &dev_claims);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j12_alg_of_the_other_key_family_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        // RS256 under the P-256 key's kid, ES256 under the RSA key's kid.
        let rsa_as_ec = m.rsa.sign(
            &json!({"typ": "JWT", "alg": "RS256", "kid": EC_KID}),
            &claims,
        );
        let ec_as_rsa = m.ec.sign(
            &json!({"typ": "JWT", "alg": "ES256", "kid": RSA_KID}),
            &claims,
        );
        for token in [rsa_as_ec, ec_as_rsa] {
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
    // An RSA key under the development issuer's (EC) kid.
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let dev_claims = String::from_utf8(b64url_decode(parts(&dev)[1])).unwrap();
    let header = json!({"typ": "at+jwt", "alg": "RS256", "kid": m.app.issuer.kid()});
    let token = m.rsa.sign(&header, &dev_claims);
    unauthorized_with(m.list(&token).await, &token, INVALID).await;
}

#[tokio::test]
async fn j13_algorithms_outside_the_allow_list_are_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        // Valid signatures by the trusted RSA key, with algorithms rapd does not allow.
        for name in ["RS384", "RS512", "PS256", "PS384"] {
            let header = json!({"typ": "JWT", "alg": name, "kid": RSA_KID}).to_string();
            let token = m.rsa.sign_as(name.parse().unwrap(), &header, &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        // ES256 signatures by the trusted P-256 key, labelled as another algorithm.
        for name in ["ES384", "ES512", "EdDSA", "es256", "ES256K"] {
            let header = json!({"typ": "JWT", "alg": name, "kid": EC_KID});
            let token = m.ec.sign(&header, &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        m.accepts(&m.token(version, Alg::Rs256)).await;
    }
}

#[tokio::test]
async fn j14_damaged_signatures_are_401() {
    let m = Matrix::start().await;
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let mut genuine = vec![dev.clone()];
    for version in VERSIONS {
        for alg in ALGS {
            genuine.push(m.token(version, alg));
        }
    }
    for good in &genuine {
        let (input, signature) = good.rsplit_once('.').unwrap();
        let other = m.dev_token(DEV_TENANT, &["User.Read"]);
        let zeros = b64url(vec![0u8; b64url_decode(signature).len()]);
        let cases = [
            flip_signature(good),
            format!("{input}."),
            format!("{input}.{zeros}"),
            format!("{input}.{}", &signature[..signature.len() - 4]),
            format!("{input}.{}", other.rsplit_once('.').unwrap().1),
        ];
        for token in cases {
            // A shortened signature may no longer be canonical base64url: then it is a parse
            // failure rather than a validation failure; 401 either way.
            unauthorized(m.list(&token).await, &token).await;
        }
        m.accepts(good).await;
    }
    // An attacker's keys under the trusted kids.
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        let rsa = TestKey::rsa_second().sign(&Matrix::header(&m.rsa, RSA_KID), &claims);
        let ec = TestKey::es256().sign(&Matrix::header(&m.ec, EC_KID), &claims);
        for token in [rsa, ec] {
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw 64-byte ES256 signature.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let integer = |bytes: &[u8]| {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        let mut value = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            vec![0]
        } else {
            Vec::new()
        };
        value.extend(trimmed);
        let mut out = vec![0x02, value.len() as u8];
        out.extend(value);
        out
    };
    let mut body = integer(&raw[..32]);
    body.extend(integer(&raw[32..]));
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

#[tokio::test]
async fn j15_der_and_zero_es256_signatures_are_401() {
    let m = Matrix::start().await;
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    for good in [dev, m.token(V1, Alg::Es256), m.token(V2, Alg::Es256)] {
        let (input, signature) = good.rsplit_once('.').unwrap();
        let raw = b64url_decode(signature);
        assert_eq!(raw.len(), 64);
        let mut r_only = raw.clone();
        r_only[32..].fill(0);
        let cases = [
            format!("{input}.{}", b64url(der_signature(&raw))),
            format!("{input}.{}", b64url([0u8; 64])),
            format!("{input}.{}", b64url(r_only)),
            format!("{input}.{}", b64url([0xffu8; 64])),
        ];
        for token in cases {
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        m.accepts(&good).await;
    }
}
