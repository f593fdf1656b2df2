//! Issuer, audience, tenant and token version: J30–J35, J37–J39.

use rapd_auth::testing::Principal;
use rapd_auth::{DEV_TENANT, GRAPH_APP_ID, GRAPH_AUDIENCE, SCOPE_READ, SCOPE_READ_WRITE};
use serde_json::{Value, json};
use uuid::Uuid;

use super::expect::*;
use super::fixture::*;

fn with(m: &Matrix, version: EntraVersion, claim: &str, value: Value) -> String {
    m.with_claims(version, Alg::Rs256, |c| {
        c.insert(claim.into(), value);
    })
}

fn without(m: &Matrix, version: EntraVersion, claim: &str) -> String {
    m.with_claims(version, Alg::Es256, |c| {
        c.remove(claim);
    })
}

#[tokio::test]
async fn j30_missing_iss_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let token = without(&m, version, "iss");
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
        for iss in [json!(null), json!(""), json!(7)] {
            let token = with(&m, version, "iss", iss);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
}

#[tokio::test]
async fn j31_almost_right_iss_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let iss = version.issuer(TA);
        let ta = TA.to_string();
        let bad = [
            "https://evil.example/".to_owned(),
            format!("{iss}/"),
            iss.trim_end_matches('/').to_owned(),
            iss.to_uppercase(),
            iss.replace("https:", "http:"),
            iss.replace("https://", "HTTPS://"),
            iss.replace(&ta, &ta.to_uppercase()),
            iss.replace(&ta, "common"),
            iss.replace(&ta, "organizations"),
            version.issuer_template().to_owned(),
            format!(" {iss}"),
        ];
        for value in bad.into_iter().filter(|b| *b != iss) {
            let token = with(&m, version, "iss", json!(value));
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        let token = with(&m, version, "iss", json!([iss]));
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
        m.accepts(&m.token(version, Alg::Rs256)).await;
    }
}

#[tokio::test]
async fn j32_unconfigured_audience_is_401() {
    // External issuers accept exactly their configured audiences (here only `API`): Graph's
    // app id and resource URI are someone else's.
    let m = Matrix::start().await;
    for version in VERSIONS {
        for aud in [
            json!(GRAPH_APP_ID),
            json!(GRAPH_AUDIENCE),
            json!("api://another-app"),
            json!(format!("{API}/")),
            json!(API.to_uppercase()),
            json!([]),
            json!(["api://another-app"]),
        ] {
            let token = with(&m, version, "aud", aud);
            unauthorized_with(m.list(&token).await, &token, AUDIENCE).await;
        }
        let token = without(&m, version, "aud");
        unauthorized_with(m.list(&token).await, &token, AUDIENCE).await;
        for aud in [json!(5), json!([API, 5])] {
            let token = with(&m, version, "aud", aud);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
    }
}

#[tokio::test]
async fn j32_dev_issuer_tokens_for_graph_are_accepted() {
    // The development issuer stands in for Entra minting tokens for Graph. Its minted tokens
    // carry `aud: https://graph.microsoft.com`. That Graph's app id is accepted as well can only
    // be shown by re-signing a token with the development key, which this crate cannot do
    // (see docs/security.md); rapd_auth's `audience_must_be_graph` proves it.
    let m = Matrix::start().await;
    let token = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    assert_eq!(part_json(parts(&token)[1])["aud"], GRAPH_AUDIENCE);
    m.accepts(&token).await;
    // An external key cannot make a Graph-audience token for the development issuer.
    let mut claims = m.claims(V2);
    claims["iss"] = json!(m.app.issuer.issuer_for(TA));
    for aud in [GRAPH_APP_ID, GRAPH_AUDIENCE] {
        claims["aud"] = json!(aud);
        let header = json!({"typ": "at+jwt", "alg": "ES256", "kid": m.app.issuer.kid()});
        let token = m.ec.sign(&header, &claims.to_string());
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j33_audience_array_with_ours_is_200() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for aud in [
            json!([API]),
            json!([API, "api://another-app"]),
            json!(["api://another-app", API]),
            json!([GRAPH_APP_ID, API, GRAPH_AUDIENCE]),
        ] {
            m.accepts(&with(&m, version, "aud", aud)).await;
        }
    }
}

#[tokio::test]
async fn j34_tid_and_iss_of_different_tenants_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let token = with(&m, version, "iss", json!(version.issuer(TB)));
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
        let token = with(&m, version, "tid", json!(TB));
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
        // Both of TB is simply TB's token.
        let tb = m.claims_of(version, TB, Principal::User(&[SCOPE_READ]));
        m.accepts(&m.sign(Alg::Es256, &tb)).await;
    }
}

