//! `TestApp`: a real rapd on `127.0.0.1:0` with a fresh data directory and a manual clock, over a
//! fresh SQLite file, or a fresh PostgreSQL schema when `RAPD_TEST_ENGINE=postgres`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use rapd_auth::{
    DEV_TENANT, DEV_USER, DevIssuer, IssuerConfig, JwksSettings, SCOPE_READ_WRITE, Subject,
    TokenRequest, Verifier, VerifierConfig,
};
use rapd_model::{Clock, ManualClock, OnboardingCode, PartnerId, TenantId, Timestamp};
use rapd_server::{AppState, ConnectionLimits, ServerConfig};
use rapd_store::{
    Engine, Migrations, PartnerStore, PostgresStore, SqliteStore, testing::TestSchema,
};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::{broadcast, oneshot};
use uuid::Uuid;

/// The codes the server issued, and the last one of each partner heard so far.
type IssuedCodes = (
    broadcast::Receiver<OnboardingCode>,
    HashMap<(TenantId, PartnerId), String>,
);

pub struct TestApp {
    pub origin: String,
    pub client: reqwest::Client,
    pub issuer: Arc<DevIssuer>,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn PartnerStore>,
    pub token: String,
    /// The running server's state, for requests sent through the router directly.
    pub state: AppState,
    /// The onboarding codes the server issued, listened to from the start: the store keeps
    /// only their hashes.
    codes: Mutex<IssuedCodes>,
    _stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
    _schema: Option<TestSchema>,
}

pub const BODY_LIMIT: usize = 4096;
/// The admin token of the test-control API in [`TestApp::with_control`].
pub const ADMIN_TOKEN: &str = "test-control-admin-token";

