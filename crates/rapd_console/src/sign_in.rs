//! `GET|POST /console/sign-in`, `POST /console/sign-out`: the development sign-in. The user picks
//! a tenant, a development user and an access level; the console mints that user's token with
//! the development issuer and keeps it in the server-side session. In production `GET` sends the
//! browser to the operator's issuer instead ([`issuer`]).

pub mod issuer;

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use http::{HeaderMap, header};
use maud::html;
use rapd_auth::{DEV_TENANT, Principal, SCOPE_READ, SCOPE_READ_WRITE, Subject, TokenRequest};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    CONSOLE_APP, Console, ConsoleError, Lang, SignIn,
    layout::{Frame, Section, page},
    session::{self, Sessions, SignedIn},
};

/// Reading the audit trail needs this besides the partners' permission.
const AUDIT_SCOPE: &str = "DeviceManagementApps.Read.All";

/// The session's cookie is `Secure` on the TLS listener (the accept loop marks its requests).
pub(crate) fn over_tls(headers: &HeaderMap) -> bool {
    headers.contains_key("x-rapd-tls")
}

pub async fn show_sign_in(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let now = console.now_unix();
    let parts = &console.0;
    let dev = match &parts.sign_in {
        SignIn::Development(dev) => dev,
        SignIn::Issuer(_) => return Ok(issuer::show(lang).await),
    };
    let (id, session) = match parts.sessions.find(&headers, now) {
        Some((_, session)) if session.user.is_some() => {
            return Ok(Redirect::to("/console/partners").into_response());
        }
        Some(found) => found,
        None => {
            let id = parts
                .sessions
                .open(None, Sessions::anonymous_expiry(now), now);
            let session = parts
                .sessions
                .find_by_id(&id)
                .ok_or(ConsoleError::Internal)?;
            (id, session)
        }
    };
    let mut tenants: Vec<(Uuid, String)> = vec![(DEV_TENANT, DEV_TENANT.to_string())];
    for user in &dev.users {
        tenants.push((user.tenant, user.tenant.to_string()));
    }
    for tenant in parts
        .store
        .tenants()
        .await
        .map_err(ConsoleError::internal)?
    {
        let name = match &tenant.display_name {
            Some(name) => format!("{name} ({})", tenant.id.0),
            None => tenant.id.0.to_string(),
        };
        tenants.retain(|(id, _)| *id != tenant.id.0);
        tenants.push((tenant.id.0, name));
    }
    tenants.sort_by_key(|(id, _)| *id != DEV_TENANT);
    tenants.dedup_by_key(|(id, _)| *id);
    let frame = Frame {
        lang,
        user: None,
        csrf: &session.csrf,
        section: Section::SignIn,
    };
    let body = html! {
        p { (lang.t("sign-in-intro")) }
        form.card method="post" action="/console/sign-in" {
            (crate::layout::csrf_field(&session.csrf))
            label for="tenant" { (lang.t("sign-in-tenant")) }
            select #tenant name="tenant" {
                @for (id, name) in &tenants { option value=(id) { (name) } }
            }
            label for="user" { (lang.t("sign-in-user")) }
            select #user name="user" {
                @for user in &dev.users {
                    option value=(user.username) { (user.display_name) " <" (user.username) ">" }
                }
            }
            label for="access" { (lang.t("sign-in-access")) }
            select #access name="access" {
                option value="write" { (lang.t("access-write")) }
                option value="read" { (lang.t("access-read")) }
            }
            button type="submit" { (lang.t("sign-in-submit")) }
        }
    };
    let mut response = page(&frame, &lang.t("sign-in-title"), body);
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&id, session.expires_at - now, over_tls(&headers)),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    tenant: Uuid,
    user: String,
    access: String,
}

pub async fn sign_in(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, ConsoleError> {
    let now = console.now_unix();
    let parts = &console.0;
    let SignIn::Development(dev) = &parts.sign_in else {
        return Err(ConsoleError::NotFound);
    };
    let (old, session) = parts
        .sessions
        .find(&headers, now)
        .ok_or(ConsoleError::Csrf)?;
    session.check_csrf(&form.csrf)?;
    let user = dev
        .users
        .iter()
        .find(|u| u.username == form.user)
        .ok_or(ConsoleError::NotFound)?;
    let can_write = form.access == "write";
    let scope = if can_write {
        SCOPE_READ_WRITE
    } else {
        SCOPE_READ
    };
    let ttl = dev.token_ttl_secs;
    let request = TokenRequest {
        tenant: form.tenant,
        subject: Subject::User(user.object_id),
        scopes: vec![scope.to_owned(), AUDIT_SCOPE.to_owned()],
        ttl_secs: ttl,
    };
    let principal = Principal {
        app_id: CONSOLE_APP,
        upn: &user.username,
        name: &user.display_name,
    };
    let token = dev
        .issuer
        .mint_for(&request, &principal, now)
        .map_err(ConsoleError::internal)?;
    let signed_in = SignedIn {
        token,
        tenant: form.tenant,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        can_write,
    };
    // A new session id at sign-in: an id known before it is worth nothing after.
    parts.sessions.close(&old);
    let expires_at = now + ttl as i64;
    let id = parts.sessions.open(Some(signed_in), expires_at, now);
    tracing::info!(user = %user.username, tenant = %form.tenant, can_write, "console: signed in");
    Ok((
        [(
            header::SET_COOKIE,
            session::set_cookie(&id, expires_at - now, over_tls(&headers)),
        )],
        Redirect::to("/console/partners"),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn sign_out(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    let visit = console.submit(&headers, &form.csrf)?;
    console.0.sessions.close(&visit.id);
    Ok((
        [(
            header::SET_COOKIE,
            session::clear_cookie(over_tls(&headers)),
        )],
        Redirect::to("/console/sign-in"),
    )
        .into_response())
}