#[tokio::test]
async fn j35_bad_tid_is_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        let ta = TA.to_string();
        let bad = [
            json!(""),
            json!("common"),
            json!("organizations"),
            json!("consumers"),
            json!(ta.to_uppercase()),
            json!(format!("{{{ta}}}")),
            json!(TA.simple().to_string()),
            json!(Uuid::nil()),
            json!(7),
            json!(null),
            json!([ta]),
        ];
        for tid in bad {
            // With TA's iss, and with an iss that agrees with the bad tid where one can.
            let mut issuers = vec![json!(version.issuer(TA))];
            if let Some(t) = tid.as_str() {
                issuers.push(json!(version.issuer_template().replace("{tenantid}", t)));
            }
            for iss in issuers {
                let token = m.with_claims(version, Alg::Rs256, |c| {
                    c.insert("tid".into(), tid.clone());
                    c.insert("iss".into(), iss);
                });
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
            }
        }
        let token = without(&m, version, "tid");
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j37_tenant_outside_the_allow_list_is_401() {
    let m = Matrix::with(|s| {
        for issuer in &mut s.issuers {
            issuer.tenants = Some(vec![TA]);
        }
    })
    .await;
    for version in VERSIONS {
        m.accepts(&m.token(version, Alg::Rs256)).await;
        let tb = m.claims_of(version, TB, Principal::User(&[SCOPE_READ_WRITE]));
        let token = m.sign(Alg::Es256, &tb);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j38_v1_and_v2_are_not_mixed() {
    // Both issuers configured: a v2 issuer's token saying `ver: 1.0`, and the reverse.
    let m = Matrix::start().await;
    for (version, other) in [(V1, V2), (V2, V1)] {
        for ver in [json!(other.ver()), json!(2), json!("2"), json!(null)] {
            let token = with(&m, version, "ver", ver);
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
        }
        let token = without(&m, version, "ver");
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    // A v1 token signed by a key Entra publishes with the v2 issuer only.
    let v1_claims = m.claims(V1).to_string();
    let token = m
        .consumer
        .sign(&Matrix::header(&m.consumer, CONSUMER_KID), &v1_claims);
    unauthorized_with(m.list(&token).await, &token, INVALID).await;

    // Only one format configured: genuine tokens of the other are refused.
    for (kept, other) in [(V2, V1), (V1, V2)] {
        let single =
            Matrix::with(|s| s.issuers.retain(|i| i.issuer == kept.issuer_template())).await;
        single.accepts(&single.token(kept, Alg::Rs256)).await;
        for alg in ALGS {
            let token = single.token(other, alg);
            unauthorized_with(single.list(&token).await, &token, INVALID).await;
        }
    }
}

#[tokio::test]
async fn j39_untrusted_dev_issuer_is_401() {
    // The production profile: the development issuer's key exists but is not trusted.
    let m = Matrix::with(|s| s.dev_issuer_trusted = false).await;
    for tenant in [DEV_TENANT, TA] {
        let token = m.dev_token(tenant, &[SCOPE_READ_WRITE]);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
    m.accepts(&m.token(V2, Alg::Es256)).await;
    // The same token is good where the issuer is trusted.
    let trusted = Matrix::start().await;
    trusted
        .accepts(&trusted.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]))
        .await;
}
