//! Every route in one place (the identity provider's and the test-control API's are mounted from
//! `rapd_idp` and `rapd_control`), the rewrite of
//! Graph's other URL forms to them, and Graph's answers for the routes that do not exist.

use std::sync::Arc;

use axum::{
    Extension, Router,
    extract::{Request, State},
    response::{IntoResponse, Response},
};
use http::{HeaderMap, Method, header::CONTENT_TYPE};

use crate::described::{ClientRequestId, OpenApiDocument, PlainOk, RequestId, ServiceUnavailable};
use crate::{
    audit_events,
    batch::{self, BatchTarget},
    console,
    error::ApiError,
    extract::accepts,
    identity, metadata, metrics, openapi,
    overload::ShedLoad,
    partner_api,
    partners::{self, actions},
    request_counts::{HttpMetrics, ObserveRequests},
    settings,
    state::{AppState, ServerConfig},
    url_forms,
};
use rapd_http::{Around, AroundLayer, GraphEnvelope};
use tower::ServiceExt;
use utoipa::openapi::OpenApi;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouter},
    routes,
};

pub fn router(state: AppState) -> Router {
    let Described {
        graph,
        open,
        unshed,
        identity_provider,
        control,
        mut api,
    } = described(&state);
    if let Some(door) = console::described(&state) {
        api.merge(door);
    }
    let templates = route_templates(&api);
    // The document describes exactly what is mounted here, and is written once.
    state
        .openapi
        .get_or_init(|| openapi::serialized(&state.config, api));
    let graph = graph.fallback(unknown_route);
    // Faults go inside the envelope (their errors get Graph's body) and reach `$batch`'s inner
    // requests too; the layer only notes them, `Authenticated` applies them once the token is
    // verified. Without fault injection the layer is not there at all.
    let graph = match state.control.as_ref().and_then(|c| c.inject_faults()) {
        Some(faults) => graph.layer(faults),
        None => graph,
    };
    // Each surface sheds load from its own budget: callers who need no token (the vendor's
    // partner API, the identity provider) can hold every one of theirs, slow bodies and all,
    // and Graph's callers still get in. Graph requests without a valid token are refused
    // before any body is read, so they cannot hold Graph's budget for long.
    let open = open
        .merge(identity_provider.unwrap_or_default())
        .layer(AroundLayer(ShedLoad::new(&state.open_in_flight)));
    let app = graph
        .layer(AroundLayer(ShedLoad::new(&state.in_flight)))
        .merge(open)
        // Health stays outside load shedding: a busy server is still alive.
        .merge(unshed);
    // Graph's envelope, and around it (so shed and refused requests are counted too) the request
    // counters, each route's row by template. One router layer for both: axum wraps every route
    // of each `Router::layer` in a boxed service that it clones on every request.
    let app = match state.config.metrics {
        true => {
            let http = state
                .http_metrics
                .get_or_init(|| Arc::new(HttpMetrics::new(templates)));
            app.layer(AroundLayer((ObserveRequests(http.clone()), GraphEnvelope)))
        }
        false => app.layer(AroundLayer(GraphEnvelope)),
    };
    let app = app.with_state(state.clone());
    // `$batch` sends inner requests through this same application, and so does the console.
    let console = console::router(&state, &app);
    let app = app.clone().layer(Extension(BatchTarget(app)));
    let app = match (&state.control, control) {
        // The request log sees every request but the control API's own.
        (Some(journal), Some(control)) => app
            .layer(AroundLayer(journal.record_requests()))
            .merge(control),
        _ => app,
    };
    let app = app.merge(console);
    // Every URL form Graph accepts is rewritten to the router's before any route is matched.
    Router::new().fallback_service(app.map_request(url_forms::canonical_request))
}

/// The routes registered together with their `#[utoipa::path]` description, so none exists
/// undocumented, by the load-shedding budget they take, and their description.
pub(crate) struct Described {
    /// Graph's: behind Graph's budget.
    graph: Router<AppState>,
    /// Those a caller reaches without a Graph token: behind a budget of their own.
    open: Router<AppState>,
    /// Health and the document: outside load shedding.
    unshed: Router<AppState>,
    /// The development identity provider (`rapd_idp`), only where the development issuer is
    /// on; in the open budget too.
    identity_provider: Option<Router<AppState>>,
    /// The test-control API (`rapd_control`), only where it is configured.
    control: Option<Router>,
    /// What all of these routes are, before `openapi::document` completes it.
    api: OpenApi,
}

/// The described routes this server's `state` mounts.
pub(crate) fn described(state: &AppState) -> Described {
    let [graph, open, unshed] = described_everywhere(&state.config);
    let (graph, mut api) = graph.split_for_parts();
    let mut part = |router: OpenApiRouter<AppState>| {
        let (router, described) = router.split_for_parts();
        api.merge(described);
        router
    };
    let (open, unshed) = (part(open), part(unshed));
    let identity_provider = state.idp.clone().map(|idp| part(rapd_idp::router(idp)));
    let control = state.control.clone().map(|control| {
        let (router, described) = rapd_control::router::<ApiError>(control).split_for_parts();
        api.merge(described);
        router
    });
    Described {
        graph,
        open,
        unshed,
        identity_provider,
        control,
        api,
    }
}

