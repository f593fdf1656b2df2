//! Overload and connection limits: each at the limit and one past it.

use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::app::{TestApp, graph_error};

/// Starts a POST whose body never finishes, so the request holds its place until dropped.
async fn hold_a_request(app: &TestApp) -> TcpStream {
    let mut stream = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        app.partners("v1.0"),
        app.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

async fn in_flight_settles() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn requests_past_the_concurrency_limit_are_shed_with_503() {
    let app = TestApp::with(|s| s.server.max_concurrent_requests = 2).await;
    let list = || app.request(Method::GET, &app.partners("v1.0")).send();

    let first = hold_a_request(&app).await;
    in_flight_settles().await;
    assert_eq!(
        list().await.unwrap().status(),
        200,
        "one held, one more fits: at the limit"
    );

    let second = hold_a_request(&app).await;
    in_flight_settles().await;
    let shed = list().await.unwrap();
    assert_eq!(shed.headers()["retry-after"], "1");
    graph_error(shed, 503, "ServiceUnavailable").await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "health is never shed");
    // Readiness is never shed, and says the node is full, so a balancer sends Graph calls
    // elsewhere until it has room again.
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.headers()["retry-after"], "1");
    graph_error(ready, 503, "ServiceUnavailable").await;

    drop((first, second));
    in_flight_settles().await;
    assert_eq!(list().await.unwrap().status(), 200, "capacity comes back");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = TestApp::with(|s| s.limits.header_read_timeout = Duration::from_millis(500)).await;
    let mut slow = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection");
    assert!(started.elapsed() >= Duration::from_millis(400));
    // A client that sends its headers in time is served.
    let mut quick = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    quick
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    quick.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn headers_past_hypers_buffer_are_431() {
    let app = TestApp::start().await;
    let huge = "a".repeat(500 * 1024);
    let response = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .header("x-big", huge)
        .send()
        .await;
    match response {
        Ok(r) => assert_eq!(r.status(), 431),
        Err(e) => assert!(e.is_request() || e.is_connect(), "connection closed: {e}"),
    }
}

/// Sends `head` on a fresh connection and reads the whole answer (the server closes after it).
async fn raw_answer(app: &TestApp, head: &str) -> (String, serde_json::Value) {
    let mut stream = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), serde_json::from_str(body).unwrap())
}

/// hyper refuses these heads before any route runs; they still get Graph's error body, with a
/// request id in `innerError` and in the headers.
fn assert_graph_refusal(head: &str, body: &serde_json::Value, status: &str, code: &str) {
    assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("\r\ncontent-type: application/json"),
        "{head}"
    );
    let request_id = body["error"]["innerError"]["request-id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{body}");
    assert!(
        lower.contains(&format!("\r\nrequest-id: {request_id}")),
        "{head}"
    );
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn a_url_over_the_limit_is_414_with_graphs_body() {
    let app = TestApp::start().await;
    let at_limit = 65_534;
    let path = app.partners("v1.0");
    let query = |len: usize| format!("{path}?$filter={}", "a".repeat(len - path.len() - 9));
    // At the limit hyper lets it through (Graph then refuses the filter, as it would).
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        query(at_limit)
    );
    let mut stream = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 401"), "{:?}", &answer[..40]);
    let head = format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", query(at_limit + 1));
    let (head, body) = raw_answer(&app, &head).await;
    assert_graph_refusal(&head, &body, "414", "RequestUriTooLong");
}

#[tokio::test]
async fn more_headers_than_the_limit_is_431_with_graphs_body() {
    let app = TestApp::start().await;
    let headers = |count: usize| {
        (0..count)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    };
    let path = app.partners("v1.0");
    // Host and Connection are two of the 100.
    let at_limit = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}\r\n",
        headers(98)
    );
    let mut stream = TcpStream::connect(app.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(at_limit.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 401"), "{:?}", &answer[..40]);
    let past = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}\r\n",
        headers(99)
    );
    let (head, body) = raw_answer(&app, &past).await;
    assert_graph_refusal(&head, &body, "431", "RequestHeaderFieldsTooLarge");
}
