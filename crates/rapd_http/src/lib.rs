//! What every HTTP surface of rapd shares, so the server, the identity provider and the
//! test-control API depend on it rather than on one another: the [`Around`] middleware trait,
//! Graph's envelope (request ids, Graph's headers, the one writer of Graph's error body from an
//! [`ErrorPayload`]), and the origin links are built on.

pub mod envelope;
pub mod middleware;
pub mod origin;

pub use envelope::{
    CLIENT_REQUEST_ID, ErrorPayload, GraphEnvelope, MessageStyle, REQUEST_ID, RequestIds,
};
pub use middleware::{Around, AroundFuture, AroundLayer, AroundService};
pub use origin::{TLS_HEADER, origin};
