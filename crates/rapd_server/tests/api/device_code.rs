//! The device-code flow: pending until approved on `/devicelogin` or automatically, spent once,
//! expiring, and bounded.

use rapd_auth::PermissionProfile;
use rapd_idp::{IdentityConfig, MAX_PENDING_DEVICE_CODES};
use serde_json::Value;

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

#[tokio::test]
async fn device_codes_outstanding_are_bounded() {
    let app = TlsApp::default().await;
    for _ in 0..MAX_PENDING_DEVICE_CODES {
        let response = app
            .post_form(
                "/common/oauth2/v2.0/devicecode",
                &[("client_id", &app_id())],
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let past = app
        .post_form(
            "/common/oauth2/v2.0/devicecode",
            &[("client_id", &app_id())],
        )
        .await;
    oauth_error(past, 503, "temporarily_unavailable", 90033).await;
    // Expired codes make room again.
    app.clock.advance_secs(901);
    let again = app
        .post_form(
            "/common/oauth2/v2.0/devicecode",
            &[("client_id", &app_id())],
        )
        .await;
    assert_eq!(again.status(), 200);
}
