//! Forged and malformed tokens against an external issuer: J6–J15, J18–J22.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use rapd_auth::MAX_TOKEN_BYTES;
use rapd_auth::testing::{b64url, sign_hs256_with, unsigned};

use super::*;

#[tokio::test]
async fn not_a_compact_jws() {
    let ext = Ext::start(EntraVersion::V2).await;
    let good = ext.token(&ext.rsa, RSA_KID);
    let [h, p, s]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().unwrap();
    let cases = [
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}.{s}"), // J7: the JWE shape
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}=="),
        format!("{}.{p}.{s}", h.replace('-', "+").replace('_', "/") + "+/"),
        format!("{}.{p}.{s}", b64url("not json")),
        format!("{h}.{}.{s}", b64url("[]")),
        format!("{h}.!!.{s}"),
    ];
    for token in cases {
        assert!(
            matches!(ext.err(&token).await, AuthError::Malformed(_)),
            "{token}"
        );
    }
    // J8: a 20 KiB token is refused before anything else.
    let big = format!("{h}.{}.{s}", b64url("x".repeat(MAX_TOKEN_BYTES)));
    assert!(matches!(ext.err(&big).await, AuthError::TooLarge));
    assert_eq!(ext.server.fetches(), 1);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let ext = Ext::start(EntraVersion::V2).await;
    let claims = ext.claims().to_string();
    for alg in ["none", "None", "NONE"] {
        for kid in [RSA_KID, EC_KID] {
            let token = unsigned(&json!({"typ": "JWT", "alg": alg, "kid": kid}), &claims);
            assert!(
                matches!(ext.err(&token).await, AuthError::UnsupportedAlgorithm),
                "{alg}"
            );
            let token = format!("{token}AAAA");
            assert!(
                matches!(ext.err(&token).await, AuthError::UnsupportedAlgorithm),
                "{alg}"
            );
        }
        let token = unsigned(&json!({"alg": alg}), &claims);
        assert!(ext.verify(&token).await.is_err());
    }
}

#[tokio::test]
async fn hs256_with_the_public_key_as_secret() {
    let ext = Ext::start(EntraVersion::V2).await;
    let claims = ext.claims().to_string();
    let jwk = ext.rsa.jwk(RSA_KID, None);
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    let secrets: Vec<Vec<u8>> = vec![
        ext.rsa.public_key_pem().into_bytes(),
        ext.rsa.public_key_der(),
        n,
        jwk["n"].as_str().unwrap().as_bytes().to_vec(),
        jwk.to_string().into_bytes(),
    ];
    for secret in secrets {
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": RSA_KID});
        let token = sign_hs256_with(&secret, &header, &claims);
        assert!(matches!(
            ext.err(&token).await,
            AuthError::UnsupportedAlgorithm
        ));
    }
    let header = json!({"typ": "JWT", "alg": "HS256", "kid": EC_KID});
    let token = sign_hs256_with(ext.ec.public_key_pem().as_bytes(), &header, &claims);
    assert!(matches!(
        ext.err(&token).await,
        AuthError::UnsupportedAlgorithm
    ));
}

#[tokio::test]
async fn the_algorithm_comes_from_the_key() {
    let ext = Ext::start(EntraVersion::V1).await;
    let claims = ext.claims().to_string();
    // J12: the header names the other family's algorithm for this kid.
    let rsa_as_ec = ext.rsa.sign(
        &json!({"typ": "JWT", "alg": "RS256", "kid": EC_KID}),
        &claims,
    );
    assert!(matches!(
        ext.err(&rsa_as_ec).await,
        AuthError::UnsupportedAlgorithm
    ));
    let ec_as_rsa = ext.ec.sign(
        &json!({"typ": "JWT", "alg": "ES256", "kid": RSA_KID}),
        &claims,
    );
    assert!(matches!(
        ext.err(&ec_as_rsa).await,
        AuthError::UnsupportedAlgorithm
    ));
    // J13: valid signatures by the trusted RSA key, with algorithms outside the allow-list.
    for (alg, name) in [
        (Algorithm::RS384, "RS384"),
        (Algorithm::RS512, "RS512"),
        (Algorithm::PS256, "PS256"),
    ] {
        let header = json!({"typ": "JWT", "alg": name, "kid": RSA_KID}).to_string();
        let token = ext.rsa.sign_as(alg, &header, &claims);
        assert!(
            matches!(ext.err(&token).await, AuthError::UnsupportedAlgorithm),
            "{name}"
        );
    }
    for name in ["ES384", "EdDSA", "es256", "RS256"] {
        let token = ext
            .ec
            .sign(&json!({"typ": "JWT", "alg": name, "kid": EC_KID}), &claims);
        assert!(
            matches!(ext.err(&token).await, AuthError::UnsupportedAlgorithm),
            "{name}"
        );
    }
}

