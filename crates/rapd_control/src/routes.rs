//! The routes under `/_rapd/`: the guard, reset, seed and export of test state, the request log
//! and the fault rules. Each handler answers the server's error type `E` (see [`Refusal`]).

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Extension, Json,
    body::Bytes,
    extract::{ConnectInfo, Path, Query, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use http::{StatusCode, header};
use rapd_http::{AroundLayer, GraphEnvelope, RequestIds};
use rapd_model::{Fixture, TenantId};
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouter},
    routes,
};
use uuid::Uuid;

use crate::{
    Control, MAX_FIXTURE_BYTES, Refusal, control_actor,
    described::{
        self, ControlFaultRule, ControlFaultRules, ControlFixture, ControlForbidden,
        ControlRequestLog, ControlUnauthorized, FaultRuleNotFound, SeedResult,
    },
    error::ControlError,
    faults::{self, RuleInput},
};
use rapd_http::described::{
    BadRequest, ClientRequestId, InternalServerError, PayloadTooLarge, RequestId,
    ServiceUnavailable,
};

/// The test-control API, in Graph's envelope, each error answered as `E`, with its description:
/// each route is registered together with the `#[utoipa::path]` of its handler.
pub fn router<E: Refusal>(control: Control) -> OpenApiRouter {
    // The guard sits on each method router, so a verb a path lacks is still a plain 405.
    let guarded = |(schemas, paths, methods): UtoipaMethodRouter<Control>| {
        let guard = middleware::from_fn_with_state(control.clone(), guard::<E>);
        (schemas, paths, methods.route_layer(guard))
    };
    // `routes!` names a handler by its path; these bindings fix the error type of each.
    let (reset_state, seed_state, export_state) =
        (reset_state::<E>, seed_state::<E>, export_state::<E>);
    let (list_requests, list_faults, add_fault, clear_faults, remove_fault) = (
        list_requests::<E>,
        list_faults::<E>,
        add_fault::<E>,
        clear_faults::<E>,
        remove_fault::<E>,
    );
    let mut router = OpenApiRouter::default()
        .routes(guarded(routes!(reset_state)))
        .routes(guarded(routes!(seed_state)))
        .routes(guarded(routes!(export_state)))
        .routes(guarded(routes!(list_requests, clear_requests)))
        .routes(guarded(routes!(list_faults, add_fault, clear_faults)))
        .routes(guarded(routes!(remove_fault)))
        .layer(AroundLayer(GraphEnvelope))
        .with_state(control);
    described::components(router.get_openapi_mut());
    router
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
#[utoipa::path(
    post,
    path = "/_rapd/reset",
    tag = "control",
    operation_id = "control.reset",
    summary = "Delete one tenant's state, or every tenant's",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    params(("tenant" = Option<Uuid>, Query, description = "One tenant; absent: every tenant.")),
    responses(
        (status = 204, description = "Reset", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
#[utoipa::path(
    post,
    path = "/_rapd/seed",
    tag = "control",
    operation_id = "control.seed",
    summary = "Write a fixture: all of it, or nothing",
    description = "At most 8 MiB (`MAX_FIXTURE_BYTES`). Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    request_body(content = ControlFixture, content_type = "application/json"),
    responses(
        (status = 200, description = "Seeded", body = SeedResult, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
    Ok(Json(SeedResult { tenants, partners }).into_response())
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
#[utoipa::path(
    get,
    path = "/_rapd/export",
    tag = "control",
    operation_id = "control.export",
    summary = "The state as a fixture",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    params(("tenant" = Option<Uuid>, Query, description = "One tenant; absent: every tenant.")),
    responses(
        (status = 200, description = "The fixture", body = ControlFixture, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/_rapd/requests",
    tag = "control",
    operation_id = "control.listRequests",
    summary = "The request log, newest first",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    params(("limit" = Option<u64>, Query, minimum = 1, description = "How many entries, 1 to the log's capacity; default 100 (or the capacity).")),
    responses(
        (status = 200, description = "The newest requests", body = ControlRequestLog, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
#[utoipa::path(
    delete,
    path = "/_rapd/requests",
    tag = "control",
    operation_id = "control.clearRequests",
    summary = "Empty the request log",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    responses(
        (status = 204, description = "Emptied", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/_rapd/faults",
    tag = "control",
    operation_id = "control.listFaults",
    summary = "The fault rules",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    responses(
        (status = 200, description = "The rules", body = ControlFaultRules, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
async fn list_faults<E: Refusal>(State(control): State<Control>) -> Result<Response, E> {
    Ok(Json(faults(&control)?.list()).into_response())
}

/// POST /_rapd/faults with one rule.
#[utoipa::path(
    post,
    path = "/_rapd/faults",
    tag = "control",
    operation_id = "control.addFault",
    summary = "Add a fault rule",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    request_body(content = RuleInput, content_type = "application/json", examples(
        ("next429" = (value = json!({
            "method": "GET",
            "path": "/{version}/deviceManagement/remoteAssistancePartners",
            "status": 429, "retryAfterSeconds": 1, "count": 1,
        }))),
    )),
    responses(
        (status = 201, description = "The rule", body = ControlFaultRule, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
async fn add_fault<E: Refusal>(State(control): State<Control>, body: Bytes) -> Result<Response, E> {
    let faults = faults(&control)?;
    let input: faults::RuleInput =
        serde_json::from_slice(&body).map_err(|e| invalid(format!("invalid fault rule: {e}")))?;
    let rule = faults.add(input)?;
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

/// DELETE /_rapd/faults/{id}: one rule, by the `id` `POST /_rapd/faults` answered with.
#[utoipa::path(
    delete,
    path = "/_rapd/faults/{id}",
    tag = "control",
    operation_id = "control.removeFault",
    summary = "Remove one fault rule",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    params(("id" = u64, Path, description = "The rule's `id`, as `POST /_rapd/faults` answered it.")),
    responses(
        (status = 204, description = "Removed", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 404, response = FaultRuleNotFound),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
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
#[utoipa::path(
    delete,
    path = "/_rapd/faults",
    tag = "control",
    operation_id = "control.clearFaults",
    summary = "Remove every fault rule",
    description = "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
    security(("controlAdmin" = [])),
    responses(
        (status = 204, description = "Cleared", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        (status = 400, response = BadRequest),
        (status = 401, response = ControlUnauthorized),
        (status = 403, response = ControlForbidden),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
async fn clear_faults<E: Refusal>(State(control): State<Control>) -> Result<StatusCode, E> {
    faults(&control)?.clear();
    Ok(StatusCode::NO_CONTENT)
}
