//! The test-control API under `/_rapd/` (`rapd_control`), documented only when the server serves
//! it.

use rapd_control::{MAX_FIXTURE_BYTES, MAX_LATENCY_MS, MAX_RETRY_AFTER_SECS, PREFIX};
use serde_json::{Map, Value, json};

use super::schemas::{header_refs, response_ref, schema_ref};

/// The security scheme of the test-control API: its admin token.
pub const CONTROL_ADMIN: &str = "controlAdmin";

fn operation(id: &str, summary: &str, ok: (u16, Value)) -> Value {
    let mut responses = Map::new();
    responses.insert(ok.0.to_string(), ok.1);
    responses.insert("400".into(), response_ref(400));
    responses.insert(
        "401".into(),
        json!({ "$ref": "#/components/responses/ControlUnauthorized" }),
    );
    responses.insert(
        "403".into(),
        json!({ "$ref": "#/components/responses/ControlForbidden" }),
    );
    responses.insert("500".into(), response_ref(500));
    responses.insert("503".into(), response_ref(503));
    json!({
        "tags": ["control"],
        "operationId": id,
        "summary": summary,
        "description": "Test control: loopback clients only (unless `control.allow_remote`), with the admin token that `rapd control-token` prints. See docs/test-control.md.",
        "security": [{ CONTROL_ADMIN: [] }],
        "responses": responses,
    })
}

