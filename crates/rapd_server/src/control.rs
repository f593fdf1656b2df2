//! The test-control API under `/_rapd/` (a prefix Graph cannot have): reset, seed and export of
//! test state, fault rules, and the request log. Loopback clients only unless allowed, and only
//! with the admin token. The binary leaves it out of the production profile unless enabled.

pub mod faults;
pub mod journal;

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{ConnectInfo, Query, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodRouter, get, post},
};
use http::{StatusCode, header};
use rapd_model::{Actor, AuditContext, Fixture, TenantId};
use serde_json::json;
use uuid::Uuid;

use rapd_http::{AroundLayer, GraphEnvelope, RequestIds};

use crate::{error::ApiError, state::AppState};

/// The reserved prefix.
pub const PREFIX: &str = "/_rapd";
/// The largest fixture accepted by `POST /_rapd/seed`.
pub const MAX_FIXTURE_BYTES: usize = 8 * 1024 * 1024;

/// Settings of the test-control API, resolved by the binary.
#[derive(Clone)]
pub struct ControlConfig {
    /// The bearer token every control call must carry.
    pub admin_token: String,
    /// Answer clients that are not on a loopback address.
    pub allow_remote: bool,
    /// Fault injection (rules and the trigger header); never in the production profile.
    pub faults: bool,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
}

/// Never shows the admin token.
impl std::fmt::Debug for ControlConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlConfig")
            .field("admin_token", &"<redacted>")
            .field("allow_remote", &self.allow_remote)
            .field("faults", &self.faults)
            .field("request_log_capacity", &self.request_log_capacity)
            .finish()
    }
}

/// The running test-control state.
pub struct Control {
    pub config: ControlConfig,
    pub journal: journal::Journal,
    /// `None` when fault injection is off.
    pub faults: Option<faults::Faults>,
}

impl Control {
    pub fn new(config: ControlConfig) -> Control {
        Control {
            journal: journal::Journal::new(config.request_log_capacity),
            faults: config.faults.then(faults::Faults::default),
            config,
        }
    }
}

pub fn router(state: AppState) -> Router {
    // The guard sits on each method router, so a verb a path lacks is still a plain 405.
    let guarded = |methods: MethodRouter<AppState>| {
        methods.route_layer(middleware::from_fn_with_state(state.clone(), guard))
    };
    Router::new()
        .route(&format!("{PREFIX}/reset"), guarded(post(reset_state)))
        .route(&format!("{PREFIX}/seed"), guarded(post(seed_state)))
        .route(&format!("{PREFIX}/export"), guarded(get(export_state)))
        .route(
            &format!("{PREFIX}/requests"),
            guarded(get(list_requests).delete(clear_requests)),
        )
        .route(
            &format!("{PREFIX}/faults"),
            guarded(get(list_faults).post(add_fault).delete(clear_faults)),
        )
        .layer(AroundLayer(GraphEnvelope))
        .with_state(state)
}

/// Loopback peers only (unless allowed), then the admin token, compared in constant time.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(control) = &state.control else {
        return ApiError::UnknownSegment("_rapd".into()).into_response();
    };
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    let loopback = peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    if !loopback && !control.config.allow_remote {
        return ApiError::ControlRemote.into_response();
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        Some(token) if same(token.as_bytes(), control.config.admin_token.as_bytes()) => {
            next.run(request).await
        }
        _ => ApiError::ControlUnauthorized.into_response(),
    }
}

/// Compares without an early exit, so timing does not reveal a common prefix.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn control(state: &AppState) -> Result<&Control, ApiError> {
    state
        .control
        .as_deref()
        .ok_or_else(|| ApiError::UnknownSegment("_rapd".into()))
}

/// `?tenant=<guid>`: one tenant, or every tenant when absent.
fn tenant_param(params: &HashMap<String, String>) -> Result<Option<TenantId>, ApiError> {
    params
        .get("tenant")
        .map(|t| {
            Uuid::try_parse(t)
                .map(TenantId)
                .map_err(|_| ApiError::InvalidControl(format!("tenant '{t}' is not a GUID")))
        })
        .transpose()
}

/// The actor of changes the control API makes, as the audit trail shows it.
pub fn control_actor(application: &str, ip: Option<String>, correlation_id: Uuid) -> AuditContext {
    AuditContext {
        actor: Actor {
            actor_type: "TestControl".into(),
            application_id: Some(application.into()),
            ip_address: ip,
            ..Actor::default()
        },
        correlation_id,
    }
}

/// POST /_rapd/reset[?tenant=<guid>]
async fn reset_state(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_param(&params)?;
    state.control_store.reset(tenant).await?;
    state.tenancy.forget();
    Ok(StatusCode::NO_CONTENT)
}

/// POST /_rapd/seed with a fixture: all of it is written, or none.
async fn seed_state(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    request: Request,
) -> Result<Response, ApiError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string());
    let body = axum::body::to_bytes(request.into_body(), MAX_FIXTURE_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(MAX_FIXTURE_BYTES))?;
    let states = parse_fixture(&state, &body)?;
    let (tenants, partners) = (
        states.len(),
        states.iter().map(|s| s.partners.len()).sum::<usize>(),
    );
    let audit = control_actor("rapd-control-api", peer, ids.request_id);
    state.control_store.seed(states, audit).await?;
    state.tenancy.forget();
    Ok(Json(json!({ "tenants": tenants, "partners": partners })).into_response())
}

fn parse_fixture(state: &AppState, body: &Bytes) -> Result<Vec<rapd_model::TenantState>, ApiError> {
    Fixture::parse(body)
        .and_then(|f| f.validate(state.clock.now(), rapd_model::new_secret))
        .map_err(|e| ApiError::InvalidControl(e.to_string()))
}

/// GET /_rapd/export[?tenant=<guid>]: the fixture that seeds this state back.
async fn export_state(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Fixture>, ApiError> {
    let tenant = tenant_param(&params)?;
    let states = state.control_store.export(tenant).await?;
    Ok(Json(Fixture::from_states(&states)))
}

/// GET /_rapd/requests[?limit=N]: the newest requests first.
async fn list_requests(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let control = control(&state)?;
    let capacity = control.journal.capacity();
    let limit = match params.get("limit") {
        None => capacity.min(100),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=capacity).contains(n))
            .ok_or_else(|| {
                ApiError::InvalidControl(format!("limit must be 1 to {capacity}, not '{text}'"))
            })?,
    };
    Ok(Json(control.journal.newest(limit)).into_response())
}

/// DELETE /_rapd/requests
async fn clear_requests(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    control(&state)?.journal.clear();
    Ok(StatusCode::NO_CONTENT)
}

fn faults(state: &AppState) -> Result<&faults::Faults, ApiError> {
    control(state)?
        .faults
        .as_ref()
        .ok_or_else(|| ApiError::InvalidControl("fault injection is off (control.faults)".into()))
}

/// GET /_rapd/faults
async fn list_faults(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(faults(&state)?.list()).into_response())
}

/// POST /_rapd/faults with one rule.
async fn add_fault(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let faults = faults(&state)?;
    let input: faults::RuleInput = serde_json::from_slice(&body)
        .map_err(|e| ApiError::InvalidControl(format!("invalid fault rule: {e}")))?;
    let rule = faults.add(input)?;
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

/// DELETE /_rapd/faults: every rule.
async fn clear_faults(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    faults(&state)?.clear();
    Ok(StatusCode::NO_CONTENT)
}
