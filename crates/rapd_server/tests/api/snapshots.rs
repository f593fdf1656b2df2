//! Snapshots of every wire shape a client parses: bodies, errors and `$metadata`, so that any
//! change to Graph compatibility shows up as a diff of `tests/snapshots/` (insta's `.snap` files).
//! Volatile values (ids, dates, the port, tokens) are replaced by stable placeholders.

use std::collections::HashMap;

use rapd_auth::{DEV_TENANT, SCOPE_READ};
use rapd_server::ThrottleLimits;
use regex::Regex;
use reqwest::{Method, Response};
use serde_json::json;

use crate::app::{BODY_LIMIT, TestApp};

/// Replaces what changes from run to run, keeping the shape.
fn normalize(app: &TestApp, text: &str) -> String {
    let text = text.replace(&app.origin, "http://rapd.test");
    let guid = Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let mut names: HashMap<String, String> = HashMap::new();
    let text = guid.replace_all(&text, |c: &regex::Captures<'_>| {
        let n = names.len();
        names
            .entry(c[0].to_owned())
            .or_insert_with(|| format!("<guid-{n}>"))
            .clone()
    });
    let datetime = Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?").unwrap();
    let text = datetime.replace_all(&text, |c: &regex::Captures<'_>| {
        if c[0].starts_with("0001-01-01") {
            c[0].to_owned()
        } else {
            "<datetime>".to_owned()
        }
    });
    let token = Regex::new(r"skiptoken=[A-Za-z0-9_-]+").unwrap();
    token.replace_all(&text, "skiptoken=<token>").into_owned()
}

async fn shape(app: &TestApp, response: Response) -> String {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| format!("retry-after: {}\n", v.to_str().unwrap()))
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    format!(
        "{status} {content_type}\n{retry_after}\n{}\n",
        normalize(app, &body)
    )
}

/// Compares `actual` with `tests/snapshots/{name}.snap` through insta: under CI a difference or
/// a missing snapshot fails; elsewhere insta writes `.snap.new` for review
/// (`INSTA_UPDATE=always` accepts every change; read the diff before committing it).
fn check(name: &str, actual: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name.trim_end_matches(".txt"), actual));
}

#[tokio::test]
async fn wire_shapes() {
    let app = TestApp::start().await;
    let send = |method: Method, path: String| app.request(method, &path);
    let partners = app.partners("v1.0");
    let docs_body = json!({
        "@odata.type": "#microsoft.graph.remoteAssistancePartner",
        "displayName": "Display Name value",
        "onboardingUrl": "https://example.com/onboardingUrl/",
    });
    let created = send(Method::POST, partners.clone())
        .json(&docs_body)
        .send()
        .await
        .unwrap();
    check("v1_create.txt", &shape(&app, created).await);
    let id = app.create("v1.0", "Second").await;
    app.create("v1.0", "Third").await;
    let item = format!("{partners}/{id}");
    check(
        "v1_get.txt",
        &shape(&app, send(Method::GET, item.clone()).send().await.unwrap()).await,
    );
    let begin = send(
        Method::POST,
        format!("{}/{id}/beginOnboarding", app.partners("beta")),
    );
    begin
        .json(&json!({"partnerDomain": "contoso.example"}))
        .send()
        .await
        .unwrap();
    let beta = send(Method::GET, format!("{}/{id}", app.partners("beta")))
        .send()
        .await
        .unwrap();
    check("beta_get.txt", &shape(&app, beta).await);
    // The same audit record in each version's shape: beta's actor and resource have more, and
    // only beta names the partner's onboardingRequestExpiryDateTime.
    let auditor = app.token_for(DEV_TENANT, &["DeviceManagementApps.Read.All"]);
    for (version, name) in [
        ("v1.0", "v1_audit_events.txt"),
        ("beta", "beta_audit_events.txt"),
    ] {
        let url = app.url(&format!(
            "/{version}/deviceManagement/auditEvents?$filter=activityType%20eq%20'BeginOnboarding%20RemoteAssistancePartner'"
        ));
        let events = app.client.get(url).bearer_auth(&auditor).send();
        check(name, &shape(&app, events.await.unwrap()).await);
    }
    let list = send(
        Method::GET,
        format!("{partners}?$count=true&$top=2&$orderby=displayName"),
    )
    .send()
    .await
    .unwrap();
    check("v1_list_paged.txt", &shape(&app, list).await);
    let select = send(
        Method::GET,
        format!(
            "{partners}?$select=displayName,onboardingStatus&$filter=displayName%20eq%20'Second'"
        ),
    );
    check(
        "v1_list_select.txt",
        &shape(&app, select.send().await.unwrap()).await,
    );
    let one = send(Method::GET, format!("{item}?$select=onboardingUrl"))
        .send()
        .await
        .unwrap();
    check("v1_get_select.txt", &shape(&app, one).await);
    let count = send(Method::GET, format!("{partners}/$count"))
        .send()
        .await
        .unwrap();
    check("v1_count.txt", &shape(&app, count).await);
    let batch = app.client.post(app.url("/v1.0/$batch")).bearer_auth(&app.token).json(&json!({"requests": [
        {"id": "1", "method": "GET", "url": format!("/deviceManagement/remoteAssistancePartners/{id}?$select=displayName")},
        {"id": "2", "method": "POST", "url": format!("/deviceManagement/remoteAssistancePartners/{id}/disconnect"), "dependsOn": ["1"]},
    ]}));
    check(
        "v1_batch.txt",
        &shape(&app, batch.send().await.unwrap()).await,
    );
    for version in ["v1.0", "beta"] {
        let metadata = app
            .client
            .get(app.url(&format!("/{version}/$metadata")))
            .send()
            .await
            .unwrap();
        check(
            &format!("{version}_metadata.txt"),
            &shape(&app, metadata).await,
        );
    }
}

