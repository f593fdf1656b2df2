//! The partner's side of onboarding and the audit trail of every step.

use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use rapd_model::{OnboardingCode, PartnerId, TenantId};
use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{TestApp, graph_error, json};

const AUDIT_READ: &str = "DeviceManagementApps.Read.All";

/// Begins onboarding and returns the one-time code an administrator would hand out.
async fn begin(app: &TestApp, id: &str) -> String {
    let url = format!("{}/{id}/beginOnboarding", app.partners("v1.0"));
    assert_eq!(
        app.request(Method::POST, &url)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (tenant, partner) = (TenantId(DEV_TENANT), PartnerId::parse(id).unwrap());
    app.issued_code(tenant, partner)
}

async fn redeem(app: &TestApp, code: &str) -> reqwest::Response {
    app.client
        .post(app.url("/partner/v1/onboarding"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

async fn call_in(app: &TestApp, credential: &str) -> reqwest::Response {
    app.client
        .get(app.url("/partner/v1/connection"))
        .bearer_auth(credential)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_whole_loop_begin_connect_heartbeat_disconnect_with_its_audit_trail() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "Contoso Remote").await;
    let code = begin(&app, &id).await;

    let connected = redeem(&app, &code).await;
    assert_eq!(connected.status(), 200);
    let connected = json(connected).await;
    assert_eq!(connected["onboardingStatus"], "onboarded");
    let credential = connected["credential"].as_str().unwrap().to_owned();
    assert_eq!(
        redeem(&app, &code).await.status(),
        401,
        "the code is one-time"
    );

    let partner = app.get("v1.0", &id).await;
    assert_eq!(partner["onboardingStatus"], "onboarded");
    let first = partner["lastConnectionDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, "0001-01-01T00:00:00Z");

    // Calls inside the interval do not write; one after it refreshes lastConnectionDateTime.
    assert_eq!(call_in(&app, &credential).await.status(), 200);
    assert_eq!(
        app.get("v1.0", &id).await["lastConnectionDateTime"],
        first.as_str()
    );
    app.clock.advance_secs(61);
    let refreshed = json(call_in(&app, &credential).await).await;
    assert_ne!(refreshed["lastConnectionDateTime"], first.as_str());

    let disconnect = format!("{}/{id}/disconnect", app.partners("v1.0"));
    assert_eq!(
        app.request(Method::POST, &disconnect)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let refused = call_in(&app, &credential).await;
    assert_eq!(
        refused.headers()["www-authenticate"],
        "Bearer realm=\"rapd-partner\""
    );
    graph_error(refused, 401, "InvalidPartnerCredential").await;

    let auditor = app.token_for(DEV_TENANT, &[AUDIT_READ]);
    let url = app.url("/v1.0/deviceManagement/auditEvents");
    let trail = json(
        app.client
            .get(&url)
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let events = trail["value"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["activityType"].as_str().unwrap(),
                e["actor"]["auditActorType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("Create RemoteAssistancePartner", "ItPro"),
            ("BeginOnboarding RemoteAssistancePartner", "ItPro"),
            ("Connect RemoteAssistancePartner", "Partner"),
            ("Heartbeat RemoteAssistancePartner", "Partner"),
            ("Disconnect RemoteAssistancePartner", "ItPro"),
        ]
    );
    let create = &events[0];
    assert_eq!(create["@odata.type"], "#microsoft.graph.auditEvent");
    assert_eq!(create["category"], "RemoteAssistance");
    assert_eq!(create["activityOperationType"], "Create");
    assert_eq!(create["actor"]["userId"], rapd_auth::DEV_USER.to_string());
    assert_eq!(create["resources"][0]["resourceId"], id.as_str());
    assert_eq!(events[2]["actor"]["applicationId"], id.as_str());
}

#[tokio::test]
async fn an_expired_code_is_refused_and_the_partner_reads_not_onboarded() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "late").await;
    let code = begin(&app, &id).await;
    app.clock.advance_secs(600); // the test app's onboarding TTL
    graph_error(redeem(&app, &code).await, 401, "InvalidOnboardingCode").await;
    assert_eq!(
        app.get("v1.0", &id).await["onboardingStatus"],
        "notOnboarded"
    );
    graph_error(
        redeem(&app, "rac1.garbage.x").await,
        401,
        "InvalidOnboardingCode",
    )
    .await;
    let other_tenant = OnboardingCode::new(
        TenantId(uuid::Uuid::new_v4()),
        PartnerId::parse(&id).unwrap(),
        "x",
    )
    .to_string();
    graph_error(
        redeem(&app, &other_tenant).await,
        401,
        "InvalidOnboardingCode",
    )
    .await;
}

#[tokio::test]
async fn a_new_onboarding_or_delete_revokes_the_credential() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    let code = begin(&app, &id).await;
    let credential = json(redeem(&app, &code).await).await["credential"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(call_in(&app, &credential).await.status(), 200);
    let delete = app.request(Method::DELETE, &format!("{}/{id}", app.partners("v1.0")));
    assert_eq!(delete.send().await.unwrap().status(), 204);
    assert_eq!(call_in(&app, &credential).await.status(), 401);
}

#[tokio::test]
async fn audit_events_filter_page_and_permission() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    for action in [
        "beginOnboarding",
        "disconnect",
        "beginOnboarding",
        "disconnect",
    ] {
        let url = format!("{}/{id}/{action}", app.partners("v1.0"));
        assert_eq!(
            app.request(Method::POST, &url)
                .send()
                .await
                .unwrap()
                .status(),
            204
        );
    }
    let url = app.url("/v1.0/deviceManagement/auditEvents");
    // The Graph permission for audit events is DeviceManagementApps.*, not ServiceConfig.
    let r = app
        .client
        .get(&url)
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    graph_error(r, 403, "Forbidden").await;

    let auditor = app.token_for(DEV_TENANT, &[AUDIT_READ, SCOPE_READ_WRITE]);
    let get = |query: &str| {
        let request = app
            .client
            .get(format!("{url}?{query}"))
            .bearer_auth(&auditor);
        async move { json(request.send().await.unwrap()).await }
    };
    let disconnects =
        get("$filter=activityType%20eq%20'Disconnect%20RemoteAssistancePartner'").await;
    assert_eq!(disconnects["value"].as_array().unwrap().len(), 2);
    let none = get("$filter=category%20eq%20'Other'").await;
    assert!(none["value"].as_array().unwrap().is_empty());
    let recent = get("$filter=activityDateTime%20ge%202000-01-01T00:00:00Z%20and%20category%20eq%20'RemoteAssistance'").await;
    assert_eq!(recent["value"].as_array().unwrap().len(), 5);

    let pages = app.pages(format!("{url}?$top=2"), &auditor).await;
    let seen: Vec<&Value> = pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap())
        .collect();
    assert_eq!(seen.len(), 5);
    let bad = app
        .client
        .get(format!("{url}?$filter=colour%20eq%20'x'"))
        .bearer_auth(&auditor);
    graph_error(bad.send().await.unwrap(), 400, "BadRequest").await;
}

/// A tenant's onboarding code is reachable only in that tenant: another tenant's caller cannot
/// see it through any Graph route, cannot act on the partner, and cannot redeem the secret
/// under its own tenant; the store keeps only the code's hash, which is not a code.
#[tokio::test]
async fn no_caller_reaches_another_tenants_onboarding_code() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "ours").await;
    let code = begin(&app, &id).await;
    let (ours, partner) = (TenantId(DEV_TENANT), PartnerId::parse(&id).unwrap());
    let theirs = uuid::Uuid::new_v4();
    let token = app.token_for(theirs, &[SCOPE_READ_WRITE]);
    let item = app.url(&format!("{}/{id}", app.partners("v1.0")));
    for (method, url) in [
        (Method::GET, item.clone()),
        (Method::POST, format!("{item}/beginOnboarding")),
        (Method::POST, format!("{item}/disconnect")),
    ] {
        let r = app
            .client
            .request(method, &url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        graph_error(r, 404, "ResourceNotFound").await;
    }
    let listed = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(json(listed).await["value"], json!([]));
    // The store keeps only the code's hash: nothing read from it is a code.
    let stored = app.store.get(ours, partner).await.unwrap().unwrap();
    let hash = stored.onboarding_code_hash.unwrap();
    assert!(!code.contains(&hash));
    let secret = OnboardingCode::parse(&code).unwrap().into_secret();
    assert_eq!(hash, rapd_model::code_hash(&secret));
    let forged = OnboardingCode::new(TenantId(theirs), partner, secret).to_string();
    graph_error(redeem(&app, &forged).await, 401, "InvalidOnboardingCode").await;
    // Nor is the hash a code.
    let forged = OnboardingCode::new(ours, partner, hash).to_string();
    graph_error(redeem(&app, &forged).await, 401, "InvalidOnboardingCode").await;
    // The real code still works, once: the forgery changed nothing.
    assert_eq!(redeem(&app, &code).await.status(), 200);
    assert_eq!(app.get("v1.0", &id).await["onboardingStatus"], "onboarded");
}
