//! Reset, seed and export, observed through the Graph API.

use rapd_auth::DEV_TENANT;
use rapd_control::MAX_FIXTURE_BYTES;
use rapd_model::fixture::{MAX_FIXTURE_PARTNERS, MAX_FIXTURE_TENANTS};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::{TestApp, graph_error, json};

const A: &str = "0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a001";
const B: &str = "0a0c1e8f-4d4a-4b57-9d2c-3e0f9fd2a002";
const OTHER_TENANT: &str = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";

fn fixture() -> Value {
    json!({"tenants": [
        {
            "id": DEV_TENANT.to_string(),
            "displayName": "Contoso",
            "settings": {"remoteAssistanceState": "enabled", "allowSessionsToUnenrolledDevices": true, "blockChat": false},
            "partners": [
                {"id": A, "displayName": "Onboarded vendor", "onboardingUrl": "https://a.example/onboard",
                 "onboardingStatus": "onboarded", "lastConnectionDateTime": "2026-11-01T10:00:00Z"},
                {"id": B, "displayName": "Pending vendor", "onboardingStatus": "onboarding",
                 "onboardingRequestExpiryDateTime": "2099-01-01T00:00:00Z"}
            ]
        },
        {"id": OTHER_TENANT, "intuneLicensed": false}
    ]})
}

async fn seed(app: &TestApp, body: &Value) -> reqwest::Response {
    app.control(Method::POST, "/seed")
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp) -> Value {
    json(app.control(Method::GET, "/export").send().await.unwrap()).await
}

