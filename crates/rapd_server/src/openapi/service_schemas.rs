//! The bodies of `$batch`: its request and response envelopes.

use serde_json::{Map, Value, json};

use super::schemas::{END, schema_ref};
use crate::batch::MAX_BATCH_REQUESTS;

/// Adds this file's schemas to the components.
pub(super) fn insert(schemas: &mut Map<String, Value>) {
    schemas.insert("BatchRequest".into(), batch_request());
    schemas.insert("BatchRequestItem".into(), batch_request_item());
    schemas.insert("BatchResponse".into(), batch_response());
}

/// The envelope `batch::validate` accepts.
fn batch_request() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["requests"],
        "properties": {
            "requests": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH_REQUESTS,
                "items": schema_ref("BatchRequestItem"),
                "description": "The `id`s are unique, and `dependsOn` names only other requests of the batch, without cycles (JSON Schema cannot say so; a batch that breaks either rule is `400`).",
            },
        },
    })
}

/// A relative URL `batch::relative_path` accepts and `http::Uri` parses once the version is put
/// in front: not `//…`, no `://`, something left after the version that is not `$batch`, and only
/// characters a request target may hold (the path's, then the query's; a fragment is dropped).
fn batch_url_pattern() -> String {
    format!(
        r##"^(?!//)(?![\s\S]*://)(?!/?(?:(?:v1\.0|beta)/)?(?:\$batch|{END}))[^\x00-\x20#<>?`\x7f]*(?:\?[^\x00-\x20"#<>\x7f]*)?(?:#[\s\S]*)?{END}"##
    )
}

fn batch_request_item() -> Value {
    let method = "(?:[Gg][Ee][Tt]|[Pp][Oo][Ss][Tt]|[Pp][Aa][Tt][Cc][Hh]|[Pp][Uu][Tt]|[Dd][Ee][Ll][Ee][Tt][Ee])";
    let content_type = "[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Tt][Yy][Pp][Ee]";
    let authorization = "[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]";
    json!({
        "type": "object",
        "required": ["id", "method", "url"],
        "description": "One inner request. Other properties are ignored, as Graph ignores them.",
        "properties": {
            "id": { "type": "string", "minLength": 1 },
            "method": {
                "type": "string",
                "pattern": format!("^{method}{END}"),
                "description": "GET, POST, PATCH, PUT or DELETE, in any case.",
            },
            "url": {
                "type": "string",
                "pattern": batch_url_pattern(),
                "description": "Relative to the version (`/deviceManagement/remoteAssistancePartners`), optionally starting with the version segment; absolute URLs and nested `$batch` are refused.",
            },
            "headers": {
                "type": "object",
                "description": "The inner request's headers; not `Authorization`, which comes from the batch.",
                "propertyNames": {
                    "pattern": format!("^[!#$%&'*+.^_`|~0-9A-Za-z-]+{END}"),
                    "not": { "pattern": format!("^{authorization}{END}") },
                },
                "additionalProperties": {
                    "type": "string",
                    "pattern": format!(r"^[^\x00-\x08\x0a-\x1f\x7f]*{END}"),
                },
            },
            "body": { "description": "Any JSON value; sent as the inner request's body unless `null`." },
            "dependsOn": { "type": "array", "items": { "type": "string" } },
            "atomicityGroup": { "description": "Accepted and ignored." },
        },
        "if": {
            "required": ["body"],
            "properties": { "body": { "not": { "type": "null" } } },
        },
        "then": {
            "required": ["headers"],
            "properties": { "headers": {
                "description": "A request with a body declares its Content-Type (the name in any case).",
                "not": { "propertyNames": { "not": { "pattern": format!("^{content_type}{END}") } } },
            } },
        },
    })
}

fn batch_response() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["responses"],
        "properties": {
            "responses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["id", "status", "headers"],
                    "properties": {
                        "id": { "type": "string" },
                        "status": { "type": "integer", "minimum": 100, "maximum": 599 },
                        "headers": { "type": "object", "additionalProperties": { "type": "string" } },
                        "body": { "description": "The inner body: JSON as JSON, anything else as a string." },
                    },
                },
            },
        },
    })
}
