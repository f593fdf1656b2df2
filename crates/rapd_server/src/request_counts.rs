//! The table of request counters behind `/metrics` (`metrics.rs`) and the layer that fills it.
//!
//! The table is laid out when the router is built, one row per route template (the router's,
//! `/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}`, never a
//! raw path, so ids never become labels), so recording a request is one hash lookup of its
//! matched route and two relaxed atomic adds: no allocation, no lock.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering::Relaxed},
    },
    time::Instant,
};

use axum::{
    extract::{MatchedPath, Request},
    response::Response,
};
use http::Method;
use rapd_http::Around;
use rapd_metrics::{Histogram, Text};

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

    /// Writes how many requests of each route and method got each status, and their latency.
    pub fn render(&self, text: &mut Text) {
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
