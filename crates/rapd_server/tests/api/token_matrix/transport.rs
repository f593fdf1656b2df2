//! How the token travels: J1–J5 and J9.

use rapd_auth::DEV_TENANT;
use rapd_auth::SCOPE_READ_WRITE;

use super::expect::*;
use super::fixture::*;

#[tokio::test]
async fn j01_no_authorization_header_is_401_bare() {
    let m = Matrix::start().await;
    let response = m.app.client.get(m.list_url()).send().await.unwrap();
    unauthorized_bare(response, &[]).await;
}

#[tokio::test]
async fn j02_other_schemes_are_401_bare() {
    let m = Matrix::start().await;
    let token = m.token(V2, Alg::Es256);
    for value in [
        "Basic dXNlcjpwYXNz".to_owned(),
        format!("Basic {token}"),
        format!("Token {token}"),
        format!("Bearer{token}"),
        token.clone(),
        "Bearer ".to_owned(),
    ] {
        let response = m
            .app
            .client
            .get(m.list_url())
            .header("authorization", &value)
            .send()
            .await
            .unwrap();
        unauthorized_bare(response, &[&token]).await;
    }
    m.accepts(&token).await;
}

#[tokio::test]
async fn j03_token_in_header_and_query_is_400_invalid_request() {
    let m = Matrix::start().await;
    let token = m.token(V2, Alg::Rs256);
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    for (header, query) in [
        (&token, format!("access_token={token}")),
        (&dev, format!("access_token={dev}")),
        (&token, format!("a=1&access_token={dev}")),
        (&token, "access_token=".to_owned()),
    ] {
        let url = format!("{}?{query}", m.list_url());
        let response = m
            .app
            .client
            .get(url)
            .bearer_auth(header)
            .send()
            .await
            .unwrap();
        invalid_request(response, &[&token, &dev]).await;
    }
}

#[tokio::test]
async fn j04_token_only_in_the_query_is_401_bare() {
    let m = Matrix::start().await;
    for token in [
        m.token(V1, Alg::Rs256),
        m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]),
    ] {
        let url = format!("{}?access_token={token}", m.list_url());
        let response = m.app.client.get(url).send().await.unwrap();
        unauthorized_bare(response, &[&token]).await;
        m.accepts(&token).await;
    }
}

#[tokio::test]
async fn j05_two_authorization_headers_are_400_invalid_request() {
    let m = Matrix::start().await;
    let (a, b) = (m.token(V2, Alg::Es256), m.token(V1, Alg::Rs256));
    for (first, second) in [
        (format!("Bearer {a}"), format!("Bearer {a}")),
        (format!("Bearer {a}"), format!("Bearer {b}")),
        (format!("Bearer {a}"), "Basic dXNlcjpwYXNz".to_owned()),
        ("Basic dXNlcjpwYXNz".to_owned(), format!("Bearer {b}")),
    ] {
        let response = m
            .app
            .client
            .get(m.list_url())
            .header("authorization", first)
            .header("authorization", second)
            .send()
            .await
            .unwrap();
        invalid_request(response, &[&a, &b]).await;
    }
}

#[tokio::test]
async fn j09_headers_past_hypers_buffer_are_431_or_closed() {
    let m = Matrix::start().await;
    // hyper buffers at most 8 KiB + 100 × 4 KiB = 408 KiB of request head.
    let huge = format!("Bearer {}", "a".repeat(512 * 1024));
    let response = m
        .app
        .client
        .get(m.list_url())
        .header("authorization", huge)
        .send()
        .await;
    match response {
        Ok(r) => assert_eq!(r.status(), 431),
        Err(e) => assert!(e.is_request() || e.is_connect(), "connection closed: {e}"),
    }
    // Below hyper's buffer the request reaches rapd, whose token size cap answers.
    let big = "a".repeat(300 * 1024);
    unauthorized_with(m.list(&big).await, &big, PARSE).await;
    // The server is unharmed.
    m.accepts(&m.token(V2, Alg::Es256)).await;
}
