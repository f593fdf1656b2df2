//! Success responses as Graph writes them.

use axum::{body::Body, response::Response};
use http::{HeaderName, HeaderValue, StatusCode, header};

pub const ODATA_JSON: HeaderValue = HeaderValue::from_static(
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
);
const ODATA_VERSION: HeaderName = HeaderName::from_static("odata-version");

/// A JSON success with Graph's content type and `OData-Version: 4.0`.
pub fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, ODATA_JSON);
    headers.insert(ODATA_VERSION, HeaderValue::from_static("4.0"));
    response
}

/// `204 No Content`.
pub fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// A `text/plain` body, as `/$count` answers.
pub fn plain_text(body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    response
}
