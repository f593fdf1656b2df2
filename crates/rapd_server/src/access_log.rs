//! The access log: one `info` event per request, target [`TARGET`], with the method, the route
//! template (never the path with its ids), the status, the duration, the request id and the
//! tenant; never a header, a query, a token or a body. When the log filter leaves `info` of
//! [`TARGET`] off, the layer only asks and passes the request on: no slot, no allocation.

use std::{convert::Infallible, time::Instant};

use axum::{extract::Request, response::Response};
use http::Method;
use rapd_control::TenantSlot;
use rapd_http::{Around, RouteSlot, request_id_of};

/// The target of the access log's events, for filters such as `RAPD_LOG=info,rapd::access=off`.
pub const TARGET: &str = "rapd::access";

/// The access log as an [`Around`]: outermost, so it sees every answer as the client gets it.
#[derive(Clone, Copy)]
pub struct AccessLog;

/// What the access log keeps of a request until its response.
pub struct Started {
    at: Instant,
    method: Method,
    route: RouteSlot,
    tenant: TenantSlot,
}

impl Around for AccessLog {
    type Carry = Option<Started>;
    type Refusal = Infallible;

    fn before(&self, request: &mut Request) -> Result<Option<Started>, Infallible> {
        if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
            return Ok(None);
        }
        let (route, tenant) = (RouteSlot::default(), TenantSlot::default());
        let extensions = request.extensions_mut();
        extensions.insert(route.clone());
        extensions.insert(tenant.clone());
        Ok(Some(Started {
            at: Instant::now(),
            method: request.method().clone(),
            route,
            tenant,
        }))
    }

    fn after(&self, started: Option<Started>, response: Response) -> Response {
        let Some(started) = started else {
            return response;
        };
        let request_id = request_id_of(&response).unwrap_or("-");
        tracing::info!(
            target: TARGET,
            method = %started.method,
            route = started.route.get().unwrap_or("-"),
            status = response.status().as_u16(),
            duration_ms = started.at.elapsed().as_secs_f64() * 1000.0,
            request_id,
            tenant = %OrDash(started.tenant.get().map(|t| t.0)),
            "request"
        );
        response
    }
}

/// A value, or `-` before there is one: no `Some(…)` in the log.
struct OrDash<T>(Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for OrDash<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("-"),
        }
    }
}
