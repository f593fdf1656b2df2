//! The resource and its lifecycle, v1.0 and beta.

use rapd_model::Timestamp;
use reqwest::Method;
use serde_json::json;

use crate::app::{TestApp, graph_error, intune_text, json};

const DOCS_CREATE_BODY: &str = r##"{
  "@odata.type": "#microsoft.graph.remoteAssistancePartner",
  "displayName": "Display Name value",
  "onboardingUrl": "https://example.com/onboardingUrl/",
  "onboardingStatus": "onboarding",
  "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"
}"##;

#[tokio::test]
async fn the_docs_flow_create_list_get_patch_actions_delete() {
    let app = TestApp::start().await;
    let base = app.partners("v1.0");
    let response = app
        .request(Method::POST, &base)
        .header("content-type", "application/json")
        .body(DOCS_CREATE_BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["odata-version"], "4.0");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json(response).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, app.url(&format!("{base}/{id}")));
    assert_eq!(
        created["@odata.context"],
        app.url("/v1.0/$metadata#deviceManagement/remoteAssistancePartners/$entity")
    );
    assert_eq!(
        created["@odata.type"],
        "#microsoft.graph.remoteAssistancePartner"
    );
    assert_eq!(created["displayName"], "Display Name value");
    assert_eq!(
        created["onboardingUrl"],
        "https://example.com/onboardingUrl/"
    );
    // Server-managed: the values the docs' body sends are ignored.
    assert_eq!(created["onboardingStatus"], "notOnboarded");
    assert_eq!(created["lastConnectionDateTime"], "0001-01-01T00:00:00Z");
    assert!(created.get("onboardingRequestExpiryDateTime").is_none());

    let list = json(app.request(Method::GET, &base).send().await.unwrap()).await;
    assert_eq!(
        list["@odata.context"],
        app.url("/v1.0/$metadata#deviceManagement/remoteAssistancePartners")
    );
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    assert_eq!(list["value"][0]["id"], id);

    let got = app.get("v1.0", id).await;
    assert!(got.get("value").is_none(), "GET returns the bare entity");
    assert_eq!(got["id"], id);

    let patched = app
        .request(Method::PATCH, &format!("{base}/{id}"))
        .json(&json!({ "displayName": "Renamed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched = json(patched).await;
    assert_eq!(patched["displayName"], "Renamed");
    assert_eq!(
        patched["onboardingUrl"],
        "https://example.com/onboardingUrl/"
    );

    let begin = app
        .request(Method::POST, &format!("{base}/{id}/beginOnboarding"))
        .send()
        .await;
    assert_eq!(begin.unwrap().status(), 204);
    assert_eq!(app.get("v1.0", id).await["onboardingStatus"], "onboarding");

    let disconnect = app
        .request(Method::POST, &format!("{base}/{id}/disconnect"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(disconnect.status(), 204);
    assert!(disconnect.headers().get("content-type").is_none());
    assert!(disconnect.bytes().await.unwrap().is_empty());
    assert_eq!(
        app.get("v1.0", id).await["onboardingStatus"],
        "notOnboarded"
    );

    let delete = app
        .request(Method::DELETE, &format!("{base}/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    let gone = app
        .request(Method::GET, &format!("{base}/{id}"))
        .send()
        .await
        .unwrap();
    let message = graph_error(gone, 404, "ResourceNotFound").await;
    assert!(intune_text(&message).starts_with("An error has occurred - Operation ID"));
}

#[tokio::test]
async fn actions_are_idempotent_and_disconnect_ends_onboarded() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    let action = |name: &str| {
        app.request(
            Method::POST,
            &format!("{}/{id}/{name}", app.partners("v1.0")),
        )
        .send()
    };
    for _ in 0..2 {
        assert_eq!(action("disconnect").await.unwrap().status(), 204);
        assert_eq!(
            app.get("v1.0", &id).await["onboardingStatus"],
            "notOnboarded"
        );
    }
    for _ in 0..2 {
        assert_eq!(action("beginOnboarding").await.unwrap().status(), 204);
        assert_eq!(app.get("v1.0", &id).await["onboardingStatus"], "onboarding");
    }
}

#[tokio::test]
async fn beta_shows_the_expiry_and_takes_a_partner_domain() {
    let app = TestApp::start().await;
    let id = app.create("beta", "p").await;
    let fresh = app.get("beta", &id).await;
    assert_eq!(
        fresh["onboardingRequestExpiryDateTime"],
        "0001-01-01T00:00:00Z"
    );
    assert!(
        fresh["@odata.context"]
            .as_str()
            .unwrap()
            .contains("/beta/$metadata#")
    );

    let url = format!("{}/{id}/beginOnboarding", app.partners("beta"));
    let begin = app
        .request(Method::POST, &url)
        .json(&json!({"partnerDomain": "contoso.example"}));
    assert_eq!(begin.send().await.unwrap().status(), 204);
    let onboarding = app.get("beta", &id).await;
    assert_eq!(onboarding["onboardingStatus"], "onboarding");
    let expiry = Timestamp::parse(
        onboarding["onboardingRequestExpiryDateTime"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(
        expiry.unwrap().unix_secs(),
        app.now().plus_secs(600).unix_secs()
    );

    // The beta SDK always sends a body, `{}` when no domain is given.
    let empty = app.request(Method::POST, &url).json(&json!({}));
    assert_eq!(empty.send().await.unwrap().status(), 204);
    let unknown = app
        .request(Method::POST, &url)
        .json(&json!({"domain": "x"}));
    graph_error(unknown.send().await.unwrap(), 400, "BadRequest").await;
}

#[tokio::test]
async fn an_onboarding_request_expires() {
    let app = TestApp::start().await;
    let id = app.create("beta", "p").await;
    let url = format!("{}/{id}/beginOnboarding", app.partners("beta"));
    assert_eq!(
        app.request(Method::POST, &url)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    app.clock.advance_secs(599);
    assert_eq!(app.get("beta", &id).await["onboardingStatus"], "onboarding");
    app.clock.advance_secs(1);
    let expired = app.get("beta", &id).await;
    assert_eq!(expired["onboardingStatus"], "notOnboarded");
    assert_eq!(
        expired["onboardingRequestExpiryDateTime"],
        "0001-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn v1_begin_onboarding_takes_no_body_but_tolerates_an_empty_one() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    let url = format!("{}/{id}/beginOnboarding", app.partners("v1.0"));
    let empty_json = app
        .request(Method::POST, &url)
        .header("content-type", "application/json");
    assert_eq!(empty_json.send().await.unwrap().status(), 204);
    let with_body = app.request(Method::POST, &url).json(&json!({}));
    graph_error(with_body.send().await.unwrap(), 400, "BadRequest").await;
    let url = format!("{}/{id}/disconnect", app.partners("v1.0"));
    let with_body = app
        .request(Method::POST, &url)
        .json(&json!({"reason": "x"}));
    graph_error(with_body.send().await.unwrap(), 400, "BadRequest").await;
}

#[tokio::test]
async fn count_answers_plain_text() {
    let app = TestApp::start().await;
    for i in 0..3 {
        app.create("v1.0", &format!("p{i}")).await;
    }
    let url = format!("{}/$count", app.partners("v1.0"));
    let response = app
        .request(Method::GET, &url)
        .header("accept", "text/plain;q=0.9")
        .send()
        .await;
    let response = response.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(response.text().await.unwrap(), "3");
}

#[tokio::test]
async fn every_change_is_audited_with_its_actor_and_request_id() {
    let app = TestApp::start().await;
    let base = app.partners("v1.0");
    let id = app.create("v1.0", "p").await;
    let disconnect = app
        .request(Method::POST, &format!("{base}/{id}/disconnect"))
        .send()
        .await;
    let request_id = disconnect.unwrap().headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    // A refused change leaves no record.
    let bad = app
        .request(Method::PATCH, &format!("{base}/{id}"))
        .json(&json!({"x": 1}));
    assert_eq!(bad.send().await.unwrap().status(), 400);

    let tenant = rapd_model::TenantId(rapd_auth::DEV_TENANT);
    let entries = app.store.audit_entries(tenant).await.unwrap();
    assert_eq!(entries.len(), 2);
    let last = &entries[1];
    assert_eq!(
        last.kind.activity_type(),
        "Disconnect RemoteAssistancePartner"
    );
    assert_eq!(last.correlation_id.to_string(), request_id);
    assert_eq!(last.resource_id.to_string(), id);
    assert_eq!(last.actor.actor_type, "ItPro");
    assert_eq!(
        last.actor.user_id.as_deref(),
        Some(rapd_auth::DEV_USER.to_string().as_str())
    );
}
