//! `POST /{tenant}/oauth2/v2.0/token` and `POST /adfs/oauth2/token`: client credentials,
//! password (ROPC), device code (`urn:ietf:params:oauth:grant-type:device_code` from Python,
//! `device_code` from msal-node) and refresh tokens.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Response,
};
use std::sync::Arc;

use http::HeaderMap;

use crate::{
    IdentityProvider, OAuthError,
    described::{OAuthErrorResponse, TAG, TokenForm, TokenResponse},
    form::Form,
    scopes::RequestedScopes,
    tenant::Tenant,
    token_response::{UserGrant, app_response, app_token, user_response},
};

/// `POST /{tenant}/oauth2/v2.0/token`
#[utoipa::path(
    post,
    path = "/{version}/oauth2/v2.0/token",
    tag = TAG,
    operation_id = "postToken",
    summary = "Tokens: client credentials, password, device code (both spellings) and refresh token",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(("tenant" = String, Path, max_length = 253, description = "A tenant id, a domain name, `common`, `organizations`, `consumers` or `adfs`")),
    request_body(content = inline(TokenForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens", body = inline(TokenResponse)),
        (status = 400, response = inline(OAuthErrorResponse)),
        (status = 401, response = inline(OAuthErrorResponse)),
        (status = 413, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn post_token(
    State(idp): State<Arc<IdentityProvider>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    token(&idp, &tenant, &headers, &body)
}

/// `POST /adfs/oauth2/token`
#[utoipa::path(
    post,
    path = "/adfs/oauth2/token",
    tag = TAG,
    operation_id = "postAdfsToken",
    summary = "Tokens: client credentials, password, device code (both spellings) and refresh token",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    request_body(content = inline(TokenForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Tokens", body = inline(TokenResponse)),
        (status = 400, response = inline(OAuthErrorResponse)),
        (status = 401, response = inline(OAuthErrorResponse)),
        (status = 413, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn post_adfs_token(
    State(idp): State<Arc<IdentityProvider>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    token(&idp, "adfs", &headers, &body)
}

fn token(
    idp: &IdentityProvider,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let issuer = &idp.issuer;
    let tenant = Tenant::parse(tenant)?;
    let form = Form::parse(body, idp.max_body_bytes)?;
    let grant_type = form.require("grant_type")?;
    let app = idp.config.app(form.require("client_id")?)?;
    let now = idp.now();
    let origin = idp.origin(headers);
    match grant_type {
        "client_credentials" => {
            idp.authenticate_client(app, form.get("client_secret"), true)?;
            let scope = form.require("scope")?;
            if !RequestedScopes::parse(scope)?.default {
                return Err(OAuthError::scope_needs_default(scope));
            }
            let (token, ttl) = app_token(issuer, &idp.config, app, tenant.tid(None), now)?;
            Ok(app_response(token, ttl))
        }
        "password" => {
            idp.authenticate_client(app, form.get("client_secret"), false)?;
            let user = idp.sign_in(form.require("username")?, form.require("password")?)?;
            let requested = RequestedScopes::parse(form.get("scope").unwrap_or(""))?;
            let grant = UserGrant::new(
                app.client_id,
                user.username.clone(),
                tenant.tid(Some(user.tenant)),
                granted(app, requested.permissions),
                requested.echo,
            );
            user_response(issuer, idp, user, grant, &origin, now)
        }
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            idp.authenticate_client(app, form.get("client_secret"), false)?;
            let code = form
                .get("device_code")
                .or_else(|| form.get("code"))
                .ok_or_else(|| OAuthError::missing_parameter("device_code"))?;
            let approved = idp
                .device_codes
                .poll(code, app.client_id, &idp.config, now)?;
            let user = idp
                .config
                .user(&approved.username)
                .ok_or_else(|| OAuthError::invalid_grant("device_code"))?;
            let grant = UserGrant::new(
                app.client_id,
                user.username.clone(),
                approved.tenant.tid(Some(user.tenant)),
                granted(app, approved.requested.permissions),
                approved.requested.echo,
            );
            user_response(issuer, idp, user, grant, &origin, now)
        }
        "refresh_token" => {
            idp.authenticate_client(app, form.get("client_secret"), false)?;
            // Redeeming spends the refresh token; the answer carries its successor.
            let requested = form.get("scope").map(RequestedScopes::parse).transpose()?;
            let token = form.require("refresh_token")?;
            let grant = idp
                .refresh_tokens
                .redeem(token, app.client_id, requested, now)?;
            let user = idp
                .config
                .user(&grant.username)
                .ok_or_else(|| OAuthError::invalid_grant("refresh_token"))?;
            user_response(issuer, idp, user, grant, &origin, now)
        }
        other => Err(OAuthError::unsupported_grant(other)),
    }
}

/// The delegated permissions of a user token: those asked for, or the app's own when the
/// client asked for `.default` or only for OpenID scopes.
fn granted(app: &crate::DevApp, asked: Vec<String>) -> Vec<String> {
    match asked.is_empty() {
        true => app.scopes.clone(),
        false => asked,
    }
}
