//! The `$batch` envelope: its one token is verified like any other request's (J1, J3, J5), and
//! each inner request is authorised on its own, its refusals keeping J49's rules.

use rapd_auth::testing::Principal;
use reqwest::Response;
use serde_json::{Value, json};

use super::expect::*;
use super::fixture::*;

fn envelope() -> Value {
    json!({"requests": [
        {"id": "list", "method": "GET", "url": "/deviceManagement/remoteAssistancePartners"},
        {"id": "count", "method": "GET", "url": "/deviceManagement/remoteAssistancePartners/$count"},
    ]})
}

async fn post(m: &Matrix, query: &str, authorization: &[String]) -> Response {
    let mut request = m
        .app
        .client
        .post(m.app.url(&format!("/v1.0/$batch{query}")))
        .json(&envelope());
    for value in authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn j49_batch_inner_refusals_keep_the_challenge_and_never_echo_the_token() {
    let m = Matrix::start().await;
    let expired = m.with_claims(V2, Alg::Es256, |c| {
        c.insert("exp".into(), json!(m.now() - 3600));
    });
    let no_scope = m.sign(
        Alg::Rs256,
        &m.claims_of(V1, TA, Principal::User(&["User.Read"])),
    );
    // An invalid token refuses the whole envelope.
    let response = post(&m, "", &[format!("Bearer {expired}")]).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(expired.as_str()),
        "J49: the batch echoes the token: {text}"
    );
    // A valid token without the scope runs the envelope; each inner request is refused.
    for (token, status, error) in [(&no_scope, 403, "insufficient_scope")] {
        let response = post(&m, "", &[format!("Bearer {token}")]).await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        for piece in std::iter::once(token.as_str()).chain(token.split('.')) {
            assert!(
                !text.contains(piece),
                "J49: the batch echoes the token: {text}"
            );
        }
        let body: Value = serde_json::from_str(&text).unwrap();
        for inner in body["responses"].as_array().unwrap() {
            assert_eq!(inner["status"], status, "{inner}");
            let challenge = inner["headers"]["www-authenticate"].as_str().unwrap();
            assert!(challenge.starts_with("Bearer "), "{challenge}");
            assert!(
                challenge.contains(&format!("error=\"{error}\"")),
                "{challenge}"
            );
            assert!(inner["body"]["error"]["code"].is_string(), "{inner}");
            assert!(inner["body"]["error"]["innerError"]["request-id"].is_string());
        }
    }
}

#[tokio::test]
async fn j01_batch_without_a_token_is_401_bare() {
    let m = Matrix::start().await;
    unauthorized_bare(post(&m, "", &[]).await, &[]).await;
}

#[tokio::test]
async fn j03_j05_batch_with_two_tokens_is_400_invalid_request() {
    let m = Matrix::start().await;
    let (a, b) = (m.token(V2, Alg::Es256), m.token(V1, Alg::Rs256));
    let two = post(&m, "", &[format!("Bearer {a}"), format!("Bearer {b}")]).await;
    invalid_request(two, &[&a, &b]).await;
    let query = post(&m, &format!("?access_token={b}"), &[format!("Bearer {a}")]).await;
    invalid_request(query, &[&a, &b]).await;
}
