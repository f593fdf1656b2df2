//! `POST /{version}/$batch`: Graph's JSON batching. Each inner request goes through the whole
//! router on its own (authorised, throttled, audited like any other); `dependsOn` orders them and
//! a failed dependency makes its dependants `424`. A malformed batch is `400` and runs nothing.
//! <https://learn.microsoft.com/graph/json-batching>

use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
};

use axum::{
    Extension, Router,
    body::Body,
    extract::{ConnectInfo, FromRequestParts, Request},
    response::Response,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header, request::Parts};
use rapd_control::FaultBudget;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use crate::{
    described::operations::{BatchRequest, BatchResponse, ClientRequestIdHeader},
    described::{BatchErrors, ClientRequestId, ODataVersion, RequestId},
    error::ApiError,
    extract::{Authenticated, GraphPath, JsonBody},
    response,
    state::AppState,
};

/// Graph's limit: "JSON batch requests are currently limited to 20 individual requests".
pub const MAX_BATCH_REQUESTS: usize = 20;

/// The application itself, so inner requests take exactly the path outer ones do.
#[derive(Clone)]
pub struct BatchTarget(pub Router);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    requests: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
    /// Accepted and ignored, as Graph does.
    #[serde(default, rename = "atomicityGroup")]
    _atomicity_group: Option<Value>,
}

/// What inner requests take from the outer one besides its headers: the peer address (faults
/// reach loopback peers only) and the budget of injected latency they all share.
#[derive(Clone, Default)]
pub struct Inherited {
    peer: Option<ConnectInfo<SocketAddr>>,
    fault_budget: Option<FaultBudget>,
}

impl FromRequestParts<AppState> for Inherited {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        let fault_budget = parts.extensions.get::<FaultBudget>().cloned().or_else(|| {
            state
                .control
                .as_ref()
                .and_then(rapd_control::Control::fault_budget)
        });
        Ok(Inherited {
            peer: parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned(),
            fault_budget,
        })
    }
}

/// `POST /{version}/$batch`
#[utoipa::path(
    post,
    path = "/{version}/$batch",
    tag = "batch",
    operation_id = "{version}.batch",
    summary = "Run up to 20 requests in one",
    description = "Each inner request goes through the whole router on its own (authorised with the envelope's token, throttled, audited), relative to `/{version}`. `dependsOn` orders them; a request whose dependency failed is `424`. A malformed envelope is `400` and runs nothing. The inner answers, whatever their status, come back in a `200`.",
    params(ClientRequestIdHeader),
    request_body(content = BatchRequest, examples(
        ("listThenCreate" = (value = json!({ "requests": [
            { "id": "1", "method": "GET", "url": "/deviceManagement/remoteAssistancePartners" },
            {
                "id": "2",
                "method": "POST",
                "url": "/deviceManagement/remoteAssistancePartners",
                "headers": { "Content-Type": "application/json" },
                "body": { "displayName": "From a batch" },
                "dependsOn": ["1"],
            },
        ] }))),
    )),
    responses(
        (status = 200, description = "The inner responses", body = BatchResponse, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        BatchErrors,
    ),
)]
pub async fn post_batch(
    Extension(BatchTarget(app)): Extension<BatchTarget>,
    inherited: Inherited,
    path: GraphPath,
    // The envelope carries the one token every inner request runs with; it is verified here
    // so that a batch without a valid token runs nothing.
    _caller: Authenticated,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let BatchPlan { items, order } = parse_envelope(&body)?;
    let mut statuses: HashMap<&str, StatusCode> = HashMap::new();
    let mut answers = Vec::with_capacity(items.len());
    for index in order {
        let item = &items[index];
        let failed = item
            .depends_on
            .iter()
            .any(|d| !statuses[d.as_str()].is_success());
        let answer = if failed {
            statuses.insert(&item.id, StatusCode::FAILED_DEPENDENCY);
            failed_dependency(&item.id)
        } else {
            // Every item was checked before the first ran, so `run` fails only on an internal
            // error; that item is answered 500 and the others keep their answers, so no write
            // already committed goes unreported.
            let outer = Outer {
                version: path.version.segment(),
                headers: &headers,
                inherited: &inherited,
            };
            let (status, answer) = run_or_500(&app, &outer, item).await;
            statuses.insert(&item.id, status);
            answer
        };
        answers.push(answer);
    }
    let body = serde_json::to_vec(&Responses { responses: answers })
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(response::json(StatusCode::OK, body))
}

