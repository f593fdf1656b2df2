//! The components: request and response bodies exactly as `rapd_model::wire` writes them and
//! `rapd_model::input` accepts them, and Graph's error body.
//!
//! Patterns end in `(?![\s\S])` rather than `$`: in Python, which generates test data from them,
//! `$` also matches before a final newline, and a value with a trailing newline is not one the
//! server accepts.

use rapd_model::{
    ApiVersion, OnboardingStatus, Property, PropertyKind,
    input::{MAX_DISPLAY_NAME_CHARS, MAX_URL_CHARS},
};
use serde_json::{Map, Value, json};

use super::{BEARER, service_schemas, versions::key};

const PARTNER_ODATA_TYPE: &str = "#microsoft.graph.remoteAssistancePartner";
pub use crate::described::END;

pub fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub fn components() -> Value {
    let mut schemas = Map::new();
    schemas.insert(
        "remoteAssistanceOnboardingStatus".into(),
        json!({
            "type": "string",
            "description": "microsoft.graph.remoteAssistanceOnboardingStatus",
            "enum": OnboardingStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        }),
    );
    schemas.insert(
        "DateTimeOffset".into(),
        json!({
            "type": "string",
            "format": "date-time",
            "description": "Edm.DateTimeOffset in UTC, up to seven fraction digits; `0001-01-01T00:00:00Z` when there is no value yet, as Intune writes it.",
        }),
    );
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        let k = key(version);
        schemas.insert(format!("{k}.remoteAssistancePartner"), partner(version));
        schemas.insert(
            format!("{k}.remoteAssistancePartnerSelection"),
            selection(version),
        );
        schemas.insert(
            format!("{k}.remoteAssistancePartnerEntity"),
            json!({
                "description": "One whole partner as a single-entity response (create, update): `@odata.context` is `…/$metadata#deviceManagement/remoteAssistancePartners/$entity`.",
                "allOf": [
                    schema_ref(&format!("{k}.remoteAssistancePartner")),
                    { "required": ["@odata.context"] },
                ],
            }),
        );
        schemas.insert(
            format!("{k}.remoteAssistancePartnerEntityOrSelection"),
            json!({
                "description": "One partner as `GET` answers it: whole, or projected by `$select`; with `@odata.context`.",
                "allOf": [partner_or_selection(version, true)],
            }),
        );
        schemas.insert(
            format!("{k}.remoteAssistancePartnerCollection"),
            collection(version),
        );
        schemas.insert(format!("{k}.remoteAssistancePartnerInput"), input(version));
    }
    schemas.insert("beta.beginOnboardingInput".into(), begin_onboarding_input());
    schemas.insert("ODataError".into(), odata_error());
    service_schemas::insert(&mut schemas);
    super::extensions::schemas(&mut schemas);
    super::query::schemas(&mut schemas);

    json!({
        "securitySchemes": {
            BEARER: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": format!("An access token for Graph (audience `https://graph.microsoft.com`) from a trusted issuer: `rapd token` mints one from the development issuer. Partner reads need the delegated scope `DeviceManagementServiceConfig.Read.All` or `.ReadWrite.All`; writes and both actions need `.ReadWrite.All`; audit events need {}.", super::extensions::AUDIT_SCOPES),
            },
            super::extensions::PARTNER_CREDENTIAL: super::extensions::security_scheme(),
        },
        "schemas": schemas,
    })
}

/// The schema of one property's value, from the catalogue's kind and nullability.
fn property_schema(property: Property) -> Value {
    let schema = match property.kind() {
        PropertyKind::Guid => json!({ "type": "string", "format": "uuid" }),
        PropertyKind::String if property.nullable() => json!({ "type": ["string", "null"] }),
        PropertyKind::String => json!({ "type": "string" }),
        PropertyKind::DateTime => schema_ref("DateTimeOffset"),
        PropertyKind::Status => schema_ref("remoteAssistanceOnboardingStatus"),
    };
    if property == Property::OnboardingRequestExpiryDateTime {
        return json!({
            "$ref": "#/components/schemas/DateTimeOffset",
            "description": "When the open onboarding request expires; `0001-01-01T00:00:00Z` when none is open.",
        });
    }
    schema
}

/// The properties of `version` (`rapd_model::Property::all`), with `@odata.context` beside them.
fn entity_properties(version: ApiVersion) -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        "@odata.context".into(),
        json!({
            "type": "string",
            "description": "`{service root}/$metadata#deviceManagement/remoteAssistancePartners[(selected)]/$entity`; absent inside a collection.",
        }),
    );
    for &property in Property::all(version) {
        properties.insert(property.name().into(), property_schema(property));
    }
    properties
}

