//! The token endpoint's successful answers: an app-only token, or a user's access token with the
//! `id_token`, `client_info`, `scope` and `refresh_token` that MSAL needs to cache an account.

use std::{collections::HashMap, sync::Mutex};

use axum::{
    Json,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rapd_auth::{DevIssuer, GRAPH_AUDIENCE, Principal, Subject, TokenRequest};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{DevApp, DevUser, IdentityConfig, OAuthError, scopes::RequestedScopes};

/// Refresh tokens remembered at once; the one expiring first makes room for a new one.
pub const MAX_REFRESH_TOKENS: usize = 10_000;

/// An app-only token for `app` in tenant `tid`: `roles` and `idtyp=app`.
pub fn app_token(
    issuer: &DevIssuer,
    config: &IdentityConfig,
    app: &DevApp,
    tid: Uuid,
    now: i64,
) -> Result<(String, u64), OAuthError> {
    let request = TokenRequest {
        tenant: tid,
        subject: Subject::App(app.client_id),
        scopes: app.roles.clone(),
        ttl_secs: config.access_token_ttl_secs,
    };
    let principal = Principal {
        app_id: app.client_id,
        upn: "",
        name: "",
    };
    let token = issuer
        .mint_for(&request, &principal, now)
        .map_err(|e| OAuthError::server_error(&e))?;
    Ok((token, config.access_token_ttl_secs))
}

/// The JSON answer to a client-credentials request.
pub fn app_response(token: String, ttl: u64) -> Response {
    Json(json!({
        "token_type": "Bearer",
        "expires_in": ttl,
        "ext_expires_in": ttl,
        "access_token": token,
    }))
    .into_response()
}

/// What a user flow was granted; also what a refresh token renews.
#[derive(Debug, Clone)]
pub struct UserGrant {
    pub client_id: Uuid,
    pub username: String,
    pub tid: Uuid,
    /// Delegated permissions of this access token (`scp`).
    pub permissions: Vec<String>,
    /// The resource scopes the client asked for, echoed back.
    pub echo: Vec<String>,
    /// What the sign-in granted: the most any refresh of it may give.
    consented: Vec<String>,
}

impl UserGrant {
    /// The grant of a sign-in, whose `permissions` its refresh tokens may renew.
    pub fn new(
        client_id: Uuid,
        username: String,
        tid: Uuid,
        permissions: Vec<String>,
        echo: Vec<String>,
    ) -> UserGrant {
        UserGrant {
            client_id,
            username,
            tid,
            consented: permissions.clone(),
            permissions,
            echo,
        }
    }

    /// A refresh's `scope`: permissions of the sign-in's grant only (a subset narrows the
    /// access token; none, `.default` or OpenID scopes alone keep the whole grant); any other is
    /// refused as not consented, so a refresh never widens a grant.
    pub fn narrow(&mut self, requested: RequestedScopes) -> Result<(), OAuthError> {
        let wider: Vec<&str> = requested
            .permissions
            .iter()
            .filter(|p| !self.consented.contains(p))
            .map(String::as_str)
            .collect();
        if !wider.is_empty() {
            return Err(OAuthError::not_consented(self.client_id, &wider));
        }
        self.permissions = match requested.permissions.is_empty() {
            true => self.consented.clone(),
            false => requested.permissions,
        };
        self.echo = requested.echo;
        Ok(())
    }
}

/// Access token, id_token, client_info and a refresh token for a signed-in user.
pub fn user_response(
    issuer: &DevIssuer,
    idp: &crate::IdentityProvider,
    user: &DevUser,
    grant: UserGrant,
    origin: &str,
    now: i64,
) -> Result<Response, OAuthError> {
    let config = &idp.config;
    let ttl = config.access_token_ttl_secs;
    let request = TokenRequest {
        tenant: grant.tid,
        subject: Subject::User(user.object_id),
        scopes: grant.permissions.clone(),
        ttl_secs: ttl,
    };
    let principal = Principal {
        app_id: grant.client_id,
        upn: &user.username,
        name: &user.display_name,
    };
    let access_token = issuer
        .mint_for(&request, &principal, now)
        .map_err(|e| OAuthError::server_error(&e))?;
    let exp = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let id_token = issuer
        .sign(
            "JWT",
            &json!({
                "aud": grant.client_id,
                "iss": format!("{origin}/{}/v2.0", grant.tid),
                "iat": now,
                "nbf": now,
                "exp": exp,
                "name": user.display_name,
                "oid": user.object_id,
                "preferred_username": user.username,
                "sub": user.object_id,
                "tid": grant.tid,
                "ver": "2.0",
            }),
        )
        .map_err(|e| OAuthError::server_error(&e))?;
    let client_info = URL_SAFE_NO_PAD.encode(
        json!({ "uid": user.object_id, "utid": grant.tid })
            .to_string()
            .as_bytes(),
    );
    let scope = match grant.echo.is_empty() {
        true => grant
            .permissions
            .iter()
            .map(|p| format!("{GRAPH_AUDIENCE}/{p}"))
            .collect::<Vec<_>>()
            .join(" "),
        false => grant.echo.join(" "),
    };
    // The refresh token renews the whole sign-in grant, whatever this access token narrowed.
    let renewable = UserGrant {
        permissions: grant.consented.clone(),
        ..grant
    };
    let refresh_token = idp.refresh_tokens.issue(
        renewable,
        now.saturating_add(to_secs(config.refresh_token_ttl_secs)),
    );
    Ok(Json(json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": ttl,
        "ext_expires_in": ttl,
        "access_token": access_token,
        "refresh_token": refresh_token,
        "id_token": id_token,
        "client_info": client_info,
    }))
    .into_response())
}

fn to_secs(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// Refresh tokens issued and not yet expired, keyed by their SHA-256 (the tokens themselves are
/// never kept).
#[derive(Debug, Default)]
pub struct RefreshTokens {
    grants: Mutex<HashMap<[u8; 32], (UserGrant, i64)>>,
}

impl RefreshTokens {
    fn issue(&self, grant: UserGrant, expires: i64) -> String {
        let token = random_token();
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        if grants.len() >= MAX_REFRESH_TOKENS
            && let Some(first) = grants
                .iter()
                .min_by_key(|(_, (_, exp))| *exp)
                .map(|(k, _)| *k)
        {
            grants.remove(&first);
        }
        grants.insert(digest(&token), (grant, expires));
        token
    }

    /// The grant behind `token`, if it is live and was issued to `client_id`, narrowed to the
    /// `requested` scopes. Then the token is spent (refresh tokens rotate: each answer carries a
    /// new one); a refused refresh spends nothing.
    pub fn redeem(
        &self,
        token: &str,
        client_id: Uuid,
        requested: Option<RequestedScopes>,
        now: i64,
    ) -> Result<UserGrant, OAuthError> {
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        let key = digest(token);
        let mut grant = match grants.get(&key) {
            Some((grant, expires)) if *expires > now && grant.client_id == client_id => {
                grant.clone()
            }
            _ => return Err(OAuthError::invalid_grant("refresh_token")),
        };
        if let Some(requested) = requested {
            grant.narrow(requested)?;
        }
        grants.remove(&key);
        Ok(grant)
    }

    pub fn len(&self) -> usize {
        self.grants.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// 256 random bits, base64url: device codes and refresh tokens.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
