//! Fault injection: rules for the next N requests, probabilities, latency and the trigger header.

use std::time::Instant;

use reqwest::Method;
use serde_json::json;

use crate::app::{TestApp, graph_error, intune_text, json};

async fn add(app: &TestApp, rule: serde_json::Value) -> reqwest::Response {
    app.control(Method::POST, "/faults")
        .json(&rule)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_rule_for_the_next_request_faults_it_once_with_graphs_body() {
    let app = TestApp::with_control(|_| {}).await;
    let r = add(
        &app,
        json!({"method": "GET", "path": "/{version}/deviceManagement/remoteAssistancePartners",
               "status": 429, "retryAfterSeconds": 2, "count": 1}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(json(r).await["remaining"], 1);
    // Another method or path does not match.
    app.create("v1.0", "not faulted").await;

    let url = app.partners("beta");
    let r = app.request(Method::GET, &url).send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "2");
    let message = graph_error(r, 429, "TooManyRequests").await;
    assert!(intune_text(&message).starts_with("Too many requests"));
    let r = app.request(Method::GET, &url).send().await.unwrap();
    assert_eq!(r.status(), 200, "the rule is used up");
    assert_eq!(
        json(app.control(Method::GET, "/faults").send().await.unwrap()).await["value"],
        json!([])
    );

    // The request log shows the 429 then the 200.
    let log = json(
        app.control(Method::GET, "/requests?limit=2")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let statuses: Vec<_> = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(200), json!(429)]);
}

#[tokio::test]
async fn probabilities_statuses_and_clearing() {
    let app = TestApp::with_control(|_| {}).await;
    let url = app.partners("v1.0");
    add(
        &app,
        json!({"path": "*", "status": 503, "probability": 0.0}),
    )
    .await;
    for _ in 0..20 {
        assert_eq!(
            app.request(Method::GET, &url)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    add(
        &app,
        json!({"path": "*", "status": 500, "probability": 1.0}),
    )
    .await;
    let r = app.request(Method::GET, &url).send().await.unwrap();
    graph_error(r, 500, "Unknown").await;
    // `$batch`'s inner requests meet the rules too, each on its own.
    let batch = json!({"requests": [{"id": "1", "method": "GET", "url": "/deviceManagement/remoteAssistancePartners"}]});
    let r = app
        .request(Method::POST, "/v1.0/$batch")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500, "the $batch request itself matches `*`");
    let r = app.control(Method::DELETE, "/faults").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.request(Method::GET, &url)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn the_trigger_header_faults_one_request() {
    let app = TestApp::with_control(|_| {}).await;
    let url = app.partners("v1.0");
    let r = app
        .request(Method::GET, &url)
        .header("x-rapd-fault", "503; retry-after=7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "7");
    graph_error(r, 503, "ServiceUnavailable").await;
    let started = Instant::now();
    let r = app
        .request(Method::GET, &url)
        .header("x-rapd-fault", "latency=300")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed().as_millis() >= 300);
    for bad in ["404", "latency=60001", "retry-after=3601", "colour=red"] {
        let r = app
            .request(Method::GET, &url)
            .header("x-rapd-fault", bad)
            .send()
            .await
            .unwrap();
        graph_error(r, 400, "BadRequest").await;
    }
}

#[tokio::test]
async fn rules_are_checked_and_bounded() {
    let app = TestApp::with_control(|_| {}).await;
    for bad in [
        json!({"path": "*", "status": 404}),
        json!({"path": "*", "status": 429, "probability": 1.5}),
        json!({"path": "*", "latencyMs": [10, 5]}),
        json!({"path": "*", "latencyMs": [0, 60001]}),
        json!({"path": "*", "status": 429, "retryAfterSeconds": 3601}),
        json!({"path": "*", "status": 429, "count": 0}),
        json!({"path": "*"}),
        json!({"path": "", "status": 429}),
        json!({"path": "*", "status": 429, "colour": "red"}),
    ] {
        graph_error(add(&app, bad.clone()).await, 400, "BadRequest").await;
    }
    let at_limits =
        json!({"path": "/none", "status": 429, "retryAfterSeconds": 3600, "latencyMs": [0, 60000]});
    for _ in 0..rapd_control::MAX_RULES {
        assert_eq!(add(&app, at_limits.clone()).await.status(), 201);
    }
    graph_error(add(&app, at_limits).await, 400, "BadRequest").await;
}

#[tokio::test]
async fn without_faults_the_header_is_ignored_and_rules_refused() {
    let app = TestApp::with_control(|s| {
        s.server.control.as_mut().unwrap().faults = false;
    })
    .await;
    let r = app
        .request(Method::GET, &app.partners("v1.0"))
        .header("x-rapd-fault", "503")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = add(&app, json!({"path": "*", "status": 429})).await;
    graph_error(r, 400, "BadRequest").await;
}

/// A fault waits for the caller's token: without a valid one the 401 comes at once, no trigger
/// or rule delays it, and no rule's count is used up.
#[tokio::test]
async fn a_request_without_a_valid_token_is_refused_at_once() {
    let app = TestApp::with_control(|_| {}).await;
    let url = app.url(&app.partners("v1.0"));
    let started = Instant::now();
    for (token, trigger) in [
        (None, "latency=2000"),
        (Some("not-a-token"), "latency=2000; 503"),
        (None, "colour=red"),
    ] {
        let mut request = app.client.get(&url).header("x-rapd-fault", trigger);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        graph_error(
            request.send().await.unwrap(),
            401,
            "InvalidAuthenticationToken",
        )
        .await;
    }
    let r = add(
        &app,
        json!({"path": "*", "status": 503, "latencyMs": [2000, 2000], "count": 1}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = app.client.get(&url).send().await.unwrap();
    graph_error(r, 401, "InvalidAuthenticationToken").await;
    assert!(
        started.elapsed().as_millis() < 1500,
        "refused without delay: {:?}",
        started.elapsed()
    );
    let rules = json(app.control(Method::GET, "/faults").send().await.unwrap()).await;
    assert_eq!(
        rules["value"][0]["remaining"], 1,
        "the rule is still unused"
    );
    let r = app
        .request(Method::GET, &app.partners("v1.0"))
        .send()
        .await
        .unwrap();
    graph_error(r, 503, "ServiceUnavailable").await;
}

/// The trigger works only for loopback peers (the accept loop's address, as for `/_rapd/`),
/// unless `control.allow_remote`.
#[tokio::test]
async fn faults_reach_loopback_peers_only_unless_allowed() {
    use axum::{body::Body, extract::ConnectInfo};
    use tower::ServiceExt;

    for (allow_remote, peer, expected) in [
        (false, [192, 0, 2, 7], 200),
        (false, [127, 0, 0, 1], 503),
        (true, [192, 0, 2, 7], 503),
    ] {
        let app = TestApp::with_control(|s| {
            s.server.control.as_mut().unwrap().allow_remote = allow_remote;
        })
        .await;
        let request = http::Request::get(app.partners("v1.0"))
            .header("authorization", format!("Bearer {}", app.token))
            .header("x-rapd-fault", "503")
            .extension(ConnectInfo(std::net::SocketAddr::from((peer, 40000))))
            .body(Body::empty())
            .unwrap();
        let response = rapd_server::router(app.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            expected,
            "allow_remote = {allow_remote}, peer {peer:?}"
        );
    }
}

/// All the latency injected into one request, a `$batch`'s inner requests together, stays
/// within `max_fault_delay`.
#[tokio::test]
async fn one_requests_injected_latency_is_capped_batch_items_included() {
    let app = TestApp::with_control(|s| {
        s.server.control.as_mut().unwrap().max_fault_delay = std::time::Duration::from_millis(600);
    })
    .await;
    let started = Instant::now();
    let r = app
        .request(Method::GET, &app.partners("v1.0"))
        .header("x-rapd-fault", "latency=2000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let took = started.elapsed().as_millis();
    assert!((600..1500).contains(&took), "one request: {took} ms");

    let items: Vec<_> = (1..=4)
        .map(|i| {
            json!({"id": i.to_string(), "method": "GET",
                        "url": "/deviceManagement/remoteAssistancePartners",
                        "headers": {"x-rapd-fault": "latency=400"}})
        })
        .collect();
    let started = Instant::now();
    let r = app
        .request(Method::POST, "/v1.0/$batch")
        .json(&json!({ "requests": items }))
        .send()
        .await
        .unwrap();
    let body = json(r).await;
    let took = started.elapsed().as_millis();
    for answer in body["responses"].as_array().unwrap() {
        assert_eq!(answer["status"], 200, "{answer}");
    }
    // Four items of 400 ms would be 1 600 ms; together they get the 600 ms budget.
    assert!((600..1400).contains(&took), "a batch: {took} ms");
}

#[tokio::test]
async fn one_rule_is_removed_by_its_id() {
    let app = TestApp::with_control(|_| {}).await;
    let url = app.partners("v1.0");
    let first = json(add(&app, json!({"path": "*", "status": 500})).await).await;
    let second = json(add(&app, json!({"path": "*", "status": 503})).await).await;
    let remove = |id: String| app.control(Method::DELETE, &format!("/faults/{id}")).send();
    let r = remove(first["id"].to_string()).await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    let held = json(app.control(Method::GET, "/faults").send().await.unwrap()).await;
    let ids: Vec<_> = held["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [second["id"].clone()], "only that rule went");
    let r = app.request(Method::GET, &url).send().await.unwrap();
    graph_error(r, 503, "ServiceUnavailable").await;

    // Gone already, never added, or not a number: refused, and the rules stay as they are.
    graph_error(
        remove(first["id"].to_string()).await.unwrap(),
        404,
        "ResourceNotFound",
    )
    .await;
    graph_error(remove("999".into()).await.unwrap(), 404, "ResourceNotFound").await;
    graph_error(remove("first".into()).await.unwrap(), 400, "BadRequest").await;
    let held = json(app.control(Method::GET, "/faults").send().await.unwrap()).await;
    assert_eq!(held["value"].as_array().unwrap().len(), 1);

    assert_eq!(
        remove(second["id"].to_string()).await.unwrap().status(),
        204
    );
    assert_eq!(
        app.request(Method::GET, &url)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
