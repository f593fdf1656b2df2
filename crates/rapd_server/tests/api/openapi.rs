//! `/openapi.json` and the router agree: every documented path and method reaches a handler (not
//! one of the router's fallbacks) and succeeds with a minimal valid request, answering only
//! statuses it documents; every method a documented path leaves out is a fallback.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::TestApp;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const ID_PARAM: &str = "{remoteAssistancePartner-id}";

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("request-id"));
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    response.json().await.unwrap()
}

/// An answer: status and body (JSON when it parses, else a string).
struct Answer {
    status: u16,
    body: Value,
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: bool,
    body: Option<&Value>,
) -> Answer {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(path));
    if token {
        request = request.bearer_auth(&app.token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, body }
}

/// Which of the router's fallbacks answered, if one did.
fn fallback(answer: &Answer) -> Option<&'static str> {
    let code = answer.body["error"]["code"].as_str().unwrap_or("");
    let message = answer.body["error"]["message"].as_str().unwrap_or("");
    match answer.status {
        405 => Some("405 Method Not Allowed"),
        400 if code == "No method match route template" => Some("No method match route template"),
        400 if message.starts_with("Resource not found for the segment") => Some("unknown segment"),
        404 if message.starts_with("Invalid version") => Some("Invalid version"),
        _ => None,
    }
}

/// The body to send to an operation that takes one: its first documented example, else `{}`.
fn body_for(operation: &Value) -> Option<Value> {
    let media = &operation.get("requestBody")?["content"]["application/json"];
    let example = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|examples| examples.values().next())
        .map(|example| example["value"].clone());
    Some(example.unwrap_or_else(|| json!({})))
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.to_uppercase(), operation.clone()));
        }
    }
    out
}

fn is_public(doc: &Value, operation: &Value) -> bool {
    let security = operation.get("security").unwrap_or(&doc["security"]);
    security.as_array().unwrap().is_empty()
}

#[tokio::test]
async fn every_documented_operation_reaches_its_handler() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"], json!([{ "url": "/" }]));
    let operations = operations(&doc);
    assert!(operations.len() >= 22, "{} operations", operations.len());
    for (path, method, operation) in &operations {
        let concrete = if path.contains(ID_PARAM) {
            let version = path.split('/').nth(1).unwrap();
            path.replace(ID_PARAM, &app.create(version, "openapi").await)
        } else {
            path.clone()
        };
        let public = is_public(&doc, operation);
        let body = body_for(operation);
        let answer = send(&app, method, &concrete, !public, body.as_ref()).await;
        assert_eq!(
            fallback(&answer),
            None,
            "{method} {path} fell through to the router's fallback: {} {}",
            answer.status,
            answer.body
        );
        assert!(
            (200..300).contains(&answer.status),
            "{method} {path} with a minimal valid request: {} {}",
            answer.status,
            answer.body
        );
        let documented = &operation["responses"];
        assert!(
            documented.get(answer.status.to_string()).is_some(),
            "{method} {path} answered {}, which it does not document",
            answer.status
        );
        // Without a token, a protected operation is 401 and says so in its document.
        if !public {
            let anonymous = send(&app, method, &concrete, false, body.as_ref()).await;
            assert_eq!(anonymous.status, 401, "{method} {path} without a token");
            assert!(documented.get("401").is_some(), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn methods_left_out_are_the_routers_fallbacks() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let id = Uuid::new_v4().to_string();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let documented: BTreeSet<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        let concrete = path.replace(ID_PARAM, &id);
        for method in METHODS.iter().filter(|m| !documented.contains(**m)) {
            let answer = send(&app, method, &concrete, true, None).await;
            assert!(
                fallback(&answer).is_some(),
                "{method} {path} is not documented but answered {} {}",
                answer.status,
                answer.body
            );
        }
    }
    // Paths the document does not have are fallbacks too.
    let partners = "/v1.0/deviceManagement/remoteAssistancePartners";
    for (method, path) in [
        (
            "GET",
            "/v2.0/deviceManagement/remoteAssistancePartners".to_owned(),
        ),
        ("GET", "/v1.0/users".to_owned()),
        ("POST", format!("{partners}/{id}/completeOnboarding")),
        ("PUT", format!("{partners}/{id}")),
        ("DELETE", partners.to_owned()),
        (
            "GET",
            "/beta/deviceManagement/remoteAssistanceSettings".to_owned(),
        ),
    ] {
        assert!(
            doc["paths"]
                .get(&path)
                .and_then(|item| item.get(method.to_lowercase()))
                .is_none(),
            "{method} {path} is documented"
        );
        let answer = send(&app, method, &path, true, None).await;
        assert!(
            fallback(&answer).is_some(),
            "{method} {path} answered {} {}",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn graph_operations_are_protected_and_services_are_public() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    assert_eq!(doc["security"], json!([{ "bearer": [] }]));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let public: BTreeSet<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, op)| is_public(&doc, op))
        .map(|(path, method, _)| format!("{method} {path}"))
        .collect();
    let expected: BTreeSet<String> = [
        "GET /v1.0/$metadata",
        "GET /beta/$metadata",
        "GET /.well-known/openid-configuration",
        "GET /common/discovery/v2.0/keys",
        "GET /healthz",
        "GET /openapi.json",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(public, expected);
    // Every protected operation documents 401 with the challenge, and 429/503 with Retry-After.
    let responses = &doc["components"]["responses"];
    assert!(responses["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
    assert!(responses["TooManyRequests"]["headers"]["Retry-After"].is_object());
    assert!(responses["ServiceUnavailable"]["headers"]["Retry-After"].is_object());
    for (path, method, op) in operations(&doc) {
        if !is_public(&doc, &op) {
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
    // The document states this server's body limit.
    assert!(
        responses["PayloadTooLarge"]["description"]
            .as_str()
            .unwrap()
            .contains(&crate::app::BODY_LIMIT.to_string())
    );
}