/// Runs one item; an internal failure is that item's 500 (and is logged), not the batch's.
async fn run_or_500(app: &Router, outer: &Outer<'_>, item: &Item) -> (StatusCode, Answer) {
    match run(app, outer, item).await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(error = %e, item = %item.id, "a $batch item could not be run");
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            let message = "An internal server error has occurred";
            (status, failed_item(&item.id, status, "Unknown", message))
        }
    }
}

/// A checked envelope: its requests and the order they run in (every dependency first).
pub struct BatchPlan {
    items: Vec<Item>,
    order: Vec<usize>,
}

impl BatchPlan {
    /// The number of inner requests.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Never true: an empty batch is refused.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Positions of the requests in the order they run.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The id of the request at `index`.
    pub fn id(&self, index: usize) -> &str {
        &self.items[index].id
    }

    /// The ids the request at `index` waits for.
    pub fn depends_on(&self, index: usize) -> &[String] {
        &self.items[index].depends_on
    }

    /// The path the request at `index` runs on, after the version segment.
    pub fn path(&self, index: usize) -> Option<String> {
        relative_path(&self.items[index].url)
    }
}

/// Parses and checks a whole `$batch` body before anything runs: shape, limits, ids, urls,
/// headers and `dependsOn` (no unknown ids, no cycles). Pure, so it can be fuzzed on its own.
pub fn parse_envelope(body: &[u8]) -> Result<BatchPlan, ApiError> {
    let items = validate(body)?;
    let order = execution_order(&items)?;
    Ok(BatchPlan { items, order })
}

fn bad(reason: impl Into<String>) -> ApiError {
    ApiError::InvalidBatch(reason.into())
}

/// Checks the whole envelope before anything runs.
fn validate(body: &[u8]) -> Result<Vec<Item>, ApiError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| bad(format!("Invalid batch payload: {e}")))?;
    let items = envelope.requests;
    if items.is_empty() {
        return Err(bad("A batch must contain at least one request."));
    }
    if items.len() > MAX_BATCH_REQUESTS {
        return Err(bad(format!(
            "A batch may contain at most {MAX_BATCH_REQUESTS} requests; this one has {}.",
            items.len()
        )));
    }
    let mut ids = HashSet::new();
    for item in &items {
        if item.id.is_empty() || !ids.insert(item.id.as_str()) {
            return Err(bad(format!(
                "Request ids must be unique and non-empty: '{}'.",
                item.id
            )));
        }
        if !matches!(
            item.method.to_ascii_uppercase().as_str(),
            "GET" | "POST" | "PATCH" | "PUT" | "DELETE"
        ) {
            return Err(bad(format!(
                "Request '{}' has an unsupported method '{}'.",
                item.id, item.method
            )));
        }
        let path = relative_path(&item.url).ok_or_else(|| {
            bad(format!("Request '{}': the url must be relative to the version, like '/deviceManagement/remoteAssistancePartners'.", item.id))
        })?;
        if format!("/v1.0{path}").parse::<http::Uri>().is_err() {
            return Err(bad(format!(
                "Request '{}' has a url that is not a valid URI (spaces and control characters must be percent-encoded).",
                item.id
            )));
        }
        for (name, value) in &item.headers {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(bad(format!(
                    "Request '{}' has an invalid header name.",
                    item.id
                )));
            }
            if HeaderValue::from_str(value).is_err() {
                return Err(bad(format!(
                    "Request '{}' has an invalid value for the header '{name}'.",
                    item.id
                )));
            }
        }
        if item
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("authorization"))
        {
            return Err(bad(format!(
                "Request '{}' carries an Authorization header; inner requests use the batch's.",
                item.id
            )));
        }
        if item.body.is_some()
            && !item
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(bad(format!(
                "Request '{}' has a body but no Content-Type header.",
                item.id
            )));
        }
    }
    for item in &items {
        for dependency in &item.depends_on {
            if dependency == &item.id || !ids.contains(dependency.as_str()) {
                return Err(bad(format!(
                    "Request '{}' depends on unknown request '{dependency}'.",
                    item.id
                )));
            }
        }
    }
    Ok(items)
}

