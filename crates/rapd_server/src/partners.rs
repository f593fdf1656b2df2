//! `GET|POST /{version}/deviceManagement/remoteAssistancePartners`,
//! `GET|PATCH|DELETE /{version}/deviceManagement/remoteAssistancePartners/{id}` and `…/$count`.
//! <https://learn.microsoft.com/graph/api/resources/intune-remoteassistance-remoteassistancepartner>

pub mod actions;

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use rapd_model::{
    ApiVersion, Mutation, Partner, PartnerId, PartnerInput, Property,
    wire::{self, CollectionMeta, ListItem},
};

use crate::{
    admission::{Admitted, Read, Write},
    described::operations::{
        ClientRequestIdHeader, Count, CountQuery, ItemQuery, ListQuery, PartnerCollection,
        PartnerEntity, PartnerEntityOrSelection, PartnerInput as PartnerInputBody, PartnerPath,
    },
    described::{
        ClientRequestId, CreateErrors, ODataVersion, ReadErrors, ReadOneErrors, RequestId,
        WriteOneErrors,
    },
    error::ApiError,
    extract::{JsonBody, Origin, excludes},
    paging, response,
    state::AppState,
};

const ENTITY_SET: &str = "deviceManagement/remoteAssistancePartners";

/// `GET /{version}/deviceManagement/remoteAssistancePartners`, with `$filter`, `$orderby`,
/// `$top`, `$skip`, `$select`, `$count` and server-driven paging.
#[utoipa::path(
    get,
    path = "/{version}/deviceManagement/remoteAssistancePartners",
    tag = "{version}",
    operation_id = "{version}.listRemoteAssistancePartners",
    summary = "List the tenant's remote assistance partners",
    description = "Needs `DeviceManagementServiceConfig.Read.All` or `.ReadWrite.All`. The tenant is the token's `tid`.",
    params(ListQuery),
    responses(
        (status = 200, description = "The partners of the caller's tenant", body = PartnerCollection, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        ReadErrors,
    ),
)]
pub async fn list_partners(
    State(state): State<AppState>,
    caller: Admitted<Read>,
    origin: Origin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let version = caller.version();
    let options = rapd_odata::parse_list_query(version, query.as_deref())?;
    let page_query = paging::page_query(
        options.filter,
        options.order_by,
        options.top,
        options.skip,
        options.skip_token.as_deref(),
    )?;
    let tenant = caller.tenant();
    let select = options.select.as_deref();
    // Without `$select` the page copies each partner's stored item where it still holds.
    let page = match select {
        None => state.store.list_items(tenant, &page_query, version).await?,
        Some(_) => (state.store.list(tenant, &page_query).await?).map(ListItem::Partner),
    };
    let count = match options.count {
        true => Some(
            state
                .store
                .count(tenant, page_query.filter.as_ref())
                .await?,
        ),
        false => None,
    };
    let root = origin.service_root(version);
    let collection = (root.as_str(), ENTITY_SET);
    let next_link = paging::link_after(&page, &page_query, collection, query.as_deref());
    let context = format!("{root}/$metadata#{ENTITY_SET}{}", select_suffix(select));
    let meta = CollectionMeta {
        context: &context,
        count,
        next_link: next_link.as_deref(),
    };
    let mut body = Vec::with_capacity(256 + page.items.len() * 320);
    wire::write_collection(&mut body, meta, &page.items, version, page.now, select);
    Ok(response::json(StatusCode::OK, body))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/$count`, with `$filter`.
#[utoipa::path(
    get,
    path = "/{version}/deviceManagement/remoteAssistancePartners/$count",
    tag = "{version}",
    operation_id = "{version}.countRemoteAssistancePartners",
    summary = "Count the tenant's partners",
    description = "A `text/plain` integer. `406` when `Accept` excludes `text/plain`.",
    params(CountQuery),
    responses(
        (status = 200, description = "The number of partners", content_type = "text/plain", body = Count, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        ReadErrors,
    ),
)]
pub async fn count_partners(
    State(state): State<AppState>,
    caller: Admitted<Read>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    // A count is a raw value: text/plain unless the client excludes that outright.
    if excludes(&headers, "text/plain") {
        return Err(ApiError::NotAcceptable("text/plain"));
    }
    let options = rapd_odata::parse_count_query(caller.version(), query.as_deref())?;
    let count = state
        .store
        .count(caller.tenant(), options.filter.as_ref())
        .await?;
    Ok(response::plain_text(count.to_string()))
}

/// `GET /{version}/deviceManagement/remoteAssistancePartners/{id}`, with `$select`.
#[utoipa::path(
    get,
    path = "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}",
    tag = "{version}",
    operation_id = "{version}.getRemoteAssistancePartner",
    summary = "Read one partner",
    description = "The bare entity (the Graph docs' `value` wrapper is a docs bug). Another tenant's partner, a missing one and an id that is not a GUID are all `404`.",
    params(PartnerPath, ItemQuery),
    responses(
        (status = 200, description = "The partner", body = PartnerEntityOrSelection, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        ReadOneErrors,
    ),
)]
pub async fn get_partner(
    State(state): State<AppState>,
    caller: Admitted<Read>,
    origin: Origin,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    let options = rapd_odata::parse_item_query(caller.version(), query.as_deref())?;
    let partner = state
        .store
        .get(caller.tenant(), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(entity(
        &state,
        &origin,
        caller.version(),
        &partner,
        StatusCode::OK,
        options.select.as_deref(),
    ))
}

/// `POST /{version}/deviceManagement/remoteAssistancePartners`
#[utoipa::path(
    post,
    path = "/{version}/deviceManagement/remoteAssistancePartners",
    tag = "{version}",
    operation_id = "{version}.createRemoteAssistancePartner",
    summary = "Create a remote assistance partner",
    description = "Needs `DeviceManagementServiceConfig.ReadWrite.All`. Server-managed properties may be sent (the Graph docs' examples do) and are ignored, but are still type-checked.",
    params(ClientRequestIdHeader),
    request_body(content = PartnerInputBody, description = "The partner's writable properties", examples(
        ("graphDocs" = (summary = "The Graph docs' example", value = json!({
            "@odata.type": "#microsoft.graph.remoteAssistancePartner",
            "displayName": "Display Name value",
            "onboardingUrl": "https://example.com/onboardingUrl/",
            "onboardingStatus": "onboarding",
            "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00",
        }))),
    )),
    responses(
        (status = 201, description = "The new partner", body = PartnerEntity, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion),
            ("Location" = String, description = "The new partner's URL."),
        ), links(
            ("GetCreatedPartner" = (operation_id = "{version}.getRemoteAssistancePartner", parameters(("remoteAssistancePartner-id" = "$response.body#/id")))),
            ("UpdateCreatedPartner" = (operation_id = "{version}.updateRemoteAssistancePartner", parameters(("remoteAssistancePartner-id" = "$response.body#/id")))),
            ("BeginOnboardingOfCreatedPartner" = (operation_id = "{version}.beginOnboarding", parameters(("remoteAssistancePartner-id" = "$response.body#/id")))),
            ("DisconnectCreatedPartner" = (operation_id = "{version}.disconnect", parameters(("remoteAssistancePartner-id" = "$response.body#/id")))),
            ("DeleteCreatedPartner" = (operation_id = "{version}.deleteRemoteAssistancePartner", parameters(("remoteAssistancePartner-id" = "$response.body#/id")))),
        )),
        CreateErrors,
    ),
)]
pub async fn create_partner(
    State(state): State<AppState>,
    caller: Admitted<Write>,
    origin: Origin,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let version = caller.version();
    let input = PartnerInput::parse(version, &body)?;
    let mutation = Mutation::Create {
        id: PartnerId::new_random(),
        input,
    };
    let change = caller.mutate(&state, mutation).await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("create made no row".into()))?;
    let mut response = entity(
        &state,
        &origin,
        version,
        &partner,
        StatusCode::CREATED,
        None,
    );
    let location = format!(
        "{}/{ENTITY_SET}/{}",
        origin.service_root(version),
        partner.id
    );
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PATCH /{version}/deviceManagement/remoteAssistancePartners/{id}`
#[utoipa::path(
    patch,
    path = "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}",
    tag = "{version}",
    operation_id = "{version}.updateRemoteAssistancePartner",
    summary = "Update a partner's writable properties",
    description = "Needs `DeviceManagementServiceConfig.ReadWrite.All`. Answers the updated entity.",
    params(PartnerPath),
    request_body(content = PartnerInputBody, description = "The properties to change", examples(
        ("graphDocs" = (value = json!({ "displayName": "Renamed", "onboardingUrl": null }))),
    )),
    responses(
        (status = 200, description = "The updated partner", body = PartnerEntity, headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion))),
        WriteOneErrors,
    ),
)]
pub async fn update_partner(
    State(state): State<AppState>,
    caller: Admitted<Write>,
    origin: Origin,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    let input = PartnerInput::parse(caller.version(), &body)?;
    let mutation = Mutation::Update { id, input };
    let change = caller.mutate(&state, mutation).await?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("update removed the row".into()))?;
    Ok(entity(
        &state,
        &origin,
        caller.version(),
        &partner,
        StatusCode::OK,
        None,
    ))
}

