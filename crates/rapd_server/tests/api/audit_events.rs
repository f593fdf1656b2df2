//! `GET /{version}/deviceManagement/auditEvents` writes, in each version, exactly the properties
//! that version's `$metadata` declares (which `metadata.rs` holds to Microsoft's CSDL): v1.0's
//! actor and resource have no `type`, beta's actor has `remoteTenantId` and the rest, and v1.0's
//! `modifiedProperties` name no beta-only property.

use std::collections::BTreeSet;

use rapd_auth::DEV_TENANT;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    app::{TestApp, json},
    metadata::{AUDIT_READ, metadata, properties},
};

/// A trail touching every kind of property: the partner's v1.0 ones, its beta-only expiry, and
/// beta's settings.
async fn trail(app: &TestApp) {
    let id = app.create("v1.0", "Contoso").await;
    let item = |version: &str| format!("{}/{id}", app.partners(version));
    let begin = app
        .request(Method::POST, &format!("{}/beginOnboarding", item("beta")))
        .json(&json!({"partnerDomain": "contoso.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(begin.status(), 204);
    let patch = app
        .request(Method::PATCH, &item("v1.0"))
        .json(&json!({"displayName": "Fabrikam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    let settings = app
        .request(
            Method::PATCH,
            "/beta/deviceManagement/remoteAssistanceSettings",
        )
        .json(&json!({
            "remoteAssistanceState": "enabled",
            "allowSessionsToUnenrolledDevices": true,
            "blockChat": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    let disconnect = app
        .request(Method::POST, &format!("{}/disconnect", item("v1.0")))
        .send()
        .await
        .unwrap();
    assert_eq!(disconnect.status(), 204);
}

async fn events(app: &TestApp, version: &str) -> Vec<Value> {
    let auditor = app.token_for(DEV_TENANT, &[AUDIT_READ]);
    let url = app.url(&format!("/{version}/deviceManagement/auditEvents"));
    let page = json(
        app.client
            .get(url)
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["value"].as_array().unwrap().clone()
}

/// A JSON object has exactly the `declared` properties, besides `@odata.type`.
fn assert_declared(object: &Value, declared: Vec<String>, context: &str) {
    let written: BTreeSet<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "@odata.type")
        .collect();
    let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    assert_eq!(written, declared, "{context}: {object}");
}

/// The names of the modified properties of an event's one resource.
fn modified(event: &Value) -> Vec<&str> {
    event["resources"][0]["modifiedProperties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["displayName"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn audit_json_has_exactly_the_properties_of_each_versions_metadata() {
    let app = TestApp::start().await;
    trail(&app).await;
    for version in ["v1.0", "beta"] {
        let csdl = metadata(&app, version).await;
        let declared = |ty: &str| properties(&csdl, ty);
        let events = events(&app, version).await;
        assert_eq!(events.len(), 5, "{version}: one record per change");
        for event in &events {
            let same = |json: &Value, ty: &str| {
                assert_declared(json, declared(ty), &format!("{version} {ty}"));
            };
            same(event, "auditEvent");
            same(&event["actor"], "auditActor");
            for resource in event["resources"].as_array().unwrap() {
                same(resource, "auditResource");
                for property in resource["modifiedProperties"].as_array().unwrap() {
                    same(property, "auditProperty");
                }
            }
            // A modified property is one the resource's type declares in this version.
            let resource_type = match event["resources"][0]["auditResourceType"].as_str() {
                Some("RemoteAssistancePartner") => "remoteAssistancePartner",
                Some("RemoteAssistanceSettings") => "remoteAssistanceSettings",
                other => panic!("{other:?}"),
            };
            let allowed = declared(resource_type);
            for name in modified(event) {
                assert!(
                    allowed.iter().any(|a| a == name),
                    "{version}: {name} is not a property of {resource_type}"
                );
            }
        }
    }
}

#[tokio::test]
async fn v1_audit_actor_and_resource_have_no_type() {
    let app = TestApp::start().await;
    trail(&app).await;
    for event in events(&app, "v1.0").await {
        let actor = &event["actor"];
        assert!(actor.get("type").is_none(), "{actor}");
        assert!(actor["auditActorType"].is_string(), "{actor}");
        for beta_only in ["remoteTenantId", "remoteUserId", "userRoleScopeTags"] {
            assert!(actor.get(beta_only).is_none(), "{actor}");
        }
        let resource = &event["resources"][0];
        assert!(resource.get("type").is_none(), "{resource}");
        assert!(resource["auditResourceType"].is_string(), "{resource}");
    }
}

#[tokio::test]
async fn beta_audit_actor_has_the_beta_properties() {
    let app = TestApp::start().await;
    trail(&app).await;
    for event in events(&app, "beta").await {
        let actor = &event["actor"];
        assert_eq!(actor["type"], actor["auditActorType"], "{actor}");
        assert_eq!(actor["userRoleScopeTags"], json!([]), "{actor}");
        assert_eq!(actor["remoteTenantId"], Value::Null, "{actor}");
        assert_eq!(actor["remoteUserId"], Value::Null, "{actor}");
        assert!(actor.get("remoteTenantId").is_some(), "written, as null");
        let resource = &event["resources"][0];
        assert_eq!(
            resource["type"], resource["auditResourceType"],
            "{resource}"
        );
    }
}

#[tokio::test]
async fn v1_modified_properties_never_name_a_beta_only_property() {
    let app = TestApp::start().await;
    trail(&app).await;
    let beta_only = [
        "onboardingRequestExpiryDateTime",
        "remoteAssistanceState",
        "allowSessionsToUnenrolledDevices",
        "blockChat",
    ];
    let beta = events(&app, "beta").await;
    let v1 = events(&app, "v1.0").await;
    let named = |events: &[Value]| -> BTreeSet<String> {
        events
            .iter()
            .flat_map(modified)
            .map(str::to_owned)
            .collect()
    };
    let in_beta = named(&beta);
    for name in beta_only {
        assert!(in_beta.contains(name), "beta names {name}: {in_beta:?}");
    }
    let in_v1 = named(&v1);
    for name in beta_only {
        assert!(!in_v1.contains(name), "v1.0 names {name}: {in_v1:?}");
    }
    assert!(in_v1.contains("onboardingStatus") && in_v1.contains("displayName"));
    // The settings change is still a v1.0 record, the same one, naming nothing.
    assert_eq!(v1.len(), beta.len());
    let settings = v1
        .iter()
        .find(|e| e["activityType"] == "Patch RemoteAssistanceSettings")
        .unwrap();
    assert!(modified(settings).is_empty(), "{settings}");
    assert!(
        beta.iter().any(|e| e["id"] == settings["id"]),
        "the same record in both versions"
    );
}
