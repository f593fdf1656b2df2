//! The identity provider's limits on credentials: the back-off after wrong passwords and client
//! secrets, and refresh tokens that rotate and never widen their grant.

use rapd_auth::PermissionProfile;
use rapd_idp::{DEFAULT_APP_SECRET, DevApp, FIRST_LOCKOUT_SECS, IdentityConfig, LOCKOUT_THRESHOLD};
use serde_json::Value;
use uuid::Uuid;

use crate::tls_app::{PASSWORD, TlsApp, USER, app_id, claims, oauth_error};

const READ: &str = "DeviceManagementServiceConfig.Read.All";
const READ_WRITE: &str = "DeviceManagementServiceConfig.ReadWrite.All";

async fn password_grant(app: &TlsApp, password: &str, scope: &str) -> reqwest::Response {
    app.token(
        "organizations",
        &[
            ("grant_type", "password"),
            ("client_id", &app_id()),
            ("username", USER),
            ("password", password),
            ("scope", scope),
        ],
    )
    .await
}

async fn refresh_with(app: &TlsApp, token: &str, scope: Option<&str>) -> reqwest::Response {
    let client_id = app_id();
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client_id.as_str()),
        ("refresh_token", token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    app.token("organizations", &form).await
}

#[tokio::test]
async fn wrong_passwords_lock_a_user_out_for_a_growing_interval() {
    let app = TlsApp::default().await;
    let scope = "openid offline_access";
    for _ in 0..LOCKOUT_THRESHOLD {
        let r = password_grant(&app, "wrong", scope).await;
        oauth_error(r, 400, "invalid_grant", 50126).await;
    }
    // Locked: even the right password is refused, unchecked, and so is the approval page.
    let r = password_grant(&app, PASSWORD, scope).await;
    let description = oauth_error(r, 400, "invalid_grant", 50053).await;
    assert!(
        description.contains(&format!("Try again in {FIRST_LOCKOUT_SECS} seconds")),
        "{description}"
    );
    let page = app
        .post_form(
            "/devicelogin",
            &[
                ("user_code", "ABCD"),
                ("username", USER),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("too many times"));
    // Once it passes, one more wrong password locks the user for twice as long.
    app.clock.advance_secs(FIRST_LOCKOUT_SECS);
    oauth_error(
        password_grant(&app, "wrong", scope).await,
        400,
        "invalid_grant",
        50126,
    )
    .await;
    app.clock.advance_secs(FIRST_LOCKOUT_SECS);
    let r = password_grant(&app, PASSWORD, scope).await;
    oauth_error(r, 400, "invalid_grant", 50053).await;
    app.clock.advance_secs(FIRST_LOCKOUT_SECS);
    // A success forgets the failures: one wrong password is just wrong again.
    assert_eq!(password_grant(&app, PASSWORD, scope).await.status(), 200);
    oauth_error(
        password_grant(&app, "wrong", scope).await,
        400,
        "invalid_grant",
        50126,
    )
    .await;
    assert_eq!(password_grant(&app, PASSWORD, scope).await.status(), 200);
}

#[tokio::test]
async fn wrong_client_secrets_lock_a_client_out() {
    let app = TlsApp::default().await;
    let credentials = |secret: &'static str| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", DEV_APP_ID),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ]
    };
    for _ in 0..LOCKOUT_THRESHOLD {
        let r = app.token("organizations", &credentials("wrong")).await;
        oauth_error(r, 401, "invalid_client", 7000215).await;
    }
    let r = app
        .token("organizations", &credentials(DEFAULT_APP_SECRET))
        .await;
    let description = oauth_error(r, 401, "invalid_client", 50053).await;
    assert!(!description.contains(DEFAULT_APP_SECRET));
    app.clock.advance_secs(FIRST_LOCKOUT_SECS);
    let r = app
        .token("organizations", &credentials(DEFAULT_APP_SECRET))
        .await;
    assert_eq!(r.status(), 200);
}

const DEV_APP_ID: &str = "0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80";

#[tokio::test]
async fn a_refresh_token_is_spent_when_redeemed_and_its_successor_works() {
    let app = TlsApp::default().await;
    let scope = format!("https://graph.microsoft.com/{READ_WRITE} offline_access");
    let first: Value = password_grant(&app, PASSWORD, &scope)
        .await
        .json()
        .await
        .unwrap();
    let first = first["refresh_token"].as_str().unwrap().to_owned();
    let r = refresh_with(&app, &first, None).await;
    assert_eq!(r.status(), 200);
    let second: Value = r.json().await.unwrap();
    let second = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    // The old one is spent; the new one works once too.
    oauth_error(
        refresh_with(&app, &first, None).await,
        400,
        "invalid_grant",
        70000,
    )
    .await;
    assert_eq!(refresh_with(&app, &second, None).await.status(), 200);
    oauth_error(
        refresh_with(&app, &second, None).await,
        400,
        "invalid_grant",
        70000,
    )
    .await;
}

#[tokio::test]
async fn a_refresh_narrows_but_never_widens_the_grant() {
    // An app whose users consent to ReadWrite by default; this sign-in asks for Read only.
    let mut identity = IdentityConfig::default();
    let client = Uuid::from_u128(7);
    identity.apps.push(DevApp {
        client_id: client,
        secret: None,
        scopes: vec![READ.into(), READ_WRITE.into()],
        ..DevApp::development()
    });
    let app = TlsApp::start(PermissionProfile::FoundingPage, identity).await;
    let client = client.to_string();
    let sign_in = app
        .token(
            "organizations",
            &[
                ("grant_type", "password"),
                ("client_id", &client),
                ("username", USER),
                ("password", PASSWORD),
                (
                    "scope",
                    &format!("https://graph.microsoft.com/{READ} offline_access"),
                ),
            ],
        )
        .await;
    let body: Value = sign_in.json().await.unwrap();
    let token = body["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |token: String, scope: &'static str| {
        let client = client.clone();
        let app = &app;
        async move {
            app.token(
                "organizations",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &client),
                    ("refresh_token", &token),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    // Asking for more than the sign-in granted is refused, and spends nothing.
    let wider = refresh(
        token.clone(),
        "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All",
    )
    .await;
    let description = oauth_error(wider, 400, "invalid_grant", 65001).await;
    assert!(description.contains(READ_WRITE), "{description}");
    // `.default` (what MSAL sends) renews the grant as it was, not the app's wider default.
    let renewed = refresh(token, "https://graph.microsoft.com/.default offline_access").await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    assert_eq!(
        claims(renewed["access_token"].as_str().unwrap())["scp"],
        READ
    );
}
