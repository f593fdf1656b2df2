//! `GET|PATCH /beta/deviceManagement/remoteAssistanceSettings`: the tenant's remote assistance
//! settings singleton (beta only; defaults `disabled`, `false`, `false`).
//! <https://learn.microsoft.com/graph/api/resources/intune-remoteassistance-remoteassistancesettings?view=graph-rest-beta>

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderMap, StatusCode};
use rapd_model::{ApiVersion, RemoteAssistanceSettings, SettingsPatch};

use crate::{
    admission::{Admitted, BetaOnly, Read, Write},
    error::ApiError,
    extract::JsonBody,
    response,
    state::AppState,
};

/// The singleton takes no query options (it has four small properties); any system option is
/// refused rather than ignored.
fn refuse_query_options(query: Option<&str>) -> Result<(), ApiError> {
    let options = query.unwrap_or_default().split('&').filter_map(|pair| {
        let name = pair.split('=').next().unwrap_or_default();
        let name = name
            .strip_prefix("%24")
            .map(|n| format!("${n}"))
            .unwrap_or_else(|| name.to_owned());
        name.starts_with('$').then_some(name)
    });
    match options.into_iter().next() {
        Some(option) => Err(ApiError::UnsupportedOption(option)),
        None => Ok(()),
    }
}

fn shaped(state: &AppState, headers: &HeaderMap, settings: &RemoteAssistanceSettings) -> Response {
    let context = format!(
        "{}/$metadata#deviceManagement/remoteAssistanceSettings/$entity",
        state.service_root(headers, ApiVersion::Beta)
    );
    let body = serde_json::to_vec(&settings.to_json(&context)).unwrap_or_default();
    response::json(StatusCode::OK, body)
}

/// `GET /beta/deviceManagement/remoteAssistanceSettings`
pub async fn get_settings(
    State(state): State<AppState>,
    _beta: BetaOnly,
    caller: Admitted<Read>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    refuse_query_options(query.as_deref())?;
    let settings = state.store.settings(caller.tenant()).await?;
    Ok(shaped(&state, &headers, &settings))
}

/// `PATCH /beta/deviceManagement/remoteAssistanceSettings`: `200` with the updated singleton.
pub async fn update_settings(
    State(state): State<AppState>,
    _beta: BetaOnly,
    caller: Admitted<Write>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let patch = SettingsPatch::parse(&body)?;
    let settings = state
        .store
        .patch_settings(caller.tenant(), patch, caller.audit_context())
        .await?;
    Ok(shaped(&state, &headers, &settings))
}
