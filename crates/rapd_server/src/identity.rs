//! `GET /.well-known/openid-configuration` and `GET /common/discovery/v2.0/keys`: the development
//! issuer's metadata and public keys, so other verifiers can check rapd's tokens. These routes
//! are on the Graph surface whether or not the issuer is (Graph's errors when it is off); the
//! identity provider's own documents are in `rapd_idp`.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Response},
};
use http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    described::{BadRequest, ClientRequestId, JsonWebKeySet, RequestId, ServiceUnavailable},
    error::ApiError,
    state::AppState,
};

/// `GET /common/discovery/v2.0/keys`
#[utoipa::path(
    get,
    path = "/common/discovery/v2.0/keys",
    tag = "identity",
    operation_id = "getDevelopmentIssuerKeys",
    summary = "The development issuer's public keys (JWKS)",
    description = "Served while the development issuer is on; otherwise `400`.",
    security(()),
    responses(
        (status = 200, description = "The key set", body = JsonWebKeySet, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
        )),
        (status = 400, response = BadRequest),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub async fn get_jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    let issuer = state
        .dev_issuer
        .as_ref()
        .ok_or(ApiError::UnknownSegment("common".into()))?;
    Ok(Json(issuer.jwks()).into_response())
}

/// `GET /.well-known/openid-configuration`
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    tag = "identity",
    operation_id = "getOpenIdConfiguration",
    summary = "The development issuer's OpenID Connect metadata",
    description = "Served while the development issuer is on (the development profile); otherwise `400`, as for any unknown segment.",
    security(()),
    responses(
        (status = 200, description = "The issuer's metadata", body = OpenIdConfiguration, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId),
        )),
        (status = 400, response = BadRequest),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub async fn get_openid_configuration(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if state.dev_issuer.is_none() {
        return Err(ApiError::UnknownSegment(".well-known".into()));
    }
    let origin = state.origin(&headers);
    Ok(Json(OpenIdConfiguration {
        issuer: rapd_auth::DEV_ISSUER_TEMPLATE,
        jwks_uri: format!("{origin}/common/discovery/v2.0/keys"),
        id_token_signing_alg_values_supported: &["ES256"],
        token_endpoint_auth_methods_supported: &[],
        response_types_supported: &[],
        subject_types_supported: &["pairwise"],
        claims_supported: &[
            "aud", "iss", "tid", "oid", "sub", "scp", "roles", "idtyp", "iat", "nbf", "exp",
        ],
        tenant_region_scope: None,
    })
    .into_response())
}

/// The development issuer's OpenID Connect metadata.
#[derive(Serialize, ToSchema)]
pub struct OpenIdConfiguration {
    issuer: &'static str,
    #[schema(format = Uri)]
    jwks_uri: String,
    id_token_signing_alg_values_supported: &'static [&'static str],
    #[schema(required = false)]
    token_endpoint_auth_methods_supported: &'static [&'static str],
    #[schema(required = false)]
    response_types_supported: &'static [&'static str],
    #[schema(required = false)]
    subject_types_supported: &'static [&'static str],
    #[schema(required = false)]
    claims_supported: &'static [&'static str],
    #[schema(required = false)]
    tenant_region_scope: Option<&'static str>,
}
