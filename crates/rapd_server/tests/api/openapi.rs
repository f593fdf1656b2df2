//! `/openapi.json` and the router agree: every documented path and method reaches a handler (not
//! one of the router's fallbacks) and succeeds with a minimal valid request, answering only
//! statuses it documents; every method a documented path leaves out is a fallback; and every
//! path DESIGN names that the router serves is documented.

use std::collections::BTreeSet;

use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use rapd_model::{PartnerId, TenantId};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{TestApp, json};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const ID_PARAM: &str = "{remoteAssistancePartner-id}";
const AUDIT_READ: &str = "DeviceManagementApps.Read.All";
const IDENTITY_PROVIDER: &str = "identity-provider";

/// A minimal valid request to one of the identity provider's operations: a form body, the
/// managed-identity headers, a tenant and a user in the path.
async fn identity_provider_request(
    app: &TestApp,
    method: &str,
    path: &str,
    operation: &Value,
) -> Answer {
    let concrete = path
        .replace("{tenant}", "common")
        .replace("{upn}", "dev@rapd.localhost");
    let client_id = rapd_auth::DEV_APP.to_string();
    let url = app.url(&concrete);
    let request = match (method, operation["operationId"].as_str().unwrap()) {
        ("POST", "postToken" | "postAdfsToken") => app.client.post(url).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "rapd-dev-secret"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]),
        ("POST", "postDeviceCode" | "postAdfsDeviceCode") => {
            app.client.post(url).form(&[("client_id", &client_id)])
        }
        ("POST", "postDeviceLogin") => {
            let started: Value = app
                .client
                .post(app.url("/common/oauth2/v2.0/devicecode"))
                .form(&[("client_id", &client_id)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            app.client.post(url).form(&[
                ("user_code", started["user_code"].as_str().unwrap()),
                ("username", "dev@rapd.localhost"),
                ("password", "rapd-dev-password"),
            ])
        }
        ("GET", "getAppServiceToken") => app
            .client
            .get(format!("{url}?resource=https://graph.microsoft.com"))
            .header("X-IDENTITY-HEADER", "x"),
        ("GET", "getImdsToken" | "getImdsTokenSlash") => app
            .client
            .get(format!("{url}?resource=https://graph.microsoft.com"))
            .header("Metadata", "true"),
        ("GET", _) => app.client.get(url),
        (method, id) => panic!("no minimal request for {method} {id}"),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, body }
}

/// Whether a concrete path is an instance of a documented template (`{name}` is one segment).
fn instance_of(path: &str, template: &str) -> bool {
    let (mut a, mut b) = (path.split('/'), template.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(p), Some(t)) if p == t || (t.starts_with('{') && t.ends_with('}')) => {}
            _ => return false,
        }
    }
}

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
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(path));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
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

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((path.clone(), method.to_uppercase(), operation.clone()));
        }
    }
    out
}

/// The security schemes an operation needs (none for a public one).
fn schemes(doc: &Value, operation: &Value) -> Vec<String> {
    let security = operation.get("security").unwrap_or(&doc["security"]);
    security
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|requirement| requirement.as_object().unwrap().keys().cloned())
        .collect()
}

/// A partner in onboarding, and the one-time code its administrator would hand out.
async fn onboarding_code(app: &TestApp, token: &str) -> String {
    let id = app.create("v1.0", "openapi partner").await;
    let begin = format!("{}/{id}/beginOnboarding", app.partners("v1.0"));
    let answer = send(app, "POST", &begin, Some(token), None).await;
    assert_eq!(answer.status, 204);
    let (tenant, partner) = (TenantId(DEV_TENANT), PartnerId::parse(&id).unwrap());
    app.issued_code(tenant, partner)
}

/// A connected partner's credential.
async fn partner_credential(app: &TestApp, token: &str) -> String {
    let code = onboarding_code(app, token).await;
    let redeemed = send(
        app,
        "POST",
        "/partner/v1/onboarding",
        None,
        Some(&json!({ "code": code })),
    )
    .await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    redeemed.body["credential"].as_str().unwrap().to_owned()
}

/// The body to send: a fresh code to redeem, else the operation's first documented example,
/// else `{}`.
async fn body_for(app: &TestApp, token: &str, operation: &Value) -> Option<Value> {
    let media = &operation.get("requestBody")?["content"]["application/json"];
    if operation["operationId"] == "partner.redeemOnboardingCode" {
        return Some(json!({ "code": onboarding_code(app, token).await }));
    }
    let example = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|examples| examples.values().next())
        .map(|example| example["value"].clone());
    Some(example.unwrap_or_else(|| json!({})))
}

