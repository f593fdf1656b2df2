//! `GET|POST /console/settings`: beta's `remoteAssistanceSettings` singleton, read and patched
//! through Graph.

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use http::{HeaderMap, Method};
use maud::html;
use serde::Deserialize;
use serde_json::json;

use crate::{
    Console, ConsoleError, Lang,
    layout::{Section, csrf_field, page},
};

const SETTINGS: &str = "/beta/deviceManagement/remoteAssistanceSettings";

pub async fn show_settings(
    State(console): State<Console>,
    lang: Lang,
    headers: HeaderMap,
) -> Result<Response, ConsoleError> {
    let visit = console.visit(&headers)?;
    let settings = console.graph(&visit, Method::GET, SETTINGS, None).await?;
    let state = settings["remoteAssistanceState"].as_str().unwrap_or("");
    let unenrolled = settings["allowSessionsToUnenrolledDevices"] == true;
    let block_chat = settings["blockChat"] == true;
    let read_only = !visit.user.can_write;
    let body = html! {
        form.card method="post" action="/console/settings" {
            (csrf_field(&visit.csrf))
            fieldset disabled[read_only] {
                label for="state" { (lang.t("settings-state")) }
                select #state name="remoteAssistanceState" {
                    option value="enabled" selected[state == "enabled"] { (lang.t("settings-state-enabled")) }
                    option value="disabled" selected[state == "disabled"] { (lang.t("settings-state-disabled")) }
                }
                div.check {
                    input #unenrolled type="checkbox" name="allowSessionsToUnenrolledDevices" value="true" checked[unenrolled];
                    label for="unenrolled" { (lang.t("settings-unenrolled")) }
                }
                div.check {
                    input #blockChat type="checkbox" name="blockChat" value="true" checked[block_chat];
                    label for="blockChat" { (lang.t("settings-block-chat")) }
                }
                @if !read_only {
                    button type="submit" { (lang.t("settings-submit")) }
                }
            }
        }
    };
    Ok(page(
        &visit.frame(lang, Section::Settings),
        &lang.t("settings-title"),
        body,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    remote_assistance_state: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    allow_sessions_to_unenrolled_devices: Option<String>,
    #[serde(default)]
    block_chat: Option<String>,
}

pub async fn update_settings(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<SettingsForm>,
) -> Result<Response, ConsoleError> {
    let visit = console.submit(&headers, &form.csrf)?;
    let body = json!({
        "remoteAssistanceState": form.remote_assistance_state,
        "allowSessionsToUnenrolledDevices": form.allow_sessions_to_unenrolled_devices.is_some(),
        "blockChat": form.block_chat.is_some(),
    });
    console
        .graph(&visit, Method::PATCH, SETTINGS, Some(body))
        .await?;
    Ok(Redirect::to("/console/settings").into_response())
}
