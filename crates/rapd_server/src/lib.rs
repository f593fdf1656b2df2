//! rapd's HTTP layer: the Graph surface of `remoteAssistancePartners`, the development issuer's
//! metadata, and health; it mounts the development identity provider (`rapd_idp`) and the
//! test-control API (`rapd_control`) when they are on.
//!
//! [`router`] builds the whole application; [`run`] serves it on a listener until `shutdown`
//! completes, so tests bind `127.0.0.1:0` and stop the server when they like.
//!
//! ## Map
//!
//! The router (`routing.rs`, every Graph route in one file), the access log around it
//! (`access_log.rs`: one `info` line per request, route template not path), the rewrite of
//! Graph's other URL forms (qualified actions, OData key segments, any letter case, a trailing
//! slash) to the router's before any route is matched (`url_forms.rs`, also applied to `$batch`
//! items), extractors (`GraphPath`, `Authenticated`, `Origin`, `JsonBody`), handlers
//! (`partners.rs`, `partners/actions.rs`, `settings.rs`, `audit_events.rs`, `batch.rs`,
//! `metadata.rs`, `identity.rs`), the vendor's partner API (`partner_api.rs`), the OpenAPI document
//! derived from code (`openapi.rs`, `openapi/`: utoipa's `#[utoipa::path]` on the handlers that
//! `routing::described` registers, the pieces they name in `described.rs` and
//! `described/operations.rs`, the bodies' schemas as JSON; written once by `routing::router` for
//! the routers it mounts, the identity provider's and the test-control API's described in their
//! own crates), `$skiptoken` and `@odata.nextLink` (`paging.rs`), `ApiError`
//! (`error.rs`: the one table of status, code and message), the tenant licence gate (`tenancy.rs`),
//! Intune throttling (`throttle.rs`, counters in the process or shared through Redis in
//! `throttle/shared.rs`), load shedding (`overload.rs`), `/metrics` (`metrics.rs`) and the layer that
//! counts every request by route template (`request_counts.rs`), the accept loop over plain TCP and TLS
//! with its connection limits and graceful drain (`serve.rs`; hyper's own 414 and 431 answers
//! given Graph's error body by the stream wrapper in `refused_heads.rs`), the https certificate: a development
//! CA in the data dir and its leaf, or the operator's files (`tls.rs`); it mounts `rapd_idp`'s
//! router while the development issuer is on, and `rapd_control`'s router and layers when
//! configured (`From<ControlError> for ApiError` in `error.rs`: the control API's refusals in the
//! one table), and `rapd_console`'s `/console` with a sign-in at the operator's issuer when
//! configured, else in development while the development issuer is on (`console.rs`). Key types: `AppState` (one `Arc` around `SharedState`), `ServerConfig`, `ApiError`,
//! `Tenancy`, `Throttle`, `ConnectionLimits`, `Listeners`, `CertificateSource`,
//! `ServedCertificate`, `router`, `run`, `run_listeners`.

pub mod access_log;
pub mod admission;
pub mod audit_events;
pub mod batch;
mod console;
mod described;
pub mod error;
pub mod extract;
pub mod identity;
pub mod metadata;
mod metrics;
pub mod openapi;
pub mod overload;
pub mod paging;
pub mod partner_api;
pub mod partners;
mod refused_heads;
mod request_counts;
pub mod response;
pub mod routing;
pub mod serve;
pub mod settings;
pub mod state;
pub mod tenancy;
pub mod throttle;
pub mod tls;
pub mod url_forms;

use std::future::Future;

use tokio::net::TcpListener;

pub use rapd_console::OidcSettings;
pub use routing::router;
pub use serve::{ConnectionLimits, Listeners};
pub use state::{AppState, ServerConfig};
pub use tenancy::Provisioning;
pub use throttle::{SharedCounters, ThrottleLimits};
/// The https certificate, and the atomic file writes the data directory's files get.
pub use tls::{CertificateSource, ServedCertificate, TlsError, development_ca, write_atomically};

/// Serves `state` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve::serve(listener, logged(router(state)), limits, shutdown).await
}

/// [`run`] on an HTTP listener, an HTTPS listener, or both.
pub async fn run_listeners(
    listeners: Listeners,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve::serve_listeners(listeners, logged(router(state)), limits, shutdown).await
}

/// The application with the access log around it (`access_log.rs`).
fn logged(app: axum::Router) -> axum::Router {
    app.layer(rapd_http::AroundLayer(access_log::AccessLog))
}
