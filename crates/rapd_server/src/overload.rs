//! Load shedding: at most `max_concurrent_requests` requests are served at once; the next one is
//! answered `503` with `Retry-After` at once rather than queued without bound.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use crate::{error::ApiError, state::AppState};

/// The permits of the requests in flight.
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max_concurrent_requests: usize) -> InFlight {
        InFlight(Arc::new(Semaphore::new(max_concurrent_requests)))
    }
}

pub async fn shed_load(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match state.in_flight.0.clone().try_acquire_owned() {
        Ok(_permit) => next.run(request).await,
        Err(_) => ApiError::Overloaded.into_response(),
    }
}
