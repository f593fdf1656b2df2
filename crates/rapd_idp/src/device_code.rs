//! The device-code flow: `POST /{tenant}/oauth2/v2.0/devicecode` hands out a code, the user
//! approves it at `GET|POST /devicelogin` (or rapd approves it itself when
//! `device_code_auto_approve` is on), and the client polls the token endpoint meanwhile.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    response::{Html, IntoResponse, Response},
};
use http::{HeaderMap, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::described::{
    DeviceCodeForm, DeviceCodeResponse, DeviceLoginForm, Html as HtmlPage, OAuthErrorResponse, TAG,
};
use crate::{
    IdentityConfig, IdentityProvider, OAuthError, form::Form, scopes::RequestedScopes,
    tenant::Tenant, token_response::random_token,
};

/// Device codes waiting for approval at once; past this the endpoint answers 503.
pub const MAX_PENDING_DEVICE_CODES: usize = 1000;
/// Device codes one client may have waiting at once; past this the endpoint answers 429.
pub const MAX_DEVICE_CODES_PER_CLIENT: usize = 20;
/// User codes avoid letters and digits that read alike.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const USER_CODE_LEN: usize = 9;

#[derive(Debug)]
struct Pending {
    user_code: String,
    client_id: Uuid,
    tenant: Tenant,
    requested: RequestedScopes,
    expires: i64,
    approved_by: Option<String>,
    polls: u32,
}

/// What an approved device code grants.
#[derive(Debug)]
pub struct Approved {
    pub username: String,
    pub tenant: Tenant,
    pub requested: RequestedScopes,
}

/// Outstanding device codes, keyed by the device code.
#[derive(Debug, Default)]
pub struct DeviceCodes {
    pending: Mutex<HashMap<String, Pending>>,
}

impl DeviceCodes {
    fn start(&self, mut pending: Pending, now: i64) -> Result<String, OAuthError> {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, p| p.expires > now);
        let client = pending.client_id;
        if map.values().filter(|p| p.client_id == client).count() >= MAX_DEVICE_CODES_PER_CLIENT {
            return Err(OAuthError::too_many_device_codes(
                client,
                MAX_DEVICE_CODES_PER_CLIENT,
            ));
        }
        if map.len() >= MAX_PENDING_DEVICE_CODES {
            return Err(OAuthError::busy());
        }
        let device_code = random_token();
        pending.user_code = user_code();
        map.insert(device_code.clone(), pending);
        Ok(device_code)
    }

    fn user_code_of(&self, device_code: &str) -> Option<String> {
        let map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.get(device_code).map(|p| p.user_code.clone())
    }

    /// One poll of the token endpoint: pending until approved; the code is spent on success.
    pub fn poll(
        &self,
        device_code: &str,
        client_id: Uuid,
        config: &IdentityConfig,
        now: i64,
    ) -> Result<Approved, OAuthError> {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let Some(pending) = map
            .get_mut(device_code)
            .filter(|p| p.client_id == client_id)
        else {
            return Err(OAuthError::invalid_grant("device_code"));
        };
        if pending.expires <= now {
            map.remove(device_code);
            return Err(OAuthError::device_code_expired());
        }
        pending.polls = pending.polls.saturating_add(1);
        // Auto-approval waits for the second poll, so clients see `authorization_pending` once.
        if pending.approved_by.is_none()
            && config.device_code_auto_approve
            && pending.polls >= 2
            && let Some(first) = config.users.first()
        {
            pending.approved_by = Some(first.username.clone());
        }
        if pending.approved_by.is_none() {
            return Err(OAuthError::authorization_pending());
        }
        let pending = map.remove(device_code).expect("present: checked above");
        Ok(Approved {
            username: pending.approved_by.unwrap_or_default(),
            tenant: pending.tenant,
            requested: pending.requested,
        })
    }

    /// Marks the code the user typed as approved by `username`.
    fn approve(&self, user_code: &str, username: &str, now: i64) -> bool {
        let wanted = normalise_user_code(user_code);
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match map
            .values_mut()
            .find(|p| p.user_code == wanted && p.expires > now && p.approved_by.is_none())
        {
            Some(pending) => {
                pending.approved_by = Some(username.to_owned());
                true
            }
            None => false,
        }
    }
}

fn user_code() -> String {
    (0..USER_CODE_LEN)
        .map(|_| {
            let i = rand::random::<usize>() % USER_CODE_ALPHABET.len();
            char::from(USER_CODE_ALPHABET[i])
        })
        .collect()
}

