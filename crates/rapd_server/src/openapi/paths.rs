//! The operations: each route of `routing.rs`, with every status its extractors and handler can
//! answer (the table is `error.rs`; which errors an operation can meet follows from what it
//! extracts: `require_json_accept` gives 406, `Authenticated` 400/401/403/429, `JsonBody` 413/415,
//! a store call 500/503, an `{id}` 404).

use rapd_model::ApiVersion;
use serde_json::{Map, Value, json};

use super::schemas::{header_refs, response_ref, schema_ref};

/// The entity set under each version, as `routing.rs` serves it.
pub const ENTITY_SET: &str = "deviceManagement/remoteAssistancePartners";
/// The name of the key segment's parameter, as the Graph docs write it.
pub const ID_PARAM: &str = "remoteAssistancePartner-id";

/// The statuses every Graph operation that reads can answer besides its success: a query option
/// or a second credential (400), the token (401), permission or licence (403), `Accept` (406),
/// throttling (429), an internal error (500), load shedding or storage (503).
const READ: &[u16] = &[400, 401, 403, 406, 429, 500, 503];
/// A read of one partner adds 404.
const READ_ONE: &[u16] = &[400, 401, 403, 404, 406, 429, 500, 503];
/// A write with a body to one partner adds 404, 413 and 415.
const WRITE_ONE: &[u16] = &[400, 401, 403, 404, 406, 413, 415, 429, 500, 503];
/// `DELETE` reads no body.
const DELETE: &[u16] = &[400, 401, 403, 404, 406, 429, 500, 503];
/// A create adds 409 (a generated id that exists already) and has no 404.
const CREATE: &[u16] = &[400, 401, 403, 406, 409, 413, 415, 429, 500, 503];
/// `$count` checks `Accept` itself, for `text/plain`.
const COUNT: &[u16] = &[400, 401, 403, 406, 429, 500, 503];
/// `$batch`: the envelope (400, 413, 415) and its token (401); inner answers come back in the 200.
const BATCH: &[u16] = &[400, 401, 413, 415, 500, 503];

/// The prefix of a version's component and operation names: `v1` or `beta`.
pub fn key(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "v1",
        ApiVersion::Beta => "beta",
    }
}

pub fn paths() -> Value {
    let mut paths = Map::new();
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        graph_paths(version, &mut paths);
    }
    super::extensions::paths(&mut paths);
    Value::Object(paths)
}

fn graph_paths(version: ApiVersion, paths: &mut Map<String, Value>) {
    let v = version.segment();
    let collection = format!("/{v}/{ENTITY_SET}");
    let item = format!("{collection}/{{{ID_PARAM}}}");
    paths.insert(
        collection.clone(),
        json!({ "get": list(version), "post": create(version) }),
    );
    paths.insert(
        format!("{collection}/$count"),
        json!({ "get": count(version) }),
    );
    paths.insert(
        item.clone(),
        json!({ "get": get(version), "patch": update(version), "delete": delete(version) }),
    );
    paths.insert(
        format!("{item}/beginOnboarding"),
        json!({ "post": begin_onboarding(version) }),
    );
    paths.insert(
        format!("{item}/disconnect"),
        json!({ "post": disconnect(version) }),
    );
    paths.insert(format!("/{v}/$batch"), json!({ "post": batch(version) }));
}

/// `responses` with the given successes and a reference to the shared response of each error.
fn responses(successes: Vec<(u16, Value)>, errors: &[u16]) -> Value {
    let mut map = Map::new();
    for (status, response) in successes {
        map.insert(status.to_string(), response);
    }
    for &status in errors {
        map.insert(status.to_string(), response_ref(status));
    }
    Value::Object(map)
}

/// The parameters of an operation on one partner: its id, then `client-request-id`.
fn id_parameters(extra: &[&str]) -> Value {
    let mut params = vec![parameter_ref("PartnerId")];
    params.extend(extra.iter().map(|p| parameter_ref(p)));
    params.push(parameter_ref("ClientRequestId"));
    Value::Array(params)
}

fn parameter_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// A JSON success: Graph's OData content type and `OData-Version: 4.0`.
fn json_success(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "headers": header_refs(&["request-id", "client-request-id", "OData-Version"]),
        "content": { "application/json": { "schema": schema } },
    })
}

fn no_content(description: &str) -> Value {
    json!({
        "description": description,
        "headers": header_refs(&["request-id", "client-request-id"]),
    })
}

/// One partner as a single-entity response: the entity with `@odata.context` `…/$entity`.
fn entity(version: ApiVersion) -> Value {
    schema_ref(&format!("{}.remoteAssistancePartnerEntity", key(version)))
}

