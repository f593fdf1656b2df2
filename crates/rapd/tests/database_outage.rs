//! The database goes away under a running node and comes back: `/readyz` and requests answer
//! `503` with `Retry-After` while it is gone (never a hang), and the node recovers without a
//! restart. The outage is a TCP proxy in front of PostgreSQL that cuts every connection.

mod support;

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Client;
use serde_json::json;
use support::{Database, Server, token};
use tokio::{net::TcpListener, task::AbortHandle};

/// A loopback proxy to PostgreSQL that can refuse and cut every connection.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (up_in_loop, links_in_loop) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up_in_loop.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links_in_loop.lock().unwrap().push(link.abort_handle());
            }
        });
        Proxy { port, up, links }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `postgres://user@host:port/db?query` with host and port replaced by the proxy's.
fn through(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (user, rest) = rest.split_once('@').unwrap();
    let (hostport, path) = rest.split_once('/').unwrap();
    (
        format!("{scheme}://{user}@127.0.0.1:{port}/{path}"),
        hostport.to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_gone_the_node_answers_503_and_recovers() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    let Database::Postgres(schema) = &database else {
        unreachable!()
    };
    let (_, upstream) = through(&schema.url, 0);
    let proxy = Proxy::start(upstream).await;
    let (url, _) = through(&schema.url, proxy.port);
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("RAPD_DATABASE_URL", url.as_str()),
        ("RAPD_DATABASE_ACQUIRE_TIMEOUT_MS", "1000"),
    ];
    let server = Server::start_with_env(dir.path(), &[], &env).await;
    let token = token(dir.path(), &[]);
    let client = Client::new();
    let ready = || client.get(format!("{}/readyz", server.origin)).send();
    assert_eq!(ready().await.unwrap().status(), 200);
    let create = || {
        client
            .post(server.partners())
            .bearer_auth(&token)
            .json(&json!({ "displayName": "x" }))
            .send()
    };
    assert_eq!(create().await.unwrap().status(), 201);

    proxy.cut();
    let started = Instant::now();
    let not_ready = ready().await.unwrap();
    assert_eq!(not_ready.status(), 503);
    assert_eq!(not_ready.headers()["retry-after"], "1");
    let body: serde_json::Value = not_ready.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ServiceUnavailable");
    let refused = create().await.unwrap();
    assert_eq!(refused.status(), 503, "a write while the database is gone");
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered within the acquire timeout, not hung: {:?}",
        started.elapsed()
    );

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(10);
    while ready().await.unwrap().status() != 200 {
        assert!(Instant::now() < deadline, "the node did not recover");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(create().await.unwrap().status(), 201, "writes work again");
    let listed: serde_json::Value = support::get_json(&client, &server.partners(), &token).await;
    assert_eq!(
        listed["value"].as_array().unwrap().len(),
        3,
        "the sample, the write before and the one after; none from the outage"
    );
}
