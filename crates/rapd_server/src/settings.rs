//! `GET|PATCH /beta/deviceManagement/remoteAssistanceSettings`: the tenant's remote assistance
//! settings singleton (beta only; defaults `disabled`, `false`, `false`).
//! <https://learn.microsoft.com/graph/api/resources/intune-remoteassistance-remoteassistancesettings?view=graph-rest-beta>

use axum::{
    Extension,
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderMap, StatusCode};
use rapd_auth::Permission;
use rapd_model::{ApiVersion, RemoteAssistanceSettings, SettingsPatch};

use crate::{
    envelope::RequestIds,
    error::ApiError,
    extract::{Authenticated, GraphPath, JsonBody},
    response,
    state::AppState,
};

/// The singleton exists in beta only; on v1.0 it is an unknown segment, as on Graph.
fn beta_only(path: &GraphPath) -> Result<(), ApiError> {
    match path.version {
        ApiVersion::Beta => Ok(()),
        ApiVersion::V1 => Err(ApiError::UnknownSegment("remoteAssistanceSettings".into())),
    }
}

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
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    beta_only(&path)?;
    caller.admit(&state, Permission::Read, path.version).await?;
    refuse_query_options(query.as_deref())?;
    let settings = state.store.settings(caller.tenant()).await?;
    Ok(shaped(&state, &headers, &settings))
}

/// `PATCH /beta/deviceManagement/remoteAssistanceSettings`: `200` with the updated singleton.
pub async fn update_settings(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    beta_only(&path)?;
    caller
        .admit(&state, Permission::Write, path.version)
        .await?;
    let patch = SettingsPatch::parse(&body)?;
    let tenant = caller.tenant();
    let settings = state
        .store
        .patch_settings(tenant, patch, caller.audit_context(&ids))
        .await?;
    Ok(shaped(&state, &headers, &settings))
}