/// What a test may change before the server starts.
pub struct TestSettings {
    pub server: ServerConfig,
    pub limits: ConnectionLimits,
    /// Run the development issuer (the default), and with it the identity provider; off, as
    /// the production profile leaves it.
    pub dev_issuer: bool,
    /// Trust the development issuer (the default), as the development profile does.
    pub dev_issuer_trusted: bool,
    /// External issuers, e.g. backed by a `rapd_auth::testing::JwksServer`.
    pub issuers: Vec<IssuerConfig>,
    pub jwks: JwksSettings,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::with(|_| {}).await
    }

    /// A server with the test-control API (faults on), `adjust`ed further.
    pub async fn with_control(adjust: impl FnOnce(&mut TestSettings)) -> TestApp {
        TestApp::with(|s| {
            s.server.control = Some(rapd_control::ControlConfig {
                admin_token: ADMIN_TOKEN.into(),
                allow_remote: false,
                faults: true,
                max_fault_delay: std::time::Duration::from_millis(rapd_control::MAX_FAULT_DELAY_MS),
                request_log_capacity: 1000,
            });
            adjust(s);
        })
        .await
    }

    /// A request to the test-control API with its admin token.
    pub fn control(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("/_rapd{path}")))
            .bearer_auth(ADMIN_TOKEN)
    }

    /// A server whose settings `adjust` changes from the test defaults (throttling off).
    pub async fn with(adjust: impl FnOnce(&mut TestSettings)) -> TestApp {
        let mut settings = TestSettings {
            server: ServerConfig {
                onboarding_ttl_secs: 600,
                max_body_bytes: BODY_LIMIT,
                throttle: None,
                ..ServerConfig::default()
            },
            limits: ConnectionLimits::default(),
            dev_issuer: true,
            dev_issuer_trusted: true,
            issuers: Vec::new(),
            jwks: JwksSettings::default(),
        };
        adjust(&mut settings);
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::now()));
        let issuer = Arc::new(DevIssuer::load_or_create(dir.path()).unwrap());
        let (engine, schema): (Arc<dyn Engine>, _) = match rapd_store::testing::postgres_engine() {
            None => (
                Arc::new(SqliteStore::open(&dir.path().join("rapd.db"), clock.clone()).unwrap()),
                None,
            ),
            Some(url) => {
                let schema = TestSchema::create(&url).await;
                let store =
                    PostgresStore::open(&schema.options(), clock.clone(), Migrations::Apply)
                        .await
                        .unwrap();
                (Arc::new(store), Some(schema))
            }
        };
        let verifier_config = VerifierConfig {
            dev_issuer_trusted: settings.dev_issuer_trusted,
            issuers: settings.issuers,
            jwks: settings.jwks,
        };
        let served_issuer = settings.dev_issuer.then(|| issuer.clone());
        let verifier = Verifier::from_config(served_issuer.as_deref(), verifier_config).await;
        let state = AppState::new(
            engine.clone(),
            verifier,
            served_issuer,
            clock.clone(),
            settings.server,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(rapd_server::run(
            listener,
            state.clone(),
            settings.limits,
            async {
                let _ = stopped.await;
            },
        ));
        let mut app = TestApp {
            origin,
            client: reqwest::Client::new(),
            issuer,
            clock,
            store: engine,
            token: String::new(),
            codes: Mutex::new((state.onboarding_codes(), HashMap::new())),
            state,
            _stop: stop,
            _dir: dir,
            _schema: schema,
        };
        app.token = app.token_for(DEV_TENANT, &[SCOPE_READ_WRITE]);
        app
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The last onboarding code the server issued for `partner`, as the vendor receives it.
    pub fn issued_code(&self, tenant: TenantId, partner: PartnerId) -> String {
        let mut codes = self.codes.lock().unwrap();
        let (issued, last) = &mut *codes;
        while let Ok(code) = issued.try_recv() {
            last.insert((code.tenant(), code.partner()), code.to_string());
        }
        last.get(&(tenant, partner))
            .cloned()
            .expect("the server issued no code for that partner")
    }

    /// A delegated token of the development user in `tenant` with `scopes`.
    pub fn token_for(&self, tenant: Uuid, scopes: &[&str]) -> String {
        self.mint(
            tenant,
            Subject::User(DEV_USER),
            scopes,
            self.now().unix_secs(),
        )
    }

    pub fn mint(&self, tenant: Uuid, subject: Subject, scopes: &[&str], iat: i64) -> String {
        let request = TokenRequest {
            tenant,
            subject,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ttl_secs: 3600,
        };
        self.issuer.mint(&request, iat).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// A request with the default token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn partners(&self, version: &str) -> String {
        format!("/{version}/deviceManagement/remoteAssistancePartners")
    }

    /// Creates a partner named `name` and returns its id.
    pub async fn create(&self, version: &str, name: &str) -> String {
        let response = self
            .request(Method::POST, &self.partners(version))
            .json(&serde_json::json!({ "displayName": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        json(response).await["id"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, version: &str, id: &str) -> Value {
        let response = self
            .request(Method::GET, &format!("{}/{id}", self.partners(version)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        json(response).await
    }
}

impl TestApp {
    /// Every page of a collection, following `@odata.nextLink` from `url` with `token`.
    pub async fn pages(&self, url: String, token: &str) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut next = Some(url);
        while let Some(link) = next {
            let page = json(
                self.client
                    .get(&link)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
            pages.push(page);
        }
        pages
    }
}

pub async fn json(response: Response) -> Value {
    response.json().await.unwrap()
}

/// Asserts a Graph error body with `status` and `code`, and returns its message.
pub async fn graph_error(response: Response, status: u16, code: &str) -> String {
    assert_eq!(response.status(), status);
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = json(response).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    let inner = &body["error"]["innerError"];
    assert_eq!(inner["request-id"], request_id.as_str());
    assert_eq!(inner["date"].as_str().unwrap().len(), 19);
    assert!(inner["client-request-id"].is_string());
    body["error"]["message"].as_str().unwrap().to_owned()
}

/// The text inside Intune's `_version: 3` message.
pub fn intune_text(message: &str) -> String {
    let v: Value = serde_json::from_str(message).expect("an Intune JSON message");
    assert_eq!(v["_version"], 3);
    v["Message"].as_str().unwrap().to_owned()
}
