//! The development identity provider over TLS: OpenID documents, the token endpoint's grants and
//! Entra-shaped errors, its body limit, and managed identity over plain http.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::{DEV_TENANT, DEV_USER, PermissionProfile};
use rapd_idp::{DEFAULT_APP_SECRET, IdentityConfig};
use serde_json::Value;
use uuid::Uuid;

use crate::tls_app::{BODY_LIMIT, Form, PASSWORD, TlsApp, USER, app_id, claims, oauth_error};

#[tokio::test]
async fn openid_configuration_per_tenant_on_the_authority_origin() {
    let app = TlsApp::default().await;
    let tenant = Uuid::new_v4();
    let get = |path: String| {
        let client = app.client.clone();
        async move {
            let response = client.get(path).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let doc = get(format!(
        "{}/{tenant}/v2.0/.well-known/openid-configuration",
        app.https
    ))
    .await;
    let base = format!("{}/{tenant}", app.https);
    assert_eq!(doc["issuer"], format!("{base}/v2.0"));
    assert_eq!(doc["token_endpoint"], format!("{base}/oauth2/v2.0/token"));
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{base}/oauth2/v2.0/devicecode")
    );
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/oauth2/v2.0/authorize")
    );
    assert_eq!(doc["jwks_uri"], format!("{base}/discovery/v2.0/keys"));
    // A tenant name answers with the tenant id, as Entra does.
    let doc = get(format!(
        "{}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
        app.https
    ))
    .await;
    assert_eq!(
        doc["token_endpoint"],
        format!("{}/{DEV_TENANT}/oauth2/v2.0/token", app.https)
    );
    let doc = get(format!(
        "{}/organizations/v2.0/.well-known/openid-configuration",
        app.https
    ))
    .await;
    assert_eq!(doc["issuer"], format!("{}/{{tenantid}}/v2.0", app.https));
    let doc = get(format!(
        "{}/adfs/.well-known/openid-configuration",
        app.https
    ))
    .await;
    assert_eq!(doc["issuer"], format!("{}/adfs", app.https));
    assert_eq!(
        doc["token_endpoint"],
        format!("{}/adfs/oauth2/token", app.https)
    );
    let keys = get(format!("{}/{tenant}/discovery/v2.0/keys", app.https)).await;
    assert_eq!(keys["keys"][0]["kty"], "EC");
    let realm = get(format!(
        "{}/common/userrealm/{USER}?api-version=1.0",
        app.https
    ))
    .await;
    assert_eq!(realm["account_type"], "Managed");
    let bad = app
        .client
        .get(format!(
            "{}/nope/v2.0/.well-known/openid-configuration",
            app.https
        ))
        .send()
        .await
        .unwrap();
    oauth_error(bad, 400, "invalid_tenant", 90002).await;
}

#[tokio::test]
async fn client_credentials_mint_app_tokens_refused_by_the_founding_page() {
    let app = TlsApp::default().await;
    let tenant = Uuid::new_v4();
    let response = app
        .token(
            &tenant.to_string(),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app_id()),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "https://graph.microsoft.com/.default"),
                // What msal-node and kiota add; ignored.
                ("client_info", "1"),
                ("x-client-SKU", "msal.js.node"),
                (
                    "claims",
                    r#"{"access_token":{"xms_cc":{"values":["CP1"]}}}"#,
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["aud"], "https://graph.microsoft.com");
    assert_eq!(c["tid"], tenant.to_string());
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["appid"], app_id());
    assert_eq!(
        c["roles"],
        serde_json::json!(["DeviceManagementServiceConfig.ReadWrite.All"])
    );
    assert!(c.get("scp").is_none());
    // The founding page supports delegated permissions only.
    let app_token = app
        .token(
            "common",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app_id()),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "http://127.0.0.1/.default"),
            ],
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.disconnect_status(&app_token).await, 403);

    let graph = TlsApp::start(PermissionProfile::Graph, IdentityConfig::default()).await;
    let response = graph
        .post_form(
            "/adfs/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &app_id()),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "00000003-0000-0000-c000-000000000000/.default"),
            ],
        )
        .await;
    let token = response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(graph.disconnect_status(&token).await, 204);
}

#[tokio::test]
async fn client_credentials_errors_are_entra_shaped() {
    let app = TlsApp::default().await;
    let id = app_id();
    let cases: [(Form, u16, &str, u32); 8] = [
        (
            &[("client_id", &id), ("client_secret", DEFAULT_APP_SECRET)],
            400,
            "invalid_request",
            900144,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "wrong"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            401,
            "invalid_client",
            7000215,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            401,
            "invalid_client",
            7000218,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "https://graph.microsoft.com/User.Read"),
            ],
            400,
            "invalid_scope",
            1002012,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "https://vault.azure.net/.default"),
            ],
            400,
            "invalid_resource",
            500011,
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "11111111-2222-3333-4444-555555555555"),
                ("client_secret", DEFAULT_APP_SECRET),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            400,
            "unauthorized_client",
            700016,
        ),
        (
            &[("grant_type", "authorization_code"), ("client_id", &id)],
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", &id),
                ("username", USER),
                ("password", "wrong"),
            ],
            400,
            "invalid_grant",
            50126,
        ),
    ];
    for (form, status, error, code) in cases {
        let response = app.token("common", form).await;
        let description = oauth_error(response, status, error, code).await;
        assert!(!description.contains(DEFAULT_APP_SECRET));
    }
}