async fn graph_list(app: &TestApp, version: &str) -> Vec<Value> {
    let r = app
        .request(Method::GET, &app.partners(version))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    json(r).await["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_seed_and_a_reset_are_seen_through_graph() {
    let app = TestApp::with_control(|_| {}).await;
    let made = app.create("v1.0", "made through Graph").await;

    let r = seed(&app, &fixture()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await, json!({"tenants": 2, "partners": 2}));

    let a = app.get("beta", A).await;
    assert_eq!(a["onboardingStatus"], "onboarded");
    assert_eq!(a["lastConnectionDateTime"], "2026-11-01T10:00:00Z");
    assert_eq!(a["onboardingUrl"], "https://a.example/onboard");
    let b = app.get("beta", B).await;
    assert_eq!(b["onboardingStatus"], "onboarding");
    assert_eq!(b["onboardingRequestExpiryDateTime"], "2099-01-01T00:00:00Z");
    assert_eq!(graph_list(&app, "v1.0").await.len(), 3, "seeding adds");
    let settings = json(
        app.request(
            Method::GET,
            "/beta/deviceManagement/remoteAssistanceSettings",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(settings["remoteAssistanceState"], "enabled");
    assert_eq!(settings["allowSessionsToUnenrolledDevices"], true);

    // Every seeded partner has its audit record, made by the control API.
    let auditor = app.token_for(DEV_TENANT, &["DeviceManagementApps.Read.All"]);
    let audit = json(
        app.client
            .get(app.url("/v1.0/deviceManagement/auditEvents"))
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let seeded: Vec<&Value> = audit["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"]["auditActorType"] == "TestControl")
        .collect();
    assert_eq!(seeded.len(), 3, "two partners and the settings: {audit}");
    assert!(
        seeded
            .iter()
            .all(|e| e["actor"]["applicationId"] == "rapd-control-api")
    );

    // The unlicensed tenant of the fixture is refused by Graph.
    let other = app.token_for(
        Uuid::parse_str(OTHER_TENANT).unwrap(),
        &[rapd_auth::SCOPE_READ_WRITE],
    );
    let r = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    graph_error(r, 403, "Forbidden").await;

    // Reset of the one tenant: its partners, settings and audit trail are gone.
    let r = app
        .control(Method::POST, &format!("/reset?tenant={DEV_TENANT}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(graph_list(&app, "v1.0").await.is_empty());
    let r = app
        .request(Method::GET, &format!("{}/{made}", app.partners("v1.0")))
        .send()
        .await
        .unwrap();
    graph_error(r, 404, "ResourceNotFound").await;
    // The other tenant is untouched.
    let exported = export(&app).await;
    assert_eq!(
        exported["tenants"].as_array().unwrap().len(),
        2,
        "{exported}"
    );
    // Reset of everything.
    let r = app.control(Method::POST, "/reset").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(export(&app).await, json!({"tenants": []}));
    // The development profile provisions the tenant again on its next call.
    assert!(graph_list(&app, "v1.0").await.is_empty());
}

#[tokio::test]
async fn export_reset_seed_round_trips() {
    let app = TestApp::with_control(|_| {}).await;
    assert_eq!(seed(&app, &fixture()).await.status(), 200);
    let id = app.create("beta", "made through Graph").await;
    let r = app
        .request(
            Method::POST,
            &format!("{}/{id}/beginOnboarding", app.partners("beta")),
        )
        .json(&json!({"partnerDomain": "vendor.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let before = export(&app).await;
    let dev = before["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == DEV_TENANT.to_string())
        .unwrap();
    assert_eq!(dev["partners"].as_array().unwrap().len(), 3, "{before}");

    assert_eq!(
        app.control(Method::POST, "/reset")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(seed(&app, &before).await.status(), 200);
    assert_eq!(export(&app).await, before);
    // Seeded partners read back through Graph as they were exported.
    let again = app.get("beta", &id).await;
    assert_eq!(again["onboardingStatus"], "onboarding");
}

#[tokio::test]
async fn a_bad_fixture_is_refused_whole_and_changes_nothing() {
    let app = TestApp::with_control(|_| {}).await;
    app.create("v1.0", "kept").await;
    let before = export(&app).await;
    let mut bad = fixture();
    bad["tenants"][0]["partners"][1]["onboardingUrl"] = json!("x".repeat(2049));
    let message = graph_error(seed(&app, &bad).await, 400, "BadRequest").await;
    assert!(
        message.contains("tenants[0].partners[1].onboardingUrl"),
        "{message}"
    );
    for (body, needle) in [
        (json!({"tenants": [{"id": "not-a-guid"}]}), "tenants[0]: "),
        (json!({"tenants": [], "extra": 1}), "extra: unknown field"),
        (
            json!({"tenants": [{"id": OTHER_TENANT, "partners": [{}, {"colour": "red"}]}]}),
            "tenants[0].partners[1].colour: unknown field",
        ),
        (
            json!({"tenants": [{"id": OTHER_TENANT}, {"id": OTHER_TENANT}]}),
            "listed twice",
        ),
        (
            json!({"tenants": [{"id": OTHER_TENANT, "partners": [{"id": A}, {"id": A}]}]}),
            "listed twice",
        ),
        (
            json!({"tenants": [{"id": OTHER_TENANT, "partners": [{"onboardingStatus": "onboarded", "lastConnectionDateTime": "yesterday"}]}]}),
            "lastConnectionDateTime",
        ),
    ] {
        let message = graph_error(seed(&app, &body).await, 400, "BadRequest").await;
        assert!(message.contains(needle), "{body}: {message}");
    }
    assert_eq!(export(&app).await, before);
    let r = app
        .control(Method::POST, "/reset?tenant=nope")
        .send()
        .await
        .unwrap();
    graph_error(r, 400, "BadRequest").await;
    assert_eq!(export(&app).await, before);
}

#[tokio::test]
async fn fixture_limits_at_and_past() {
    let app = TestApp::with_control(|_| {}).await;
    // Size: a valid fixture padded to exactly the limit, then one byte more.
    let mut text = br#"{"tenants":[]}"#.to_vec();
    text.resize(MAX_FIXTURE_BYTES, b' ');
    let r = app
        .control(Method::POST, "/seed")
        .body(text.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    text.push(b' ');
    let r = app
        .control(Method::POST, "/seed")
        .body(text)
        .send()
        .await
        .unwrap();
    graph_error(r, 413, "RequestEntityTooLarge").await;

    let tenants = |n: usize| {
        let list: Vec<Value> = (0..n)
            .map(|i| json!({"id": Uuid::from_u128(i as u128 + 1).to_string()}))
            .collect();
        json!({ "tenants": list })
    };
    let r = seed(&app, &tenants(MAX_FIXTURE_TENANTS + 1)).await;
    graph_error(r, 400, "BadRequest").await;
    assert_eq!(
        seed(&app, &tenants(MAX_FIXTURE_TENANTS)).await.status(),
        200
    );

    let partners = |n: usize| {
        let list: Vec<Value> = (0..n).map(|_| json!({})).collect();
        json!({"tenants": [{"id": OTHER_TENANT, "partners": list}]})
    };
    let r = seed(&app, &partners(MAX_FIXTURE_PARTNERS + 1)).await;
    graph_error(r, 400, "BadRequest").await;
    let r = seed(&app, &partners(MAX_FIXTURE_PARTNERS)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["partners"], MAX_FIXTURE_PARTNERS);
}