/// The path after the version segment, from a relative URL (`/deviceManagement/…`,
/// `deviceManagement/…`, or `/v1.0/deviceManagement/…`). Absolute URLs and nested batches are refused.
fn relative_path(url: &str) -> Option<String> {
    if url.contains("://") || url.starts_with("//") {
        return None;
    }
    let trimmed = url.trim_start_matches('/');
    let trimmed = ["v1.0/", "beta/"]
        .iter()
        .find_map(|v| strip_prefix_ignore_case(trimmed, v))
        .unwrap_or(trimmed);
    if trimmed.is_empty() || strip_prefix_ignore_case(trimmed, "$batch").is_some() {
        return None;
    }
    Some(format!("/{trimmed}"))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// A topological order of the items (Kahn's algorithm, stable by position); a cycle is 400.
fn execution_order(items: &[Item]) -> Result<Vec<usize>, ApiError> {
    let position: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.as_str(), i))
        .collect();
    let mut waiting: Vec<usize> = items.iter().map(|it| it.depends_on.len()).collect();
    let mut order = Vec::with_capacity(items.len());
    let mut done = vec![false; items.len()];
    while order.len() < items.len() {
        let next = (0..items.len()).find(|&i| !done[i] && waiting[i] == 0);
        let Some(next) = next else {
            return Err(bad("The dependsOn references form a cycle."));
        };
        done[next] = true;
        order.push(next);
        for (i, item) in items.iter().enumerate() {
            waiting[i] -= item
                .depends_on
                .iter()
                .filter(|d| position[d.as_str()] == next)
                .count();
        }
    }
    Ok(order)
}

/// What an inner request is built from besides its item.
struct Outer<'a> {
    version: &'a str,
    headers: &'a HeaderMap,
    inherited: &'a Inherited,
}

/// Runs one inner request through the application and shapes its answer.
async fn run(
    app: &Router,
    outer: &Outer<'_>,
    item: &Item,
) -> Result<(StatusCode, Answer), ApiError> {
    let Outer {
        version,
        headers: outer,
        inherited,
    } = outer;
    let path = relative_path(&item.url).ok_or_else(|| bad("invalid url"))?;
    let method = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| bad("invalid method"))?;
    let mut request = Request::builder()
        .method(method)
        .uri(format!("/{version}{path}"));
    if let Some(peer) = &inherited.peer {
        request = request.extension(*peer);
    }
    if let Some(budget) = &inherited.fault_budget {
        request = request.extension(budget.clone());
    }
    for name in [header::AUTHORIZATION, header::HOST, rapd_http::TLS_HEADER] {
        if let Some(value) = outer.get(&name) {
            request = request.header(name, value);
        }
    }
    for (name, value) in &item.headers {
        // Only the accept loop says a request came over TLS; an item cannot.
        if name.eq_ignore_ascii_case(rapd_http::TLS_HEADER.as_str()) {
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| bad(format!("Request '{}' has an invalid header name.", item.id)))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            bad(format!(
                "Request '{}' has an invalid header value.",
                item.id
            ))
        })?;
        request = request.header(name, value);
    }
    let body = match &item.body {
        Some(body) => {
            Body::from(serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.to_string()))?)
        }
        None => Body::empty(),
    };
    let request = request.body(body).map_err(|e| bad(e.to_string()))?;
    // Inner requests may use any URL form Graph accepts, as outer ones may.
    let request = crate::url_forms::canonical_request(request);
    let response = app
        .clone()
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let status = response.status();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
        }
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let body = (!bytes.is_empty()).then(|| {
        if is_json {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        }
    });
    let answer = Answer {
        id: item.id.clone(),
        status: status.as_u16(),
        headers: Value::Object(headers),
        body,
    };
    Ok((status, answer))
}

/// One item of the response envelope, fields in Graph's order.
#[derive(serde::Serialize)]
struct Answer {
    id: String,
    status: u16,
    headers: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
}

fn failed_dependency(id: &str) -> Answer {
    failed_item(
        id,
        StatusCode::FAILED_DEPENDENCY,
        "FailedDependency",
        "The request was not run because a request it depends on failed.",
    )
}

/// An item answered with an error the batch itself gives, in Graph's error body.
fn failed_item(id: &str, status: StatusCode, code: &str, message: &str) -> Answer {
    Answer {
        id: id.to_owned(),
        status: status.as_u16(),
        headers: json!({ "content-type": "application/json" }),
        body: Some(json!({ "error": { "code": code, "message": message } })),
    }
}

#[derive(serde::Serialize)]
struct Responses {
    responses: Vec<Answer>,
}
