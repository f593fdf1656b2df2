//! The https listener and the development identity provider, over real TLS with a client that
//! trusts only rapd's development CA.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::{
    DEV_APP, DEV_TENANT, DEV_USER, DevIssuer, JwksSettings, PermissionProfile, Verifier,
    VerifierConfig,
};
use rapd_model::{ManualClock, Timestamp};
use rapd_server::{
    AppState, ConnectionLimits, IdentityConfig, Listeners, ServerConfig,
    idp::{device_code::MAX_PENDING_DEVICE_CODES, directory::DEFAULT_APP_SECRET},
    tls::{CertificateSource, LEAF_CERT_FILE, TLS_DIR},
};
use rapd_store::SqliteStore;
use reqwest::{Client, Response};
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

const BODY_LIMIT: usize = 4096;

/// A form body and the refusal it earns.
type Form<'a> = &'a [(&'a str, &'a str)];
const PASSWORD: &str = "rapd-dev-password";
const USER: &str = "dev@rapd.localhost";

/// rapd on an http and an https listener, with the development CA in a fresh data directory.
struct TlsApp {
    https: String,
    http: String,
    /// Trusts rapd's CA and nothing else.
    client: Client,
    clock: Arc<ManualClock>,
    ca_pem: Vec<u8>,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl TlsApp {
    async fn start(permissions: PermissionProfile, identity: IdentityConfig) -> TlsApp {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::now()));
        let issuer = Arc::new(DevIssuer::load_or_create(dir.path()).unwrap());
        let store =
            Arc::new(SqliteStore::open(&dir.path().join("rapd.db"), clock.clone()).unwrap());
        let verifier = Verifier::from_config(
            Some(&issuer),
            VerifierConfig {
                dev_issuer_trusted: true,
                issuers: Vec::new(),
                jwks: JwksSettings::default(),
            },
        )
        .await;
        let server = ServerConfig {
            max_body_bytes: BODY_LIMIT,
            throttle: None,
            permissions,
            identity,
            ..ServerConfig::default()
        };
        let state = AppState::new(store, verifier, Some(issuer), clock.clone(), server);
        let served = CertificateSource::Development {
            data_dir: dir.path().to_owned(),
            extra_names: vec!["rapd.test".into()],
        }
        .prepare(time::OffsetDateTime::now_utc())
        .unwrap();
        let acceptor = rapd_server::tls::acceptor(&served).unwrap();
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let https = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_origin = format!("http://{}", http.local_addr().unwrap());
        let https_origin = format!("https://localhost:{}", https.local_addr().unwrap().port());
        let (stop, stopped) = oneshot::channel();
        let listeners = Listeners {
            http: Some(http),
            https: Some((https, acceptor)),
        };
        tokio::spawn(rapd_server::run_listeners(
            listeners,
            state,
            ConnectionLimits::default(),
            async {
                let _ = stopped.await;
            },
        ));
        let ca_pem = std::fs::read(served.ca_file.unwrap()).unwrap();
        let client = trusting(&ca_pem);
        TlsApp {
            https: https_origin,
            http: http_origin,
            client,
            clock,
            ca_pem,
            _stop: stop,
            _dir: dir,
        }
    }

    async fn default() -> TlsApp {
        TlsApp::start(PermissionProfile::FoundingPage, IdentityConfig::default()).await
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.https))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        self.post_form(&format!("/{tenant}/oauth2/v2.0/token"), form)
            .await
    }

    async fn disconnect_status(&self, token: &str) -> u16 {
        let partners = format!(
            "{}/v1.0/deviceManagement/remoteAssistancePartners",
            self.https
        );
        let user_token = self.password_token("organizations").await;
        let created: Value = self
            .client
            .post(&partners)
            .bearer_auth(user_token)
            .json(&serde_json::json!({ "displayName": "Contoso" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        self.client
            .post(format!("{partners}/{id}/disconnect"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn password_token(&self, tenant: &str) -> String {
        let response = self
            .token(
                tenant,
                &[
                    ("grant_type", "password"),
                    ("client_id", &DEV_APP.to_string()),
                    ("username", USER),
                    ("password", PASSWORD),
                    (
                        "scope",
                        "https://graph.microsoft.com/DeviceManagementServiceConfig.ReadWrite.All openid profile offline_access",
                    ),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }
}

fn trusting(ca_pem: &[u8]) -> Client {
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap())
        .build()
        .unwrap()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Asserts Entra's error body and returns `error_description`.
async fn oauth_error(response: Response, status: u16, error: &str, code: u32) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], serde_json::json!([code]), "{body}");
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    let description = body["error_description"].as_str().unwrap().to_owned();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    description
}

fn app_id() -> String {
    DEV_APP.to_string()
}

#[tokio::test]
async fn graph_is_served_over_https_with_https_links() {
    let app = TlsApp::default().await;
    let token = app.password_token("common").await;
    let partners = "/v1.0/deviceManagement/remoteAssistancePartners";
    for name in ["A", "B"] {
        let created = app
            .client
            .post(format!("{}{partners}", app.https))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "displayName": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let page: Value = app
        .client
        .get(format!("{}{partners}?$top=1", app.https))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&format!("{}/v1.0/", app.https)), "{next}");
    assert!(
        page["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    // The plain listener serves the same data, with http links; a client cannot claim TLS.
    let page: Value = reqwest::Client::new()
        .get(format!("{}{partners}?$top=1", app.http))
        .bearer_auth(&token)
        .header("x-rapd-tls", "1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        page["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
}

#[tokio::test]
async fn the_certificate_names_loopback_and_configured_names_and_needs_the_ca() {
    let app = TlsApp::default().await;
    let port = app.https.rsplit(':').next().unwrap().to_owned();
    let healthz = |host: &str| format!("https://{host}:{port}/healthz");
    for host in ["localhost", "127.0.0.1"] {
        let ok = app.client.get(healthz(host)).send().await.unwrap();
        assert_eq!(ok.status(), 200, "{host}");
    }
    // rapd.test is in the certificate; resolve it to loopback for this client only.
    let named = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&app.ca_pem).unwrap())
        .resolve("rapd.test", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    assert_eq!(
        named
            .get(healthz("rapd.test"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let other = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&app.ca_pem).unwrap())
        .resolve("other.test", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    assert!(other.get(healthz("other.test")).send().await.is_err());
    let untrusting = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(true)
        .build()
        .unwrap();
    assert!(untrusting.get(healthz("localhost")).send().await.is_err());
}

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
                ("refresh_token", refresh),
            ],
        )
        .await;
    oauth_error(expired, 400, "invalid_grant", 70000).await;
}

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

#[tokio::test]
async fn the_development_leaf_is_reissued_under_the_same_ca() {
    let app = TlsApp::default().await;
    let dir = app._dir.path();
    let first = std::fs::read(dir.join(TLS_DIR).join(LEAF_CERT_FILE)).unwrap();
    let served = CertificateSource::Development {
        data_dir: dir.to_owned(),
        extra_names: Vec::new(),
    }
    .prepare(time::OffsetDateTime::now_utc())
    .unwrap();
    assert_eq!(
        std::fs::read(served.ca_file.as_ref().unwrap()).unwrap(),
        app.ca_pem
    );
    assert_ne!(std::fs::read(&served.cert_file).unwrap(), first);
    // The reissued leaf still verifies against the CA the client already trusts.
    let acceptor = rapd_server::tls::acceptor(&served);
    assert!(acceptor.is_ok());
}
