//! The https listener: Graph over TLS with https links, the development certificate's names and
//! trust, the handshake under the header read timeout, and a leaf reissued under the same CA.

use std::time::{Duration, Instant};

use rapd_auth::PermissionProfile;
use rapd_idp::IdentityConfig;
use rapd_server::{
    ConnectionLimits,
    tls::{CertificateSource, LEAF_CERT_FILE, TLS_DIR},
};
use reqwest::Client;
use serde_json::Value;
use tokio::io::AsyncReadExt;

use crate::tls_app::TlsApp;

#[tokio::test]
async fn graph_is_served_over_https_with_https_links() {
    let app = TlsApp::default().await;
    let token = app.password_token("common").await;
    let partners = "/v1.0/deviceManagement/remoteAssistancePartners";
    for name in ["A", "B"] {
        let created = app
            .client
            .post(format!("{}{partners}", app.https))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "displayName": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let page: Value = app
        .client
        .get(format!("{}{partners}?$top=1", app.https))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!("{}/v1.0/", app.https)), "{next}");
    assert!(
        page["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    // The plain listener serves the same data, with http links; a client cannot claim TLS.
    let page: Value = reqwest::Client::new()
        .get(format!("{}{partners}?$top=1", app.http))
        .bearer_auth(&token)
        .header("x-rapd-tls", "1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        page["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
}

#[tokio::test]
async fn the_certificate_names_loopback_and_configured_names_and_needs_the_ca() {
    let app = TlsApp::default().await;
    let port = app.https.rsplit(':').next().unwrap().to_owned();
    let healthz = |host: &str| format!("https://{host}:{port}/healthz");
    for host in ["localhost", "127.0.0.1"] {
        let ok = app.client.get(healthz(host)).send().await.unwrap();
        assert_eq!(ok.status(), 200, "{host}");
    }
    // rapd.test is in the certificate; resolve it to loopback for this client only.
    let named = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&app.ca_pem).unwrap())
        .resolve("rapd.test", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    assert_eq!(
        named
            .get(healthz("rapd.test"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let other = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&app.ca_pem).unwrap())
        .resolve("other.test", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    assert!(other.get(healthz("other.test")).send().await.is_err());
    let untrusting = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .build()
        .unwrap();
    assert!(untrusting.get(healthz("localhost")).send().await.is_err());
}

#[tokio::test]
async fn the_development_leaf_is_reissued_under_the_same_ca() {
    let app = TlsApp::default().await;
    let dir = app.dir.path();
    let first = std::fs::read(dir.join(TLS_DIR).join(LEAF_CERT_FILE)).unwrap();
    let served = CertificateSource::Development {
        data_dir: dir.to_owned(),
        extra_names: Vec::new(),
    }
    .prepare(time::OffsetDateTime::now_utc())
    .unwrap();
    assert_eq!(
        std::fs::read(served.ca_file.as_ref().unwrap()).unwrap(),
        app.ca_pem
    );
    assert_ne!(std::fs::read(&served.cert_file).unwrap(), first);
    // The reissued leaf still verifies against the CA the client already trusts.
    let acceptor = served.acceptor();
    assert!(acceptor.is_ok());
}

#[tokio::test]
async fn a_tls_client_that_never_finishes_its_handshake_is_disconnected() {
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_millis(500),
        ..ConnectionLimits::default()
    };
    let app = TlsApp::start_with(
        PermissionProfile::FoundingPage,
        IdentityConfig::default(),
        limits,
    )
    .await;
    let address = app.https.trim_start_matches("https://localhost:");
    let mut silent = tokio::net::TcpStream::connect(format!("127.0.0.1:{address}"))
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection");
    assert!(started.elapsed() >= Duration::from_millis(400));
    // A client that completes its handshake in time is served.
    let ok = app
        .client
        .get(format!("{}/healthz", app.https))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