/// The described routes every server mounts, whatever its configuration: Graph's, those
/// reached without a Graph token, and those outside load shedding.
fn described_everywhere(config: &ServerConfig) -> [OpenApiRouter<AppState>; 3] {
    // Graph's routes: Intune's routing error for a verb they lack, and `Accept` checked (a
    // count is text, and `$batch` answers each inner request's `Accept` in its own answer).
    let graph = OpenApiRouter::new()
        .routes(no_method_match_for(routes!(
            partners::list_partners,
            partners::create_partner
        )))
        .routes(no_method_match_for(routes!(
            partners::get_partner,
            partners::update_partner,
            partners::delete_partner
        )))
        .routes(no_method_match_for(routes!(actions::begin_onboarding)))
        .routes(no_method_match_for(routes!(actions::disconnect_partner)))
        .routes(no_method_match_for(routes!(
            settings::get_settings,
            settings::update_settings
        )))
        .routes(no_method_match_for(routes!(
            audit_events::list_audit_events
        )))
        .route_layer(AroundLayer(RequireJsonAccept))
        .routes(no_method_match_for(routes!(partners::count_partners)))
        .routes(no_method_match_for(routes!(batch::post_batch)))
        .routes(routes!(metadata::get_metadata));
    let open = OpenApiRouter::new()
        // rapd's own surface: a plain 405 with `Allow`, not Intune's routing error.
        .routes(routes!(partner_api::redeem_onboarding_code))
        .routes(routes!(partner_api::get_connection))
        .routes(routes!(identity::get_openid_configuration))
        .routes(routes!(identity::get_jwks));
    let unshed = OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(get_openapi));
    let unshed = match config.metrics {
        true => unshed.routes(routes!(metrics::get_metrics)),
        false => unshed,
    };
    [graph, open, unshed]
}

/// The description of the routes every server mounts (`described_everywhere`).
#[cfg(test)]
pub(crate) fn described_api(config: &ServerConfig) -> OpenApi {
    let [graph, open, unshed] = described_everywhere(config);
    graph.merge(open).merge(unshed).split_for_parts().1
}

/// `GET /openapi.json`: public, like `/healthz`, and outside load shedding.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    operation_id = "getOpenApiDocument",
    summary = "This document",
    description = "Outside load shedding and without authentication. It lists the routes this server serves: the identity provider's only while the development issuer is on, the test-control API's only when configured.",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of every route", body = OpenApiDocument, headers(
        ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
    ))),
)]
async fn get_openapi(State(state): State<AppState>) -> Result<Response, ApiError> {
    // `router` writes the document before it serves a request.
    let document = state.openapi.get().cloned().ok_or_else(|| {
        ApiError::Internal("the OpenAPI document was not built with the router".into())
    })?;
    Ok(([(CONTENT_TYPE, "application/json")], document).into_response())
}

/// The route templates requests are counted by: every described route's, as the router names it
/// (the identity provider's tenant segment is `{version}` there, `{tenant}` in the document).
fn route_templates(api: &OpenApi) -> Vec<String> {
    api.paths
        .paths
        .keys()
        .flat_map(|path| [path.clone(), path.replace("{tenant}", "{version}")])
        .collect()
}

/// A Graph route answers a verb it lacks with Intune's routing error.
fn no_method_match_for(
    (schemas, paths, methods): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    (schemas, paths, methods.fallback(no_method_match))
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    operation_id = "getHealth",
    summary = "Liveness: `ok` while the process serves requests",
    description = "Outside load shedding and without authentication: a busy server is still alive.",
    security(()),
    responses((status = 200, description = "Alive", content_type = "text/plain", body = PlainOk, headers(
        ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
    ))),
)]
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: `ok` while the store answers a round trip; else 503 with `Retry-After`, so a
/// load balancer stops sending this node requests while its database is out of reach.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    operation_id = "getReadiness",
    summary = "Readiness: `ok` while the database answers and Graph's request budget has room",
    description = "One round trip to the store; `503` with `Retry-After` while it is out of reach or while every one of Graph's `max_concurrent_requests` is in flight, so a load balancer sends this node no requests. Outside load shedding and without authentication.",
    security(()),
    responses(
        (status = 200, description = "Ready", content_type = "text/plain", body = PlainOk, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
        )),
        (status = 503, response = ServiceUnavailable),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    // Saturated is not ready: a balancer should send new Graph calls to another node.
    if state.in_flight.available() == 0 {
        return Err(ApiError::Overloaded);
    }
    state.store.ready().await?;
    Ok("ok")
}

/// 406 only when the client's `Accept` excludes JSON: `*/*` and no `Accept` at all are JSON.
#[derive(Clone, Copy)]
struct RequireJsonAccept;

impl Around for RequireJsonAccept {
    type Carry = ();
    type Refusal = ApiError;

    fn before(&self, request: &mut Request) -> Result<(), ApiError> {
        match accepts(request.headers(), "application/json") {
            true => Ok(()),
            false => Err(ApiError::NotAcceptable("application/json")),
        }
    }

    fn after(&self, (): (), response: Response) -> Response {
        response
    }
}

/// A known route with a verb it does not have: Intune answers 400 with its routing error.
async fn no_method_match(method: Method, request: Request) -> ApiError {
    ApiError::NoRoute {
        method: method.to_string(),
        path: request.uri().path().to_owned(),
    }
}

/// A path no route matches. Outside a version segment Graph answers 404 `Invalid version`;
/// under one, the first unknown segment is named.
async fn unknown_route(method: Method, _headers: HeaderMap, request: Request) -> ApiError {
    let path = request.uri().path();
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    if rapd_model::ApiVersion::parse(first).is_none() {
        return ApiError::InvalidVersion(first.to_owned());
    }
    match (segments.next(), segments.next()) {
        (Some("deviceManagement"), Some(s)) if s.starts_with("remoteAssistancePartners") => {
            ApiError::NoRoute {
                method: method.to_string(),
                path: path.to_owned(),
            }
        }
        (Some("deviceManagement"), Some(s)) => ApiError::UnknownSegment(s.to_owned()),
        (Some(s), _) => ApiError::UnknownSegment(s.to_owned()),
        (None, _) => ApiError::UnknownSegment(String::new()),
    }
}