#[tokio::test]
async fn error_shapes() {
    // Admission, throttling included, comes before the body is read: the invalid, oversized and
    // undeclared bodies count as the first three writes, the accepted create as the fourth.
    let limits = ThrottleLimits {
        app_writes: 4,
        ..ThrottleLimits::INTUNE
    };
    let app = TestApp::with(|s| s.server.throttle = Some(limits)).await;
    let partners = app.partners("v1.0");
    let url = app.url(&partners);
    let reader = app.token_for(DEV_TENANT, &[SCOPE_READ]);
    let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("error_401_missing.txt", app.client.get(&url)),
        (
            "error_401_malformed.txt",
            app.client.get(&url).bearer_auth("not-a-jwt"),
        ),
        (
            "error_403_scope.txt",
            app.client.post(&url).bearer_auth(&reader).json(&json!({})),
        ),
        (
            "error_404.txt",
            app.client
                .get(format!("{url}/7443c8b9-c8b9-7443-b9c8-4374b9c84374"))
                .bearer_auth(&app.token),
        ),
        (
            "error_400_body.txt",
            app.client
                .post(&url)
                .bearer_auth(&app.token)
                .json(&json!({"colour": "blue"})),
        ),
        (
            "error_400_filter.txt",
            app.client
                .get(format!("{url}?$filter=colour%20eq%20'x'"))
                .bearer_auth(&app.token),
        ),
        (
            "error_400_route.txt",
            app.client.put(&url).bearer_auth(&app.token),
        ),
        (
            "error_404_version.txt",
            app.client
                .get(app.url("/deviceManagement/remoteAssistancePartners")),
        ),
        (
            "error_406.txt",
            app.client
                .get(&url)
                .bearer_auth(&app.token)
                .header("accept", "text/html"),
        ),
        (
            "error_413.txt",
            app.client
                .post(&url)
                .bearer_auth(&app.token)
                .header("content-type", "application/json")
                .body("x".repeat(BODY_LIMIT + 1)),
        ),
        (
            "error_415.txt",
            app.client
                .post(&url)
                .bearer_auth(&app.token)
                .header("content-type", "text/plain")
                .body("{}"),
        ),
        (
            "write_201_then_429.txt",
            app.client
                .post(&url)
                .bearer_auth(&app.token)
                .json(&json!({})),
        ),
        (
            "error_429.txt",
            app.client
                .post(&url)
                .bearer_auth(&app.token)
                .json(&json!({})),
        ),
    ];
    for (name, request) in cases {
        let response = request.send().await.unwrap();
        if name.starts_with("write_") {
            assert_eq!(response.status(), 201);
            continue;
        }
        check(name, &shape(&app, response).await);
    }
}
