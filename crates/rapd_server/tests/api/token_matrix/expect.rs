//! What a refusal must look like: status, Graph error body and code, and J49's rules — the
//! `WWW-Authenticate: Bearer` challenge, and the token nowhere in the answer.

use reqwest::Response;
use serde_json::Value;

pub const EMPTY: &str = "Access token is empty.";
pub const PARSE: &str = "CompactToken parsing failed with error code: 80049217";
pub const INVALID: &str = "Access token validation failure.";
pub const AUDIENCE: &str = "Access token validation failure. Invalid audience.";
pub const EXPIRED: &str = "Lifetime validation failed, the token is expired.";
pub const NOT_YET: &str = "Access token has expired or is not yet valid.";

/// A refused request as the client saw it.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// `WWW-Authenticate`, if sent.
    pub challenge: Option<String>,
}

/// Reads an error answer and checks what every error shares: Graph's body
/// (`{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`, as
/// JSON) and that no secret in `secrets` (or any long part of one) appears in the body or the
/// challenge.
pub async fn refusal(response: Response, secrets: &[&str]) -> Refusal {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let request_id = headers["request-id"].to_str().unwrap().to_owned();
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let challenge = headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert!(status >= 400, "not a refusal: {status} {text}");
    for secret in secrets {
        // The whole secret, and each of its dot-separated parts long enough to identify it.
        let pieces = std::iter::once(*secret).chain(secret.split('.').filter(|p| p.len() >= 16));
        for piece in pieces {
            assert!(
                !text.contains(piece),
                "J49: the body echoes the token: {text}"
            );
            if let Some(c) = &challenge {
                assert!(!c.contains(piece), "J49: the challenge echoes the token");
            }
        }
    }
    let body: Value = serde_json::from_str(&text).expect("J49: a Graph JSON error body");
    let error = &body["error"];
    let inner = &error["innerError"];
    assert_eq!(inner["request-id"], request_id.as_str(), "{text}");
    assert_eq!(inner["date"].as_str().unwrap().len(), 19, "{text}");
    assert!(inner["client-request-id"].is_string(), "{text}");
    Refusal {
        status,
        code: error["code"].as_str().expect("a code").to_owned(),
        message: error["message"].as_str().expect("a message").to_owned(),
        challenge,
    }
}

/// 401 `InvalidAuthenticationToken` with `error="invalid_token"` in the challenge; returns the
/// message, which names the check that failed in Graph's words.
pub async fn unauthorized(response: Response, token: &str) -> String {
    let r = refusal(response, &[token]).await;
    assert_eq!(
        (r.status, r.code.as_str()),
        (401, "InvalidAuthenticationToken"),
        "{r:?}"
    );
    let challenge = r.challenge.expect("J49: a 401 carries WWW-Authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    r.message
}

/// [`unauthorized`], and the message must be `message`.
pub async fn unauthorized_with(response: Response, token: &str, message: &str) {
    assert_eq!(unauthorized(response, token).await, message);
}

/// 401 with a bare `Bearer` challenge (no `error`): no usable credentials were presented
/// (RFC 6750 §3.1). `secrets` must not be echoed either.
pub async fn unauthorized_bare(response: Response, secrets: &[&str]) {
    let r = refusal(response, secrets).await;
    assert_eq!(
        (r.status, r.code.as_str()),
        (401, "InvalidAuthenticationToken"),
        "{r:?}"
    );
    assert_eq!(r.message, EMPTY);
    let challenge = r.challenge.expect("J49: a 401 carries WWW-Authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        !challenge.contains("error="),
        "a bare challenge: {challenge}"
    );
}

/// 403 `Forbidden` with `error="insufficient_scope"` and the `scope` that would do.
pub async fn insufficient_scope(response: Response, token: &str) -> Refusal {
    let r = forbidden(response, token).await;
    let challenge = r
        .challenge
        .as_deref()
        .expect("J49: a 403 carries WWW-Authenticate");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(
        challenge.contains("scope=\"DeviceManagement"),
        "{challenge}"
    );
    r
}

/// 403 `Forbidden` with the body rules of J49. Whether the challenge is present is left to the
/// caller: the server sends none for personal-account and application-token denials (see
/// `leaks::j49_every_403_carries_a_bearer_challenge`).
pub async fn forbidden(response: Response, token: &str) -> Refusal {
    let r = refusal(response, &[token]).await;
    assert_eq!((r.status, r.code.as_str()), (403, "Forbidden"), "{r:?}");
    r
}

/// 400 `invalid_request`, without echoing `secrets`.
pub async fn invalid_request(response: Response, secrets: &[&str]) {
    let r = refusal(response, secrets).await;
    assert_eq!(
        (r.status, r.code.as_str()),
        (400, "invalid_request"),
        "{r:?}"
    );
}

/// 404 `ResourceNotFound`, as for a partner that does not exist.
pub async fn not_found(response: Response, token: &str) {
    let r = refusal(response, &[token]).await;
    assert_eq!(
        (r.status, r.code.as_str()),
        (404, "ResourceNotFound"),
        "{r:?}"
    );
}
