//! `GET /metrics`: requests by route, method and status, their latency, throttled and shed
//! requests, and the store's own (write transactions, the SQLite writer's queue, the PostgreSQL
//! pool), in the Prometheus text format. Only where `metrics` is on (the default).
//! The request counters are `request_counts.rs`'s.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use http::header;
use rapd_metrics::Text;

use crate::{
    described::{ClientRequestId, RequestId},
    state::AppState,
};

/// `GET /metrics`
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "getMetrics",
    summary = "Metrics in the Prometheus text format",
    description = "Requests by route template, method and status, their latency, throttled and shed requests, requests in flight, and the store's write transactions, SQLite writer queue or PostgreSQL pool. Outside load shedding and without authentication, like `/healthz`; absent when `metrics` is off. See docs/operations.md.",
    security(()),
    responses((status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String, headers(
        ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
    ))),
)]
pub async fn get_metrics(State(state): State<AppState>) -> Response {
    let mut text = Text::new();
    if let Some(http) = state.http_metrics.get() {
        http.render(&mut text);
    }
    render_admission(&state, &mut text);
    state.store.render_metrics(&mut text);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text.into_string(),
    )
        .into_response()
}

/// What admission refused or holds: throttled and shed requests, requests in flight.
fn render_admission(state: &AppState, text: &mut Text) {
    text.family(
        "rapd_throttled_requests_total",
        "counter",
        "Requests refused with 429 by Intune's throttling limits.",
    );
    text.sample(
        "rapd_throttled_requests_total",
        &[],
        state.throttle.refused(),
    );
    let budgets = [("graph", &state.in_flight), ("open", &state.open_in_flight)];
    text.family(
        "rapd_shed_requests_total",
        "counter",
        "Requests refused with 503 because their surface's budget of requests in flight was full.",
    );
    for (surface, budget) in budgets {
        let labels = [("surface", surface)];
        text.sample("rapd_shed_requests_total", &labels, budget.shed());
    }
    text.family(
        "rapd_requests_in_flight",
        "gauge",
        "Requests being served now, by surface (graph: Graph's budget; open: the partner API's and the identity provider's).",
    );
    for (surface, budget) in budgets {
        let labels = [("surface", surface)];
        text.sample("rapd_requests_in_flight", &labels, budget.in_use());
    }
}
