//! What the routes beside `remoteAssistancePartners` name: the schemas of Intune's audit trail
//! (`GET /{version}/deviceManagement/auditEvents`, `audit_events.rs`) and of beta's settings
//! singleton (`settings.rs`), and the security scheme of rapd's own
//! partner API (`partner_api.rs`).

use rapd_model::{ApiVersion, audit};

use serde_json::{Map, Value, json};

use super::{schemas::schema_ref, versions::key};

const SETTINGS_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistanceSettings";

/// The security scheme of the partner API: the credential `POST /partner/v1/onboarding` issues.
pub const PARTNER_CREDENTIAL: &str = "partnerCredential";
/// The scopes `GET …/auditEvents` accepts (`rapd_auth`'s `Permission::AuditRead`).
pub const AUDIT_SCOPES: &str =
    "`DeviceManagementApps.Read.All` or `DeviceManagementApps.ReadWrite.All`";

pub fn security_scheme() -> Value {
    json!({
        "type": "http",
        "scheme": "bearer",
        "description": "The partner credential (`rap1.…`) that `POST /partner/v1/onboarding` returns; not a Graph token.",
    })
}

pub fn schemas(into: &mut Map<String, Value>) {
    let states = json!({ "type": "string", "enum": ["disabled", "enabled"] });
    into.insert(
        "beta.remoteAssistanceSettings".into(),
        json!({
            "type": "object",
            "description": "microsoft.graph.remoteAssistanceSettings (beta), with `@odata.context` `…/$metadata#deviceManagement/remoteAssistanceSettings/$entity`.",
            "additionalProperties": false,
            "required": [
                "@odata.context", "@odata.type", "id", "remoteAssistanceState",
                "allowSessionsToUnenrolledDevices", "blockChat",
            ],
            "properties": {
                "@odata.context": { "type": "string" },
                "@odata.type": { "type": "string", "const": SETTINGS_ODATA_TYPE },
                "id": { "type": "string", "format": "uuid", "description": "The tenant's id." },
                "remoteAssistanceState": states,
                "allowSessionsToUnenrolledDevices": { "type": "boolean" },
                "blockChat": { "type": "boolean" },
            },
        }),
    );
    into.insert(
        "beta.remoteAssistanceSettingsInput".into(),
        json!({
            "type": "object",
            "description": "A PATCH of the settings: unknown properties, `null` and wrong types are `400`.",
            "additionalProperties": false,
            "properties": {
                "@odata.type": { "type": "string", "enum": [SETTINGS_ODATA_TYPE] },
                "@odata.context": { "description": "Ignored, whatever its value." },
                "id": { "readOnly": true, "description": "Ignored, whatever its value: the singleton's id is the tenant's." },
                "remoteAssistanceState": states,
                "allowSessionsToUnenrolledDevices": { "type": "boolean" },
                "blockChat": { "type": "boolean" },
            },
        }),
    );

    for version in [ApiVersion::V1, ApiVersion::Beta] {
        let k = key(version);
        into.insert(format!("{k}.auditEvent"), audit_event(version));
        into.insert(
            format!("{k}.auditEventCollection"),
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["@odata.context", "value"],
                "properties": {
                    "@odata.context": { "type": "string" },
                    "@odata.nextLink": {
                        "type": "string",
                        "format": "uri",
                        "description": "The absolute URL of the next page, when there is one.",
                    },
                    "value": { "type": "array", "items": schema_ref(&format!("{k}.auditEvent")) },
                },
            }),
        );
    }
}

/// `microsoft.graph.auditEvent` as `audit_events.rs` writes it in `version`: the properties of
/// that version's CSDL, so beta's actor and resource have more than v1.0's.
fn audit_event(version: ApiVersion) -> Value {
    let nullable = json!({ "type": ["string", "null"] });
    let mut actor_required = vec![
        "@odata.type",
        "auditActorType",
        "userPermissions",
        "applicationId",
        "applicationDisplayName",
        "userPrincipalName",
        "servicePrincipalName",
        "ipAddress",
        "userId",
    ];
    let mut actor = json!({
        "@odata.type": { "type": "string", "const": "microsoft.graph.auditActor" },
        "auditActorType": { "type": "string" },
        "userPermissions": { "type": "array", "items": { "type": "string" } },
        "applicationId": nullable,
        "applicationDisplayName": nullable,
        "userPrincipalName": nullable,
        "servicePrincipalName": nullable,
        "ipAddress": nullable,
        "userId": nullable,
    });
    let mut resource_required = vec![
        "@odata.type",
        "displayName",
        "modifiedProperties",
        "auditResourceType",
        "resourceId",
    ];
    let mut resource = json!({
        "@odata.type": { "type": "string", "const": "microsoft.graph.auditResource" },
        "displayName": nullable,
        "modifiedProperties": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["@odata.type", "displayName", "oldValue", "newValue"],
                "properties": {
                    "@odata.type": { "type": "string", "const": "microsoft.graph.auditProperty" },
                    "displayName": { "type": "string" },
                    "oldValue": nullable,
                    "newValue": nullable,
                },
            },
        },
        "auditResourceType": { "type": "string" },
        "resourceId": { "type": "string", "format": "uuid" },
    });
    if version == ApiVersion::Beta {
        actor_required.extend([
            "type",
            "userRoleScopeTags",
            "remoteTenantId",
            "remoteUserId",
        ]);
        actor["type"] = json!({ "type": "string" });
        actor["userRoleScopeTags"] = json!({
            "type": "array",
            "description": "microsoft.graph.roleScopeTagInfo; rapd records none.",
            "items": {
                "type": "object",
                "properties": {
                    "displayName": nullable,
                    "roleScopeTagId": nullable,
                },
            },
        });
        actor["remoteTenantId"] = nullable.clone();
        actor["remoteUserId"] = nullable.clone();
        resource_required.push("type");
        resource["type"] = json!({ "type": "string" });
    }
    json!({
        "type": "object",
        "description": format!("microsoft.graph.auditEvent ({}), as Intune writes it for this resource.", version.segment()),
        "additionalProperties": false,
        "required": [
            "@odata.type", "id", "displayName", "componentName", "actor", "activity",
            "activityDateTime", "activityType", "activityOperationType", "activityResult",
            "correlationId", "resources", "category",
        ],
        "properties": {
            "@odata.type": { "type": "string", "const": "#microsoft.graph.auditEvent" },
            "id": { "type": "string", "format": "uuid" },
            "displayName": { "type": "string" },
            "componentName": { "type": "string", "const": audit::COMPONENT_NAME },
            "actor": {
                "type": "object",
                "additionalProperties": false,
                "required": actor_required,
                "properties": actor,
            },
            "activity": { "type": "string" },
            "activityDateTime": schema_ref("DateTimeOffset"),
            "activityType": { "type": "string" },
            "activityOperationType": { "type": "string" },
            "activityResult": { "type": "string" },
            "correlationId": { "type": "string", "format": "uuid" },
            "resources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": resource_required,
                    "properties": resource,
                },
            },
            "category": { "type": "string", "const": audit::CATEGORY },
        },
    })
}
