//! The response headers the test-control API's JSON-written responses name.

use serde_json::{Value, json};

pub(super) fn headers() -> Value {
    json!({
        "RequestId": {
            "description": "A new GUID for each request; also `innerError.request-id`.",
            "required": true,
            "schema": { "type": "string", "format": "uuid" },
        },
        "ClientRequestId": {
            "description": "The client's `client-request-id` (at most 128 characters), else the `request-id`.",
            "required": true,
            "schema": { "type": "string" },
        },
        "ODataVersion": {
            "description": "On every JSON success.",
            "required": true,
            "schema": { "type": "string", "const": "4.0" },
        },
        "RetryAfter": {
            "description": "Seconds to wait before retrying.",
            "required": true,
            "schema": { "type": "integer", "minimum": 1 },
        },
        "Location": {
            "description": "The new partner's URL.",
            "required": true,
            "schema": { "type": "string", "format": "uri" },
        },
        "WwwAuthenticate": {
            "description": "Graph's bearer challenge: on 401 with `error=\"invalid_token\"` when a token was presented; on 403 with `error=\"insufficient_scope\"` (and the scopes that would do) when the token lacks the permission.",
            "required": true,
            "schema": { "type": "string", "pattern": "^Bearer " },
        },
        "WwwAuthenticateOptional": {
            "description": "With two credentials in one request: the challenge with `error=\"invalid_request\"`.",
            "required": false,
            "schema": { "type": "string", "pattern": "^Bearer " },
        },
    })
}
