//! Beta's `remoteAssistanceSettings` singleton.

use reqwest::Method;
use serde_json::json;

use crate::app::{TestApp, graph_error, json};

const URL: &str = "/beta/deviceManagement/remoteAssistanceSettings";

#[tokio::test]
async fn defaults_then_patch_audited() {
    let app = TestApp::start().await;
    let fresh = json(app.request(Method::GET, URL).send().await.unwrap()).await;
    assert_eq!(
        fresh["@odata.type"],
        "#microsoft.graph.remoteAssistanceSettings"
    );
    assert_eq!(fresh["remoteAssistanceState"], "disabled");
    assert_eq!(fresh["allowSessionsToUnenrolledDevices"], false);
    assert_eq!(fresh["blockChat"], false);
    assert!(
        fresh["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/beta/$metadata#deviceManagement/remoteAssistanceSettings/$entity")
    );

    let docs_body = json!({
        "@odata.type": "#microsoft.graph.remoteAssistanceSettings",
        "remoteAssistanceState": "enabled",
        "allowSessionsToUnenrolledDevices": true,
        "blockChat": true
    });
    let patched = app
        .request(Method::PATCH, URL)
        .json(&docs_body)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched = json(patched).await;
    assert_eq!(
        (
            patched["remoteAssistanceState"].as_str(),
            patched["blockChat"].as_bool()
        ),
        (Some("enabled"), Some(true))
    );
    assert_eq!(patched["id"], fresh["id"]);
    let partial = app
        .request(Method::PATCH, URL)
        .json(&json!({"blockChat": false}))
        .send()
        .await
        .unwrap();
    let partial = json(partial).await;
    assert_eq!(
        (
            partial["remoteAssistanceState"].as_str(),
            partial["blockChat"].as_bool()
        ),
        (Some("enabled"), Some(false))
    );

    for bad in [
        json!({"blockChat": null}),
        json!({"remoteAssistanceState": "on"}),
        json!({"colour": 1}),
    ] {
        let r = app
            .request(Method::PATCH, URL)
            .json(&bad)
            .send()
            .await
            .unwrap();
        graph_error(r, 400, "BadRequest").await;
    }
    let trail = app
        .store
        .audit_entries(rapd_model::TenantId(rapd_auth::DEV_TENANT))
        .await
        .unwrap();
    let kinds: Vec<_> = trail.iter().map(|e| e.kind.activity_type()).collect();
    assert_eq!(
        kinds,
        [
            "Patch RemoteAssistanceSettings",
            "Patch RemoteAssistanceSettings"
        ]
    );
    assert_eq!(
        trail[1].modified_properties.len(),
        1,
        "only blockChat changed"
    );

    let v1 = app
        .request(
            Method::GET,
            "/v1.0/deviceManagement/remoteAssistanceSettings",
        )
        .send()
        .await
        .unwrap();
    graph_error(v1, 400, "BadRequest").await;
    let delete = app.request(Method::DELETE, URL).send().await.unwrap();
    graph_error(delete, 400, "No method match route template").await;
}

#[tokio::test]
async fn query_options_are_refused_and_json_is_negotiated() {
    let app = TestApp::start().await;
    for query in ["$select=blockChat", "%24select=blockChat", "$filter=x"] {
        let r = app
            .request(Method::GET, &format!("{URL}?{query}"))
            .send()
            .await
            .unwrap();
        graph_error(r, 400, "BadRequest").await;
    }
    let r = app
        .request(Method::GET, URL)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    graph_error(r, 406, "NotAcceptable").await;
    let audit = app
        .request(Method::GET, "/v1.0/deviceManagement/auditEvents")
        .header("accept", "text/html");
    graph_error(audit.send().await.unwrap(), 406, "NotAcceptable").await;
}