fn partner_body(version: ApiVersion, description: &str, example: Value) -> Value {
    json!({
        "required": true,
        "description": description,
        "content": { "application/json": {
            "schema": schema_ref(&format!("{}.remoteAssistancePartnerInput", key(version))),
            "examples": { "graphDocs": { "summary": "The Graph docs' example", "value": example } },
        } },
    })
}

/// The request body of the Graph docs' create and update examples (server-managed values
/// included, as the docs send them).
fn docs_example_body() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.remoteAssistancePartner",
        "displayName": "Display Name value",
        "onboardingUrl": "https://example.com/onboardingUrl/",
        "onboardingStatus": "onboarding",
        "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00",
    })
}

fn op_id(version: ApiVersion, name: &str) -> String {
    format!("{}.{name}", key(version))
}

fn docs(page: &str) -> Value {
    json!({ "url": format!("https://learn.microsoft.com/graph/api/{page}") })
}

fn list(version: ApiVersion) -> Value {
    let k = key(version);
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "listRemoteAssistancePartners"),
        "summary": "List the tenant's remote assistance partners",
        "description": "Needs `DeviceManagementServiceConfig.Read.All` or `.ReadWrite.All`. The tenant is the token's `tid`.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-list"),
        "parameters": [
            parameter_ref(&format!("{k}.filter")), parameter_ref(&format!("{k}.orderby")),
            parameter_ref(&format!("{k}.select")), parameter_ref("top"), parameter_ref("skip"),
            parameter_ref("count"), parameter_ref("skiptoken"), parameter_ref("ClientRequestId"),
        ],
        "responses": responses(
            vec![(200, json_success(
                "The partners of the caller's tenant",
                schema_ref(&format!("{k}.remoteAssistancePartnerCollection")),
            ))],
            READ,
        ),
    })
}

fn create(version: ApiVersion) -> Value {
    let mut created = json_success("The new partner", entity(version));
    created["headers"]["Location"] = json!({ "$ref": "#/components/headers/Location" });
    let target = |name: &str| {
        json!({
            "operationId": op_id(version, name),
            "parameters": { ID_PARAM: "$response.body#/id" },
        })
    };
    created["links"] = json!({
        "GetCreatedPartner": target("getRemoteAssistancePartner"),
        "UpdateCreatedPartner": target("updateRemoteAssistancePartner"),
        "BeginOnboardingOfCreatedPartner": target("beginOnboarding"),
        "DisconnectCreatedPartner": target("disconnect"),
        "DeleteCreatedPartner": target("deleteRemoteAssistancePartner"),
    });
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "createRemoteAssistancePartner"),
        "summary": "Create a remote assistance partner",
        "description": "Needs `DeviceManagementServiceConfig.ReadWrite.All`. Server-managed properties may be sent (the Graph docs' examples do) and are ignored, but are still type-checked.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-create"),
        "parameters": [parameter_ref("ClientRequestId")],
        "requestBody": partner_body(version, "The partner's writable properties", docs_example_body()),
        "responses": responses(vec![(201, created)], CREATE),
    })
}

fn count(version: ApiVersion) -> Value {
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "countRemoteAssistancePartners"),
        "summary": "Count the tenant's partners",
        "description": "A `text/plain` integer. `406` when `Accept` excludes `text/plain`.",
        "parameters": [
            parameter_ref(&format!("{}.filter", key(version))),
            parameter_ref("ClientRequestId"),
        ],
        "responses": responses(
            vec![(200, json!({
                "description": "The number of partners",
                "headers": header_refs(&["request-id", "client-request-id"]),
                "content": { "text/plain": { "schema": { "type": "integer", "minimum": 0 } } },
            }))],
            COUNT,
        ),
    })
}

fn get(version: ApiVersion) -> Value {
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "getRemoteAssistancePartner"),
        "summary": "Read one partner",
        "description": "The bare entity (the Graph docs' `value` wrapper is a docs bug). Another tenant's partner, a missing one and an id that is not a GUID are all `404`.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-get"),
        "parameters": id_parameters(&[&format!("{}.select", key(version))]),
        "responses": responses(
            vec![(200, json_success(
                "The partner",
                schema_ref(&format!("{}.remoteAssistancePartnerEntityOrSelection", key(version))),
            ))],
            READ_ONE,
        ),
    })
}

fn update(version: ApiVersion) -> Value {
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "updateRemoteAssistancePartner"),
        "summary": "Update a partner's writable properties",
        "description": "Needs `DeviceManagementServiceConfig.ReadWrite.All`. Answers the updated entity.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-update"),
        "parameters": id_parameters(&[]),
        "requestBody": partner_body(
            version,
            "The properties to change",
            json!({ "displayName": "Renamed", "onboardingUrl": null }),
        ),
        "responses": responses(vec![(200, json_success("The updated partner", entity(version)))], WRITE_ONE),
    })
}

