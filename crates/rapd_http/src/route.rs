//! The route template a request matched (`/{version}/deviceManagement/remoteAssistancePartners/{id}`,
//! never the path with its ids), noted where axum knows it, inside the router, for the access log,
//! which is written outside it. Only a request the access log gave a [`RouteSlot`] pays for this.

use std::sync::{Arc, OnceLock};

use axum::extract::{MatchedPath, Request};

/// Where the matched route is written; the access log puts one in the request's extensions.
#[derive(Clone, Default)]
pub struct RouteSlot(Arc<OnceLock<MatchedPath>>);

impl RouteSlot {
    /// The route template, once a router matched one.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(MatchedPath::as_str)
    }
}

/// Copies the matched route into the request's [`RouteSlot`], if it has one (the first router
/// to match wins: `$batch`'s inner requests do not overwrite the batch's own route).
pub fn note_route(request: &Request) {
    let extensions = request.extensions();
    if let (Some(slot), Some(path)) = (
        extensions.get::<RouteSlot>(),
        extensions.get::<MatchedPath>(),
    ) {
        let _ = slot.0.set(path.clone());
    }
}