fn normalise_user_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`
#[utoipa::path(
    post,
    path = "/{version}/oauth2/v2.0/devicecode",
    tag = TAG,
    operation_id = "postDeviceCode",
    summary = "Starts a device-code sign-in",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    params(("tenant" = String, Path, max_length = 253, description = "A tenant id, a domain name, `common`, `organizations`, `consumers` or `adfs`")),
    request_body(content = inline(DeviceCodeForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The codes", body = inline(DeviceCodeResponse)),
        (status = 400, response = inline(OAuthErrorResponse)),
        (status = 413, response = inline(OAuthErrorResponse)),
        (status = 503, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn post_device_code(
    State(idp): State<Arc<IdentityProvider>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    device_code(&idp, &tenant, &headers, &body)
}

/// `POST /adfs/oauth2/devicecode`
#[utoipa::path(
    post,
    path = "/adfs/oauth2/devicecode",
    tag = TAG,
    operation_id = "postAdfsDeviceCode",
    summary = "Starts a device-code sign-in",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    request_body(content = inline(DeviceCodeForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The codes", body = inline(DeviceCodeResponse)),
        (status = 400, response = inline(OAuthErrorResponse)),
        (status = 413, response = inline(OAuthErrorResponse)),
        (status = 503, response = inline(OAuthErrorResponse)),
    ),
)]
pub async fn post_adfs_device_code(
    State(idp): State<Arc<IdentityProvider>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, OAuthError> {
    device_code(&idp, "adfs", &headers, &body)
}

fn device_code(
    idp: &IdentityProvider,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let tenant = Tenant::parse(tenant)?;
    let form = Form::parse(body, idp.max_body_bytes)?;
    let config = &idp.config;
    let app = config.app(form.require("client_id")?)?;
    let requested = RequestedScopes::parse(form.get("scope").unwrap_or(""))?;
    let now = idp.now();
    let ttl = config.device_code_ttl_secs;
    let pending = Pending {
        user_code: String::new(),
        client_id: app.client_id,
        tenant,
        requested,
        expires: now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        approved_by: None,
        polls: 0,
    };
    let device_code = idp.device_codes.start(pending, now)?;
    let user_code = idp
        .device_codes
        .user_code_of(&device_code)
        .unwrap_or_default();
    let verification_uri = format!("{}/devicelogin", idp.origin(headers));
    Ok(Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": ttl,
        "interval": config.device_code_interval_secs,
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the \
             code {user_code} to authenticate."
        ),
    }))
    .into_response())
}

const LOGIN_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rapd: sign in a device</title></head>
<body><h1>Sign in a device</h1>
<p>Enter the code your application shows, and a development user's name and password.</p>
<form method="post" action="/devicelogin">
<p><label>Code <input name="user_code" autocomplete="off" autofocus required></label></p>
<p><label>User <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form></body></html>
"#;

/// `GET /devicelogin`: the page a device-code `verification_uri` points to.
#[utoipa::path(
    get,
    path = "/devicelogin",
    tag = TAG,
    operation_id = "getDeviceLogin",
    summary = "The page a device code's `verification_uri` names",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = inline(HtmlPage)),
    ),
)]
pub async fn get_device_login() -> Html<&'static str> {
    Html(LOGIN_PAGE)
}

/// `POST /devicelogin`: approves a device code for a development user.
#[utoipa::path(
    post,
    path = "/devicelogin",
    tag = TAG,
    operation_id = "postDeviceLogin",
    summary = "Approves a device code for a development user",
    description = "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
    security(()),
    request_body(content = inline(DeviceLoginForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Signed in", content_type = "text/html", body = inline(HtmlPage)),
        (status = 400, description = "Refused", content_type = "text/html", body = inline(HtmlPage)),
        (status = 413, description = "Too large", content_type = "text/html", body = inline(HtmlPage)),
    ),
)]
pub async fn post_device_login(State(idp): State<Arc<IdentityProvider>>, body: Bytes) -> Response {
    let page = |status: StatusCode, text: &str| {
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>rapd</title>\
             </head><body><p>{text}</p><p><a href=\"/devicelogin\">Back</a></p></body></html>"
        );
        (status, Html(html)).into_response()
    };
    let Ok(form) = Form::parse(&body, idp.max_body_bytes) else {
        return page(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.");
    };
    let (Some(code), Some(username), Some(password)) = (
        form.get("user_code"),
        form.get("username"),
        form.get("password"),
    ) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Enter the code, a user name and a password.",
        );
    };
    let user = match idp.sign_in(username, password) {
        Ok(user) => user,
        Err(refused) if refused.code == crate::oauth_error::LOCKED_OUT => {
            return page(
                StatusCode::BAD_REQUEST,
                "This user tried to sign in too many times with a wrong password and is locked \
                 for a while. Try again later.",
            );
        }
        Err(_) => {
            return page(
                StatusCode::BAD_REQUEST,
                "The user name or password is incorrect.",
            );
        }
    };
    let now = idp.now();
    match idp.device_codes.approve(code, &user.username, now) {
        true => page(
            StatusCode::OK,
            "You have signed in. You may close this window and return to your application.",
        ),
        false => page(
            StatusCode::BAD_REQUEST,
            "That code is unknown, expired or already used.",
        ),
    }
}
