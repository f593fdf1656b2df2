//! The device-code flow: pending until approved on `/devicelogin` or automatically, spent once,
//! expiring, and bounded.

use rapd_auth::PermissionProfile;
use rapd_idp::{DevApp, IdentityConfig, MAX_DEVICE_CODES_PER_CLIENT, MAX_PENDING_DEVICE_CODES};
use serde_json::Value;
use uuid::Uuid;

use crate::tls_app::{PASSWORD, TlsApp, USER, app_id, claims, oauth_error};

async fn start_device_code(app: &TlsApp, path: &str) -> Value {
    let response = app
        .post_form(
            path,
            &[
                ("client_id", &app_id()),
                (
                    "scope",
                    "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All offline_access openid profile",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    for field in ["user_code", "device_code", "message"] {
        assert!(body[field].is_string(), "{field}");
    }
    assert_eq!(
        body["verification_uri"],
        format!("{}/devicelogin", app.https)
    );
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["interval"], 5);
    body
}

#[tokio::test]
async fn device_code_is_pending_until_a_user_approves_it_on_the_page() {
    let app = TlsApp::default().await;
    let started = start_device_code(&app, "/common/oauth2/v2.0/devicecode").await;
    let device_code = started["device_code"].as_str().unwrap().to_owned();
    let poll = |grant: &'static str| {
        let form = [
            ("grant_type", grant.to_owned()),
            ("client_id", app_id()),
            ("device_code", device_code.clone()),
        ];
        app.client
            .post(format!("{}/common/oauth2/v2.0/token", app.https))
            .form(&form)
            .send()
    };
    oauth_error(
        poll("urn:ietf:params:oauth:grant-type:device_code")
            .await
            .unwrap(),
        400,
        "authorization_pending",
        70016,
    )
    .await;
    let page = app
        .client
        .get(started["verification_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("user_code"));
    let user_code = started["user_code"].as_str().unwrap();
    let wrong_password = app
        .post_form(
            "/devicelogin",
            &[
                ("user_code", user_code),
                ("username", USER),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(wrong_password.status(), 400);
    oauth_error(
        poll("device_code").await.unwrap(),
        400,
        "authorization_pending",
        70016,
    )
    .await;
    let approved = app
        .post_form(
            "/devicelogin",
            &[
                ("user_code", &user_code.to_lowercase()),
                ("username", USER),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(approved.status(), 200);
    // msal-node's spelling of the grant.
    let token = poll("device_code").await.unwrap();
    assert_eq!(token.status(), 200);
    let body: Value = token.json().await.unwrap();
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["scp"],
        "DeviceManagementServiceConfig.ReadWrite.All"
    );
    assert!(body["id_token"].is_string() && body["refresh_token"].is_string());
    // A device code is spent once.
    oauth_error(
        poll("device_code").await.unwrap(),
        400,
        "invalid_grant",
        70000,
    )
    .await;
}

#[tokio::test]
async fn device_code_auto_approval_and_expiry() {
    let identity = IdentityConfig {
        device_code_auto_approve: true,
        ..IdentityConfig::default()
    };
    let app = TlsApp::start(PermissionProfile::FoundingPage, identity).await;
    let started = start_device_code(&app, "/adfs/oauth2/devicecode").await;
    let form = |code: String| {
        vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code".to_owned(),
            ),
            ("client_id", app_id()),
            ("code", code),
        ]
    };
    let code = started["device_code"].as_str().unwrap().to_owned();
    let poll = || async {
        app.client
            .post(format!("{}/adfs/oauth2/token", app.https))
            .form(&form(code.clone()))
            .send()
            .await
            .unwrap()
    };
    oauth_error(poll().await, 400, "authorization_pending", 70016).await;
    assert_eq!(poll().await.status(), 200);

    let expiring = start_device_code(&app, "/adfs/oauth2/devicecode").await;
    app.clock.advance_secs(900);
    let response = app
        .client
        .post(format!("{}/adfs/oauth2/token", app.https))
        .form(&form(expiring["device_code"].as_str().unwrap().to_owned()))
        .send()
        .await
        .unwrap();
    oauth_error(response, 400, "expired_token", 70019).await;
}

/// `count` public clients beside the development app.
fn with_clients(count: u128) -> (IdentityConfig, Vec<String>) {
    let mut identity = IdentityConfig::default();
    let ids: Vec<Uuid> = (1..=count).map(Uuid::from_u128).collect();
    for id in &ids {
        identity.apps.push(DevApp {
            client_id: *id,
            secret: None,
            ..DevApp::development()
        });
    }
    (identity, ids.iter().map(Uuid::to_string).collect())
}

async fn ask_device_code(app: &TlsApp, client_id: &str) -> reqwest::Response {
    app.post_form(
        "/common/oauth2/v2.0/devicecode",
        &[("client_id", client_id)],
    )
    .await
}

#[tokio::test]
async fn device_codes_outstanding_are_bounded() {
    let clients = (MAX_PENDING_DEVICE_CODES / MAX_DEVICE_CODES_PER_CLIENT) as u128 + 1;
    let (identity, ids) = with_clients(clients);
    let app = TlsApp::start(PermissionProfile::FoundingPage, identity).await;
    for n in 0..MAX_PENDING_DEVICE_CODES {
        let client = &ids[n / MAX_DEVICE_CODES_PER_CLIENT];
        assert_eq!(ask_device_code(&app, client).await.status(), 200);
    }
    // The last client has none waiting, but the server holds all it may.
    let past = ask_device_code(&app, ids.last().unwrap()).await;
    oauth_error(past, 503, "temporarily_unavailable", 90033).await;
    // Expired codes make room again.
    app.clock.advance_secs(901);
    assert_eq!(ask_device_code(&app, &app_id()).await.status(), 200);
}

#[tokio::test]
async fn device_codes_of_one_client_are_bounded() {
    let (identity, ids) = with_clients(1);
    let app = TlsApp::start(PermissionProfile::FoundingPage, identity).await;
    for _ in 0..MAX_DEVICE_CODES_PER_CLIENT {
        assert_eq!(ask_device_code(&app, &app_id()).await.status(), 200);
    }
    let past = ask_device_code(&app, &app_id()).await;
    let description = oauth_error(past, 429, "temporarily_unavailable", 90033).await;
    assert!(description.contains(&app_id()), "{description}");
    // Another client is not held back by this one.
    assert_eq!(ask_device_code(&app, &ids[0]).await.status(), 200);
    // Expired codes make room again.
    app.clock.advance_secs(901);
    assert_eq!(ask_device_code(&app, &app_id()).await.status(), 200);
}
