//! `ConsoleError`: every way a console page fails. It becomes a status and a marker in the
//! response; `security.rs` renders the marker as a page in the request's language.

use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ConsoleError {
    /// No live session: the browser is sent to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    /// A POST without its session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("not found")]
    NotFound,
    /// Graph refused the request the page sent on the user's behalf.
    #[error("Graph answered {status} {code}")]
    Graph {
        status: StatusCode,
        code: String,
        message: String,
    },
    /// The production sign-in did not finish; the reason names no secret.
    #[error("sign-in failed: {0}")]
    SignInFailed(String),
    /// Logged once where it is made; the page says nothing about it.
    #[error("internal error")]
    Internal,
}

impl ConsoleError {
    /// Logs `cause` and hides it.
    pub fn internal(cause: impl std::fmt::Display) -> ConsoleError {
        tracing::error!(%cause, "console: request failed");
        ConsoleError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ConsoleError::SignInRequired => StatusCode::SEE_OTHER,
            ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::NotFound => StatusCode::NOT_FOUND,
            ConsoleError::SignInFailed(_) => StatusCode::BAD_REQUEST,
            ConsoleError::Graph { status, .. } => *status,
            ConsoleError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        if let ConsoleError::SignInRequired = self {
            return Redirect::to("/console/sign-in").into_response();
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}
