//! The production sign-in, against the operator's issuer (OpenID Connect, authorization code with
//! PKCE; the client is [`crate::oidc`]):
//!
//! 1. `GET /console/sign-in` shows one button, `GET /console/sign-in/issuer`, which sends the
//!    browser to the issuer with a new pending sign-in. Its id rides in the cookie
//!    `rapd_console_sign_in` (`Path=/console/callback`, ten minutes, `HttpOnly`,
//!    `SameSite=Lax`: the issuer's redirect back is a cross-site navigation, which a `Strict`
//!    cookie would not follow; `Secure` when `public_url` is https).
//! 2. `GET /console/callback` redeems the code, verifies the access token as Graph does, and opens
//!    the session. It answers with a page that moves on to the partners through `Refresh`: a
//!    navigation the console's own page starts, so the session's `Strict` cookie goes with it.
//!
//! Write buttons are shown when the token's scopes allow Graph's writes; Graph refuses the
//! writes of a token that does not, whatever the page shows.

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use http::{HeaderMap, HeaderValue, header};
use maud::html;
use rapd_auth::Permission;
use serde::Deserialize;

use super::over_tls;
use crate::{
    Console, ConsoleError, IssuerSignIn, Lang, SignIn,
    layout::{Frame, Section, page},
    oidc::PENDING_TTL_SECS,
    session::{self, SignedIn},
};

/// The cookie that carries a pending sign-in's id to the callback.
const COOKIE: &str = "rapd_console_sign_in";

/// `GET /console/sign-in` in production: the way to the issuer.
pub async fn show(lang: Lang) -> Response {
    let frame = signed_out(lang);
    let body = html! {
        p { (lang.t("sign-in-issuer-intro")) }
        p { a.button href="/console/sign-in/issuer" { (lang.t("sign-in-issuer-submit")) } }
    };
    page(&frame, &lang.t("sign-in-title"), body)
}

/// `GET /console/sign-in/issuer`: a new pending sign-in, and the browser sent to the issuer.
pub async fn start(
    State(console): State<Console>,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let issuer = served(&console)?;
    let (id, url) = issuer.oidc.start(console.now_unix()).await?;
    let secure = over_tls(&headers) || issuer.oidc.over_https();
    let cookie = pending_cookie(&id, PENDING_TTL_SECS, secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&url)).into_response())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /console/callback`: the issuer's answer.
pub async fn callback(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
    Query(answer): Query<CallbackQuery>,
) -> Result<Response, ConsoleError> {
    let issuer = served(&console)?;
    if let Some(error) = answer.error {
        // The issuer's own code (`access_denied`, …); its description is not shown.
        let error: String = error
            .chars()
            .filter(char::is_ascii_graphic)
            .take(64)
            .collect();
        return Err(ConsoleError::SignInFailed(format!(
            "the issuer answered {error}"
        )));
    }
    let (Some(code), Some(state)) = (answer.code, answer.state) else {
        return Err(ConsoleError::SignInFailed("the answer has no code".into()));
    };
    let pending = session::cookie_named(&headers, COOKIE)
        .ok_or_else(|| ConsoleError::SignInFailed("no sign-in was started here".into()))?;
    let now = console.now_unix();
    let tokens = issuer.oidc.finish(pending, &state, &code, now).await?;
    let caller = issuer
        .verifier
        .verify(&tokens.access_token, now)
        .await
        .map_err(|e| {
            tracing::info!(reason = %e, "console: the issuer's access token was refused");
            ConsoleError::SignInFailed(format!("the access token was refused: {e}"))
        })?;
    let username = tokens
        .username
        .or_else(|| caller.display.clone())
        .unwrap_or_else(|| caller.object_id.unwrap_or_default().to_string());
    let signed_in = SignedIn {
        token: tokens.access_token,
        tenant: caller.tenant,
        display_name: tokens.name.unwrap_or_else(|| username.clone()),
        username,
        can_write: caller.authorize(Permission::Write, issuer.policy).is_ok(),
    };
    tracing::info!(user = %signed_in.username, tenant = %signed_in.tenant, can_write = signed_in.can_write, "console: signed in at the issuer");
    let id = console
        .0
        .sessions
        .open(Some(signed_in), caller.expires_at, now);
    let secure = over_tls(&headers) || issuer.oidc.over_https();
    let frame = signed_out(lang);
    let body = html! {
        p { a href="/console/partners" { (lang.t("sign-in-continue")) } }
    };
    let mut response = page(&frame, &lang.t("sign-in-title"), body);
    let set = response.headers_mut();
    set.append(
        header::SET_COOKIE,
        session::set_cookie(&id, caller.expires_at - now, secure),
    );
    set.append(header::SET_COOKIE, pending_cookie("", 0, secure));
    set.insert(
        header::REFRESH,
        HeaderValue::from_static("0; url=/console/partners"),
    );
    Ok(response)
}

/// The frame of a page shown before a session exists.
fn signed_out(lang: Lang) -> Frame<'static> {
    Frame {
        lang,
        user: None,
        csrf: "",
        section: Section::SignIn,
    }
}

/// The production sign-in, or 404 where the console signs in otherwise.
fn served(console: &Console) -> Result<&IssuerSignIn, ConsoleError> {
    match &console.0.sign_in {
        SignIn::Issuer(issuer) => Ok(issuer),
        SignIn::Development(_) => Err(ConsoleError::NotFound),
    }
}

fn pending_cookie(id: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{COOKIE}={id}; Path=/console/callback; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    );
    HeaderValue::from_str(&value).expect("ids are base64url")
}
