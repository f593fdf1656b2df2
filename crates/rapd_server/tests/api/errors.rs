//! Protocol: headers, negotiation, routing errors, validation, limits; bad input changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::app::{BODY_LIMIT, TestApp, graph_error, intune_text, json};

#[tokio::test]
async fn every_response_carries_graphs_headers() {
    let app = TestApp::start().await;
    let ok = app
        .request(Method::GET, &app.partners("v1.0"))
        .send()
        .await
        .unwrap();
    let h = ok.headers();
    let request_id = h["request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    assert_eq!(h["client-request-id"], request_id);
    assert!(h.contains_key("x-ms-ags-diagnostic"));
    assert!(h.contains_key("date"));
    assert_eq!(
        h["content-type"],
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
    );
    let echoed = app
        .request(Method::GET, "/v1.0/nothing")
        .header("client-request-id", "my-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["client-request-id"], "my-id-42");
    assert_eq!(
        json(echoed).await["error"]["innerError"]["client-request-id"],
        "my-id-42"
    );
}

#[tokio::test]
async fn accept_negotiation() {
    let app = TestApp::start().await;
    let url = app.partners("v1.0");
    for accept in [
        "*/*",
        "application/json",
        "application/*",
        "text/html, application/json;q=0.1",
    ] {
        let r = app
            .request(Method::GET, &url)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{accept}");
    }
    let no_accept = app
        .client
        .get(app.url(&url))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_accept.status(), 200);
    let html = app
        .request(Method::GET, &url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    graph_error(html, 406, "NotAcceptable").await;
}

#[tokio::test]
async fn routing_errors_are_graphs() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    let item = format!("{}/{id}", app.partners("v1.0"));
    let put = app
        .request(Method::PUT, &item)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let message = graph_error(put, 400, "No method match route template").await;
    assert!(message.contains("with http verb PUT"), "{message}");
    let get_action = app
        .request(Method::GET, &format!("{item}/disconnect"))
        .send()
        .await
        .unwrap();
    graph_error(get_action, 400, "No method match route template").await;
    let no_version = app.request(Method::GET, "/deviceManagement/remoteAssistancePartners");
    let message = graph_error(no_version.send().await.unwrap(), 404, "ResourceNotFound").await;
    assert_eq!(message, "Invalid version: deviceManagement");
    let bad_version = app.request(
        Method::GET,
        "/v2.0/deviceManagement/remoteAssistancePartners",
    );
    graph_error(bad_version.send().await.unwrap(), 404, "ResourceNotFound").await;
    let unknown = app.request(Method::GET, "/v1.0/deviceManagement/remoteAssistanceThings");
    let message = graph_error(unknown.send().await.unwrap(), 400, "BadRequest").await;
    assert!(message.contains("'remoteAssistanceThings'"));
    let not_a_guid = app.request(Method::GET, &format!("{}/not-a-guid", app.partners("v1.0")));
    graph_error(not_a_guid.send().await.unwrap(), 404, "ResourceNotFound").await;
}

#[tokio::test]
async fn invalid_bodies_are_400_and_change_nothing() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "original").await;
    let item = format!("{}/{id}", app.partners("v1.0"));
    let bad_bodies = [
        json!({"colour": "blue"}),
        json!({"displayName": 42}),
        json!({"onboardingStatus": "connected"}),
        json!({"onboardingStatus": null}),
        json!({"lastConnectionDateTime": "yesterday"}),
        json!({"@odata.type": "#microsoft.graph.user"}),
        json!({"onboardingUrl": ["http://example.com/"]}),
        json!({"onboardingUrl": "x".repeat(2049)}),
        json!({"onboardingRequestExpiryDateTime": "2017-01-01T00:02:07Z"}),
        json!(["displayName"]),
    ];
    for body in bad_bodies {
        let r = app
            .request(Method::PATCH, &item)
            .json(&body)
            .send()
            .await
            .unwrap();
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(!intune_text(&message).is_empty());
        let r = app
            .request(Method::POST, &app.partners("v1.0"))
            .json(&body)
            .send()
            .await
            .unwrap();
        graph_error(r, 400, "BadRequest").await;
    }
    let broken = app
        .request(Method::PATCH, &item)
        .header("content-type", "application/json")
        .body("{\"displayName\":")
        .send()
        .await
        .unwrap();
    graph_error(broken, 400, "BadRequest").await;
    assert_eq!(app.get("v1.0", &id).await["displayName"], "original");
    let count = app
        .request(Method::GET, &format!("{}/$count", app.partners("v1.0")))
        .send();
    assert_eq!(count.await.unwrap().text().await.unwrap(), "1");
}

