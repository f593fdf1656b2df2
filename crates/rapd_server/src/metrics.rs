//! `GET /metrics`: requests by route, method and status, their latency, throttled and shed
//! requests, and the store's own (write transactions, the SQLite writer's queue, the PostgreSQL
//! pool), in the Prometheus text format. Only where `metrics` is on (the default).
//!
//! The table of counters is laid out when the router is built, one row per route template (the
//! router's, `/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}`,
//! never a raw path, so ids never become labels), so recording a request is one hash lookup of
//! its matched route and two relaxed atomic adds: no allocation, no lock.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::Instant,
};

use axum::{
    extract::{MatchedPath, Request, State},
    response::{IntoResponse, Response},
};
use http::{Method, header};
use rapd_http::Around;
use rapd_metrics::{Histogram, Text};

use crate::{
    described::{ClientRequestId, RequestId},
    state::AppState,
};

/// The statuses counted one by one; any other is counted as `other`.
const STATUSES: &[u16] = &[
    200, 201, 204, 400, 401, 403, 404, 405, 406, 408, 409, 413, 414, 415, 424, 429, 431, 500, 503,
];
const METHODS: &[Method] = &[Method::GET, Method::POST, Method::PATCH, Method::DELETE];
/// The label of a request no route matched.
const UNMATCHED: &str = "unmatched";

/// The counters of every route; the last row is for requests no route matched.
pub struct HttpMetrics {
    rows: HashMap<String, usize>,
    routes: Vec<String>,
    /// `[route][method][status]`, each with one slot more for `other`.
    requests: Box<[AtomicU64]>,
    /// `[route][method]`.
    latency: Box<[Histogram]>,
}

impl HttpMetrics {
    /// A table for these route templates.
    pub fn new(templates: impl IntoIterator<Item = String>) -> HttpMetrics {
        let mut routes: Vec<String> = templates.into_iter().collect();
        routes.sort();
        routes.dedup();
        routes.push(UNMATCHED.to_owned());
        let rows = routes
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, r)| (r, i))
            .collect();
        let methods = METHODS.len() + 1;
        HttpMetrics {
            requests: (0..routes.len() * methods * (STATUSES.len() + 1))
                .map(|_| AtomicU64::new(0))
                .collect(),
            latency: (0..routes.len() * methods)
                .map(|_| Histogram::latency())
                .collect(),
            rows,
            routes,
        }
    }

    fn row(&self, request: &Request) -> usize {
        request
            .extensions()
            .get::<MatchedPath>()
            .and_then(|path| self.rows.get(path.as_str()).copied())
            .unwrap_or(self.routes.len() - 1)
    }

    fn record(&self, row: usize, method: usize, status: u16, started: Instant) {
        let methods = METHODS.len() + 1;
        let status = STATUSES
            .iter()
            .position(|&s| s == status)
            .unwrap_or(STATUSES.len());
        let cell = (row * methods + method) * (STATUSES.len() + 1) + status;
        self.requests[cell].fetch_add(1, Relaxed);
        self.latency[row * methods + method].observe_duration(started.elapsed());
    }

    /// How many requests of `route` with `method` got `status`, as rendered.
    fn render(&self, text: &mut Text) {
        let methods = METHODS.len() + 1;
        let method_name = |m: usize| METHODS.get(m).map_or("other", Method::as_str);
        text.family(
            "rapd_http_requests_total",
            "counter",
            "Requests answered, by route template, method and status.",
        );
        for (row, route) in self.routes.iter().enumerate() {
            for method in 0..methods {
                for status in 0..=STATUSES.len() {
                    let cell = (row * methods + method) * (STATUSES.len() + 1) + status;
                    let count = self.requests[cell].load(Relaxed);
                    if count == 0 {
                        continue;
                    }
                    let status = STATUSES
                        .get(status)
                        .map_or_else(|| "other".to_owned(), u16::to_string);
                    let labels = [
                        ("route", route.as_str()),
                        ("method", method_name(method)),
                        ("status", status.as_str()),
                    ];
                    text.sample("rapd_http_requests_total", &labels, count);
                }
            }
        }
        text.family(
            "rapd_http_request_duration_seconds",
            "histogram",
            "Time from a request's head to its response's head, by route template and method.",
        );
        for (row, route) in self.routes.iter().enumerate() {
            for method in 0..methods {
                let histogram = &self.latency[row * methods + method];
                if histogram.count() > 0 {
                    let labels = [("route", route.as_str()), ("method", method_name(method))];
                    text.histogram("rapd_http_request_duration_seconds", &labels, histogram);
                }
            }
        }
    }
}

/// The layer that records every request it wraps.
#[derive(Clone)]
pub struct ObserveRequests(pub Arc<HttpMetrics>);

impl Around for ObserveRequests {
    type Carry = (usize, usize, Instant);
    type Refusal = std::convert::Infallible;

    fn before(&self, request: &mut Request) -> Result<Self::Carry, Self::Refusal> {
        let method = METHODS
            .iter()
            .position(|m| m == request.method())
            .unwrap_or(METHODS.len());
        Ok((self.0.row(request), method, Instant::now()))
    }

    fn after(&self, (row, method, started): Self::Carry, response: Response) -> Response {
        self.0
            .record(row, method, response.status().as_u16(), started);
        response
    }
}

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
