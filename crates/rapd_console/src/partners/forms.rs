//! The partner forms: create, rename, Connect (`beginOnboarding`), and Disconnect and Delete
//! behind a confirmation page. Each POST checks the session's CSRF token, then sends one Graph
//! request as the signed-in user, so Graph authorises, validates and audits it.

use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use http::{HeaderMap, Method};
use maud::html;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{PARTNERS, name_of, partner_id, read_partner};
use crate::{
    Console, ConsoleError, Lang,
    layout::{Section, csrf_field, page},
    sign_in::CsrfForm,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerForm {
    #[serde(default)]
    csrf: String,
    display_name: String,
    #[serde(default)]
    onboarding_url: Option<String>,
}

/// `POST /console/partners`
pub async fn create_partner(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<PartnerForm>,
) -> Result<Response, ConsoleError> {
    let visit = console.submit(&headers, &form.csrf)?;
    let mut body = Map::new();
    body.insert("displayName".into(), Value::String(form.display_name));
    if let Some(url) = form.onboarding_url.filter(|u| !u.trim().is_empty()) {
        body.insert("onboardingUrl".into(), Value::String(url.trim().to_owned()));
    }
    console
        .graph(&visit, Method::POST, PARTNERS, Some(Value::Object(body)))
        .await?;
    Ok(Redirect::to("/console/partners").into_response())
}

/// `POST /console/partners/{id}/rename`
pub async fn rename_partner(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PartnerForm>,
) -> Result<Response, ConsoleError> {
    let body = json!({ "displayName": form.display_name });
    let request = (Method::PATCH, "", Some(body));
    on_partner(&console, &headers, &form.csrf, &id, request, Back::Partner).await
}

/// `POST /console/partners/{id}/connect`: `beginOnboarding`, then the partner's page, which
/// shows the onboarding link and its QR code.
pub async fn connect_partner(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    let request = (Method::POST, "/beginOnboarding", Some(json!({})));
    on_partner(&console, &headers, &form.csrf, &id, request, Back::Partner).await
}

/// `GET /console/partners/{id}/disconnect`: the confirmation.
pub async fn confirm_disconnect(
    state: State<Console>,
    lang: Lang,
    headers: HeaderMap,
    id: Path<String>,
) -> Result<Response, ConsoleError> {
    confirm(state, lang, headers, id, Confirm::Disconnect).await
}

/// `GET /console/partners/{id}/delete`: the confirmation.
pub async fn confirm_delete(
    state: State<Console>,
    lang: Lang,
    headers: HeaderMap,
    id: Path<String>,
) -> Result<Response, ConsoleError> {
    confirm(state, lang, headers, id, Confirm::Delete).await
}

/// `POST /console/partners/{id}/disconnect`
pub async fn disconnect_partner(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    let request = (Method::POST, "/disconnect", None);
    on_partner(&console, &headers, &form.csrf, &id, request, Back::List).await
}

/// `POST /console/partners/{id}/delete`
pub async fn delete_partner(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ConsoleError> {
    let request = (Method::DELETE, "", None);
    on_partner(&console, &headers, &form.csrf, &id, request, Back::List).await
}

#[derive(Clone, Copy)]
enum Confirm {
    Disconnect,
    Delete,
}

async fn confirm(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    what: Confirm,
) -> Result<Response, ConsoleError> {
    let (visit, id, partner) = read_partner(&console, &headers, &id).await?;
    let name = name_of(&partner);
    let (title, text, action, verb) = match what {
        Confirm::Disconnect => (
            "confirm-disconnect-title",
            "confirm-disconnect-body",
            "disconnect",
            "action-disconnect",
        ),
        Confirm::Delete => (
            "confirm-delete-title",
            "confirm-delete-body",
            "delete",
            "action-delete",
        ),
    };
    let body = html! {
        p { (lang.t(text)) }
        form.card method="post" action={ "/console/partners/" (id) "/" (action) } {
            (csrf_field(&visit.csrf))
            button.danger type="submit" data-confirm=(action) { (lang.t(verb)) }
            " "
            a.button href={ "/console/partners/" (id) } { (lang.t("confirm-cancel")) }
        }
    };
    let title = lang.t_with(title, &[("name", name.into())]);
    Ok(page(&visit.frame(lang, Section::Partners), &title, body))
}

/// Where a form leads once its request is done.
#[derive(Clone, Copy)]
enum Back {
    List,
    Partner,
}

/// Checks the form's CSRF token, sends `method` to the partner `id` names (plus `suffix`, an
/// action) as the signed-in user, and leads back to the list or the partner's page.
async fn on_partner(
    console: &Console,
    headers: &HeaderMap,
    csrf: &str,
    id: &str,
    (method, suffix, body): (Method, &str, Option<Value>),
    back: Back,
) -> Result<Response, ConsoleError> {
    let visit = console.submit(headers, csrf)?;
    let id = partner_id(id)?;
    let path = format!("{PARTNERS}/{id}{suffix}");
    console.graph(&visit, method, &path, body).await?;
    let to = match back {
        Back::List => "/console/partners".to_owned(),
        Back::Partner => format!("/console/partners/{id}"),
    };
    Ok(Redirect::to(&to).into_response())
}