#[tokio::test]
async fn bodies_must_be_json_and_within_the_limit() {
    let app = TestApp::start().await;
    let url = app.partners("v1.0");
    let text = app
        .request(Method::POST, &url)
        .header("content-type", "text/plain")
        .body("{}");
    graph_error(text.send().await.unwrap(), 415, "UnsupportedMediaType").await;
    let upper = app
        .request(Method::POST, &url)
        .header("content-type", "Application/JSON");
    assert_eq!(upper.body("{}").send().await.unwrap().status(), 201);

    // A body of exactly the limit is read (and judged on its content); one byte more is 413.
    let filler = |len: usize| {
        let name = "x".repeat(len - r#"{"displayName":""}"#.len());
        format!(r#"{{"displayName":"{name}"}}"#)
    };
    let at = app
        .request(Method::POST, &url)
        .header("content-type", "application/json");
    let at = at.body(filler(BODY_LIMIT)).send().await.unwrap();
    assert_eq!(
        at.status(),
        400,
        "read, then refused for a displayName over 1024 characters"
    );
    let past = app
        .request(Method::POST, &url)
        .header("content-type", "application/json");
    graph_error(
        past.body(filler(BODY_LIMIT + 1)).send().await.unwrap(),
        413,
        "RequestEntityTooLarge",
    )
    .await;
    let count = app.request(Method::GET, &format!("{url}/$count")).send();
    assert_eq!(count.await.unwrap().text().await.unwrap(), "1");
}

/// The caller is admitted before the body is read: a caller who may not write is refused at
/// once, whatever the body, so a refused caller never has its body waited for or parsed.
#[tokio::test]
async fn authorisation_comes_before_the_body() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "kept").await;
    let reader = app.token_for(rapd_auth::DEV_TENANT, &[rapd_auth::SCOPE_READ]);
    let url = app.url(&format!("{}/{id}", app.partners("v1.0")));
    // Too large, not JSON, not valid: each is 403 for a reader, not 413, 415 or 400.
    for (content_type, body) in [
        ("application/json", "x".repeat(BODY_LIMIT + 1)),
        ("text/plain", "{}".to_owned()),
        ("application/json", r#"{"colour":"blue"}"#.to_owned()),
    ] {
        let r = app
            .client
            .patch(&url)
            .bearer_auth(&reader)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        graph_error(r, 403, "Forbidden").await;
    }
    // A body that never comes: the refusal does not wait for it.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let origin = app.url("");
    let host = origin.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "PATCH {} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {reader}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{",
        url.trim_start_matches(&origin)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 16];
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_exact(&mut answer),
    )
    .await
    .expect("answered without the rest of the body")
    .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 403"), "{answer:?}");
    assert_eq!(app.get("v1.0", &id).await["displayName"], "kept");
}

/// NUL (U+0000) is refused with 400 in every stored string and in `$filter` literals, the same
/// way on both engines (PostgreSQL's text cannot hold it; this suite runs on each), and the
/// refusal changes nothing.
#[tokio::test]
async fn nul_is_a_bad_request_on_every_engine() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "kept").await;
    let item = format!("{}/{id}", app.partners("v1.0"));
    for (method, path, body) in [
        (
            Method::POST,
            app.partners("v1.0"),
            json!({"displayName": "a\u{0}b"}),
        ),
        (
            Method::PATCH,
            item.clone(),
            json!({"onboardingUrl": "https://x/\u{0}"}),
        ),
        (Method::PATCH, item.clone(), json!({"displayName": "\u{0}"})),
        (
            Method::POST,
            format!("{}/{id}/beginOnboarding", app.partners("beta")),
            json!({"partnerDomain": "contoso\u{0}"}),
        ),
    ] {
        let r = app.request(method, &path).json(&body).send().await.unwrap();
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(intune_text(&message).contains("NUL"), "{message}");
    }
    let r = app
        .request(
            Method::GET,
            &format!(
                "{}?$filter=displayName%20eq%20'a%00b'",
                app.partners("v1.0")
            ),
        )
        .send()
        .await
        .unwrap();
    let message = graph_error(r, 400, "BadRequest").await;
    assert!(message.contains("NUL"), "{message}");
    let kept = app.get("v1.0", &id).await;
    assert_eq!(kept["displayName"], "kept");
    assert_eq!(kept["onboardingStatus"], "notOnboarded");
}

/// A body that names a property twice says two things: it is refused, never read as the last.
#[tokio::test]
async fn duplicate_keys_are_refused() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "kept").await;
    let item = format!("{}/{id}", app.partners("v1.0"));
    for (method, path, body) in [
        (
            Method::POST,
            app.partners("v1.0"),
            r#"{"displayName":"a","displayName":"b"}"#,
        ),
        (
            Method::PATCH,
            item.clone(),
            r#"{"displayName":"x","displayN\u0061me":"y"}"#,
        ),
        (
            Method::PATCH,
            "/beta/deviceManagement/remoteAssistanceSettings".to_owned(),
            r#"{"blockChat":true,"blockChat":false}"#,
        ),
    ] {
        let r = app
            .request(method, &path)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(intune_text(&message).contains("duplicate"), "{message}");
    }
    assert_eq!(app.get("v1.0", &id).await["displayName"], "kept");
    let list = json(
        app.request(Method::GET, &app.partners("v1.0"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        list["value"].as_array().unwrap().len(),
        1,
        "nothing created"
    );
}
