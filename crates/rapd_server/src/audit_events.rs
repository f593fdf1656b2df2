//! `GET /{version}/deviceManagement/auditEvents`: the tenant's audit trail in Intune's
//! `auditEvent` shape as each version's CSDL declares it, oldest first, with `$filter` on
//! `activityDateTime`, `category` and `activityType`, `$top` and server-driven paging.
//! <https://learn.microsoft.com/graph/api/intune-auditing-auditevent-list>

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use http::{HeaderMap, StatusCode};
use rapd_model::{ApiVersion, AuditEntry, audit};
use rapd_store::{AuditPageQuery, AuditPosition};
use serde_json::{Value, json};

use crate::{
    admission::{Admitted, AuditRead},
    described::operations::{AuditEventCollection, AuditEventsQuery},
    described::{ClientRequestId, ODataVersion, PlainReadErrors, RequestId},
    error::ApiError,
    openapi::AUDIT_SCOPES,
    paging, response,
    state::AppState,
};

const ENTITY_SET: &str = "deviceManagement/auditEvents";

/// `GET /{version}/deviceManagement/auditEvents`
#[utoipa::path(
    get,
    path = "/{version}/deviceManagement/auditEvents",
    tag = "{version}",
    operation_id = "{version}.listAuditEvents",
    summary = "List the tenant's audit events",
    description = format!("Intune's `auditEvent`s of every accepted change, oldest first, in pages. Needs {AUDIT_SCOPES}."),
    params(AuditEventsQuery),
    responses(
        (status = 200, description = "The tenant's audit events, oldest first", body = AuditEventCollection, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion),
        )),
        PlainReadErrors,
    ),
)]
pub async fn list_audit_events(
    State(state): State<AppState>,
    caller: Admitted<AuditRead>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let version = caller.version();
    let options = rapd_odata::parse_audit_query(version, query.as_deref())?;
    let after = match &options.skip_token {
        Some(token) => Some(decode_token(token)?),
        None => None,
    };
    let page_query = AuditPageQuery {
        conditions: options.filter,
        after,
        limit: options.top.unwrap_or(rapd_odata::DEFAULT_PAGE_SIZE),
    };
    let page = state.store.audit_page(caller.tenant(), &page_query).await?;
    let root = state.service_root(&headers, version);
    let mut body = json!({
        "@odata.context": format!("{root}/$metadata#{ENTITY_SET}"),
        "value": page.items.iter().map(|(_, e)| audit_event(e, version)).collect::<Vec<_>>(),
    });
    if let (true, Some((position, _))) = (page.more, page.items.last()) {
        let token = URL_SAFE_NO_PAD.encode(encode_position(*position));
        let link = paging::next_link(&format!("{root}/{ENTITY_SET}"), query.as_deref(), &token);
        body["@odata.nextLink"] = json!(link);
    }
    Ok(response::json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    ))
}

/// `seq:N` for a record numbered per tenant (`xact` 0, as every token issued before PostgreSQL
/// ordered records by transaction), `seq:X.N` otherwise.
fn encode_position(p: AuditPosition) -> String {
    match p.xact {
        0 => format!("seq:{}", p.seq),
        xact => format!("seq:{xact}.{}", p.seq),
    }
}

fn decode_token(token: &str) -> Result<AuditPosition, ApiError> {
    let text = URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let position = text.as_deref().and_then(|s| s.strip_prefix("seq:"));
    let parsed = match position.map(|p| p.split_once('.')) {
        Some(Some((xact, seq))) => xact.parse().ok().zip(seq.parse().ok()),
        Some(None) => position.and_then(|p| p.parse().ok()).map(|seq| (0, seq)),
        None => None,
    };
    parsed
        .map(|(xact, seq)| AuditPosition { xact, seq })
        .ok_or(ApiError::InvalidSkipToken)
}

/// One record as Intune's `auditEvent` in `version`: exactly the properties that version's CSDL
/// declares (`metadata/`). Beta's `auditActor` and `auditResource` add `type` (beside
/// `auditActorType`/`auditResourceType`) and the actor's `userRoleScopeTags`, `remoteTenantId`
/// and `remoteUserId`, which rapd has nothing for.
fn audit_event(e: &AuditEntry, version: ApiVersion) -> Value {
    let activity = e.kind.activity_type();
    let modified: Vec<Value> = e
        .modified_properties_in(version)
        .map(|m| {
            json!({
                "@odata.type": "microsoft.graph.auditProperty",
                "displayName": m.display_name,
                "oldValue": m.old_value,
                "newValue": m.new_value,
            })
        })
        .collect();
    let mut actor = json!({
        "@odata.type": "microsoft.graph.auditActor",
        "auditActorType": e.actor.actor_type,
        "userPermissions": [],
        "applicationId": e.actor.application_id,
        "applicationDisplayName": null,
        "userPrincipalName": e.actor.user_principal_name,
        "servicePrincipalName": null,
        "ipAddress": e.actor.ip_address,
        "userId": e.actor.user_id,
    });
    let mut resource = json!({
        "@odata.type": "microsoft.graph.auditResource",
        "displayName": e.resource_display_name,
        "modifiedProperties": modified,
        "auditResourceType": e.kind.resource_type(),
        "resourceId": e.resource_id.to_string(),
    });
    if version == ApiVersion::Beta {
        actor["type"] = json!(e.actor.actor_type);
        actor["userRoleScopeTags"] = json!([]);
        actor["remoteTenantId"] = Value::Null;
        actor["remoteUserId"] = Value::Null;
        resource["type"] = json!(e.kind.resource_type());
    }
    json!({
        "@odata.type": "#microsoft.graph.auditEvent",
        "id": e.id.to_string(),
        "displayName": activity,
        "componentName": audit::COMPONENT_NAME,
        "actor": actor,
        "activity": activity,
        "activityDateTime": e.activity_date_time.to_string(),
        "activityType": activity,
        "activityOperationType": e.kind.operation_type(),
        "activityResult": "Success",
        "correlationId": e.correlation_id.to_string(),
        "resources": [resource],
        "category": audit::CATEGORY,
    })
}
