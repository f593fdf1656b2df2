//! The routes under `/_rapd/`: the guard, reset, seed and export of test state, the request log
//! and the fault rules. Each handler answers the server's error type `E` (see [`Refusal`]).

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{ConnectInfo, Path, Query, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodRouter, delete, get, post},
};
use http::{StatusCode, header};
use rapd_http::{AroundLayer, GraphEnvelope, RequestIds};
use rapd_model::{Fixture, TenantId};
use serde_json::json;
use uuid::Uuid;

use crate::{
    Control, MAX_FIXTURE_BYTES, PREFIX, Refusal, control_actor, error::ControlError, faults,
};

/// The test-control API, in Graph's envelope, each error answered as `E`.
pub fn router<E: Refusal>(control: Control) -> Router {
    // The guard sits on each method router, so a verb a path lacks is still a plain 405.
    let guarded = |methods: MethodRouter<Control>| {
        methods.route_layer(middleware::from_fn_with_state(control.clone(), guard::<E>))
    };
    Router::new()
        .route(&format!("{PREFIX}/reset"), guarded(post(reset_state::<E>)))
        .route(&format!("{PREFIX}/seed"), guarded(post(seed_state::<E>)))
        .route(&format!("{PREFIX}/export"), guarded(get(export_state::<E>)))
        .route(
            &format!("{PREFIX}/requests"),
            guarded(get(list_requests::<E>).delete(clear_requests)),
        )
        .route(
            &format!("{PREFIX}/faults"),
            guarded(
                get(list_faults::<E>)
                    .post(add_fault::<E>)
                    .delete(clear_faults::<E>),
            ),
        )
        .route(
            &format!("{PREFIX}/faults/{{id}}"),
            guarded(delete(remove_fault::<E>)),
        )
        .layer(AroundLayer(GraphEnvelope))
        .with_state(control)
}

/// Loopback peers only (unless allowed), then the admin token, compared in constant time.
async fn guard<E: Refusal>(
    State(control): State<Control>,
    request: Request,
    next: Next,
) -> Response {
    let config = control.config();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    let loopback = peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    if !loopback && !config.allow_remote {
        return E::from(ControlError::Remote).into_response();
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        Some(token) if same(token.as_bytes(), config.admin_token.as_bytes()) => {
            next.run(request).await
        }
        _ => E::from(ControlError::Unauthorized).into_response(),
    }
}

/// Compares without an early exit, so timing does not reveal a common prefix.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn invalid(reason: impl Into<String>) -> ControlError {
    ControlError::Invalid(reason.into())
}

/// `?tenant=<guid>`: one tenant, or every tenant when absent.
fn tenant_param(params: &HashMap<String, String>) -> Result<Option<TenantId>, ControlError> {
    params
        .get("tenant")
        .map(|t| {
            Uuid::try_parse(t)
                .map(TenantId)
                .map_err(|_| invalid(format!("tenant '{t}' is not a GUID")))
        })
        .transpose()
}

/// POST /_rapd/reset[?tenant=<guid>]
async fn reset_state<E: Refusal>(
    State(control): State<Control>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<StatusCode, E> {
    let tenant = tenant_param(&params)?;
    control
        .store()
        .reset(tenant)
        .await
        .map_err(ControlError::from)?;
    control.tenants_changed();
    Ok(StatusCode::NO_CONTENT)
}

/// POST /_rapd/seed with a fixture: all of it is written, or none.
async fn seed_state<E: Refusal>(
    State(control): State<Control>,
    Extension(ids): Extension<RequestIds>,
    request: Request,
) -> Result<Response, E> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string());
    let body = axum::body::to_bytes(request.into_body(), MAX_FIXTURE_BYTES)
        .await
        .map_err(|_| ControlError::PayloadTooLarge(MAX_FIXTURE_BYTES))?;
    let states = parse_fixture(&control, &body)?;
    let (tenants, partners) = (
        states.len(),
        states.iter().map(|s| s.partners.len()).sum::<usize>(),
    );
    let audit = control_actor("rapd-control-api", peer, ids.request_id);
    control
        .store()
        .seed(states, audit)
        .await
        .map_err(ControlError::from)?;
    control.tenants_changed();
    Ok(Json(json!({ "tenants": tenants, "partners": partners })).into_response())
}

fn parse_fixture(
    control: &Control,
    body: &Bytes,
) -> Result<Vec<rapd_model::TenantState>, ControlError> {
    Fixture::parse(body)
        .and_then(|f| f.validate(control.now(), rapd_model::new_secret))
        .map_err(|e| invalid(e.to_string()))
}

/// GET /_rapd/export[?tenant=<guid>]: the fixture that seeds this state back.
async fn export_state<E: Refusal>(
    State(control): State<Control>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Fixture>, E> {
    let tenant = tenant_param(&params)?;
    let states = control
        .store()
        .export(tenant)
        .await
        .map_err(ControlError::from)?;
    Ok(Json(Fixture::from_states(&states)))
}

/// GET /_rapd/requests[?limit=N]: the newest requests first.
async fn list_requests<E: Refusal>(
    State(control): State<Control>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, E> {
    let journal = control.journal();
    let capacity = journal.capacity();
    let limit = match params.get("limit") {
        None => capacity.min(100),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=capacity).contains(n))
            .ok_or_else(|| invalid(format!("limit must be 1 to {capacity}, not '{text}'")))?,
    };
    Ok(Json(journal.newest(limit)).into_response())
}

/// DELETE /_rapd/requests
async fn clear_requests(State(control): State<Control>) -> StatusCode {
    control.journal().clear();
    StatusCode::NO_CONTENT
}

fn faults(control: &Control) -> Result<&faults::Faults, ControlError> {
    control
        .faults()
        .ok_or_else(|| invalid("fault injection is off (control.faults)"))
}

/// GET /_rapd/faults
async fn list_faults<E: Refusal>(State(control): State<Control>) -> Result<Response, E> {
    Ok(Json(faults(&control)?.list()).into_response())
}

/// POST /_rapd/faults with one rule.
async fn add_fault<E: Refusal>(State(control): State<Control>, body: Bytes) -> Result<Response, E> {
    let faults = faults(&control)?;
    let input: faults::RuleInput =
        serde_json::from_slice(&body).map_err(|e| invalid(format!("invalid fault rule: {e}")))?;
    let rule = faults.add(input)?;
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

/// DELETE /_rapd/faults/{id}: one rule, by the `id` `POST /_rapd/faults` answered with.
async fn remove_fault<E: Refusal>(
    State(control): State<Control>,
    Path(id): Path<String>,
) -> Result<StatusCode, E> {
    let faults = faults(&control)?;
    let id: u64 = id
        .parse()
        .map_err(|_| invalid(format!("fault rule id '{id}' is not a whole number")))?;
    match faults.remove(id) {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ControlError::NoSuchFaultRule(id).into()),
    }
}

/// DELETE /_rapd/faults: every rule.
async fn clear_faults<E: Refusal>(State(control): State<Control>) -> Result<StatusCode, E> {
    faults(&control)?.clear();
    Ok(StatusCode::NO_CONTENT)
}
