//! Every URL form Microsoft's own clients send: namespace-qualified actions (the PowerShell SDK's
//! OpenAPI paths), OData key segments, any letter case, a trailing slash; and the answers to
//! `$expand`, `$search` and `/$count`'s content negotiation.

use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::app::{TestApp, graph_error, json};

const SET: &str = "deviceManagement/remoteAssistancePartners";

async fn status_of(app: &TestApp, id: &str) -> Value {
    app.get("v1.0", id).await["onboardingStatus"].clone()
}

async fn send(app: &TestApp, method: Method, path: &str) -> reqwest::Response {
    app.request(method, path).send().await.unwrap()
}

#[tokio::test]
async fn qualified_actions_in_both_versions() {
    let app = TestApp::start().await;
    for version in ["v1.0", "beta"] {
        let id = app.create(version, "qualified").await;
        let item = format!("/{version}/{SET}/{id}");
        for (action, after) in [
            ("microsoft.graph.beginOnboarding", "onboarding"),
            ("microsoft.graph.disconnect", "notOnboarded"),
            ("graph.beginOnboarding", "onboarding"),
            ("Microsoft.Graph.Disconnect", "notOnboarded"),
        ] {
            let r = send(&app, Method::POST, &format!("{item}/{action}")).await;
            assert_eq!(r.status(), 204, "{version} {action}");
            assert_eq!(status_of(&app, &id).await, after, "{version} {action}");
        }
        // A qualified name is an action only where an action is: not in place of an id.
        let r = send(
            &app,
            Method::GET,
            &format!("{item}/microsoft.graph.unknown"),
        )
        .await;
        graph_error(r, 400, "No method match route template").await;
    }
}

