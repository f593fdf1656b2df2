//! `GET /console/partners`, `GET /console/partners/{id}`: the tenant's partners with live status
//! badges, and one partner with its onboarding link while it is onboarding. Both read Graph's
//! beta collection (it has the onboarding expiry).

pub mod forms;
mod qr;

use axum::{
    extract::{Path, State},
    response::Response,
};
use http::{HeaderMap, Method};
use maud::{Markup, html};
use rapd_model::{OnboardingStatus, PartnerId, TenantId, code_hash};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    Console, ConsoleError, Lang, Visit,
    layout::{Section, badge, badge_state, csrf_field, page},
};

/// Graph's beta partners collection.
pub const PARTNERS: &str = "/beta/deviceManagement/remoteAssistancePartners";

pub async fn list_partners(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let visit = console.visit(&headers)?;
    let partners = console
        .0
        .graph
        .list(
            &visit.user.token,
            &format!("{PARTNERS}?$orderby=displayName"),
            20,
        )
        .await?;
    let now = console.0.clock.now();
    let can_write = visit.user.can_write;
    let body = html! {
        @if partners.is_empty() {
            p data-empty { (lang.t("partners-empty")) }
        } @else {
            table data-live-partners {
                thead { tr {
                    th scope="col" { (lang.t("col-name")) }
                    th scope="col" { (lang.t("col-status")) }
                    @if can_write { th scope="col" { (lang.t("col-actions")) } }
                } }
                tbody {
                    @for partner in &partners {
                        @let id = partner["id"].as_str().unwrap_or("");
                        tr data-partner=(id) {
                            td { a href={ "/console/partners/" (id) } { (name_of(partner)) } }
                            td { (badge(&badge_state(lang, now, partner))) }
                            @if can_write { td.actions { (actions(lang, &visit, partner)) } }
                        }
                    }
                }
            }
        }
        @if can_write {
            section aria-labelledby="create-title" {
                h2 #create-title { (lang.t("create-title")) }
                form.card method="post" action="/console/partners" {
                    (csrf_field(&visit.csrf))
                    label for="displayName" { (lang.t("field-display-name")) }
                    input #displayName name="displayName" required maxlength="1024" autocomplete="off";
                    label for="onboardingUrl" { (lang.t("field-onboarding-url")) }
                    input #onboardingUrl name="onboardingUrl" type="url" autocomplete="off";
                    button type="submit" { (lang.t("create-submit")) }
                }
            }
        }
    };
    Ok(page(
        &visit.frame(lang, Section::Partners),
        &lang.t("partners-title"),
        body,
    ))
}

pub async fn show_partner(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let (visit, id, partner) = read_partner(&console, &headers, &id).await?;
    let now = console.0.clock.now();
    let can_write = visit.user.can_write;
    let link = match can_write {
        true => onboarding_link(&console, &visit, id).await?,
        false => None,
    };
    let name = name_of(&partner);
    let body = html! {
        div data-partner=(id) {
            p { (badge(&badge_state(lang, now, &partner))) }
            @if can_write {
                p.actions { (actions(lang, &visit, &partner))
                    " " a.button.danger href={ "/console/partners/" (id) "/delete" } { (lang.t("action-delete")) }
                }
            }
            @if let Some(link) = &link {
                section.card data-show-for="onboarding" aria-labelledby="onboarding-title" {
                    h2 #onboarding-title { (lang.t("onboarding-title")) }
                    p { (lang.t("onboarding-intro")) }
                    @if link.starts_with("rac1.") {
                        p { (lang.t("onboarding-code-only")) }
                        p { code data-onboarding-link=(link) { (link) } }
                    } @else {
                        p { a data-onboarding-link=(link) href=(link) rel="noreferrer" { (link) } }
                    }
                    img.qr src=(qr::data_uri(link)?) alt=(lang.t("onboarding-qr-alt")) width="240" height="240";
                }
            }
        }
        @if can_write {
            section aria-labelledby="rename-title" {
                h2 #rename-title { (lang.t("rename-title")) }
                form.card method="post" action={ "/console/partners/" (id) "/rename" } {
                    (csrf_field(&visit.csrf))
                    label for="displayName" { (lang.t("field-display-name")) }
                    input #displayName name="displayName" required maxlength="1024" value=(name);
                    button type="submit" { (lang.t("action-rename")) }
                }
            }
        }
        p { a href="/console/partners" { (lang.t("back-to-partners")) } }
    };
    let title = lang.t_with("partner-title", &[("name", name.into())]);
    Ok(page(&visit.frame(lang, Section::Partners), &title, body))
}

/// Connect and Disconnect, both rendered; the script shows the one the status allows, and
/// Graph makes either harmless in the other state (both actions are idempotent).
fn actions(lang: Lang, visit: &Visit, partner: &Value) -> Markup {
    let id = partner["id"].as_str().unwrap_or("");
    let status = partner["onboardingStatus"]
        .as_str()
        .unwrap_or("notOnboarded");
    html! {
        form.inline method="post" action={ "/console/partners/" (id) "/connect" }
            data-show-for="notOnboarded onboarding" hidden[status == "onboarded"] {
            (csrf_field(&visit.csrf))
            button type="submit" data-action="connect" { (lang.t("action-connect")) }
        }
        " "
        a.button href={ "/console/partners/" (id) "/disconnect" } data-action="disconnect"
            data-show-for="onboarding onboarded" hidden[status == "notOnboarded"] {
            (lang.t("action-disconnect"))
        }
    }
}

pub fn name_of(partner: &Value) -> String {
    partner["displayName"].as_str().unwrap_or("").to_owned()
}

/// The signed-in visit, and the partner `id` names as Graph answers it to that user.
pub async fn read_partner(
    console: &Console,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Visit, Uuid, Value), ConsoleError> {
    let visit = console.visit(headers)?;
    let id = partner_id(id)?;
    let path = format!("{PARTNERS}/{id}");
    let partner = console.graph(&visit, Method::GET, &path, None).await?;
    Ok((visit, id, partner))
}

pub fn partner_id(text: &str) -> Result<Uuid, ConsoleError> {
    Uuid::parse_str(text).map_err(|_| ConsoleError::NotFound)
}

/// The partner's `onboardingUrl` with the open request's one-time code, or the code alone. Graph
/// never shows the code and the store keeps only its hash, so it is the one `beginOnboarding`
/// issued in this process, while it is still the open request's.
async fn onboarding_link(
    console: &Console,
    visit: &Visit,
    id: Uuid,
) -> Result<Option<String>, ConsoleError> {
    let (tenant, id) = (TenantId(visit.user.tenant), PartnerId(id));
    let Some(partner) = console
        .0
        .store
        .get(tenant, id)
        .await
        .map_err(ConsoleError::internal)?
    else {
        return Ok(None);
    };
    let open = partner.status_at(console.0.clock.now()) == OnboardingStatus::Onboarding;
    let Some(code) = console.issued_code(tenant, id) else {
        return Ok(None);
    };
    let secret = code.clone().into_secret();
    let current = partner.onboarding_code_hash.as_deref() == Some(code_hash(&secret).as_str());
    if !(open && current) {
        return Ok(None);
    }
    Ok(Some(match &partner.onboarding_url {
        Some(url) => {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}code={code}")
        }
        None => code.to_string(),
    }))
}