#[tokio::test]
async fn every_documented_operation_reaches_its_handler() {
    // With the test-control API, so that its operations are documented and checked too.
    let app = TestApp::with_control(|_| {}).await;
    let token = app.token_for(DEV_TENANT, &[SCOPE_READ_WRITE, AUDIT_READ]);
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"], json!([{ "url": "/" }]));
    let operations = operations(&doc);
    assert!(operations.len() >= 27, "{} operations", operations.len());
    for (path, method, operation) in &operations {
        let concrete = if path.contains(ID_PARAM) {
            let version = path.split('/').nth(1).unwrap();
            path.replace(ID_PARAM, &app.create(version, "openapi").await)
        } else {
            // A fault rule's id: none is held, so its 404 (documented) is the answer.
            path.replace("/faults/{id}", "/faults/1")
        };
        if operation["tags"][0] == IDENTITY_PROVIDER {
            let answer = identity_provider_request(&app, method, path, operation).await;
            assert!(
                (200..300).contains(&answer.status),
                "{method} {path} with a minimal valid request: {} {}",
                answer.status,
                answer.body
            );
            assert!(
                operation["responses"]
                    .get(answer.status.to_string())
                    .is_some(),
                "{method} {path} answered {}, which it does not document",
                answer.status
            );
            continue;
        }
        let schemes = schemes(&doc, operation);
        let bearer = match schemes.first().map(String::as_str) {
            None => None,
            Some("bearer") => Some(token.clone()),
            Some("partnerCredential") => Some(partner_credential(&app, &token).await),
            Some("controlAdmin") => Some(crate::app::ADMIN_TOKEN.to_owned()),
            Some(other) => panic!("{method} {path}: unknown security scheme {other}"),
        };
        let body = body_for(&app, &token, operation).await;
        let answer = send(&app, method, &concrete, bearer.as_deref(), body.as_ref()).await;
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
        // Without its credential, a protected operation is 401 and says so in its document.
        if bearer.is_some() {
            let anonymous = send(&app, method, &concrete, None, body.as_ref()).await;
            assert_eq!(anonymous.status, 401, "{method} {path} without a token");
            assert!(documented.get("401").is_some(), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn methods_left_out_are_the_routers_fallbacks() {
    let app = TestApp::with_control(|_| {}).await;
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
            let answer = send(&app, method, &concrete, Some(&app.token), None).await;
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
        ("GET", "/partner/v2/connection".to_owned()),
    ] {
        assert!(
            doc["paths"]
                .get(&path)
                .and_then(|item| item.get(method.to_lowercase()))
                .is_none(),
            "{method} {path} is documented"
        );
        let answer = send(&app, method, &path, Some(&app.token), None).await;
        assert!(
            fallback(&answer).is_some(),
            "{method} {path} answered {} {}",
            answer.status,
            answer.body
        );
    }
}

/// The surfaces DESIGN §1 lists (and a few more spellings): whichever the router serves, with
/// whatever method, the document has. A route added without its document fails here.
#[tokio::test]
async fn every_served_path_design_names_is_documented() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let mut candidates = vec![
        "/partner/v1/onboarding".to_owned(),
        "/partner/v1/connection".to_owned(),
        "/readyz".to_owned(),
        "/metrics".to_owned(),
        "/console".to_owned(),
        "/healthz".to_owned(),
        "/openapi.json".to_owned(),
        "/.well-known/openid-configuration".to_owned(),
        "/common/discovery/v2.0/keys".to_owned(),
        "/common/oauth2/v2.0/token".to_owned(),
        "/token".to_owned(),
    ];
    for version in ["v1.0", "beta"] {
        for tail in [
            "deviceManagement/remoteAssistancePartners",
            "deviceManagement/remoteAssistancePartners/$count",
            "deviceManagement/auditEvents",
            "deviceManagement/remoteAssistanceSettings",
            "$metadata",
            "$batch",
        ] {
            candidates.push(format!("/{version}/{tail}"));
        }
    }
    for path in &candidates {
        for method in METHODS {
            let answer = send(&app, method, path, Some(&app.token), None).await;
            if fallback(&answer).is_some() {
                continue;
            }
            // The most specific template wins, as in the router: a literal path first.
            let item = doc["paths"].get(path).or_else(|| {
                doc["paths"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .find(|(template, _)| instance_of(path, template))
                    .map(|(_, item)| item)
            });
            assert!(
                item.and_then(|item| item.get(method.to_lowercase()))
                    .is_some(),
                "{method} {path} is served ({}) but not in /openapi.json",
                answer.status
            );
        }
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
        .filter(|(_, _, op)| schemes(&doc, op).is_empty())
        .map(|(path, method, _)| format!("{method} {path}"))
        .collect();
    let expected: BTreeSet<String> = [
        "GET /v1.0/$metadata",
        "GET /beta/$metadata",
        "GET /.well-known/openid-configuration",
        "GET /common/discovery/v2.0/keys",
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "GET /metrics",
        "POST /partner/v1/onboarding",
        "GET /{tenant}/v2.0/.well-known/openid-configuration",
        "GET /adfs/.well-known/openid-configuration",
        "POST /{tenant}/oauth2/v2.0/token",
        "POST /adfs/oauth2/token",
        "POST /{tenant}/oauth2/v2.0/devicecode",
        "POST /adfs/oauth2/devicecode",
        "GET /{tenant}/discovery/v2.0/keys",
        "GET /common/userrealm/{upn}",
        "GET /devicelogin",
        "POST /devicelogin",
        "GET /msi/token",
        "GET /metadata/identity/oauth2/token",
        "GET /metadata/identity/oauth2/token/",
        "GET /console",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(public, expected);
    // Every protected operation documents 401 with the challenge, and 429/503 with Retry-After.
    let responses = &doc["components"]["responses"];
    assert!(responses["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
    assert!(responses["Forbidden"]["headers"]["WWW-Authenticate"].is_object());
    assert!(responses["TooManyRequests"]["headers"]["Retry-After"].is_object());
    assert!(responses["ServiceUnavailable"]["headers"]["Retry-After"].is_object());
    for (path, method, op) in operations(&doc) {
        if !schemes(&doc, &op).is_empty() {
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
    // A documented 403 carries the challenge the document promises.
    let read_only = app.token_for(DEV_TENANT, &[rapd_auth::SCOPE_READ]);
    let refused = app
        .client
        .post(app.url(&app.partners("v1.0")))
        .bearer_auth(read_only)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().contains_key("www-authenticate"));
    assert!(json(refused).await["error"]["innerError"].is_object());
}

/// The paths of the surfaces a configuration mounts or not, by the tag of their operations.
const OPTIONAL_SURFACES: [&str; 2] = [IDENTITY_PROVIDER, "control"];

/// A concrete request target for a documented path.
fn concrete(path: &str) -> String {
    path.replace(ID_PARAM, &Uuid::new_v4().to_string())
        .replace("/faults/{id}", "/faults/1")
        .replace("{tenant}", "common")
        .replace("{upn}", "dev@rapd.localhost")
}

/// Issue 18: a server lists exactly the routes it mounts. Without the development issuer and
/// the test-control API, as in production, neither surface is listed nor routed; with both,
/// as in development, both are listed; either way every listed path reaches a handler.
#[tokio::test]
async fn the_document_lists_what_this_configuration_mounts() {
    let development = TestApp::with_control(|_| {}).await;
    let production = TestApp::with(|s| {
        s.dev_issuer = false;
        s.server.control = None;
    })
    .await;
    let (dev_doc, prod_doc) = (document(&development).await, document(&production).await);
    let optional: Vec<(String, String)> = operations(&dev_doc)
        .into_iter()
        .filter(|(_, _, op)| OPTIONAL_SURFACES.contains(&op["tags"][0].as_str().unwrap()))
        .map(|(path, method, _)| (path, method))
        .collect();
    for tag in OPTIONAL_SURFACES {
        assert!(
            operations(&dev_doc)
                .iter()
                .any(|(_, _, op)| op["tags"][0] == tag),
            "development lists no {tag} operation"
        );
    }
    assert!(optional.len() >= 20, "{optional:?}");
    for (path, method) in &optional {
        assert!(
            prod_doc["paths"].get(path).is_none(),
            "production lists {method} {path}"
        );
        let answer = send(&production, method, &concrete(path), None, None).await;
        assert!(
            fallback(&answer).is_some(),
            "production serves {method} {path}: {} {}",
            answer.status,
            answer.body
        );
    }
    assert!(
        prod_doc["components"]["securitySchemes"]
            .get("controlAdmin")
            .is_none()
    );
    // Every path production lists is routed: it reaches a handler, not a fallback. The
    // development issuer's own metadata answers as an unknown segment while it is off, which
    // those operations document.
    let prod_operations = operations(&prod_doc);
    assert!(prod_operations.len() >= 20, "{}", prod_operations.len());
    for (path, method, operation) in prod_operations {
        let answer = send(&production, &method, &concrete(&path), None, None).await;
        let documented = operation["responses"]
            .get(answer.status.to_string())
            .is_some();
        match operation["tags"][0].as_str().unwrap() {
            "identity" => assert!(documented, "{method} {path}: {}", answer.status),
            _ => assert_eq!(
                fallback(&answer),
                None,
                "{method} {path} is listed but not routed: {} {}",
                answer.status,
                answer.body
            ),
        }
    }
}
