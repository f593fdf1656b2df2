//! A simulated outside OpenID Connect issuer on loopback, Entra-shaped: discovery, JWKS, an
//! authorization endpoint that signs in at once (as a user who already has a session there)
//! and a token endpoint that redeems each code once and checks its PKCE verifier, client and
//! redirect URI as Entra does. The test picks the user's scopes and sees what the client sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::testing::{EntraVersion, Principal, TestKey, entra_claims};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const CLIENT_ID: &str = "6b1f0c3e-console-test-client";
pub const CLIENT_SECRET: &str = "console-test-secret-0123456789";
const GRAPH: &str = "https://graph.microsoft.com";

/// What the authorization endpoint was asked.
#[derive(Debug, Clone, Default)]
pub struct Authorization {
    pub query: HashMap<String, String>,
}

struct Issued {
    authorization: Authorization,
    scopes: Vec<String>,
}

#[derive(Default)]
struct Shared {
    /// The delegated scopes of the next sign-in's access token.
    scopes: Vec<String>,
    /// `error` to answer the next authorization with, instead of a code.
    refuse_with: Option<String>,
    authorizations: Vec<Authorization>,
    codes: HashMap<String, Issued>,
    token_requests: Vec<HashMap<String, String>>,
}

pub struct OidcIssuer {
    pub base: String,
    pub tenant: Uuid,
    shared: Arc<Mutex<Shared>>,
}

type AppState = (Arc<Mutex<Shared>>, Arc<TestKey>, String, Uuid);

impl OidcIssuer {
    pub async fn start(tenant: Uuid) -> OidcIssuer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let key = Arc::new(TestKey::es256());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state: AppState = (shared.clone(), key.clone(), base.clone(), tenant);
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/keys", get(keys))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        OidcIssuer {
            base,
            tenant,
            shared,
        }
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.base)
    }

    pub fn jwks_uri(&self) -> String {
        format!("{}/keys", self.base)
    }

    /// The next sign-in's access token carries these scopes.
    pub fn grant(&self, scopes: &[&str]) {
        self.lock().scopes = scopes.iter().map(|s| s.to_string()).collect();
    }

    /// The next authorization answers `error` instead of a code.
    pub fn refuse_next(&self, error: &str) {
        self.lock().refuse_with = Some(error.to_owned());
    }

    pub fn last_authorization(&self) -> Authorization {
        self.lock().authorizations.last().cloned().unwrap()
    }

    pub fn last_token_request(&self) -> HashMap<String, String> {
        self.lock().token_requests.last().cloned().unwrap()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }
}

fn sign(key: &TestKey, claims: &Value) -> String {
    key.sign(
        &json!({"alg": key.alg(), "typ": "JWT", "kid": "console-test"}),
        &claims.to_string(),
    )
}

async fn discovery(State((_, _, base, _)): State<AppState>) -> Json<Value> {
    Json(json!({
        "issuer": EntraVersion::V2.issuer_template(),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/keys"),
    }))
}

async fn keys(State((_, key, _, _)): State<AppState>) -> Json<Value> {
    Json(json!({ "keys": [key.jwk("console-test", None)] }))
}

/// Signs in at once: back to `redirect_uri` with a code and the client's `state`.
async fn authorize(
    State((shared, ..)): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut shared = shared.lock().unwrap();
    let authorization = Authorization {
        query: query.clone(),
    };
    shared.authorizations.push(authorization.clone());
    let mut back = url::Url::parse(&query["redirect_uri"]).unwrap();
    if let Some(error) = shared.refuse_with.take() {
        back.query_pairs_mut()
            .append_pair("error", &error)
            .append_pair("state", &query["state"]);
    } else {
        let code = Uuid::new_v4().to_string();
        let scopes = shared.scopes.clone();
        shared.codes.insert(
            code.clone(),
            Issued {
                authorization,
                scopes,
            },
        );
        back.query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &query["state"]);
    }
    (StatusCode::FOUND, [(header::LOCATION, back.to_string())]).into_response()
}

/// Redeems a code once, for the client it was issued to, with its PKCE verifier.
async fn token(
    State((shared, key, _, tenant)): State<AppState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut shared = shared.lock().unwrap();
    shared.token_requests.push(form.clone());
    let refuse =
        |error: &str| (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response();
    let Some(issued) = form.get("code").and_then(|c| shared.codes.remove(c)) else {
        return refuse("invalid_grant");
    };
    let asked = &issued.authorization.query;
    let challenge = form
        .get("code_verifier")
        .map(|v| URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())));
    if form.get("grant_type").map(String::as_str) != Some("authorization_code")
        || asked.get("code_challenge_method").map(String::as_str) != Some("S256")
        || challenge.as_ref() != asked.get("code_challenge")
        || form.get("redirect_uri") != asked.get("redirect_uri")
        || form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return refuse("invalid_grant");
    }
    let now = rapd_model::Timestamp::now().unix_secs();
    let scopes: Vec<&str> = issued.scopes.iter().map(String::as_str).collect();
    let access = entra_claims(
        tenant,
        EntraVersion::V2,
        GRAPH,
        Principal::User(&scopes),
        now,
    );
    let id = json!({
        "iss": EntraVersion::V2.issuer(tenant), "aud": CLIENT_ID, "tid": tenant,
        "iat": now, "exp": now + 3600, "nonce": asked["nonce"],
        "name": "Test User", "preferred_username": "test.user@contoso.example",
    });
    Json(json!({
        "token_type": "Bearer", "expires_in": 3600,
        "access_token": sign(&key, &access), "id_token": sign(&key, &id),
    }))
    .into_response()
}
