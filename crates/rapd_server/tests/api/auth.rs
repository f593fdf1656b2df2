//! Identity baseline: token failures are 401 with a challenge; valid tokens of an unsupported
//! kind or without the scope are 403; another tenant's partner is 404.

use rapd_auth::{
    CONSUMER_TENANT, DEV_APP, DEV_TENANT, DEV_USER, SCOPE_READ, SCOPE_READ_WRITE, Subject,
};
use uuid::Uuid;

use crate::app::{TestApp, graph_error, intune_text};

#[tokio::test]
async fn token_failures_are_401_with_a_bearer_challenge() {
    let app = TestApp::start().await;
    let url = app.url(&app.partners("v1.0"));
    let expired = app.mint(
        DEV_TENANT,
        Subject::User(DEV_USER),
        &[SCOPE_READ_WRITE],
        app.now().unix_secs() - 7200,
    );
    let cases: [(Option<&str>, &str); 5] = [
        (None, "Access token is empty."),
        (Some("Bearer "), "Access token is empty."),
        (Some("Basic dXNlcjpwYXNz"), "Access token is empty."),
        (
            Some("Bearer not-a-jwt"),
            "CompactToken parsing failed with error code: 80049217",
        ),
        (
            Some(&format!("Bearer {expired}")),
            "Lifetime validation failed, the token is expired.",
        ),
    ];
    for (authorization, expected) in cases {
        let mut request = app.client.get(&url);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        let message = graph_error(response, 401, "InvalidAuthenticationToken").await;
        assert_eq!(message, expected);
    }
    let forged = {
        let mut t = app.token.clone();
        let last = t.pop().unwrap();
        t.push(if last == 'A' { 'B' } else { 'A' });
        t
    };
    let r = app
        .client
        .get(&url)
        .bearer_auth(forged)
        .send()
        .await
        .unwrap();
    graph_error(r, 401, "InvalidAuthenticationToken").await;
}

#[tokio::test]
async fn two_tokens_are_ambiguous() {
    let app = TestApp::start().await;
    let url = app.url(&app.partners("v1.0"));
    let twice = app
        .client
        .get(&url)
        .header("authorization", format!("Bearer {}", app.token))
        .header("authorization", format!("Bearer {}", app.token))
        .send()
        .await
        .unwrap();
    graph_error(twice, 400, "invalid_request").await;
    let with_query = app
        .client
        .get(format!("{url}?access_token=x"))
        .bearer_auth(&app.token);
    graph_error(with_query.send().await.unwrap(), 400, "invalid_request").await;
}

#[tokio::test]
async fn the_founding_pages_permission_table() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "p").await;
    let base = app.partners("v1.0");
    let reader = app.token_for(DEV_TENANT, &[SCOPE_READ]);
    let read = app
        .client
        .get(app.url(&base))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let write = app
        .client
        .post(app.url(&format!("{base}/{id}/disconnect")))
        .bearer_auth(&reader);
    let response = write.send().await.unwrap();
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("error=\"insufficient_scope\""));
    let message = graph_error(response, 403, "Forbidden").await;
    assert!(intune_text(&message).contains(SCOPE_READ_WRITE));

    let substring = app.token_for(
        DEV_TENANT,
        &["XDeviceManagementServiceConfig.ReadWrite.All"],
    );
    let r = app
        .client
        .get(app.url(&base))
        .bearer_auth(substring)
        .send()
        .await
        .unwrap();
    graph_error(r, 403, "Forbidden").await;

    let now = app.now().unix_secs();
    let app_token = app.mint(DEV_TENANT, Subject::App(DEV_APP), &[SCOPE_READ_WRITE], now);
    let r = app
        .client
        .get(app.url(&base))
        .bearer_auth(app_token)
        .send()
        .await
        .unwrap();
    graph_error(r, 403, "Forbidden").await;

    let personal = app.mint(
        CONSUMER_TENANT,
        Subject::User(DEV_USER),
        &[SCOPE_READ_WRITE],
        now,
    );
    let r = app
        .client
        .get(app.url(&base))
        .bearer_auth(personal)
        .send()
        .await
        .unwrap();
    graph_error(r, 403, "Forbidden").await;
    assert_eq!(
        app.get("v1.0", &id).await["onboardingStatus"],
        "notOnboarded"
    );
}

#[tokio::test]
async fn another_tenants_partner_is_404_and_untouched() {
    let app = TestApp::start().await;
    let id = app.create("v1.0", "tenant A's").await;
    let other = app.token_for(Uuid::new_v4(), &[SCOPE_READ_WRITE]);
    let item = app.url(&format!("{}/{id}", app.partners("v1.0")));
    let read = app
        .client
        .get(&item)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    graph_error(read, 404, "ResourceNotFound").await;
    for action in ["disconnect", "beginOnboarding"] {
        let r = app
            .client
            .post(format!("{item}/{action}"))
            .bearer_auth(&other)
            .send()
            .await;
        graph_error(r.unwrap(), 404, "ResourceNotFound").await;
    }
    let patch = app
        .client
        .patch(&item)
        .bearer_auth(&other)
        .json(&serde_json::json!({"displayName": "mine"}));
    graph_error(patch.send().await.unwrap(), 404, "ResourceNotFound").await;
    let delete = app
        .client
        .delete(&item)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    graph_error(delete, 404, "ResourceNotFound").await;
    let list = app
        .client
        .get(app.url(&app.partners("v1.0")))
        .bearer_auth(&other)
        .send()
        .await;
    let list: serde_json::Value = list.unwrap().json().await.unwrap();
    assert_eq!(list["value"].as_array().unwrap().len(), 0);
    let mine = app.get("v1.0", &id).await;
    assert_eq!(mine["displayName"], "tenant A's");
}
