//! The console's Graph client: requests sent with the session's bearer token to the same
//! application Graph clients reach, in process, so every check Graph makes is made.

use axum::{Router, body::Body};
use http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::ConsoleError;

/// The largest answer the console reads.
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// The application itself (the server's router, without the console).
#[derive(Clone)]
pub struct GraphTarget(pub Router);

impl GraphTarget {
    /// Sends one Graph request; a 2xx answer's JSON body (`Null` when empty), else the refusal
    /// as [`ConsoleError::Graph`] with Graph's own code and message.
    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ConsoleError> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT, "application/json");
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let request = request.body(body).map_err(ConsoleError::internal)?;
        let response = self
            .0
            .clone()
            .oneshot(request)
            .await
            .map_err(ConsoleError::internal)?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(ConsoleError::internal)?;
        let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        match status.is_success() {
            true => Ok(json),
            false => Err(refusal(status, &json)),
        }
    }

    /// Every item of a collection, following `@odata.nextLink` for at most `pages` pages.
    pub async fn list(
        &self,
        token: &str,
        path: &str,
        pages: usize,
    ) -> Result<Vec<Value>, ConsoleError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        for _ in 0..pages {
            let Some(path) = next.take() else { break };
            let mut page = self.call(token, Method::GET, &path, None).await?;
            if let Some(Value::Array(value)) = page.get_mut("value").map(Value::take) {
                items.extend(value);
            }
            // The link is absolute (Graph's); the in-process request takes its path and query.
            next = page["@odata.nextLink"]
                .as_str()
                .and_then(|link| link.find("://").map(|i| &link[i + 3..]))
                .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()));
        }
        Ok(items)
    }
}

/// Graph's error body as the console shows it: the code, and the message (Intune's `_version: 3`
/// JSON string is unwrapped to its `Message`).
fn refusal(status: StatusCode, body: &Value) -> ConsoleError {
    // The session's token expired or is no longer trusted: sign in again.
    if status == StatusCode::UNAUTHORIZED {
        return ConsoleError::SignInRequired;
    }
    let error = &body["error"];
    let code = error["code"].as_str().unwrap_or("").to_owned();
    let message = error["message"].as_str().unwrap_or("");
    let message = serde_json::from_str::<Value>(message)
        .ok()
        .and_then(|inner| inner["Message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| message.to_owned());
    ConsoleError::Graph {
        status,
        code,
        message,
    }
}
