//! What Graph puts around every response: `request-id`, `client-request-id`,
//! `x-ms-ags-diagnostic`, and the error body of any response that carries an [`ErrorPayload`]
//! (which is how the server's `ApiError` answers: the wording lives there, the body here).

use axum::{body::Body, extract::Request, response::Response};
use http::{HeaderName, HeaderValue, Uri, header};
use serde::Serialize;
use uuid::Uuid;

use crate::middleware::Around;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const DIAGNOSTIC: HeaderName = HeaderName::from_static("x-ms-ags-diagnostic");
const DIAGNOSTIC_VALUE: HeaderValue = HeaderValue::from_static(
    r#"{"ServerInfo":{"DataCenter":"rapd","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"rapd"}}"#,
);
/// The longest `client-request-id` echoed back; a longer one is replaced by the request id.
const MAX_CLIENT_REQUEST_ID: usize = 128;

/// How the envelope writes `message`: as given, or wrapped in Intune's `_version: 3` JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStyle {
    Plain,
    Intune,
}

/// What the envelope needs to write an error body.
#[derive(Debug, Clone)]
pub struct ErrorPayload {
    pub code: &'static str,
    pub message: String,
    pub style: MessageStyle,
}

/// The ids of one request, available to handlers as an extension.
#[derive(Debug, Clone, Copy)]
pub struct RequestIds {
    pub request_id: Uuid,
}

/// Graph's envelope as a layer: gives each request its id and puts Graph's headers (and, for an
/// [`ErrorPayload`], Graph's error body) on each response.
#[derive(Clone, Copy)]
pub struct GraphEnvelope;

/// What the envelope keeps of a request until its response.
pub struct Pending {
    request_id: Uuid,
    client_request_id: Option<HeaderValue>,
    uri: Uri,
}

impl Around for GraphEnvelope {
    type Carry = Pending;
    type Refusal = std::convert::Infallible;

    fn before(&self, request: &mut Request) -> Result<Pending, Self::Refusal> {
        let request_id = Uuid::new_v4();
        let client_request_id = request
            .headers()
            .get(CLIENT_REQUEST_ID)
            .filter(|v| !v.is_empty() && v.len() <= MAX_CLIENT_REQUEST_ID && v.to_str().is_ok())
            .cloned();
        request.extensions_mut().insert(RequestIds { request_id });
        // Layered on the router, the envelope runs after routing: the route is known here.
        crate::route::note_route(request);
        Ok(Pending {
            request_id,
            client_request_id,
            uri: request.uri().clone(),
        })
    }

    fn after(&self, pending: Pending, mut response: Response) -> Response {
        let mut buffer = Uuid::encode_buffer();
        let request_id_text: &str = pending.request_id.hyphenated().encode_lower(&mut buffer);
        let request_id = HeaderValue::from_str(request_id_text).expect("a uuid is a header value");
        let client_request_id = pending
            .client_request_id
            .unwrap_or_else(|| request_id.clone());
        if let Some(error) = response.extensions_mut().remove::<ErrorPayload>() {
            let body = error_body(
                &error,
                request_id_text,
                &client_request_id,
                pending.uri.path(),
            );
            *response.body_mut() = Body::from(body);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let headers = response.headers_mut();
        headers.insert(REQUEST_ID, request_id);
        headers.insert(CLIENT_REQUEST_ID, client_request_id);
        headers.insert(DIAGNOSTIC, DIAGNOSTIC_VALUE);
        response
    }
}

/// The `request-id` the envelope gave a response, as text.
pub fn request_id_of(response: &axum::response::Response) -> Option<&str> {
    response
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
}

/// Graph's envelope headers and error body for an answer written outside any router (the
/// accept loop's answer to a request head it could not parse): a fresh request id, which the
/// client sent none of, so `client-request-id` is the same.
pub fn standalone_error(error: &ErrorPayload) -> (Vec<(HeaderName, HeaderValue)>, Vec<u8>) {
    let mut buffer = Uuid::encode_buffer();
    let request_id_text: &str = Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    let request_id = HeaderValue::from_str(request_id_text).expect("a uuid is a header value");
    let body = error_body(error, request_id_text, &request_id, "");
    let headers = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
        (REQUEST_ID, request_id.clone()),
        (CLIENT_REQUEST_ID, request_id),
        (DIAGNOSTIC, DIAGNOSTIC_VALUE),
    ];
    (headers, body)
}

/// Graph's error body. `innerError.date` has no fraction and no zone, as Graph writes it.
fn error_body(
    error: &ErrorPayload,
    request_id: &str,
    client_request_id: &HeaderValue,
    path: &str,
) -> Vec<u8> {
    let now = rapd_model::Timestamp::now().to_string();
    let date = now.get(..19).unwrap_or(&now);
    let message = match error.style {
        MessageStyle::Plain => error.message.clone(),
        MessageStyle::Intune => intune_message(&error.message, request_id, path),
    };
    let body = ErrorBody {
        error: MainError {
            code: error.code,
            message: &message,
            inner_error: InnerError {
                date,
                request_id,
                client_request_id: client_request_id.to_str().unwrap_or(request_id),
            },
        },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Graph's error body, fields in Graph's order.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: MainError<'a>,
}

#[derive(Serialize)]
struct MainError<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(rename = "innerError")]
    inner_error: InnerError<'a>,
}

#[derive(Serialize)]
struct InnerError<'a> {
    date: &'a str,
    #[serde(rename = "request-id")]
    request_id: &'a str,
    #[serde(rename = "client-request-id")]
    client_request_id: &'a str,
}

/// Intune's `_version: 3` message: a JSON document encoded as a string, with `\r\n` line breaks
/// and two-space indentation, exactly as Intune's front end writes it.
fn intune_message(text: &str, activity_id: &str, path: &str) -> String {
    let inner = format!(
        "{text} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: {activity_id} - Url: {path}"
    );
    let quoted = serde_json::to_string(&inner).unwrap_or_default();
    format!(
        "{{\r\n  \"_version\": 3,\r\n  \"Message\": {quoted},\r\n  \"CustomApiErrorPhrase\": \"\",\r\n  \"RetryAfter\": null,\r\n  \"ErrorSourceService\": \"\",\r\n  \"HttpHeaders\": \"{{}}\"\r\n}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intune_message_is_json_with_crlf() {
        let m = intune_message("An error has occurred", "abc", "/v1.0/x");
        assert!(m.starts_with("{\r\n  \"_version\": 3,\r\n"));
        let v: serde_json::Value = serde_json::from_str(&m).unwrap();
        assert_eq!(v["_version"], 3);
        assert_eq!(v["HttpHeaders"], "{}");
        assert!(
            v["Message"]
                .as_str()
                .unwrap()
                .contains("Activity ID: abc - Url: /v1.0/x")
        );
    }
}
