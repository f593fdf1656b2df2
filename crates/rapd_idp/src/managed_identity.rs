//! Managed identity over plain http, so `DefaultAzureCredential` works with configuration only:
//! `GET /msi/token` (App Service: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) and
//! `GET /metadata/identity/oauth2/token` (IMDS: `AZURE_POD_IDENTITY_AUTHORITY_HOST`; Node adds a
//! trailing slash). Both give app-only tokens of the app named by `client_id`, else the first app.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use http::HeaderMap;
use serde_json::json;

use crate::described::{ManagedIdentityToken, MetadataTrue, OAuthErrorResponse, TAG};
use crate::{
    IdentityProvider, OAuthError, scopes::is_graph, tenant::Tenant, token_response::app_token,
};

/// `GET /msi/token?api-version=2019-08-01&resource=…` with `X-IDENTITY-HEADER`
#[utoipa::path(
    get,
    path = "/msi/token",
    tag = TAG,
    operation_id = "getAppServiceToken",
    summary = "Managed identity, App Service style (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`)",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(
        ("resource" = String, Query),
        ("api-version" = Option<String>, Query),
        ("client_id" = Option<String>, Query),
        ("X-IDENTITY-HEADER" = String, Header, min_length = 1),
    ),
    responses(
        (status = 200, description = "An app-only token", body = inline(ManagedIdentityToken)),
        (status = 400, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn get_app_service_token(
    State(idp): State<Arc<IdentityProvider>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, OAuthError> {
    if headers
        .get("x-identity-header")
        .is_none_or(|v| v.is_empty())
    {
        return Err(OAuthError::missing_parameter("X-IDENTITY-HEADER"));
    }
    let (token, ttl, resource, client_id) = token(&idp, &query)?;
    let expires_on = idp.now().saturating_add(ttl);
    Ok(Json(json!({
        "access_token": token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id,
    }))
    .into_response())
}

/// `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` with `Metadata: true`
#[utoipa::path(
    get,
    path = "/metadata/identity/oauth2/token",
    tag = TAG,
    operation_id = "getImdsToken",
    summary = "Managed identity, IMDS style (`AZURE_POD_IDENTITY_AUTHORITY_HOST`)",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(
        ("resource" = String, Query),
        ("api-version" = Option<String>, Query),
        ("client_id" = Option<String>, Query),
        ("Metadata" = inline(MetadataTrue), Header),
    ),
    responses(
        (status = 200, description = "An app-only token", body = inline(ManagedIdentityToken)),
        (status = 400, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn get_imds_token(
    State(idp): State<Arc<IdentityProvider>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, OAuthError> {
    if headers
        .get("metadata")
        .is_none_or(|v| !v.as_bytes().eq_ignore_ascii_case(b"true"))
    {
        return Err(OAuthError::missing_parameter("Metadata: true"));
    }
    let (token, ttl, resource, client_id) = token(&idp, &query)?;
    let now = idp.now();
    Ok(Json(json!({
        "access_token": token,
        "refresh_token": "",
        "expires_in": ttl.to_string(),
        "expires_on": now.saturating_add(ttl).to_string(),
        "not_before": now.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id,
    }))
    .into_response())
}

/// `GET /metadata/identity/oauth2/token/`: the same, with the trailing slash some clients send.
#[utoipa::path(
    get,
    path = "/metadata/identity/oauth2/token/",
    tag = TAG,
    operation_id = "getImdsTokenSlash",
    summary = "Managed identity, IMDS style (`AZURE_POD_IDENTITY_AUTHORITY_HOST`)",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(
        ("resource" = String, Query),
        ("api-version" = Option<String>, Query),
        ("client_id" = Option<String>, Query),
        ("Metadata" = inline(MetadataTrue), Header),
    ),
    responses(
        (status = 200, description = "An app-only token", body = inline(ManagedIdentityToken)),
        (status = 400, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn get_imds_token_slash(
    idp: State<Arc<IdentityProvider>>,
    headers: HeaderMap,
    query: Query<HashMap<String, String>>,
) -> Result<Response, OAuthError> {
    get_imds_token(idp, headers, query).await
}

fn token(
    idp: &IdentityProvider,
    query: &HashMap<String, String>,
) -> Result<(String, i64, String, String), OAuthError> {
    let resource = query
        .get("resource")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| OAuthError::missing_parameter("resource"))?;
    if !is_graph(resource) {
        return Err(OAuthError::unknown_resource(resource));
    }
    let config = &idp.config;
    let app = match query.get("client_id").filter(|c| !c.is_empty()) {
        Some(id) => config.app(id)?,
        None => config
            .apps
            .first()
            .ok_or_else(|| OAuthError::unknown_client("(none configured)"))?,
    };
    let now = idp.now();
    let (token, ttl) = app_token(&idp.issuer, config, app, Tenant::Named.tid(None), now)?;
    let ttl = i64::try_from(ttl).unwrap_or(i64::MAX);
    Ok((token, ttl, resource.clone(), app.client_id.to_string()))
}
