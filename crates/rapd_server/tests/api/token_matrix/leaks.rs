//! J49 across the whole surface: every route's 401 and 403 carry Graph's `Bearer` challenge and
//! error body, and neither the answers nor the logs ever hold the token.

use rapd_auth::testing::{Misbehaviour, Principal, Route};
use rapd_auth::{CONSUMER_TENANT, DEV_APP, SCOPE_READ_WRITE, Subject};
use reqwest::Method;
use serde_json::json;

use super::expect::*;
use super::fixture::*;
use super::logs::Captured;

/// Graph's challenge, which every 401 starts with.
const GRAPH_CHALLENGE: &str = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

/// Every route and method of the Graph surface, under both versions.
fn routes(m: &Matrix, id: &str) -> Vec<(Method, String)> {
    let mut routes = Vec::new();
    for version in ["v1.0", "beta"] {
        let base = m.app.partners(version);
        let item = format!("{base}/{id}");
        routes.extend([
            (Method::GET, base.clone()),
            (Method::POST, base.clone()),
            (Method::GET, format!("{base}/$count")),
            (Method::GET, item.clone()),
            (Method::PATCH, item.clone()),
            (Method::DELETE, item.clone()),
            (Method::POST, format!("{item}/beginOnboarding")),
            (Method::POST, format!("{item}/disconnect")),
        ]);
    }
    routes
}

#[tokio::test]
async fn j49_every_route_challenges_and_never_echoes_the_token() {
    let m = Matrix::start().await;
    let id = m.create(&m.token(V2, Alg::Es256), "p").await;
    let expired = m.with_claims(V1, Alg::Rs256, |c| {
        c.insert("exp".into(), json!(m.now() - 3600));
    });
    let forged = flip_signature(&m.token(V2, Alg::Es256));
    let no_scope = m.sign(
        Alg::Es256,
        &m.claims_of(V2, TA, Principal::User(&["User.Read"])),
    );
    for (method, path) in routes(&m, &id) {
        let request = |token: Option<&str>| {
            let mut r = m.app.client.request(method.clone(), m.app.url(&path));
            if let Some(token) = token {
                r = r.bearer_auth(token);
            }
            if method != Method::GET && method != Method::DELETE {
                r = r.json(&json!({"displayName": "x"}));
            }
            r.send()
        };
        let context = format!("{method} {path}");
        // No token: the bare challenge.
        let r = refusal(request(None).await.unwrap(), &[]).await;
        assert_eq!(r.status, 401, "{context}");
        assert_eq!(r.challenge.as_deref(), Some(GRAPH_CHALLENGE), "{context}");
        // A bad token: Graph's challenge with error="invalid_token".
        for token in [&expired, &forged] {
            let r = refusal(request(Some(token)).await.unwrap(), &[token]).await;
            assert_eq!(
                (r.status, r.code.as_str()),
                (401, "InvalidAuthenticationToken")
            );
            let challenge = r.challenge.unwrap();
            assert_eq!(
                challenge,
                format!("{GRAPH_CHALLENGE}, error=\"invalid_token\""),
                "{context}"
            );
        }
        // A good token without the scope: 403 insufficient_scope.
        let r = insufficient_scope(request(Some(&no_scope)).await.unwrap(), &no_scope).await;
        assert!(
            r.challenge.unwrap().starts_with(GRAPH_CHALLENGE),
            "{context}"
        );
    }
}

#[tokio::test]
async fn j49_tokens_never_reach_the_logs() {
    let (captured, _guard) = Captured::install();
    let m = Matrix::start().await;
    // Other tests register callsites concurrently; an interest computed in the middle of this
    // subscriber's installation would leave a callsite muted for it. Recompute them all now.
    tracing::callsite::rebuild_interest_cache();
    let id = m.create(&m.token(V2, Alg::Rs256), "p").await;
    let now = m.now();
    let mut tokens = vec![
        m.token(V1, Alg::Rs256),
        m.token(V2, Alg::Es256),
        m.dev_token(TA, &[SCOPE_READ_WRITE]),
        m.with_claims(V2, Alg::Es256, |c| {
            c.insert("exp".into(), json!(now - 3600));
        }),
        m.with_header(V2, Alg::Rs256, |h| {
            h.insert("kid".into(), json!("unknown-kid"));
        }),
        m.with_claims(V1, Alg::Es256, |c| {
            c.insert("aud".into(), json!("api://another-app"));
        }),
        flip_signature(&m.token(V1, Alg::Es256)),
        m.sign(
            Alg::Rs256,
            &m.claims_of(V2, CONSUMER_TENANT, Principal::User(&[SCOPE_READ_WRITE])),
        ),
        m.sign(
            Alg::Es256,
            &m.claims_of(V2, TA, Principal::App(&[SCOPE_READ_WRITE])),
        ),
        m.app
            .mint(TA, Subject::App(DEV_APP), &[SCOPE_READ_WRITE], now),
        m.dev_token(TB, &["User.Read"]),
    ];
    // The JWKS misbehaves during a refresh: the warnings name the issuer, never the token.
    m.v1.misbehave(Route::Keys, Misbehaviour::InvalidJson);
    tokens.push(m.with_header(V1, Alg::Es256, |h| {
        h.insert("kid".into(), json!("also-unknown"));
    }));
    for token in &tokens {
        for op in Op::ALL {
            let _ = m.send(op, &id, token).await;
        }
        let in_query = format!("{}?access_token={token}", m.list_url());
        let _ = m.app.client.get(&in_query).send().await.unwrap();
        let _ = m
            .app
            .client
            .get(&in_query)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let _ = m
            .app
            .client
            .get(m.list_url())
            .header("authorization", format!("Basic {token}"))
            .send()
            .await
            .unwrap();
    }
    let lines = captured.lines();
    assert!(
        lines.iter().any(|l| l.contains("JWKS refused")),
        "the capture works: the failed refresh was logged: {lines:?}"
    );
    for token in &tokens {
        let pieces =
            std::iter::once(token.as_str()).chain(token.split('.').filter(|p| p.len() >= 16));
        for piece in pieces {
            for line in &lines {
                assert!(!line.contains(piece), "J49: a token in the logs: {line}");
            }
        }
    }
}

#[tokio::test]
async fn j49_every_403_carries_a_bearer_challenge() {
    let m = Matrix::start().await;
    let now = m.now();
    let denied = [
        m.sign(
            Alg::Rs256,
            &m.claims_of(V2, CONSUMER_TENANT, Principal::User(&[SCOPE_READ_WRITE])),
        ),
        m.dev_token(CONSUMER_TENANT, &[SCOPE_READ_WRITE]),
        m.sign(
            Alg::Es256,
            &m.claims_of(V1, TA, Principal::App(&[SCOPE_READ_WRITE])),
        ),
        m.app
            .mint(TA, Subject::App(DEV_APP), &[SCOPE_READ_WRITE], now),
    ];
    for token in &denied {
        let r = forbidden(m.list(token).await, token).await;
        let challenge = r
            .challenge
            .expect("J49: a 403 carries WWW-Authenticate: Bearer");
        assert!(challenge.starts_with(GRAPH_CHALLENGE), "{challenge}");
    }
}
