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
    described::operations::{ClientRequestIdHeader, Settings, SettingsInput},
    described::{ClientRequestId, ODataVersion, PlainReadErrors, PlainWriteErrors, RequestId},
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
#[utoipa::path(
    get,
    path = "/{version}/deviceManagement/remoteAssistanceSettings",
    tag = "beta",
    operation_id = "{version}.getRemoteAssistanceSettings",
    summary = "Read the tenant's remote assistance settings",
    description = "Beta only (on v1.0 the segment is unknown, `400`, as on Graph). A singleton per tenant: `disabled`, `false`, `false` until an administrator changes it. Needs the beta read scopes (`DeviceManagementServiceConfig.Read.All`, `.ReadWrite.All`, `DeviceManagementConfiguration.Read.All` or `.ReadWrite.All`).",
    params(ClientRequestIdHeader),
    responses(
        (status = 200, description = "The tenant's settings (defaults until changed)", body = Settings, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        PlainReadErrors,
    ),
)]
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
#[utoipa::path(
    patch,
    path = "/{version}/deviceManagement/remoteAssistanceSettings",
    tag = "beta",
    operation_id = "{version}.updateRemoteAssistanceSettings",
    summary = "Change the tenant's remote assistance settings",
    description = "Beta only. Each property optional, none nullable; the change is audited. Needs `DeviceManagementServiceConfig.ReadWrite.All` or `DeviceManagementConfiguration.ReadWrite.All`.",
    params(ClientRequestIdHeader),
    request_body(content = SettingsInput, examples(
        ("graphDocs" = (value = json!({
            "@odata.type": "#microsoft.graph.remoteAssistanceSettings",
            "remoteAssistanceState": "enabled",
            "allowSessionsToUnenrolledDevices": true,
            "blockChat": true,
        }))),
    )),
    responses(
        (status = 200, description = "The updated settings", body = Settings, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        PlainWriteErrors,
    ),
)]
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