fn json_ok(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "headers": header_refs(&["request-id", "client-request-id"]),
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

fn no_content(description: &str) -> Value {
    json!({ "description": description, "headers": header_refs(&["request-id", "client-request-id"]) })
}

fn tenant_parameter() -> Value {
    json!({
        "name": "tenant", "in": "query", "required": false,
        "description": "One tenant; absent: every tenant.",
        "schema": { "type": "string", "format": "uuid" },
    })
}

pub fn paths(paths: &mut Map<String, Value>) {
    let mut reset = operation(
        "control.reset",
        "Delete one tenant's state, or every tenant's",
        (204, no_content("Reset")),
    );
    reset["parameters"] = json!([tenant_parameter()]);
    paths.insert(format!("{PREFIX}/reset"), json!({ "post": reset }));

    let mut seed = operation(
        "control.seed",
        "Write a fixture: all of it, or nothing",
        (200, json_ok("Seeded", "ControlSeedResult")),
    );
    seed["requestBody"] = json!({
        "required": true,
        "content": { "application/json": { "schema": schema_ref("ControlFixture") } },
    });
    seed["responses"]["413"] = response_ref(413);
    seed["description"] = json!(format!(
        "At most {MAX_FIXTURE_BYTES} bytes. {}",
        seed["description"].as_str().unwrap_or_default()
    ));
    paths.insert(format!("{PREFIX}/seed"), json!({ "post": seed }));

    let mut export = operation(
        "control.export",
        "The state as a fixture",
        (200, json_ok("The fixture", "ControlFixture")),
    );
    export["parameters"] = json!([tenant_parameter()]);
    paths.insert(format!("{PREFIX}/export"), json!({ "get": export }));

    let mut list = operation(
        "control.listRequests",
        "The request log, newest first",
        (200, json_ok("The newest requests", "ControlRequestLog")),
    );
    list["parameters"] = json!([{
        "name": "limit", "in": "query", "required": false,
        "description": "How many entries, 1 to the log's capacity; default 100 (or the capacity).",
        "schema": { "type": "integer", "minimum": 1 },
    }]);
    let clear = operation(
        "control.clearRequests",
        "Empty the request log",
        (204, no_content("Emptied")),
    );
    paths.insert(
        format!("{PREFIX}/requests"),
        json!({ "get": list, "delete": clear }),
    );

    let faults = operation(
        "control.listFaults",
        "The fault rules",
        (200, json_ok("The rules", "ControlFaultRules")),
    );
    let mut add = operation(
        "control.addFault",
        "Add a fault rule",
        (201, json_ok("The rule", "ControlFaultRule")),
    );
    add["requestBody"] = json!({
        "required": true,
        "content": { "application/json": {
            "schema": schema_ref("ControlFaultRuleInput"),
            "examples": { "next429": { "value": {
                "method": "GET",
                "path": "/{version}/deviceManagement/remoteAssistancePartners",
                "status": 429, "retryAfterSeconds": 1, "count": 1,
            }}},
        }},
    });
    let clear = operation(
        "control.clearFaults",
        "Remove every fault rule",
        (204, no_content("Cleared")),
    );
    paths.insert(
        format!("{PREFIX}/faults"),
        json!({ "get": faults, "post": add, "delete": clear }),
    );
}

pub fn security_scheme() -> Value {
    json!({
        "type": "http",
        "scheme": "bearer",
        "description": "The test-control admin token (`rapd control-token`); not a Graph token.",
    })
}

pub fn responses(into: &mut Map<String, Value>) {
    into.insert(
        "ControlForbidden".into(),
        json!({
            "description": "The client is not on a loopback address and `control.allow_remote` is off (`Forbidden`).",
            "headers": header_refs(&["request-id", "client-request-id"]),
            "content": { "application/json": { "schema": schema_ref("ODataError") } },
        }),
    );
    into.insert(
        "ControlUnauthorized".into(),
        json!({
            "description": "No admin token, or the wrong one (`Unauthorized`).",
            "headers": {
                "request-id": { "$ref": "#/components/headers/RequestId" },
                "client-request-id": { "$ref": "#/components/headers/ClientRequestId" },
                "WWW-Authenticate": {
                    "description": "`Bearer realm=\"rapd-control\"`",
                    "required": true,
                    "schema": { "type": "string", "pattern": "^Bearer " },
                },
            },
            "content": { "application/json": { "schema": schema_ref("ODataError") } },
        }),
    );
}

pub fn schemas(into: &mut Map<String, Value>) {
    let nullable_string = json!({ "type": ["string", "null"] });
    into.insert(
        "ControlFixture".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": { "tenants": { "type": "array", "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["id"],
                "properties": {
                    "id": { "type": "string", "format": "uuid" },
                    "displayName": nullable_string,
                    "intuneLicensed": { "type": "boolean" },
                    "settings": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["remoteAssistanceState", "allowSessionsToUnenrolledDevices", "blockChat"],
                        "properties": {
                            "remoteAssistanceState": { "enum": ["disabled", "enabled"] },
                            "allowSessionsToUnenrolledDevices": { "type": "boolean" },
                            "blockChat": { "type": "boolean" },
                        },
                    },
                    "partners": { "type": "array", "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "id": { "type": ["string", "null"], "format": "uuid" },
                            "displayName": nullable_string,
                            "onboardingUrl": nullable_string,
                            "onboardingStatus": { "enum": ["notOnboarded", "onboarding", "onboarded", null] },
                            "lastConnectionDateTime": { "type": ["string", "null"], "format": "date-time" },
                            "onboardingRequestExpiryDateTime": { "type": ["string", "null"], "format": "date-time" },
                            "partnerDomain": nullable_string,
                        },
                    }},
                },
            }}},
        }),
    );
    into.insert(
        "ControlSeedResult".into(),
        json!({
            "type": "object",
            "required": ["tenants", "partners"],
            "properties": { "tenants": { "type": "integer" }, "partners": { "type": "integer" } },
        }),
    );
    into.insert(
        "ControlRequestLog".into(),
        json!({
            "type": "object",
            "required": ["capacity", "recorded", "value"],
            "properties": {
                "capacity": { "type": "integer" },
                "recorded": { "type": "integer" },
                "value": { "type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "sequence": { "type": "integer" },
                        "dateTime": { "type": "string" },
                        "method": { "type": "string" },
                        "path": { "type": "string", "maxLength": 128 },
                        "status": { "type": "integer" },
                        "durationMs": { "type": "number" },
                        "requestId": { "type": "string", "format": "uuid" },
                        "tenantId": { "type": ["string", "null"] },
                    },
                }},
            },
        }),
    );
    let rule_properties = json!({
        "method": { "type": "string" },
        "path": { "type": "string", "minLength": 1, "maxLength": 512 },
        "status": { "enum": [429, 500, 503] },
        "probability": { "type": "number", "minimum": 0, "maximum": 1 },
        "retryAfterSeconds": { "type": "integer", "minimum": 0, "maximum": MAX_RETRY_AFTER_SECS },
        "latencyMs": { "type": "array", "minItems": 2, "maxItems": 2,
                       "items": { "type": "integer", "minimum": 0, "maximum": MAX_LATENCY_MS } },
        "count": { "type": "integer", "minimum": 1 },
    });
    into.insert(
        "ControlFaultRuleInput".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["path"],
            "properties": rule_properties,
        }),
    );
    into.insert(
        "ControlFaultRule".into(),
        json!({ "type": "object", "required": ["id", "path"], "properties": { "id": { "type": "integer" } } }),
    );
    into.insert(
        "ControlFaultRules".into(),
        json!({
            "type": "object",
            "required": ["value"],
            "properties": { "value": { "type": "array", "items": schema_ref("ControlFaultRule") } },
        }),
    );
}
