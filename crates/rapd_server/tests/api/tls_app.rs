//! `TlsApp`: rapd on an http and an https listener with the development CA, and the helpers the
//! identity-provider tests share.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::{DEV_APP, DevIssuer, JwksSettings, PermissionProfile, Verifier, VerifierConfig};
use rapd_idp::IdentityConfig;
use rapd_model::{ManualClock, Timestamp};
use rapd_server::{AppState, ConnectionLimits, Listeners, ServerConfig, tls::CertificateSource};
use rapd_store::SqliteStore;
use reqwest::{Client, Response};
use serde_json::Value;
use tokio::sync::oneshot;

pub const BODY_LIMIT: usize = 4096;

/// A form body and the refusal it earns.
pub type Form<'a> = &'a [(&'a str, &'a str)];
pub const PASSWORD: &str = "rapd-dev-password";
pub const USER: &str = "dev@rapd.localhost";

/// rapd on an http and an https listener, with the development CA in a fresh data directory.
pub struct TlsApp {
    pub https: String,
    pub http: String,
    /// Trusts rapd's CA and nothing else.
    pub client: Client,
    pub clock: Arc<ManualClock>,
    pub ca_pem: Vec<u8>,
    _stop: oneshot::Sender<()>,
    pub dir: tempfile::TempDir,
}

impl TlsApp {
    pub async fn start(permissions: PermissionProfile, identity: IdentityConfig) -> TlsApp {
        TlsApp::start_with(permissions, identity, ConnectionLimits::default()).await
    }

    pub async fn start_with(
        permissions: PermissionProfile,
        identity: IdentityConfig,
        limits: ConnectionLimits,
    ) -> TlsApp {
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
        let acceptor = served.acceptor().unwrap();
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
            limits,
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
            dir,
        }
    }

    pub async fn default() -> TlsApp {
        TlsApp::start(PermissionProfile::FoundingPage, IdentityConfig::default()).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.https))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Response {
        self.post_form(&format!("/{tenant}/oauth2/v2.0/token"), form)
            .await
    }

    pub async fn disconnect_status(&self, token: &str) -> u16 {
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

    pub async fn password_token(&self, tenant: &str) -> String {
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

pub fn trusting(ca_pem: &[u8]) -> Client {
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap())
        .build()
        .unwrap()
}

pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Asserts Entra's error body and returns `error_description`.
pub async fn oauth_error(response: Response, status: u16, error: &str, code: u32) -> String {
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

pub fn app_id() -> String {
    DEV_APP.to_string()
}
