//! Load shedding: at most `max_concurrent_requests` requests of one surface are served at once;
//! the next one is answered `503` with `Retry-After` at once rather than queued without bound.
//! Graph and the surfaces reached without a Graph token (partner API, identity provider) each
//! have their own budget, so neither can starve the other.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering::Relaxed},
};

use axum::{extract::Request, response::Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use rapd_http::Around;

use crate::error::ApiError;

/// The permits of the requests in flight, and how many requests were shed.
pub struct InFlight {
    permits: Arc<Semaphore>,
    max: usize,
    shed: Arc<AtomicU64>,
}

impl InFlight {
    pub fn new(max_concurrent_requests: usize) -> InFlight {
        InFlight {
            permits: Arc::new(Semaphore::new(max_concurrent_requests)),
            max: max_concurrent_requests,
            shed: Arc::default(),
        }
    }

    /// How many more requests may start now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// How many requests are being served now.
    pub fn in_use(&self) -> usize {
        self.max.saturating_sub(self.available())
    }

    /// How many requests were refused since the start.
    pub fn shed(&self) -> u64 {
        self.shed.load(Relaxed)
    }
}

/// Load shedding as a layer: a request holds a permit until its response is written.
#[derive(Clone)]
pub struct ShedLoad {
    permits: Arc<Semaphore>,
    shed: Arc<AtomicU64>,
}

impl ShedLoad {
    pub fn new(in_flight: &InFlight) -> ShedLoad {
        ShedLoad {
            permits: in_flight.permits.clone(),
            shed: in_flight.shed.clone(),
        }
    }
}

impl Around for ShedLoad {
    type Carry = OwnedSemaphorePermit;
    type Refusal = ApiError;

    fn before(&self, _request: &mut Request) -> Result<OwnedSemaphorePermit, ApiError> {
        self.permits.clone().try_acquire_owned().map_err(|_| {
            self.shed.fetch_add(1, Relaxed);
            ApiError::Overloaded
        })
    }

    fn after(&self, _permit: OwnedSemaphorePermit, response: Response) -> Response {
        response
    }
}