/// The entity as `wire::write_partner` writes it without `$select`: `@odata.type` and every
/// property; `@odata.context` only outside a collection.
fn partner(version: ApiVersion) -> Value {
    let mut properties = entity_properties(version);
    properties.insert(
        "@odata.type".into(),
        json!({ "type": "string", "const": PARTNER_ODATA_TYPE }),
    );
    let mut required = vec!["@odata.type"];
    required.extend(Property::all(version).iter().map(|p| p.name()));
    json!({
        "type": "object",
        "description": format!("microsoft.graph.remoteAssistancePartner as Graph {} writes it.", version.segment()),
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

/// The entity under `$select`: only the properties asked for (at least one), no `@odata.type`.
fn selection(version: ApiVersion) -> Value {
    json!({
        "type": "object",
        "description": "A partner under `$select` (other than `*`): the selected properties only, without `@odata.type`.",
        "additionalProperties": false,
        "minProperties": 1,
        "properties": entity_properties(version),
    })
}

/// A partner as a list or a `GET` of one answers it: whole, or as `$select` projects it.
fn partner_or_selection(version: ApiVersion, with_context: bool) -> Value {
    let k = key(version);
    let either = |name: String| {
        if with_context {
            json!({ "allOf": [schema_ref(&name), { "required": ["@odata.context"] }] })
        } else {
            schema_ref(&name)
        }
    };
    json!({
        "anyOf": [
            either(format!("{k}.remoteAssistancePartner")),
            either(format!("{k}.remoteAssistancePartnerSelection")),
        ],
    })
}

fn collection(version: ApiVersion) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["@odata.context", "value"],
        "properties": {
            "@odata.context": {
                "type": "string",
                "description": "`{service root}/$metadata#deviceManagement/remoteAssistancePartners[(selected)]`",
            },
            "@odata.count": { "type": "integer", "minimum": 0, "description": "With `$count=true`: the number of partners the filter matches, on every page." },
            "@odata.nextLink": {
                "type": "string",
                "format": "uri",
                "description": "The absolute URL of the next page, when there is one; it carries `$skiptoken`.",
            },
            "value": {
                "type": "array",
                "items": partner_or_selection(version, false),
            },
        },
    })
}

/// Text without NUL (U+0000): the server refuses it in every string it stores, on both engines.
fn no_nul() -> String {
    format!(r"^[^\x00]*{END}")
}

/// A create or update body, as `PartnerInput::parse` reads it.
fn input(version: ApiVersion) -> Value {
    let ignored = "Server-managed: accepted and ignored, but type-checked.";
    let mut properties = json!({
        "@odata.type": {
            "type": "string",
            "enum": [PARTNER_ODATA_TYPE],
            "description": "May be omitted; if sent, the entity's own type (compared without regard to case).",
        },
        "@odata.context": { "description": "An annotation copied from a GET: ignored, whatever its value." },
        "@odata.id": { "description": "Ignored, whatever its value." },
        "@odata.etag": { "description": "Ignored, whatever its value." },
        "@odata.editLink": { "description": "Ignored, whatever its value." },
        "displayName": {
            "type": ["string", "null"],
            "maxLength": MAX_DISPLAY_NAME_CHARS,
            "pattern": no_nul(),
        },
        "onboardingUrl": {
            "type": ["string", "null"],
            "maxLength": MAX_URL_CHARS,
            "pattern": no_nul(),
            "description": format!("Any string without NUL, as Microsoft's CSDL declares it (`Edm.String`), at most {MAX_URL_CHARS} characters. rapd stores it and never fetches it."),
        },
        "id": {
            "type": ["string", "null"],
            "readOnly": true,
            "description": "Server-managed: the server assigns ids, so a sent one is ignored (but type-checked).",
        },
        "onboardingStatus": {
            "$ref": "#/components/schemas/remoteAssistanceOnboardingStatus",
            "description": ignored,
        },
        "lastConnectionDateTime": {
            "$ref": "#/components/schemas/DateTimeOffset",
            "description": ignored,
        },
    });
    if version == ApiVersion::Beta {
        properties["onboardingRequestExpiryDateTime"] = json!({
            "$ref": "#/components/schemas/DateTimeOffset",
            "description": ignored,
        });
    }
    json!({
        "type": "object",
        "description": "The writable properties of a partner. Unknown properties, wrong JSON types and `null` on a non-nullable property are `400`.",
        "additionalProperties": false,
        "properties": properties,
    })
}

fn begin_onboarding_input() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "partnerDomain": {
                "type": ["string", "null"],
                "maxLength": MAX_URL_CHARS,
                "pattern": no_nul(),
                "description": format!("The partner account domain the tenant onboards to; at most {MAX_URL_CHARS} characters."),
            },
        },
    })
}

/// Graph's error body, as `envelope.rs` writes it.
fn odata_error() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "additionalProperties": false,
                "required": ["code", "message", "innerError"],
                "properties": {
                    "code": { "type": "string" },
                    "message": {
                        "type": "string",
                        "description": "Plain text, or for Intune-layer errors (400 validation, 403, 404, 429, 500) Intune's `_version: 3` JSON document encoded as a string.",
                    },
                    "innerError": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["date", "request-id", "client-request-id"],
                        "properties": {
                            "date": {
                                "type": "string",
                                "pattern": format!("^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}{END}"),
                                "description": "UTC, without fraction or zone, as Graph writes it.",
                            },
                            "request-id": { "type": "string", "format": "uuid" },
                            "client-request-id": { "type": "string" },
                        },
                    },
                },
            },
        },
    })
}