#[tokio::test]
async fn password_grant_gives_a_delegated_token_an_account_and_a_refresh_token() {
    let app = TlsApp::default().await;
    let scope = "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All openid profile offline_access";
    let response = app
        .token(
            "organizations",
            &[
                ("grant_type", "password"),
                ("client_id", &app_id()),
                ("username", "DEV@rapd.localhost"),
                ("password", PASSWORD),
                ("scope", scope),
                ("client_info", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["scope"],
        "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All"
    );
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["scp"], "DeviceManagementServiceConfig.ReadWrite.All");
    assert_eq!(access["idtyp"], "user");
    assert_eq!(access["oid"], DEV_USER.to_string());
    assert_eq!(access["tid"], DEV_TENANT.to_string());
    assert_eq!(access["upn"], USER);
    let id_token = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id_token["aud"], app_id());
    assert_eq!(id_token["preferred_username"], USER);
    assert_eq!(id_token["iss"], format!("{}/{DEV_TENANT}/v2.0", app.https));
    let client_info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(body["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(client_info["uid"], DEV_USER.to_string());
    assert_eq!(client_info["utid"], DEV_TENANT.to_string());
    assert_eq!(
        app.disconnect_status(body["access_token"].as_str().unwrap())
            .await,
        204
    );

    let refresh = body["refresh_token"].as_str().unwrap();
    let renewed = app
        .token(
            "organizations",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app_id()),
                ("refresh_token", refresh),
                ("scope", scope),
            ],
        )
        .await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    assert_eq!(
        claims(renewed["access_token"].as_str().unwrap())["scp"],
        "DeviceManagementServiceConfig.ReadWrite.All"
    );
    let wrong = app
        .token(
            "organizations",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app_id()),
                ("refresh_token", "not-a-refresh-token"),
            ],
        )
        .await;
    oauth_error(wrong, 400, "invalid_grant", 70000).await;
    // Refresh tokens expire.
    app.clock.advance_secs(24 * 3600 + 1);
    let expired = app
        .token(
            "organizations",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &app_id()),
                ("refresh_token", renewed["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
    oauth_error(expired, 400, "invalid_grant", 70000).await;
}

#[tokio::test]
async fn token_request_bodies_are_limited() {
    let app = TlsApp::default().await;
    let base = format!(
        "grant_type=client_credentials&client_id={}&client_secret={DEFAULT_APP_SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&pad=",
        app_id()
    );
    let post = |body: String| {
        app.client
            .post(format!("{}/common/oauth2/v2.0/token", app.https))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let at_limit = format!("{base}{}", "x".repeat(BODY_LIMIT - base.len()));
    assert_eq!(post(at_limit).await.unwrap().status(), 200);
    let past = format!("{base}{}", "x".repeat(BODY_LIMIT + 1 - base.len()));
    oauth_error(post(past).await.unwrap(), 413, "invalid_request", 90056).await;
}

#[tokio::test]
async fn managed_identity_endpoints_answer_over_plain_http() {
    let app = TlsApp::default().await;
    let client = reqwest::Client::new();
    let resource = "https://graph.microsoft.com";
    let msi = format!(
        "{}/msi/token?api-version=2019-08-01&resource={resource}",
        app.http
    );
    let refused = client.get(&msi).send().await.unwrap();
    oauth_error(refused, 400, "invalid_request", 900144).await;
    let response = client
        .get(&msi)
        .header("X-IDENTITY-HEADER", "anything")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(body["resource"], resource);
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["idtyp"],
        "app"
    );
    // Node adds a trailing slash to the IMDS path.
    for path in [
        "/metadata/identity/oauth2/token",
        "/metadata/identity/oauth2/token/",
    ] {
        let url = format!(
            "{}{path}?api-version=2018-02-01&resource={resource}",
            app.http
        );
        let refused = client.get(&url).send().await.unwrap();
        oauth_error(refused, 400, "invalid_request", 900144).await;
        let response = client
            .get(&url)
            .header("Metadata", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["expires_in"], "3600");
    }
    let other = client
        .get(format!(
            "{}/msi/token?api-version=2019-08-01&resource=https://vault.azure.net",
            app.http
        ))
        .header("X-IDENTITY-HEADER", "anything")
        .send()
        .await
        .unwrap();
    oauth_error(other, 400, "invalid_resource", 500011).await;
}
