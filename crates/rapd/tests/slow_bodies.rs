//! The slow-body attack, bounded and on loopback: unauthenticated clients that send headers with
//! `Content-Length` and then almost nothing hold every request slot of the surfaces that need no
//! Graph token. Graph's own calls must keep succeeding meanwhile, `/readyz` must say that Graph
//! can take more, and the slow bodies must be cut off.

mod support;

use std::time::Duration;

use support::{Server, token};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// `max_concurrent_requests` for the run: each surface's budget.
const BUDGET: usize = 16;
/// Slow clients, more than the budget.
const ATTACKERS: usize = 40;

/// A connection that sent a request's headers and one byte of its 100-byte body.
async fn slow_body(origin: &str, path: &str) -> TcpStream {
    let host = origin.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n\
         content-length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

async fn redeem(client: &reqwest::Client, origin: &str) -> u16 {
    client
        .post(format!("{origin}/partner/v1/onboarding"))
        .json(&serde_json::json!({"code": "x"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_calls_succeed_while_slow_bodies_hold_the_open_surfaces() {
    let dir = tempfile::tempdir().unwrap();
    let budget = BUDGET.to_string();
    let server = Server::start_with_env(
        dir.path(),
        &[],
        &[
            ("RAPD_MAX_CONCURRENT_REQUESTS", budget.as_str()),
            ("RAPD_BODY_READ_TIMEOUT_SECS", "3"),
            ("RAPD_THROTTLING", "off"),
        ],
    )
    .await;
    let graph = token(dir.path(), &[]);
    let client = reqwest::Client::new();

    let mut held = Vec::with_capacity(ATTACKERS);
    for _ in 0..ATTACKERS {
        held.push(slow_body(&server.origin, "/partner/v1/onboarding").await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The vendor's surface is saturated: its next caller is shed at once.
    assert_eq!(redeem(&client, &server.origin).await, 503);
    // Graph is not: every call succeeds, and the node says it is ready.
    for _ in 0..(2 * BUDGET) {
        let r = client
            .get(server.partners())
            .bearer_auth(&graph)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let ready = client
        .get(format!("{}/readyz", server.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // Past the body-read timeout the slow requests are answered 408 and their slots come back.
    let mut answer = [0u8; 12];
    let first = held.first_mut().unwrap();
    tokio::time::timeout(Duration::from_secs(8), first.read_exact(&mut answer))
        .await
        .expect("the slow body was cut off")
        .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 408");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        redeem(&client, &server.origin).await,
        401,
        "the vendor's surface serves again"
    );
}
