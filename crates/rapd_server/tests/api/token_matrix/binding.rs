//! Keys are bound to their issuer and to what their JWKS entry allows: J23–J25.

use rapd_auth::testing::Principal;
use rapd_auth::{CONSUMER_TENANT, GRAPH_AUDIENCE, SCOPE_READ_WRITE};
use serde_json::json;

use super::expect::*;
use super::fixture::*;

#[tokio::test]
async fn j23_keys_do_not_cross_issuers() {
    let m = Matrix::start().await;
    // An external key signs a token that claims the development issuer, shaped as its tokens
    // are: under the external kid, and under the development issuer's own kid.
    let dev_iss = m.app.issuer.issuer_for(TA);
    let mut dev_shaped = m.claims(V2);
    dev_shaped["iss"] = json!(dev_iss);
    dev_shaped["aud"] = json!(GRAPH_AUDIENCE);
    for kid in [EC_KID, m.app.issuer.kid()] {
        let header = json!({"typ": "at+jwt", "alg": "ES256", "kid": kid});
        let token = m.ec.sign(&header, &dev_shaped.to_string());
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    // A key only the v1 issuer publishes signs a v2 token, and the reverse direction with the
    // v1 token under a kid only v2 publishes.
    let v2_claims = m.claims(V2).to_string();
    let token = m
        .v1_only
        .sign(&Matrix::header(&m.v1_only, V1_ONLY_KID), &v2_claims);
    unauthorized_with(m.list(&token).await, &token, INVALID).await;
    let v1_claims = m.claims(V1).to_string();
    let token = m
        .consumer
        .sign(&Matrix::header(&m.consumer, CONSUMER_KID), &v1_claims);
    unauthorized_with(m.list(&token).await, &token, INVALID).await;
    // The controls: each key verifies its own issuer's tokens.
    m.accepts(
        &m.v1_only
            .sign(&Matrix::header(&m.v1_only, V1_ONLY_KID), &v1_claims),
    )
    .await;
    m.accepts(&m.token(V2, Alg::Es256)).await;
}

#[tokio::test]
async fn j24_jwks_entries_not_for_this_signature_are_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let claims = m.claims(version).to_string();
        // `use: enc`; `alg: RS384` on the RSA key; `alg: RS256` on the P-256 key. The token
        // is signed by the very key each entry holds.
        for (key, kid) in [
            (&m.rsa, ENC_KID),
            (&m.rsa, RS384_KID),
            (&m.ec, EC_AS_RSA_KID),
        ] {
            let token = key.sign(&Matrix::header(key, kid), &claims);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        let rs384 = json!({"typ": "JWT", "alg": "RS384", "kid": RS384_KID}).to_string();
        let token = m.rsa.sign_as("RS384".parse().unwrap(), &rs384, &claims);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
        // The same keys under their signing entries verify.
        m.accepts(&m.token(version, Alg::Rs256)).await;
        m.accepts(&m.token(version, Alg::Es256)).await;
    }
}

#[tokio::test]
async fn j25_consumer_key_cannot_sign_for_an_organisation() {
    let m = Matrix::start().await;
    let consumer = |tenant| {
        let claims = m.claims_of(V2, tenant, Principal::User(&[SCOPE_READ_WRITE]));
        m.consumer.sign(
            &Matrix::header(&m.consumer, CONSUMER_KID),
            &claims.to_string(),
        )
    };
    // Published for `…/9188040d-…/v2.0` only: a token of an organisation is refused.
    for tenant in [TA, TB] {
        let token = consumer(tenant);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    // For its own tenant it verifies, and then personal accounts are refused (J36).
    let token = consumer(CONSUMER_TENANT);
    forbidden(m.list(&token).await, &token).await;
}