#[tokio::test]
async fn damaged_signatures() {
    let ext = Ext::start(EntraVersion::V2).await;
    for (key, kid) in ext.keys() {
        let good = ext.token(key, kid);
        let (input, sig) = good.rsplit_once('.').unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(sig).unwrap();
        raw[7] ^= 0x01;
        let mut cases = vec![
            format!("{input}.{}", b64url(&raw)),
            format!("{input}."),
            format!("{input}.{}", b64url(vec![0u8; raw.len()])),
        ];
        if kid == EC_KID {
            // J15: DER instead of raw r‖s; r = s = 0.
            let original = URL_SAFE_NO_PAD.decode(sig).unwrap();
            let der = p256::ecdsa::Signature::from_slice(&original)
                .unwrap()
                .to_der();
            cases.push(format!("{input}.{}", b64url(der.as_bytes())));
            cases.push(format!("{input}.{}", b64url([0u8; 64])));
        }
        for token in cases {
            assert!(
                matches!(ext.err(&token).await, AuthError::BadSignature),
                "{kid}"
            );
        }
        // An attacker's key under our kid.
        let attacker = if kid == RSA_KID {
            TestKey::rsa_second()
        } else {
            TestKey::es256()
        };
        let forged = attacker.sign(&Ext::header(key, kid), &ext.claims().to_string());
        assert!(
            matches!(ext.err(&forged).await, AuthError::BadSignature),
            "{kid}"
        );
        assert!(ext.verify(&good).await.is_ok());
    }
}

#[tokio::test]
async fn kid_is_only_a_map_key() {
    let ext = Ext::start(EntraVersion::V2).await;
    // J18: lookups never touch a file or a query; J19: no kid at all.
    let kids = [
        json!("../../dev/null"),
        json!("' OR 1=1 --"),
        json!("k".repeat(10_000)),
        json!(RSA_KID.to_uppercase()),
        json!(42),
        json!({"kid": RSA_KID}),
        json!(null),
    ];
    for kid in kids {
        let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
            h.insert("kid".into(), kid.clone());
        });
        assert!(
            matches!(ext.err(&token).await, AuthError::UnknownKey),
            "{kid}"
        );
    }
    let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
        h.remove("kid");
    });
    assert!(matches!(ext.err(&token).await, AuthError::UnknownKey));
}

#[tokio::test]
async fn urls_and_keys_in_the_header_are_never_used() {
    let ext = Ext::start(EntraVersion::V2).await;
    // J20: a canary serving the attacker's key; J21: the key embedded in the header.
    let canary = JwksServer::start().await;
    let attacker = TestKey::es256();
    canary.set_keys(vec![attacker.jwk("attacker", None)]);
    let claims = ext.claims().to_string();
    for kid in [EC_KID, "attacker"] {
        let header = json!({
            "typ": "JWT", "alg": "ES256", "kid": kid,
            "jku": canary.jwks_uri(),
            "x5u": canary.url() + "/cert.pem",
            "jwk": attacker.jwk(kid, None),
            "x5c": ["MIIBattackerchain"],
        });
        let e = ext.err(&attacker.sign(&header, &claims)).await;
        assert!(
            matches!(e, AuthError::BadSignature | AuthError::UnknownKey),
            "{kid}: {e:?}"
        );
    }
    assert_eq!(
        canary.total_requests(),
        0,
        "the verifier fetched a URL from a token"
    );
}

#[tokio::test]
async fn crit_is_always_refused() {
    let ext = Ext::start(EntraVersion::V2).await;
    for crit in [json!(["exp"]), json!(["x-foo"]), json!([])] {
        let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
            h.insert("crit".into(), crit.clone());
            h.insert("x-foo".into(), json!(1));
        });
        assert!(
            matches!(ext.err(&token).await, AuthError::CriticalHeader),
            "{crit}"
        );
    }
}