#[tokio::test]
async fn odata_key_segments_address_the_partner() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "keyed").await;
    for key in [
        format!("('{id}')"),
        format!("({id})"),
        format!("%28%27{id}%27%29"),
    ] {
        let path = format!("/v1.0/{SET}{key}");
        let body = json(send(&app, Method::GET, &path).await).await;
        assert_eq!(body["id"], id.as_str(), "{key}");
        // Links name the canonical form.
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/v1.0/$metadata#deviceManagement/remoteAssistancePartners/$entity")
        );
    }
    let r = app
        .request(Method::PATCH, &format!("/beta/{SET}('{id}')"))
        .json(&json!({ "displayName": "renamed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["displayName"], "renamed");
    let action = format!("/v1.0/{SET}('{id}')/microsoft.graph.beginOnboarding");
    assert_eq!(send(&app, Method::POST, &action).await.status(), 204);
    assert_eq!(status_of(&app, &id).await, "onboarding");
    // A key that is no partner id is 404, like any unknown id; an escaped slash in it stays in
    // the one segment.
    let r = send(&app, Method::GET, &format!("/v1.0/{SET}('nope%2Fx')")).await;
    graph_error(r, 404, "ResourceNotFound").await;
    let r = send(&app, Method::DELETE, &format!("/v1.0/{SET}({id})")).await;
    assert_eq!(r.status(), 204);
    let r = send(&app, Method::GET, &format!("/v1.0/{SET}('{id}')")).await;
    graph_error(r, 404, "ResourceNotFound").await;
}

#[tokio::test]
async fn path_segments_ignore_letter_case() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "cased").await;
    let list = json(
        send(
            &app,
            Method::GET,
            "/v1.0/devicemanagement/remoteassistancepartners",
        )
        .await,
    )
    .await;
    assert_eq!(list["value"][0]["id"], id.as_str());
    let r = send(
        &app,
        Method::GET,
        "/V1.0/DEVICEMANAGEMENT/RemoteAssistancePartners/$COUNT",
    )
    .await;
    assert_eq!(r.text().await.unwrap(), "1");
    let r = send(
        &app,
        Method::POST,
        &format!(
            "/Beta/deviceManagement/remoteAssistancePartners/{}/BEGINONBOARDING",
            id.to_uppercase()
        ),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = app
        .client
        .get(app.url("/v1.0/$METADATA"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = send(
        &app,
        Method::GET,
        "/beta/deviceManagement/RemoteAssistanceSettings",
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .get(app.url("/v1.0/deviceManagement/AUDITEVENTS"))
        .bearer_auth(app.token_for(rapd_auth::DEV_TENANT, &["DeviceManagementApps.Read.All"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Unknown segments are still unknown, in any case.
    let r = send(
        &app,
        Method::GET,
        "/v1.0/deviceManagement/remoteAssistanceThings",
    )
    .await;
    let message = graph_error(r, 400, "BadRequest").await;
    assert!(message.contains("'remoteAssistanceThings'"), "{message}");
}

#[tokio::test]
async fn one_trailing_slash_is_ignored() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "slashed").await;
    let list = json(send(&app, Method::GET, &format!("/v1.0/{SET}/?$select=id")).await).await;
    assert_eq!(list["value"][0]["id"], id.as_str());
    let item = json(send(&app, Method::GET, &format!("/v1.0/{SET}/{id}/")).await).await;
    assert_eq!(item["id"], id.as_str());
    let r = send(&app, Method::POST, &format!("/v1.0/{SET}/{id}/disconnect/")).await;
    assert_eq!(r.status(), 204);
    let r = send(&app, Method::GET, &format!("/v1.0/{SET}//")).await;
    graph_error(r, 400, "No method match route template").await;
}

#[tokio::test]
async fn batch_items_use_the_same_url_forms() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "batched").await;
    let body = json!({ "requests": [
        { "id": "1", "method": "POST", "url": format!("/{SET}('{id}')/microsoft.graph.beginOnboarding") },
        { "id": "2", "method": "GET", "url": format!("/DeviceManagement/RemoteAssistancePartners({id})"), "dependsOn": ["1"] },
        { "id": "3", "method": "POST", "url": format!("/{SET}/{id}/microsoft.graph.disconnect/"), "dependsOn": ["2"] },
        { "id": "4", "method": "GET", "url": format!("/V1.0/{SET}/$count"), "dependsOn": ["3"] },
    ]});
    let r = app
        .request(Method::POST, "/v1.0/$batch")
        .json(&body)
        .send()
        .await
        .unwrap();
    let responses = json(r).await["responses"].clone();
    let statuses: Vec<_> = responses
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(204), json!(200), json!(204), json!(200)]);
    assert_eq!(responses[1]["body"]["onboardingStatus"], "onboarding");
    assert_eq!(status_of(&app, &id).await, "notOnboarded");
    // A nested batch is refused in any letter case.
    let nested = json!({ "requests": [{ "id": "1", "method": "POST", "url": "/$BATCH" }] });
    let r = app
        .request(Method::POST, "/v1.0/$batch")
        .json(&nested)
        .send()
        .await
        .unwrap();
    graph_error(r, 400, "BadRequest").await;
}

#[tokio::test]
async fn count_is_text_unless_text_is_excluded() {
    let app = TestApp::start().await;
    app.create("v1.0", "counted").await;
    let count = format!("/v1.0/{SET}/$count");
    for accept in [
        "application/json",
        "*/*",
        "text/plain",
        "application/json, text/*;q=0.5",
    ] {
        let r = app
            .request(Method::GET, &count)
            .header(header::ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{accept}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(r.text().await.unwrap(), "1", "{accept}");
    }
    for accept in ["text/plain;q=0", "application/json, text/*;q=0"] {
        let r = app
            .request(Method::GET, &count)
            .header(header::ACCEPT, accept)
            .send()
            .await
            .unwrap();
        let message = graph_error(r, 406, "NotAcceptable").await;
        assert!(message.contains("text/plain"), "{message}");
    }
}

#[tokio::test]
async fn expand_star_expands_nothing_and_search_is_refused() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "expanded").await;
    for version in ["v1.0", "beta"] {
        let plain = json(send(&app, Method::GET, &format!("/{version}/{SET}")).await).await;
        let star =
            json(send(&app, Method::GET, &format!("/{version}/{SET}?$expand=*")).await).await;
        assert_eq!(plain, star, "{version}");
        let item = json(
            send(
                &app,
                Method::GET,
                &format!("/{version}/{SET}/{id}?$expand=*"),
            )
            .await,
        )
        .await;
        assert_eq!(item["id"], id.as_str());
        let r = send(
            &app,
            Method::GET,
            &format!("/{version}/{SET}?$expand=displayName"),
        )
        .await;
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(
            message.contains("Only navigation properties can be expanded"),
            "{message}"
        );
        let r = send(
            &app,
            Method::GET,
            &format!("/{version}/{SET}/{id}?$expand=owner"),
        )
        .await;
        let message = graph_error(r, 400, "BadRequest").await;
        assert!(
            message.contains("Could not find a property named 'owner'"),
            "{message}"
        );
        for path in [
            format!("/{version}/{SET}"),
            format!("/{version}/{SET}/$count"),
        ] {
            let r = send(&app, Method::GET, &format!("{path}?$search=%22x%22")).await;
            let message = graph_error(r, 400, "BadRequest").await;
            assert!(
                message.contains("Query option 'Search' is not allowed"),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn onboarding_url_is_any_string_up_to_its_limit() {
    let app = TestApp::start().await;
    for url in [
        "http://partner.example/onboard",
        "ftp://x",
        "not a url at all",
        "",
    ] {
        let r = app
            .request(Method::POST, &app.partners("v1.0"))
            .json(&json!({ "displayName": "any", "onboardingUrl": url }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{url}");
        assert_eq!(json(r).await["onboardingUrl"], url);
    }
    let at = "x".repeat(rapd_model::input::MAX_URL_CHARS);
    let past = format!("{at}y");
    for (url, status) in [(&at, 201), (&past, 400)] {
        let r = app
            .request(Method::POST, &app.partners("v1.0"))
            .json(&json!({ "onboardingUrl": url }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status);
    }
}
