//! `GET /{version}/$metadata`: the CSDL of what rapd serves, element for element as in
//! Microsoft's published metadata for v1.0 and beta (a test compares them).

use axum::{body::Body, response::Response};
use http::{HeaderValue, header};
use rapd_model::ApiVersion;

use crate::{
    described::{ClientRequestId, RequestId, ServiceUnavailable},
    error::ApiError,
    extract::GraphPath,
};

pub const V1: &str = include_str!("metadata/v1.xml");
pub const BETA: &str = include_str!("metadata/beta.xml");

/// `GET /{version}/$metadata`
#[utoipa::path(
    get,
    path = "/{version}/$metadata",
    tag = "metadata",
    operation_id = "{version}.metadata",
    summary = "The CSDL of Graph {version}",
    description = "Public, as Graph's is: no token needed.",
    security(()),
    responses(
        (status = 200, description = "The service's CSDL (OData $metadata)", content_type = "application/xml", body = String, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
        )),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub async fn get_metadata(path: GraphPath) -> Result<Response, ApiError> {
    let csdl = match path.version {
        ApiVersion::V1 => V1,
        ApiVersion::Beta => BETA,
    };
    let mut response = Response::new(Body::from(csdl));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(response)
}
