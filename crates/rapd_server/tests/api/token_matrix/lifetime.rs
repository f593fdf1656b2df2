//! Time claims: J26–J29, on the server's clock, with the 60-second leeway.

use rapd_auth::{DEV_TENANT, DEV_USER, LEEWAY_SECS, SCOPE_READ_WRITE, Subject};
use serde_json::{Value, json};

use super::expect::*;
use super::fixture::*;

fn with(m: &Matrix, version: EntraVersion, alg: Alg, claim: &str, value: Value) -> String {
    m.with_claims(version, alg, |c| {
        c.insert(claim.into(), value);
    })
}

/// A development token whose `iat` and `nbf` are `iat`, valid for an hour.
fn dev_at(m: &Matrix, iat: i64) -> String {
    m.app.mint(
        DEV_TENANT,
        Subject::User(DEV_USER),
        &[SCOPE_READ_WRITE],
        iat,
    )
}

#[tokio::test]
async fn j26_exp_within_leeway_is_200_past_it_401() {
    let m = Matrix::start().await;
    let now = m.now();
    for version in VERSIONS {
        for alg in ALGS {
            let within = with(&m, version, alg, "exp", json!(now - (LEEWAY_SECS - 5)));
            m.accepts(&within).await;
            let past = with(&m, version, alg, "exp", json!(now - (LEEWAY_SECS + 5)));
            unauthorized_with(m.list(&past).await, &past, EXPIRED).await;
        }
    }
    // Development tokens minted an hour and (leeway ∓ 5 s) ago.
    m.accepts(&dev_at(&m, now - 3600 - (LEEWAY_SECS - 5))).await;
    let past = dev_at(&m, now - 3600 - (LEEWAY_SECS + 5));
    unauthorized_with(m.list(&past).await, &past, EXPIRED).await;
    // A token that was accepted expires on the server's clock, cached or not.
    let token = m.token(V2, Alg::Es256);
    m.accepts(&token).await;
    m.app.clock.advance_secs(3600 + LEEWAY_SECS + 1);
    unauthorized_with(m.list(&token).await, &token, EXPIRED).await;
}

#[tokio::test]
async fn j27_missing_or_malformed_exp_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for exp in [
            json!("tomorrow"),
            json!(-1),
            json!(1e300),
            json!(1.5e9),
            json!(null),
            json!(253_402_300_800_i64),
            json!([m.now() + 60]),
        ] {
            let token = with(&m, version, Alg::Rs256, "exp", exp.clone());
            let message = unauthorized(m.list(&token).await, &token).await;
            assert_eq!(message, INVALID, "{exp}");
        }
        let token = m.with_claims(version, Alg::Es256, |c| {
            c.remove("exp");
        });
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j28_nbf_in_the_future_is_401() {
    let m = Matrix::start().await;
    let now = m.now();
    for version in VERSIONS {
        for alg in ALGS {
            let late = with(&m, version, alg, "nbf", json!(now + LEEWAY_SECS + 5));
            unauthorized_with(m.list(&late).await, &late, NOT_YET).await;
            let within = with(&m, version, alg, "nbf", json!(now + LEEWAY_SECS - 5));
            m.accepts(&within).await;
        }
    }
    // Development tokens set nbf = iat; the nbf check answers first.
    let late = dev_at(&m, now + LEEWAY_SECS + 5);
    unauthorized_with(m.list(&late).await, &late, NOT_YET).await;
    m.accepts(&dev_at(&m, now + LEEWAY_SECS - 5)).await;
}

#[tokio::test]
async fn j29_iat_in_the_future_is_401() {
    let m = Matrix::start().await;
    let now = m.now();
    for version in VERSIONS {
        for alg in ALGS {
            let late = with(&m, version, alg, "iat", json!(now + LEEWAY_SECS + 5));
            unauthorized_with(m.list(&late).await, &late, INVALID).await;
            let within = with(&m, version, alg, "iat", json!(now + LEEWAY_SECS - 5));
            m.accepts(&within).await;
        }
        let token = m.with_claims(version, Alg::Es256, |c| {
            c.remove("iat");
        });
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}
