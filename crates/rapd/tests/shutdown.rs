//! SIGTERM: rapd stops accepting, lets the requests in flight finish, and exits within the
//! drain deadline (`shutdown_drain_secs`).

mod support;

use std::time::{Duration, Instant};

use support::{Server, token};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Starts a create whose body is only half sent, so it is in flight until the rest arrives.
async fn half_sent_create(server: &Server, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(server.origin.trim_start_matches("http://"))
        .await
        .unwrap();
    let path = "/v1.0/deviceManagement/remoteAssistancePartners";
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_and_the_process_exits() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start_with_env(dir.path(), &[], &[("RAPD_SHUTDOWN_DRAIN_SECS", "10")]).await;
    let token = token(dir.path(), &[]);
    let mut in_flight = half_sent_create(&server, &token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = TcpStream::connect(server.origin.trim_start_matches("http://")).await;
    assert!(refused.is_err(), "no new connections once shutdown began");

    in_flight.write_all(b"}").await.unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the in-flight create completed: {answer}"
    );
    let status = server
        .wait_exit(Duration::from_secs(5))
        .expect("rapd exited after draining");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_ends_is_cut_at_the_drain_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start_with_env(dir.path(), &[], &[("RAPD_SHUTDOWN_DRAIN_SECS", "1")]).await;
    let token = token(dir.path(), &[]);
    let _stuck = half_sent_create(&server, &token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    server.terminate();
    let status = server
        .wait_exit(Duration::from_secs(5))
        .expect("rapd exited at the deadline");
    assert!(status.success());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it waited for the drain deadline"
    );
}
