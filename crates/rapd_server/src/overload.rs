//! Load shedding: at most `max_concurrent_requests` requests of one surface are served at once;
//! the next one is answered `503` with `Retry-After` at once rather than queued without bound.
//! Graph and the surfaces reached without a Graph token (partner API, identity provider) each
//! have their own budget, so neither can starve the other.

use std::sync::Arc;

use axum::{extract::Request, response::Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use rapd_http::Around;

use crate::error::ApiError;

/// The permits of the requests in flight.
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max_concurrent_requests: usize) -> InFlight {
        InFlight(Arc::new(Semaphore::new(max_concurrent_requests)))
    }

    /// How many more requests may start now.
    pub fn available(&self) -> usize {
        self.0.available_permits()
    }
}

/// Load shedding as a layer: a request holds a permit until its response is written.
#[derive(Clone)]
pub struct ShedLoad(pub Arc<Semaphore>);

impl ShedLoad {
    pub fn new(in_flight: &InFlight) -> ShedLoad {
        ShedLoad(in_flight.0.clone())
    }
}

impl Around for ShedLoad {
    type Carry = OwnedSemaphorePermit;
    type Refusal = ApiError;

    fn before(&self, _request: &mut Request) -> Result<OwnedSemaphorePermit, ApiError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Overloaded)
    }

    fn after(&self, _permit: OwnedSemaphorePermit, response: Response) -> Response {
        response
    }
}
