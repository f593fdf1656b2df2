//! A JWKS and OIDC discovery server on `127.0.0.1:0` that counts its requests and can be
//! switched, while running, to the failures reliability.md A27 lists.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// Path of the JWKS document.
const KEYS_PATH: &str = "/keys";
/// Path of the OIDC discovery document.
const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// Which document a [`Misbehaviour`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Keys,
    Discovery,
}

/// What the server answers instead of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misbehaviour {
    /// 200 with exactly this body.
    Body(Vec<u8>),
    /// 200 with a JSON body of this many bytes, `Content-Length` announced.
    Oversized(usize),
    /// The same, streamed in chunks without a `Content-Length`.
    OversizedChunked(usize),
    /// 200, the first bytes of a JWKS, then nothing, ever.
    Hang,
    /// 200 with a body that is not JSON.
    InvalidJson,
    /// 302 to this URL.
    Redirect(String),
    /// This status with an empty body.
    Status(u16),
}

struct Shared {
    base: String,
    issuer: String,
    keys: Vec<Value>,
    misbehaviour: HashMap<Route, Misbehaviour>,
    requests: HashMap<String, usize>,
}

/// The running server; it stops when dropped.
pub struct JwksServer {
    base: String,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl JwksServer {
    /// Binds `127.0.0.1:0` and serves an empty key set until [`JwksServer::set_keys`].
    pub async fn start() -> JwksServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let shared = Arc::new(Mutex::new(Shared {
            base: base.clone(),
            issuer: base.clone(),
            keys: Vec::new(),
            misbehaviour: HashMap::new(),
            requests: HashMap::new(),
        }));
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        JwksServer { base, shared, task }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        self.base.clone()
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> String {
        format!("{}{KEYS_PATH}", self.base)
    }

    /// The discovery document's URL; its `jwks_uri` is [`JwksServer::jwks_uri`].
    pub fn discovery_url(&self) -> String {
        format!("{}{DISCOVERY_PATH}", self.base)
    }

    /// Serves `{"keys": keys}` from now on.
    pub fn set_keys(&self, keys: Vec<Value>) {
        self.lock().keys = keys;
    }

    /// The `issuer` the discovery document names (by default the server's URL).
    pub fn set_issuer(&self, issuer: &str) {
        self.lock().issuer = issuer.to_owned();
    }

    /// Answers `route` with `how` instead of its document, until [`JwksServer::behave`].
    pub fn misbehave(&self, route: Route, how: Misbehaviour) {
        self.lock().misbehaviour.insert(route, how);
    }

    /// Serves the real documents again.
    pub fn behave(&self) {
        self.lock().misbehaviour.clear();
    }

    /// Requests for the JWKS so far.
    pub fn fetches(&self) -> usize {
        self.requests(KEYS_PATH)
    }

    /// Requests for the discovery document so far.
    pub fn discovery_fetches(&self) -> usize {
        self.requests(DISCOVERY_PATH)
    }

    /// Requests for `path` so far.
    pub fn requests(&self, path: &str) -> usize {
        self.lock().requests.get(path).copied().unwrap_or(0)
    }

    /// Requests for any path so far: a canary wants zero.
    pub fn total_requests(&self) -> usize {
        self.lock().requests.values().sum()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(shared): State<Arc<Mutex<Shared>>>, uri: Uri) -> Response {
    let (misbehaviour, document) = {
        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
        *s.requests.entry(uri.path().to_owned()).or_default() += 1;
        let route = match uri.path() {
            KEYS_PATH => Route::Keys,
            DISCOVERY_PATH => Route::Discovery,
            _ => return status(StatusCode::NOT_FOUND),
        };
        let document = match route {
            Route::Keys => json!({ "keys": s.keys }),
            Route::Discovery => json!({
                "issuer": s.issuer,
                "jwks_uri": format!("{}{KEYS_PATH}", s.base),
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }),
        };
        (s.misbehaviour.get(&route).cloned(), document)
    };
    match misbehaviour {
        None => json_response(Body::from(document.to_string())),
        Some(Misbehaviour::Body(bytes)) => json_response(Body::from(bytes)),
        Some(Misbehaviour::Oversized(n)) => json_response(Body::from(padded_json(n))),
        Some(Misbehaviour::OversizedChunked(n)) => {
            let chunks: Vec<Result<Bytes, Infallible>> = padded_json(n)
                .chunks(64 * 1024)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            json_response(Body::from_stream(futures_util::stream::iter(chunks)))
        }
        Some(Misbehaviour::Hang) => {
            let first = futures_util::stream::once(async {
                Ok::<_, Infallible>(Bytes::from_static(b"{\"keys\":["))
            });
            json_response(Body::from_stream(
                first.chain(futures_util::stream::pending()),
            ))
        }
        Some(Misbehaviour::InvalidJson) => {
            json_response(Body::from("{\"keys\": [ this is not JSON"))
        }
        Some(Misbehaviour::Redirect(to)) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .expect("a valid redirect"),
        Some(Misbehaviour::Status(code)) => {
            status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

fn json_response(body: Body) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("a valid response")
}

fn status(code: StatusCode) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .expect("a valid response")
}

/// `{"keys":[],"pad":"xxx…"}` of exactly `n` bytes (at least the 20 the frame takes).
fn padded_json(n: usize) -> Vec<u8> {
    let frame = br#"{"keys":[],"pad":""}"#;
    let mut body = Vec::with_capacity(n.max(frame.len()));
    body.extend_from_slice(&frame[..frame.len() - 2]);
    body.resize(n.max(frame.len()) - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}
