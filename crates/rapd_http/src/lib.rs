//! What every HTTP surface of rapd shares, so the server, the identity provider and the
//! test-control API depend on it rather than on one another: the [`Around`] middleware trait,
//! Graph's envelope (request ids, Graph's headers, the one writer of Graph's error body from an
//! [`ErrorPayload`]), and the origin links are built on.
//!
//! ## Map
//!
//! What every HTTP surface shares, so none depends on another for it: the
//! `Around` trait that every hot-path middleware implements (`middleware.rs`: work before the
//! handler is synchronous, so the inner service is called in place rather than cloned per request,
//! as axum's `from_fn` does; a refusal is the layer's `Refusal`, the server's `ApiError`; two that
//! never refuse pair into one router layer), Graph's
//! envelope (`envelope.rs`: request ids, Graph's headers, and the one writer of Graph's error body
//! from an `ErrorPayload`; it notes the matched route too), the origin links are built on and
//! the `x-rapd-tls` marker (`origin.rs`), the matched route template noted for the access log
//! (`route.rs`), and what every surface's `#[utoipa::path]` names in common (`described.rs`: the
//! shared error responses, the request-id headers' schemas, the development issuer's key set).
//! Key types: `Around`, `AroundLayer`, `GraphEnvelope`, `RequestIds`, `ErrorPayload`,
//! `MessageStyle`, `TLS_HEADER`, `origin`, `RouteSlot`, `ERROR_RESPONSES`.

pub mod described;
pub mod envelope;
pub mod middleware;
pub mod origin;
pub mod route;

pub use envelope::{
    CLIENT_REQUEST_ID, ErrorPayload, GraphEnvelope, MessageStyle, REQUEST_ID, RequestIds,
    request_id_of, standalone_error,
};
pub use middleware::{Around, AroundFuture, AroundLayer, AroundService};
pub use origin::{TLS_HEADER, origin};
pub use route::{RouteSlot, note_route};
