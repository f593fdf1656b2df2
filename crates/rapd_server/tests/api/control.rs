//! The test-control API under `/_rapd/`: its guard, and each of its parts.

mod faults;
mod requests;
mod state;

use reqwest::Method;

use crate::app::{TestApp, graph_error};

#[tokio::test]
async fn the_admin_token_is_required_and_compared_whole() {
    let app = TestApp::with_control(|_| {}).await;
    let url = app.url("/_rapd/export");
    let missing = app.client.get(&url).send().await.unwrap();
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"rapd-control\""
    );
    graph_error(missing, 401, "Unauthorized").await;
    for wrong in [
        "test-control-admin-toke",
        "test-control-admin-tokenX",
        "TEST-CONTROL-ADMIN-TOKEN",
    ] {
        let r = app
            .client
            .get(&url)
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        graph_error(r, 401, "Unauthorized").await;
    }
    // A Graph token is not the admin token.
    let r = app
        .client
        .get(&url)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    graph_error(r, 401, "Unauthorized").await;
    let ok = app.control(Method::GET, "/export").send().await.unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn without_control_the_prefix_is_not_routed() {
    let app = TestApp::start().await;
    for path in ["/_rapd/export", "/_rapd/requests", "/_rapd/faults"] {
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth(crate::app::ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        graph_error(r, 404, "ResourceNotFound").await;
    }
    // Nor does the trigger header do anything.
    let r = app
        .request(Method::GET, &app.partners("v1.0"))
        .header("x-rapd-fault", "503")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A peer that is not on loopback is refused before its token is looked at, unless allowed.
/// The request goes through the real router with the peer address the accept loop would set.
#[tokio::test]
async fn remote_peers_are_refused_unless_allowed() {
    use axum::{body::Body, extract::ConnectInfo};
    use tower::ServiceExt;

    for (allow_remote, expected) in [(false, 403), (true, 200)] {
        let app = TestApp::with_control(|s| {
            s.server.control.as_mut().unwrap().allow_remote = allow_remote;
        })
        .await;
        let request = http::Request::get("/_rapd/export")
            .header(
                "authorization",
                format!("Bearer {}", crate::app::ADMIN_TOKEN),
            )
            .extension(ConnectInfo(std::net::SocketAddr::from((
                [192, 0, 2, 7],
                40000,
            ))))
            .body(Body::empty())
            .unwrap();
        let response = rapd_server::router(app.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "allow_remote = {allow_remote}");
    }
}