fn delete(version: ApiVersion) -> Value {
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "deleteRemoteAssistancePartner"),
        "summary": "Delete a partner",
        "description": "Needs `DeviceManagementServiceConfig.ReadWrite.All`.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-delete"),
        "parameters": id_parameters(&[]),
        "responses": responses(vec![(204, no_content("Deleted"))], DELETE),
    })
}

fn begin_onboarding(version: ApiVersion) -> Value {
    let mut op = json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "beginOnboarding"),
        "summary": "Begin onboarding a partner",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-beginonboarding"),
        "parameters": id_parameters(&[]),
        "responses": responses(vec![(204, no_content("Onboarding begun (idempotent)"))], WRITE_ONE),
    });
    match version {
        ApiVersion::V1 => {
            op["description"] = json!(
                "Needs `DeviceManagementServiceConfig.ReadWrite.All`. No request body (an empty one with `Content-Type: application/json` is fine; a non-empty one is `400`). `notOnboarded` becomes `onboarding`; the request is renewed while `onboarding`; `onboarded` stays."
            );
        }
        ApiVersion::Beta => {
            op["description"] = json!(
                "Needs `DeviceManagementServiceConfig.ReadWrite.All`. An optional body names the partner account domain (the beta SDK always sends one, `{}` when empty)."
            );
            op["requestBody"] = json!({
                "required": false,
                "content": { "application/json": {
                    "schema": schema_ref("beta.beginOnboardingInput"),
                    "examples": {
                        "domain": { "value": { "partnerDomain": "contoso.example" } },
                        "empty": { "summary": "What the beta SDK sends without a domain", "value": {} },
                    },
                } },
            });
        }
    }
    op
}

fn disconnect(version: ApiVersion) -> Value {
    json!({
        "tags": [version.segment()],
        "operationId": op_id(version, "disconnect"),
        "summary": "Disconnect a partner",
        "description": "Needs `DeviceManagementServiceConfig.ReadWrite.All`. No request body (an empty one is fine; a non-empty one is `400`). Any state becomes `notOnboarded`.",
        "externalDocs": docs("intune-remoteassistance-remoteassistancepartner-disconnect"),
        "parameters": id_parameters(&[]),
        "responses": responses(vec![(204, no_content("Disconnected (idempotent)"))], WRITE_ONE),
    })
}

fn batch(version: ApiVersion) -> Value {
    json!({
        "tags": ["batch"],
        "operationId": op_id(version, "batch"),
        "summary": "Run up to 20 requests in one",
        "description": format!(
            "Each inner request goes through the whole router on its own (authorised with the envelope's token, throttled, audited), relative to `/{}`. `dependsOn` orders them; a request whose dependency failed is `424`. A malformed envelope is `400` and runs nothing. The inner answers, whatever their status, come back in a `200`.",
            version.segment()
        ),
        "externalDocs": { "url": "https://learn.microsoft.com/graph/json-batching" },
        "parameters": [parameter_ref("ClientRequestId")],
        "requestBody": {
            "required": true,
            "content": { "application/json": {
                "schema": schema_ref("BatchRequest"),
                "examples": { "listThenCreate": { "value": { "requests": [
                    { "id": "1", "method": "GET", "url": format!("/{ENTITY_SET}") },
                    {
                        "id": "2",
                        "method": "POST",
                        "url": format!("/{ENTITY_SET}"),
                        "headers": { "Content-Type": "application/json" },
                        "body": { "displayName": "From a batch" },
                        "dependsOn": ["1"],
                    },
                ] } } },
            } },
        },
        "responses": responses(
            vec![(200, json_success("The inner responses", schema_ref("BatchResponse")))],
            BATCH,
        ),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_graph_route_is_in_both_versions() {
        let doc = super::super::document(
            &crate::state::ServerConfig::default(),
            crate::routing::described_api(),
        );
        let paths = doc["paths"].as_object().unwrap();
        let v1: Vec<&String> = paths.keys().filter(|p| p.starts_with("/v1.0/")).collect();
        assert_eq!(v1.len(), 8);
        for p in v1 {
            let beta = p.replacen("/v1.0/", "/beta/", 1);
            assert_eq!(
                paths[p].as_object().unwrap().keys().collect::<Vec<_>>(),
                paths[&beta].as_object().unwrap().keys().collect::<Vec<_>>(),
                "{p}"
            );
        }
        // Statuses are documented as the shared responses say.
        assert!(crate::described::ERROR_RESPONSES.len() >= 11);
    }
}
