//! Which key verifies: J16–J22. `kid` is only a key into the issuer's cached JWKS; unknown kids
//! cost at most one refresh per interval; nothing a token names is fetched or trusted.

use std::sync::Arc;
use std::time::Duration;

use rapd_auth::testing::{JwksServer, TestKey, b64url};
use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::expect::*;
use super::fixture::*;

/// A genuine development token's header and payload, re-signed with `key` after `edit`.
fn dev_forged(m: &Matrix, key: &TestKey, edit: impl FnOnce(&mut Value)) -> String {
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let [header, payload, _] = parts(&dev);
    let mut header = part_json(header);
    edit(&mut header);
    let payload = String::from_utf8(b64url_decode(payload)).unwrap();
    key.sign(&header, &payload)
}

#[tokio::test]
async fn j16_unknown_kid_is_401_and_refreshes_once_per_interval() {
    let m = Matrix::start().await;
    assert_eq!(
        (m.v1.fetches(), m.v2.fetches()),
        (1, 1),
        "one fetch each at start"
    );
    // The issuer rotates a key in: the first unknown kid refreshes once and finds it.
    let rotated = TestKey::es256();
    let bound = Some(V2.issuer_template());
    m.v2.set_keys(vec![
        m.rsa.jwk(RSA_KID, bound),
        m.ec.jwk(EC_KID, bound),
        rotated.jwk("rotated", bound),
    ]);
    let claims = m.claims(V2).to_string();
    m.accepts(&rotated.sign(&Matrix::header(&rotated, "rotated"), &claims))
        .await;
    assert_eq!(m.v2.fetches(), 2);
    // Within the interval, unknown kids are refused without another fetch.
    for kid in ["nope-1", "nope-2"] {
        let token = m.with_header(V2, Alg::Es256, |h| {
            h.insert("kid".into(), json!(kid));
        });
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    assert_eq!(m.v2.fetches(), 2, "no refresh within the interval");
    // One interval later, one more refresh, and again no more.
    m.app.clock.advance_secs(MIN_REFRESH_SECS as i64);
    for kid in ["nope-3", "nope-4", "nope-5"] {
        let token = m.with_header(V2, Alg::Rs256, |h| {
            h.insert("kid".into(), json!(kid));
        });
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    assert_eq!(m.v2.fetches(), 3, "one refresh per interval");
    assert_eq!(m.v1.fetches(), 1, "the other issuer is not refreshed");
    m.accepts(&m.token(V2, Alg::Rs256)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn j17_random_kid_storm_is_401_with_at_most_one_refresh() {
    let m = Matrix::start().await;
    let (v1_before, v2_before) = (m.v1.fetches(), m.v2.fetches());
    let good = m.token(V2, Alg::Es256);
    let [_, payload, signature] = parts(&good);
    let permits = Arc::new(Semaphore::new(64));
    let mut storm = JoinSet::new();
    for i in 0..1000 {
        // The signature is never reached without a key, so it need not match.
        let kid = format!("storm-{}", Uuid::new_v4());
        let header = b64url(Matrix::header(&m.ec, &kid).to_string());
        let token = format!("{header}.{payload}.{signature}");
        let (client, url) = (m.app.client.clone(), m.list_url());
        let permits = Arc::clone(&permits);
        // Valid traffic in the middle of the storm.
        let valid = (i % 25 == 0).then(|| good.clone());
        storm.spawn(async move {
            let _permit = permits.acquire_owned().await.unwrap();
            let refused = client.get(&url).bearer_auth(&token).send().await.unwrap();
            let served = match valid {
                Some(v) => Some(client.get(&url).bearer_auth(v).send().await.unwrap()),
                None => None,
            };
            (token, refused, served)
        });
    }
    let all = async {
        let mut refused = 0;
        while let Some(joined) = storm.join_next().await {
            let (token, response, served) = joined.unwrap();
            unauthorized_with(response, &token, INVALID).await;
            refused += 1;
            if let Some(served) = served {
                assert_eq!(
                    served.status(),
                    200,
                    "valid traffic is served during the storm"
                );
            }
        }
        refused
    };
    let refused = tokio::time::timeout(Duration::from_secs(120), all)
        .await
        .expect("the storm is answered");
    assert_eq!(refused, 1000);
    assert!(
        m.v2.fetches() <= v2_before + 1,
        "{} JWKS fetches for 1000 unknown kids",
        m.v2.fetches() - v2_before
    );
    assert_eq!(m.v1.fetches(), v1_before);
    m.accepts(&good).await;
}

#[tokio::test]
async fn j18_hostile_kids_are_401_and_harmless() {
    let m = Matrix::start().await;
    let kids = [
        json!("../../dev/null"),
        json!("../../../../etc/passwd"),
        json!("' OR 1=1 --"),
        json!("\"; DROP TABLE partners; --"),
        json!("k".repeat(10_000)),
        json!("rsa-1\u{0}"),
        json!(RSA_KID.to_uppercase()),
        json!(42),
        json!({"kid": RSA_KID}),
        json!([RSA_KID]),
        json!(null),
    ];
    for kid in &kids {
        for (version, alg) in VERSIONS.into_iter().zip(ALGS) {
            let token = m.with_header(version, alg, |h| {
                h.insert("kid".into(), kid.clone());
            });
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        let token = dev_forged(&m, &m.ec, |h| h["kid"] = kid.clone());
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    assert!(m.v1.fetches() <= 2 && m.v2.fetches() <= 2);
    // Still serving, and the data is intact.
    m.accepts(&m.token(V1, Alg::Rs256)).await;
    m.accepts(&m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]))
        .await;
}

#[tokio::test]
async fn j19_missing_kid_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for alg in ALGS {
            let token = m.with_header(version, alg, |h| {
                h.remove("kid");
            });
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
            m.accepts(&m.token(version, alg)).await;
        }
    }
    let token = dev_forged(&m, &m.ec, |h| {
        h.as_object_mut().unwrap().remove("kid");
    });
    unauthorized_with(m.list(&token).await, &token, INVALID).await;
}

#[tokio::test]
async fn j20_jku_and_x5u_are_never_fetched() {
    let m = Matrix::start().await;
    // A canary serving the attacker's key, under a fresh kid and under the trusted one.
    let canary = JwksServer::start().await;
    let attacker = TestKey::es256();
    canary.set_keys(vec![
        attacker.jwk("attacker", None),
        attacker.jwk(EC_KID, None),
        attacker.jwk(m.app.issuer.kid(), None),
    ]);
    let urls = |h: &mut serde_json::Map<String, Value>| {
        h.insert("jku".into(), json!(canary.jwks_uri()));
        h.insert("x5u".into(), json!(format!("{}/cert.pem", canary.url())));
    };
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        for kid in [EC_KID, "attacker"] {
            let mut header = Matrix::header(&attacker, kid);
            urls(header.as_object_mut().unwrap());
            let token = attacker.sign(&header, &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        // Only jku, pointing at the discovery document.
        let mut header = json!({"typ": "JWT", "alg": "ES256", "kid": "attacker"});
        header["jku"] = json!(canary.discovery_url());
        let token = attacker.sign(&header, &claims);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    let dev_kid = m.app.issuer.kid().to_owned();
    for kid in [dev_kid.as_str(), "attacker"] {
        let token = dev_forged(&m, &attacker, |h| {
            h["kid"] = json!(kid);
            urls(h.as_object_mut().unwrap());
        });
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    // Anything started in the background would have connected by now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        canary.total_requests(),
        0,
        "rapd fetched a URL named in a token"
    );
}

#[tokio::test]
async fn j21_embedded_jwk_and_x5c_are_never_trusted() {
    let m = Matrix::start().await;
    let attackers = [TestKey::rsa_second(), TestKey::es256()];
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        for attacker in &attackers {
            for kid in [Some(RSA_KID), Some(EC_KID), Some("attacker"), None] {
                let mut header = json!({"typ": "JWT", "alg": attacker.alg()});
                if let Some(kid) = kid {
                    header["kid"] = json!(kid);
                }
                header["jwk"] = attacker.jwk(kid.unwrap_or("attacker"), None);
                header["x5c"] = json!(["MIIBattackerchainAAAA"]);
                let token = attacker.sign(&header, &claims);
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
            }
        }
    }
    let attacker = TestKey::es256();
    let token = dev_forged(&m, &attacker, |h| {
        h["jwk"] = attacker.jwk("attacker", None);
    });
    unauthorized_with(m.list(&token).await, &token, INVALID).await;
}

#[tokio::test]
async fn j22_crit_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for alg in ALGS {
            for crit in [json!(["exp"]), json!(["x-foo"]), json!([]), json!(["b64"])] {
                let token = m.with_header(version, alg, |h| {
                    h.insert("crit".into(), crit.clone());
                    h.insert("x-foo".into(), json!(true));
                    h.insert("b64".into(), json!(true));
                });
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
            }
            m.accepts(&m.token(version, alg)).await;
        }
    }
}
