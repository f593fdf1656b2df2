//! `GET /{tenant}/v2.0/.well-known/openid-configuration`, its ADFS form, the keys, and
//! `GET /common/userrealm/{upn}`: what MSAL reads before it asks for a token.
//!
//! msal-node requires the `issuer` to share the authority's scheme, host and port, and derives
//! the device-code endpoint from `token_endpoint` by replacing `/token` with `/devicecode`.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use http::HeaderMap;
use rapd_auth::DEV_TENANT;
use rapd_http::described::JsonWebKeySet;
use serde_json::json;

use crate::described::{OAuthErrorResponse, TAG, TenantOpenIdConfiguration, UserRealm};
use crate::{IdentityProvider, OAuthError, tenant::Tenant};

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
#[utoipa::path(
    get,
    path = "/{version}/v2.0/.well-known/openid-configuration",
    tag = TAG,
    operation_id = "getTenantOpenIdConfiguration",
    summary = "A tenant's OpenID Connect metadata; `issuer` shares the request's origin",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(("tenant" = String, Path, max_length = 253, description = "A tenant id, a domain name, `common`, `organizations`, `consumers` or `adfs`")),
    responses(
        (status = 200, description = "The metadata", body = inline(TenantOpenIdConfiguration)),
        (status = 400, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn get_openid_configuration(
    State(idp): State<Arc<IdentityProvider>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Response, OAuthError> {
    // Like Entra: a tenant id or name answers with the tenant id, `common` and
    // `organizations` keep their alias and a `{tenantid}` issuer.
    let (segment, issuer_tenant) = match Tenant::parse(&tenant)? {
        Tenant::Id(id) => (id.to_string(), id.to_string()),
        Tenant::Named if is_alias(&tenant) => (tenant.to_ascii_lowercase(), "{tenantid}".into()),
        Tenant::Named => (DEV_TENANT.to_string(), DEV_TENANT.to_string()),
    };
    let origin = idp.origin(&headers);
    let base = format!("{origin}/{segment}");
    Ok(document(
        &format!("{base}/oauth2/v2.0"),
        &format!("{origin}/{issuer_tenant}/v2.0"),
        &format!("{base}/discovery/v2.0/keys"),
    ))
}

/// `GET /adfs/.well-known/openid-configuration`
#[utoipa::path(
    get,
    path = "/adfs/.well-known/openid-configuration",
    tag = TAG,
    operation_id = "getAdfsOpenIdConfiguration",
    summary = "A tenant's OpenID Connect metadata; `issuer` shares the request's origin",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    responses(
        (status = 200, description = "The metadata", body = inline(TenantOpenIdConfiguration)),
        (status = 400, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn get_adfs_openid_configuration(
    State(idp): State<Arc<IdentityProvider>>,
    headers: HeaderMap,
) -> Response {
    let origin = idp.origin(&headers);
    document(
        &format!("{origin}/adfs/oauth2"),
        &format!("{origin}/adfs"),
        &format!("{origin}/adfs/discovery/v2.0/keys"),
    )
}

fn is_alias(tenant: &str) -> bool {
    ["common", "organizations", "adfs"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(tenant))
}

fn document(oauth2: &str, issuer: &str, jwks_uri: &str) -> Response {
    Json(json!({
        "token_endpoint": format!("{oauth2}/token"),
        "device_authorization_endpoint": format!("{oauth2}/devicecode"),
        "authorization_endpoint": format!("{oauth2}/authorize"),
        "end_session_endpoint": format!("{oauth2}/logout"),
        "issuer": issuer,
        "jwks_uri": jwks_uri,
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "grant_types_supported": [
            "client_credentials",
            "password",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid",
            "preferred_username", "ver",
        ],
        "tenant_region_scope": null,
    }))
    .into_response()
}

/// `GET /common/userrealm/{upn}`: MSAL Python asks before a password sign-in; `Managed` means
/// "send the password to the token endpoint" (never `Federated`, which starts WS-Trust).
#[utoipa::path(
    get,
    path = "/common/userrealm/{upn}",
    tag = TAG,
    operation_id = "getUserRealm",
    summary = "MSAL Python's realm lookup before a password sign-in: always `Managed`",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(("upn" = String, Path)),
    responses(
        (status = 200, description = "The realm", body = inline(UserRealm)),
    ),
)]
pub async fn get_user_realm(Path(upn): Path<String>) -> Response {
    let domain = upn.rsplit_once('@').map_or("", |(_, d)| d);
    Json(json!({
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`: the development issuer's public keys.
#[utoipa::path(
    get,
    path = "/{version}/discovery/v2.0/keys",
    tag = TAG,
    operation_id = "getTenantKeys",
    summary = "The development issuer's public keys",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(("tenant" = String, Path, max_length = 253, description = "A tenant id, a domain name, `common`, `organizations`, `consumers` or `adfs`")),
    responses(
        (status = 200, description = "The key set", body = JsonWebKeySet),
    ),
)]
pub async fn get_keys(State(idp): State<Arc<IdentityProvider>>) -> Response {
    Json(idp.issuer.jwks()).into_response()
}
