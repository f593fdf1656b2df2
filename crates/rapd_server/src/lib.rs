//! rapd's HTTP layer: the Graph surface of `remoteAssistancePartners`, the development issuer's
//! metadata, and health; it mounts the development identity provider (`rapd_idp`) and the
//! test-control API (`rapd_control`) when they are on.
//!
//! [`router`] builds the whole application; [`run`] serves it on a listener until `shutdown`
//! completes, so tests bind `127.0.0.1:0` and stop the server when they like.

pub mod admission;
pub mod audit_events;
pub mod batch;
pub mod error;
pub mod extract;
pub mod identity;
pub mod metadata;
pub mod openapi;
pub mod overload;
pub mod paging;
pub mod partner_api;
pub mod partners;
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
    serve::serve(listener, router(state), limits, shutdown).await
}

/// [`run`] on an HTTP listener, an HTTPS listener, or both.
pub async fn run_listeners(
    listeners: Listeners,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve::serve_listeners(listeners, router(state), limits, shutdown).await
}
