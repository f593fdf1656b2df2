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
use serde_json::json;

use crate::{error::ApiError, state::AppState};

/// `GET /common/discovery/v2.0/keys`
pub async fn get_jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    let issuer = state
        .dev_issuer
        .as_ref()
        .ok_or(ApiError::UnknownSegment("common".into()))?;
    Ok(Json(issuer.jwks()).into_response())
}

/// `GET /.well-known/openid-configuration`
pub async fn get_openid_configuration(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if state.dev_issuer.is_none() {
        return Err(ApiError::UnknownSegment(".well-known".into()));
    }
    let origin = state.origin(&headers);
    Ok(Json(json!({
        "issuer": rapd_auth::DEV_ISSUER_TEMPLATE,
        "jwks_uri": format!("{origin}/common/discovery/v2.0/keys"),
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": [],
        "response_types_supported": [],
        "subject_types_supported": ["pairwise"],
        "claims_supported": ["aud", "iss", "tid", "oid", "sub", "scp", "roles", "idtyp", "iat", "nbf", "exp"],
        "tenant_region_scope": null,
    }))
    .into_response())
}
