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
use rapd_model::{
    Mutation, Partner, PartnerId, PartnerInput, Property,
    wire::{self, CollectionMeta},
};
use rapd_store::{PageQuery, SeekKey};

use crate::{
    envelope::RequestIds,
    error::ApiError,
    extract::{Authenticated, GraphPath, JsonBody, Origin, excludes},
    paging, response,
    state::AppState,
};

const ENTITY_SET: &str = "deviceManagement/remoteAssistancePartners";

/// `GET /{version}/deviceManagement/remoteAssistancePartners`, with `$filter`, `$orderby`,
/// `$top`, `$skip`, `$select`, `$count` and server-driven paging.
pub async fn list_partners(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    origin: Origin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller.admit(&state, Permission::Read, path.version).await?;
    let options = rapd_odata::parse_list_query(path.version, query.as_deref())?;
    let after = match &options.skip_token {
        Some(token) => Some(paging::decode(token, &options.order_by)?),
        None => None,
    };
    let page_query = PageQuery {
        skip: if after.is_some() {
            0
        } else {
            options.skip.unwrap_or(0)
        },
        limit: options.top.unwrap_or(rapd_odata::DEFAULT_PAGE_SIZE),
        filter: options.filter,
        order_by: options.order_by,
        after,
    };
    let tenant = caller.tenant();
    let page = state.store.list(tenant, &page_query).await?;
    let count = match options.count {
        true => Some(
            state
                .store
                .count(tenant, page_query.filter.as_ref())
                .await?,
        ),
        false => None,
    };
    let now = state.clock.now();
    let root = origin.service_root(path.version);
    let next_link = match (page.more, page.items.last()) {
        (true, Some(last)) => {
            let token = paging::encode(
                &SeekKey::of(last, &page_query.order_by, now),
                &page_query.order_by,
            );
            Some(paging::next_link(
                &format!("{root}/{ENTITY_SET}"),
                query.as_deref(),
                &token,
            ))
        }
        _ => None,
    };
    let context = format!(
        "{root}/$metadata#{ENTITY_SET}{}",
        select_suffix(options.select.as_deref())
    );
    let meta = CollectionMeta {
        context: &context,
        count,
        next_link: next_link.as_deref(),
    };
    let mut body = Vec::with_capacity(256 + page.items.len() * 320);
    wire::write_collection(
        &mut body,
        meta,
        &page.items,
        path.version,
        now,
        options.select.as_deref(),
    );
    Ok(response::json(StatusCode::OK, body))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/$count`, with `$filter`.
pub async fn count_partners(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller.admit(&state, Permission::Read, path.version).await?;
    // A count is a raw value: text/plain unless the client excludes that outright.
    if excludes(&headers, "text/plain") {
        return Err(ApiError::NotAcceptable("text/plain"));
    }
    let options = rapd_odata::parse_count_query(path.version, query.as_deref())?;
    let count = state
        .store
        .count(caller.tenant(), options.filter.as_ref())
        .await?;
    Ok(response::plain_text(count.to_string()))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/{id}`, with `$select`.
pub async fn get_partner(
    State(state): State<AppState>,
    path: GraphPath,
    caller: Authenticated,
    origin: Origin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller.admit(&state, Permission::Read, path.version).await?;
    let id = path.partner_id()?;
    let options = rapd_odata::parse_item_query(path.version, query.as_deref())?;
    let partner = state
        .store
        .get(caller.tenant(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(entity(
        &state,
        &origin,
        &path,
        &partner,
        StatusCode::OK,
        options.select.as_deref(),
    ))
}

/// `POST /{version}/deviceManagement/remoteAssistancePartners`
pub async fn create_partner(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
    origin: Origin,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    caller
        .admit(&state, Permission::Write, path.version)
        .await?;
    let input = PartnerInput::parse(path.version, &body)?;
    let mutation = Mutation::Create {
        id: PartnerId::new_random(),
        input,
    };
    let change = caller.mutate(&state, &ids, mutation).await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("create made no row".into()))?;
    let mut response = entity(&state, &origin, &path, &partner, StatusCode::CREATED, None);
    let location = format!(
        "{}/{ENTITY_SET}/{}",
        origin.service_root(path.version),
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
    origin: Origin,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    caller
        .admit(&state, Permission::Write, path.version)
        .await?;
    let id = path.partner_id()?;
    let input = PartnerInput::parse(path.version, &body)?;
    let mutation = Mutation::Update { id, input };
    let change = caller.mutate(&state, &ids, mutation).await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("update removed the row".into()))?;
    Ok(entity(
        &state,
        &origin,
        &path,
        &partner,
        StatusCode::OK,
        None,
    ))
}

/// `DELETE /{version}/deviceManagement/remoteAssistancePartners/{id}`
pub async fn delete_partner(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    path: GraphPath,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    caller
        .admit(&state, Permission::Write, path.version)
        .await?;
    let id = path.partner_id()?;
    let mutation = Mutation::Delete { id };
    caller.mutate(&state, &ids, mutation).await?;
    Ok(response::no_content())
}

/// One partner with `@odata.context` `…/$metadata#deviceManagement/remoteAssistancePartners/$entity`
/// (`…/remoteAssistancePartners(displayName)/$entity` under `$select`).
fn entity(
    state: &AppState,
    origin: &Origin,
    path: &GraphPath,
    partner: &Partner,
    status: StatusCode,
    select: Option<&[Property]>,
) -> Response {
    let root = origin.service_root(path.version);
    let context = format!(
        "{root}/$metadata#{ENTITY_SET}{}/$entity",
        select_suffix(select)
    );
    let mut body = Vec::with_capacity(512);
    let now = state.clock.now();
    wire::write_partner(
        &mut body,
        Some(&context),
        partner,
        path.version,
        now,
        select,
    );
    response::json(status, body)
}

/// `(displayName,onboardingStatus)`: how `@odata.context` names a `$select`.
fn select_suffix(select: Option<&[Property]>) -> String {
    select.map_or_else(String::new, |props| {
        let names: Vec<&str> = props.iter().map(|p| p.name()).collect();
        format!("({})", names.join(","))
    })
}