/// `DELETE /{version}/deviceManagement/remoteAssistancePartners/{id}`
#[utoipa::path(
    delete,
    path = "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}",
    tag = "{version}",
    operation_id = "{version}.deleteRemoteAssistancePartner",
    summary = "Delete a partner",
    description = "Needs `DeviceManagementServiceConfig.ReadWrite.All`.",
    params(PartnerPath),
    responses(
        (status = 204, description = "Deleted", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        ReadOneErrors,
    ),
)]
pub async fn delete_partner(
    State(state): State<AppState>,
    caller: Admitted<Write>,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    caller.mutate(&state, Mutation::Delete { id }).await?;
    Ok(response::no_content())
}

/// One partner with `@odata.context` `…/$metadata#deviceManagement/remoteAssistancePartners/$entity`
/// (`…/remoteAssistancePartners(displayName)/$entity` under `$select`).
fn entity(
    state: &AppState,
    origin: &Origin,
    version: ApiVersion,
    partner: &Partner,
    status: StatusCode,
    select: Option<&[Property]>,
) -> Response {
    let root = origin.service_root(version);
    let context = format!(
        "{root}/$metadata#{ENTITY_SET}{}/$entity",
        select_suffix(select)
    );
    let mut body = Vec::with_capacity(512);
    let now = state.clock.now();
    wire::write_partner(&mut body, Some(&context), partner, version, now, select);
    response::json(status, body)
}

/// `(displayName,onboardingStatus)`: how `@odata.context` names a `$select`.
fn select_suffix(select: Option<&[Property]>) -> String {
    select.map_or_else(String::new, |props| {
        let names: Vec<&str> = props.iter().map(|p| p.name()).collect();
        format!("({})", names.join(","))
    })
}
