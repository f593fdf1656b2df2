//! The request log: bounded, newest first, and never holding a token.

use rapd_auth::DEV_TENANT;
use reqwest::Method;
use serde_json::Value;

use crate::app::{TestApp, graph_error, json};

async fn log(app: &TestApp, query: &str) -> reqwest::Response {
    app.control(Method::GET, &format!("/requests{query}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_log_keeps_the_last_n_requests_newest_first() {
    let app = TestApp::with_control(|s| {
        s.server.control.as_mut().unwrap().request_log_capacity = 3;
    })
    .await;
    let id = app.create("v1.0", "logged").await;
    app.get("v1.0", &id).await;
    let missing = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .send()
        .await
        .unwrap();
    let missing_request_id = missing.headers()["request-id"].to_str().unwrap().to_owned();
    assert_eq!(missing.status(), 401);
    let long_path = format!("/v1.0/{}", "a".repeat(200));
    app.request(
        Method::GET,
        &format!("{long_path}?access_token=secret-in-query"),
    )
    .send()
    .await
    .unwrap();
    app.request(Method::DELETE, &format!("{}/{id}", app.partners("v1.0")))
        .send()
        .await
        .unwrap();

    let body = json(log(&app, "").await).await;
    assert_eq!(body["capacity"], 3);
    assert_eq!(body["recorded"], 5);
    let entries = body["value"].as_array().unwrap();
    let sequences: Vec<u64> = entries
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences, [5, 4, 3], "the newest three, newest first");
    let delete = &entries[0];
    assert_eq!(delete["method"], "DELETE");
    assert_eq!(delete["status"], 204);
    assert_eq!(delete["tenantId"], DEV_TENANT.to_string());
    assert!(delete["durationMs"].as_f64().unwrap() >= 0.0);
    let long = &entries[1];
    let path = long["path"].as_str().unwrap();
    assert_eq!(path.len(), 128, "cut at the bound");
    assert!(long_path.starts_with(path));
    let unauthenticated = &entries[2];
    assert_eq!(unauthenticated["status"], 401);
    assert_eq!(unauthenticated["tenantId"], Value::Null);
    assert_eq!(unauthenticated["requestId"], missing_request_id.as_str());

    let text = serde_json::to_string(&body).unwrap();
    assert!(!text.contains(&app.token) && !text.contains("secret-in-query"));
    assert!(!text.contains(crate::app::ADMIN_TOKEN));

    // The limit: at the capacity, past it, and zero.
    assert_eq!(
        json(log(&app, "?limit=1").await).await["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        json(log(&app, "?limit=3").await).await["value"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    for bad in ["?limit=4", "?limit=0", "?limit=x"] {
        graph_error(log(&app, bad).await, 400, "BadRequest").await;
    }

    // Cleared, it shows only what comes after.
    let r = app
        .control(Method::DELETE, "/requests")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        json(log(&app, "").await).await["value"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.request(Method::GET, &app.partners("v1.0"))
        .send()
        .await
        .unwrap();
    let after = json(log(&app, "").await).await;
    assert_eq!(after["value"].as_array().unwrap().len(), 1);
    assert_eq!(after["value"][0]["sequence"], 6);
}

/// The test-control API's own calls never enter the request log, whatever they are.
#[tokio::test]
async fn control_calls_are_not_logged() {
    let app = TestApp::with_control(|_| {}).await;
    app.create("v1.0", "logged").await;
    for (method, path) in [
        (Method::GET, "/export"),
        (Method::GET, "/faults"),
        (Method::POST, "/reset?tenant=not-a-guid"),
        (Method::GET, "/requests"),
        (Method::GET, "/nowhere"),
    ] {
        app.control(method, path).send().await.unwrap();
    }
    let body = json(log(&app, "").await).await;
    assert_eq!(body["recorded"], 1, "{body}");
    let paths: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().all(|p| !p.starts_with("/_rapd")), "{paths:?}");
}
