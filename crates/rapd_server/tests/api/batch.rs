//! `$batch`: 20 mixed requests with a `dependsOn` chain; malformed batches run nothing; each
//! inner request is authorised and throttled on its own.

use rapd_auth::{DEV_TENANT, SCOPE_READ, SCOPE_READ_WRITE};
use rapd_server::ThrottleLimits;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{TestApp, graph_error, json};

const P: &str = "/deviceManagement/remoteAssistancePartners";

async fn batch(app: &TestApp, token: &str, requests: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1.0/$batch"))
        .bearer_auth(token)
        .json(&json!({ "requests": requests }))
        .send()
        .await
        .unwrap()
}

fn by_id(body: &Value) -> std::collections::HashMap<String, Value> {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

async fn count(app: &TestApp) -> String {
    let r = app
        .request(Method::GET, &format!("{}/$count", app.partners("v1.0")))
        .send()
        .await;
    r.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn twenty_mixed_requests_with_a_depends_on_chain() {
    let app = TestApp::start().await;
    let (a, b, c) = (
        app.create("v1.0", "a").await,
        app.create("v1.0", "b").await,
        app.create("v1.0", "c").await,
    );
    let json_header = json!({"Content-Type": "application/json"});
    let mut requests = vec![
        json!({"id": "1", "method": "GET", "url": P}),
        json!({"id": "2", "method": "GET", "url": format!("{P}/{a}")}),
        json!({"id": "3", "method": "PATCH", "url": format!("{P}/{a}"), "headers": json_header, "body": {"displayName": "renamed"}, "dependsOn": ["2"]}),
        json!({"id": "4", "method": "POST", "url": format!("{P}/{a}/beginOnboarding"), "dependsOn": ["3"]}),
        json!({"id": "5", "method": "POST", "url": format!("/v1.0{P}/{a}/disconnect"), "dependsOn": ["4"]}),
        json!({"id": "6", "method": "GET", "url": format!("{P}/{a}"), "dependsOn": ["5"]}),
        json!({"id": "7", "method": "POST", "url": P, "headers": json_header, "body": {"displayName": "from batch"}}),
        json!({"id": "8", "method": "DELETE", "url": format!("{P}/{b}")}),
        json!({"id": "9", "method": "GET", "url": format!("{P}/{b}"), "dependsOn": ["8"]}),
        json!({"id": "10", "method": "POST", "url": format!("{P}/{c}/disconnect"), "dependsOn": ["9"]}),
        json!({"id": "11", "method": "GET", "url": format!("{P}/{c}"), "dependsOn": ["10"]}),
    ];
    for i in 12..=20 {
        requests.push(json!({"id": i.to_string(), "method": "GET", "url": format!("deviceManagement/remoteAssistancePartners/{c}")}));
    }
    let response = batch(&app, &app.token, Value::Array(requests)).await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    let r = by_id(&body);
    assert_eq!(r.len(), 20);
    let status = |id: &str| r[id]["status"].as_u64().unwrap();
    assert_eq!(status("1"), 200);
    assert_eq!(r["1"]["body"]["value"].as_array().unwrap().len(), 3);
    assert_eq!(status("3"), 200);
    assert_eq!(r["3"]["body"]["displayName"], "renamed");
    assert_eq!((status("4"), status("5")), (204, 204));
    assert_eq!(r["6"]["body"]["onboardingStatus"], "notOnboarded");
    assert_eq!(status("7"), 201);
    assert_eq!(status("8"), 204);
    assert_eq!(status("9"), 404);
    assert_eq!(r["9"]["body"]["error"]["code"], "ResourceNotFound");
    assert_eq!(status("10"), 424, "its dependency failed");
    assert_eq!(status("11"), 424, "a dependency of its dependency failed");
    for i in 12..=20 {
        assert_eq!(status(&i.to_string()), 200);
    }
    assert!(
        r["2"]["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(app.get("v1.0", &a).await["displayName"], "renamed");
    assert_eq!(
        count(&app).await,
        "3",
        "a, c and the one created in the batch"
    );
}

#[tokio::test]
async fn a_malformed_batch_is_400_and_runs_nothing() {
    let app = TestApp::start().await;
    let create = |id: &str| json!({"id": id, "method": "POST", "url": P, "headers": {"Content-Type": "application/json"}, "body": {}});
    let twenty_one: Vec<Value> = (0..21).map(|i| create(&i.to_string())).collect();
    let twenty: Vec<Value> = (0..20).map(|i| create(&format!("t{i}"))).collect();
    let cases = [
        Value::Array(twenty_one),
        json!([]),
        json!([create("1"), create("1")]),
        json!([create("1"), {"id": "2", "method": "GET", "url": "https://graph.microsoft.com/v1.0/deviceManagement/remoteAssistancePartners"}]),
        json!([create("1"), {"id": "2", "method": "GET", "url": "//evil.example/x"}]),
        json!([create("1"), {"id": "2", "method": "POST", "url": "/$batch", "headers": {"Content-Type": "application/json"}, "body": {"requests": []}}]),
        json!([create("1"), {"id": "2", "method": "GET", "url": P, "dependsOn": ["9"]}]),
        json!([{"id": "1", "method": "GET", "url": P, "dependsOn": ["2"]}, {"id": "2", "method": "GET", "url": P, "dependsOn": ["1"]}, create("3")]),
        json!([create("1"), {"id": "2", "method": "POST", "url": P, "body": {}}]),
        json!([create("1"), {"id": "2", "method": "TRACE", "url": P}]),
        // A later item that could not be sent: the writes before it must not run either.
        json!([create("1"), {"id": "2", "method": "GET", "url": P, "headers": {"bad header": "x"}}]),
        json!([create("1"), {"id": "2", "method": "GET", "url": P, "headers": {"x-note": "a\u{1}b"}}]),
        json!([create("1"), {"id": "2", "method": "GET", "url": format!("{P}?$filter=displayName eq 'a b'")}]),
        json!([create("1"), {"id": "2", "method": "GET", "url": format!("{P}/\u{7}")}]),
    ];
    for requests in cases {
        let r = batch(&app, &app.token, requests.clone()).await;
        graph_error(r, 400, "BadRequest").await;
    }
    assert_eq!(count(&app).await, "0", "nothing ran");
    let r = batch(&app, &app.token, Value::Array(twenty)).await;
    assert_eq!(r.status(), 200, "20 is the limit");
    assert_eq!(count(&app).await, "20");
}

#[tokio::test]
async fn inner_requests_are_authorised_and_isolated_on_their_own() {
    let app = TestApp::start().await;
    let a = app.create("v1.0", "tenant A's").await;
    let reader = app.token_for(DEV_TENANT, &[SCOPE_READ]);
    let r = json(
        batch(
            &app,
            &reader,
            json!([
                {"id": "read", "method": "GET", "url": format!("{P}/{a}")},
                {"id": "write", "method": "POST", "url": format!("{P}/{a}/disconnect")},
            ]),
        )
        .await,
    )
    .await;
    let r = by_id(&r);
    assert_eq!(r["read"]["status"], 200);
    assert_eq!(r["write"]["status"], 403);

    // A3: another tenant's batch finds nothing of tenant A's, and changes nothing.
    let other = app.token_for(Uuid::new_v4(), &[SCOPE_READ_WRITE]);
    let json_header = json!({"Content-Type": "application/json"});
    let r = batch(&app, &other, json!([
        {"id": "get", "method": "GET", "url": format!("{P}/{a}")},
        {"id": "patch", "method": "PATCH", "url": format!("{P}/{a}"), "headers": json_header, "body": {"displayName": "mine"}},
        {"id": "begin", "method": "POST", "url": format!("{P}/{a}/beginOnboarding")},
        {"id": "disconnect", "method": "POST", "url": format!("{P}/{a}/disconnect")},
        {"id": "delete", "method": "DELETE", "url": format!("{P}/{a}")},
    ])).await;
    assert_eq!(r.status(), 200);
    for (_, item) in by_id(&json(r).await) {
        assert_eq!(item["status"], 404, "{item}");
    }
    assert_eq!(app.get("v1.0", &a).await["displayName"], "tenant A's");

    let no_token = app
        .client
        .post(app.url("/v1.0/$batch"))
        .json(&json!({"requests": [{"id": "1", "method": "GET", "url": P}]}));
    graph_error(
        no_token.send().await.unwrap(),
        401,
        "InvalidAuthenticationToken",
    )
    .await;
    let smuggled = json!([{"id": "1", "method": "GET", "url": P, "headers": {"Authorization": format!("Bearer {other}")}}]);
    graph_error(batch(&app, &app.token, smuggled).await, 400, "BadRequest").await;
}

#[tokio::test]
async fn inner_requests_are_throttled_one_by_one() {
    let limits = ThrottleLimits {
        app_writes: 5,
        ..ThrottleLimits::INTUNE
    };
    let app = TestApp::with(|s| s.server.throttle = Some(limits)).await;
    let requests: Vec<Value> = (0..20)
        .map(|i| json!({"id": i.to_string(), "method": "POST", "url": P, "headers": {"Content-Type": "application/json"}, "body": {}}))
        .collect();
    let r = json(batch(&app, &app.token, Value::Array(requests)).await).await;
    let statuses: Vec<u64> = r["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15);
    let throttled = r["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == 429)
        .unwrap();
    assert!(throttled["headers"]["retry-after"].is_string());
}

/// Only the accept loop says a request came over TLS: an item's own `x-rapd-tls` is dropped, so
/// its links keep the scheme the batch came in with.
#[tokio::test]
async fn an_item_cannot_claim_tls() {
    let app = TestApp::start().await;
    let r = batch(
        &app,
        &app.token,
        json!([{"id": "1", "method": "GET", "url": P, "headers": {"x-rapd-tls": "1"}}]),
    )
    .await;
    let body = json(r).await;
    let context = body["responses"][0]["body"]["@odata.context"]
        .as_str()
        .unwrap();
    assert!(context.starts_with("http://"), "{context}");
}
