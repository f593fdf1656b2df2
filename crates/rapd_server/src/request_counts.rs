//! The table of request counters behind `/metrics` (`metrics.rs`) and the layer that fills it.
//!
//! The table is laid out when the router is built, one row per route template (the router's,
//! `/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}`, never a
//! raw path, so ids never become labels), so recording a request is a binary search of its
//! matched route among the sorted templates, one clock read at each end and three relaxed atomic
//! adds in this core's shard (`rapd_metrics::ShardedCounters`): no hashing, no allocation, no
//! lock, and no cache line that the other worker threads write. `routing.rs` runs the layer in
//! the same router layer as Graph's envelope, since every layer of
//! its own costs each request a clone of the boxed route and a boxed future.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    response::Response,
};
use http::Method;
use rapd_http::Around;
use rapd_metrics::{LatencyHistograms, ShardedCounters, Text};

/// The statuses counted one by one; any other is counted as `other`.
const STATUSES: &[u16] = &[
    200, 201, 204, 400, 401, 403, 404, 405, 406, 408, 409, 413, 414, 415, 424, 429, 431, 500, 503,
];
/// Each status's place in [`STATUSES`], by status; `other`'s for any other.
const STATUS_SLOTS: [u8; 600] = {
    let mut slots = [STATUSES.len() as u8; 600];
    let mut i = 0;
    while i < STATUSES.len() {
        slots[STATUSES[i] as usize] = i as u8;
        i += 1;
    }
    slots
};
const METHODS: &[Method] = &[Method::GET, Method::POST, Method::PATCH, Method::DELETE];
/// The methods counted one by one, and `other`.
const METHOD_SLOTS: usize = METHODS.len() + 1;
/// The label of a request no route matched.
const UNMATCHED: &str = "unmatched";

/// The counters of every route; the last row is for requests no route matched. Aligned so that
/// the `Arc`'s reference counts, which every request changes, are on a line of their own.
#[repr(align(128))]
pub struct HttpMetrics {
    /// Sorted, then [`UNMATCHED`].
    routes: Vec<String>,
    /// `[route][method][status]`, each with one slot more for `other`.
    requests: ShardedCounters,
    /// `[route][method]`.
    latency: LatencyHistograms,
}

impl HttpMetrics {
    /// A table for these route templates.
    pub fn new(templates: impl IntoIterator<Item = String>) -> HttpMetrics {
        let mut routes: Vec<String> = templates.into_iter().collect();
        routes.sort();
        routes.dedup();
        routes.push(UNMATCHED.to_owned());
        HttpMetrics {
            requests: ShardedCounters::new(routes.len() * METHOD_SLOTS * (STATUSES.len() + 1)),
            latency: LatencyHistograms::new(routes.len() * METHOD_SLOTS),
            routes,
        }
    }

    fn row(&self, request: &Request) -> usize {
        let templates = &self.routes[..self.routes.len() - 1];
        request
            .extensions()
            .get::<MatchedPath>()
            .and_then(|path| {
                let path = path.as_str();
                templates.binary_search_by(|t| t.as_str().cmp(path)).ok()
            })
            .unwrap_or(templates.len())
    }

    fn record(&self, row: usize, method: usize, status: u16, started: Instant) {
        let status = STATUS_SLOTS
            .get(usize::from(status))
            .map_or(STATUSES.len(), |&slot| usize::from(slot));
        let series = row * METHOD_SLOTS + method;
        self.requests.add(series * (STATUSES.len() + 1) + status, 1);
        self.latency.observe(series, started.elapsed());
    }

    /// Every (route, method) series: its index, its route template and its method's name.
    fn series(&self) -> impl Iterator<Item = (usize, &str, &'static str)> {
        let method_name = |m: usize| METHODS.get(m).map_or("other", Method::as_str);
        self.routes
            .iter()
            .enumerate()
            .flat_map(move |(row, route)| {
                (0..METHOD_SLOTS).map(move |method| {
                    (
                        row * METHOD_SLOTS + method,
                        route.as_str(),
                        method_name(method),
                    )
                })
            })
    }

    /// Writes how many requests of each route and method got each status, and their latency.
    pub fn render(&self, text: &mut Text) {
        text.family(
            "rapd_http_requests_total",
            "counter",
            "Requests answered, by route template, method and status.",
        );
        for (series, route, method) in self.series() {
            for status in 0..=STATUSES.len() {
                let count = self.requests.get(series * (STATUSES.len() + 1) + status);
                if count == 0 {
                    continue;
                }
                let status = STATUSES
                    .get(status)
                    .map_or_else(|| "other".to_owned(), u16::to_string);
                let labels = [
                    ("route", route),
                    ("method", method),
                    ("status", status.as_str()),
                ];
                text.sample("rapd_http_requests_total", &labels, count);
            }
        }
        text.family(
            "rapd_http_request_duration_seconds",
            "histogram",
            "Time from a request's head to its response's head, by route template and method.",
        );
        for (series, route, method) in self.series() {
            let counts = self.latency.counts(series);
            if counts.count() > 0 {
                let labels = [("route", route), ("method", method)];
                text.histogram("rapd_http_request_duration_seconds", &labels, &counts);
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
