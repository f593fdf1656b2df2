//! `GET|POST /{version}/deviceManagement/remoteAssistancePartners`,
//! `GET|PATCH|DELETE /{version}/deviceManagement/remoteAssistancePartners/{id}` and `…/$count`.
//! <https://learn.microsoft.com/graph/api/resources/intune-remoteassistance-remoteassistancepartner>

pub mod actions;

use axum::{
    Extension,
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use rapd_auth::Permission;
use rapd_model::{Mutation, Partner, PartnerId, PartnerInput, wire};

use crate::{
    envelope::RequestIds,
    error::ApiError,
    extract::{Authenticated, GraphPath, JsonBody, accepts},
    response,
    state::AppState,
};

const ENTITY_SET: &str = "deviceManagement/remoteAssistancePartners";

/// `GET /{version}/deviceManagement/remoteAssistancePartners`
pub async fn list_partners(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Read, state.policy(path.version))?;
    refuse_query_options(query.as_deref())?;
    let partners = state.store.list(tenant(&caller)).await?;
    let context = format!(
        "{}/$metadata#{ENTITY_SET}",
        state.service_root(&headers, path.version)
    );
    let mut body = Vec::with_capacity(256 + partners.len() * 320);
    wire::write_collection(
        &mut body,
        &context,
        &partners,
        path.version,
        state.clock.now(),
    );
    Ok(response::json(StatusCode::OK, body))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/$count`
pub async fn count_partners(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Read, state.policy(path.version))?;
    if !accepts(&headers, "text/plain") {
        return Err(ApiError::NotAcceptable);
    }
    refuse_query_options(query.as_deref())?;
    let count = state.store.count(tenant(&caller)).await?;
    Ok(response::plain_text(count.to_string()))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/{id}`
pub async fn get_partner(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Read, state.policy(path.version))?;
    let id = path.partner_id()?;
    refuse_query_options(query.as_deref())?;
    let partner = state
        .store
        .get(tenant(&caller), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(entity(&state, &headers, &path, &partner, StatusCode::OK))
}

/// `POST /{version}/deviceManagement/remoteAssistancePartners`
pub async fn create_partner(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Write, state.policy(path.version))?;
    let input = PartnerInput::parse(path.version, &body)?;
    let mutation = Mutation::Create {
        id: PartnerId::new_random(),
        input,
    };
    let change = state
        .store
        .mutate(tenant(&caller), mutation, caller.audit_context(&ids))
        .await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("create made no row".into()))?;
    let mut response = entity(&state, &headers, &path, &partner, StatusCode::CREATED);
    let location = format!(
        "{}/{ENTITY_SET}/{}",
        state.service_root(&headers, path.version),
        partner.id
    );
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /{version}/deviceManagement/remoteAssistancePartners/{id}`
pub async fn update_partner(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Write, state.policy(path.version))?;
    let id = path.partner_id()?;
    let input = PartnerInput::parse(path.version, &body)?;
    let mutation = Mutation::Update { id, input };
    let change = state
        .store
        .mutate(tenant(&caller), mutation, caller.audit_context(&ids))
        .await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("update removed the row".into()))?;
    Ok(entity(&state, &headers, &path, &partner, StatusCode::OK))
}

/// `DELETE /{version}/deviceManagement/remoteAssistancePartners/{id}`
pub async fn delete_partner(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    caller
        .0
        .authorize(Permission::Write, state.policy(path.version))?;
    let id = path.partner_id()?;
    let mutation = Mutation::Delete { id };
    state
        .store
        .mutate(tenant(&caller), mutation, caller.audit_context(&ids))
        .await?;
    Ok(response::no_content())
}

fn tenant(caller: &Authenticated) -> rapd_model::TenantId {
    rapd_model::TenantId(caller.0.tenant)
}

/// One partner with `@odata.context` `…/$metadata#deviceManagement/remoteAssistancePartners/$entity`.
fn entity(
    state: &AppState,
    headers: &HeaderMap,
    path: &GraphPath,
    partner: &Partner,
    status: StatusCode,
) -> Response {
    let context = format!(
        "{}/$metadata#{ENTITY_SET}/$entity",
        state.service_root(headers, path.version)
    );
    let mut body = Vec::with_capacity(512);
    wire::write_partner(
        &mut body,
        Some(&context),
        partner,
        path.version,
        state.clock.now(),
    );
    response::json(status, body)
}

/// Query options are not implemented yet; refusing them is better than ignoring them, which
/// would hand a script unfiltered data it believes filtered.
fn refuse_query_options(query: Option<&str>) -> Result<(), ApiError> {
    let Some(query) = query else { return Ok(()) };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split('=').next().unwrap_or(pair);
        let name = name.replace("%24", "$");
        if name.starts_with('$') {
            return Err(ApiError::UnsupportedQuery(name));
        }
    }
    Ok(())
}
