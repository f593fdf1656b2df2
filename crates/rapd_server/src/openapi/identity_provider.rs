//! The development identity provider's operations (`rapd_idp`): Entra's OAuth 2.0 protocol, with
//! form bodies and OAuth error bodies rather than Graph's. Public: they hand out credentials.

use serde_json::{Map, Value, json};

use super::schemas::schema_ref;

/// The tag of these operations (schemathesis leaves them to the identity-library suites).
pub const TAG: &str = "identity-provider";

pub fn paths(paths: &mut Map<String, Value>) {
    let tenant = json!([{
        "name": "tenant", "in": "path", "required": true,
        "description": "A tenant id, a domain name, `common`, `organizations`, `consumers` or `adfs`",
        "schema": { "type": "string", "maxLength": 253 },
    }]);
    let openid = operation(
        "getTenantOpenIdConfiguration",
        "A tenant's OpenID Connect metadata; `issuer` shares the request's origin",
        json!({ "200": json_body("The metadata", schema_ref("OpenIdConfiguration")), "400": oauth_error() }),
    );
    paths.insert(
        "/{tenant}/v2.0/.well-known/openid-configuration".into(),
        json!({ "get": with_params(openid.clone(), &tenant) }),
    );
    paths.insert(
        "/adfs/.well-known/openid-configuration".into(),
        json!({ "get": rename(openid, "getAdfsOpenIdConfiguration") }),
    );
    let token = form_operation(
        "postToken",
        "Tokens: client credentials, password, device code (both spellings) and refresh token",
        token_form(),
        json!({
            "200": json_body("Tokens", token_response()),
            "400": oauth_error(), "401": oauth_error(), "413": oauth_error(),
        }),
    );
    paths.insert(
        "/{tenant}/oauth2/v2.0/token".into(),
        json!({ "post": with_params(token.clone(), &tenant) }),
    );
    paths.insert(
        "/adfs/oauth2/token".into(),
        json!({ "post": rename(token, "postAdfsToken") }),
    );
    let device_code = form_operation(
        "postDeviceCode",
        "Starts a device-code sign-in",
        json!({
            "type": "object", "required": ["client_id"],
            "properties": { "client_id": { "type": "string" }, "scope": { "type": "string" } },
        }),
        json!({
            "200": json_body("The codes", device_code_response()),
            "400": oauth_error(), "413": oauth_error(), "503": oauth_error(),
        }),
    );
    paths.insert(
        "/{tenant}/oauth2/v2.0/devicecode".into(),
        json!({ "post": with_params(device_code.clone(), &tenant) }),
    );
    paths.insert(
        "/adfs/oauth2/devicecode".into(),
        json!({ "post": rename(device_code, "postAdfsDeviceCode") }),
    );
    paths.insert(
        "/{tenant}/discovery/v2.0/keys".into(),
        json!({ "get": with_params(operation(
            "getTenantKeys",
            "The development issuer's public keys",
            json!({ "200": json_body("The key set", schema_ref("JsonWebKeySet")) }),
        ), &tenant) }),
    );
    paths.insert(
        "/common/userrealm/{upn}".into(),
        json!({ "get": with_params(operation(
            "getUserRealm",
            "MSAL Python's realm lookup before a password sign-in: always `Managed`",
            json!({ "200": json_body("The realm", json!({ "type": "object" })) }),
        ), &json!([{ "name": "upn", "in": "path", "required": true, "schema": { "type": "string" } }])) }),
    );
    let html = |description: &str| json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } });
    paths.insert(
        "/devicelogin".into(),
        json!({
            "get": operation("getDeviceLogin", "The page a device code's `verification_uri` names", json!({ "200": html("The page") })),
            "post": form_operation(
                "postDeviceLogin",
                "Approves a device code for a development user",
                json!({
                    "type": "object", "required": ["user_code", "username", "password"],
                    "properties": {
                        "user_code": { "type": "string" }, "username": { "type": "string" },
                        "password": { "type": "string" },
                    },
                }),
                json!({ "200": html("Signed in"), "400": html("Refused"), "413": html("Too large") }),
            ),
        }),
    );
    let resource = json!({ "name": "resource", "in": "query", "required": true, "schema": { "type": "string" } });
    let api_version = json!({ "name": "api-version", "in": "query", "required": false, "schema": { "type": "string" } });
    let client_id = json!({ "name": "client_id", "in": "query", "required": false, "schema": { "type": "string" } });
    let mi_responses = json!({
        "200": json_body("An app-only token", json!({
            "type": "object", "required": ["access_token", "expires_on", "resource", "token_type"],
        })),
        "400": oauth_error(),
    });
    paths.insert(
        "/msi/token".into(),
        json!({ "get": with_params(operation(
            "getAppServiceToken",
            "Managed identity, App Service style (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`)",
            mi_responses.clone(),
        ), &json!([
            resource, api_version, client_id,
            { "name": "X-IDENTITY-HEADER", "in": "header", "required": true, "schema": { "type": "string", "minLength": 1 } },
        ])) }),
    );
    let imds = with_params(
        operation(
            "getImdsToken",
            "Managed identity, IMDS style (`AZURE_POD_IDENTITY_AUTHORITY_HOST`)",
            mi_responses,
        ),
        &json!([
            resource, api_version, client_id,
            { "name": "Metadata", "in": "header", "required": true, "schema": { "const": "true" } },
        ]),
    );
    paths.insert(
        "/metadata/identity/oauth2/token".into(),
        json!({ "get": imds.clone() }),
    );
    paths.insert(
        "/metadata/identity/oauth2/token/".into(),
        json!({ "get": rename(imds, "getImdsTokenSlash") }),
    );
}

fn operation(id: &str, summary: &str, responses: Value) -> Value {
    json!({
        "tags": [TAG],
        "operationId": id,
        "summary": summary,
        "description": "Served while the development issuer is on. Errors are Entra's OAuth body (`error`, `error_description` starting with `AADSTSnnnn:`).",
        "security": [],
        "responses": responses,
    })
}

fn form_operation(id: &str, summary: &str, form: Value, responses: Value) -> Value {
    let mut op = operation(id, summary, responses);
    op["requestBody"] = json!({
        "required": true,
        "content": { "application/x-www-form-urlencoded": { "schema": form } },
    });
    op
}

fn with_params(mut op: Value, params: &Value) -> Value {
    op["parameters"] = params.clone();
    op
}

fn rename(mut op: Value, id: &str) -> Value {
    op["operationId"] = json!(id);
    op
}

fn json_body(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn oauth_error() -> Value {
    json_body(
        "Entra's OAuth error",
        json!({
            "type": "object",
            "required": ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id"],
            "properties": {
                "error": { "type": "string" },
                "error_description": { "type": "string", "pattern": "^AADSTS[0-9]+: " },
                "error_codes": { "type": "array", "items": { "type": "integer" } },
                "timestamp": { "type": "string" },
                "trace_id": { "type": "string", "format": "uuid" },
                "correlation_id": { "type": "string", "format": "uuid" },
            },
        }),
    )
}

fn token_form() -> Value {
    json!({
        "type": "object",
        "required": ["grant_type", "client_id"],
        "properties": {
            "grant_type": { "enum": [
                "client_credentials", "password", "refresh_token", "device_code",
                "urn:ietf:params:oauth:grant-type:device_code",
            ] },
            "client_id": { "type": "string" },
            "client_secret": { "type": "string" },
            "scope": { "type": "string" },
            "username": { "type": "string" },
            "password": { "type": "string" },
            "device_code": { "type": "string" },
            "refresh_token": { "type": "string" },
        },
    })
}

fn token_response() -> Value {
    json!({
        "type": "object",
        "required": ["token_type", "expires_in", "access_token"],
        "properties": {
            "token_type": { "const": "Bearer" },
            "expires_in": { "type": "integer" },
            "ext_expires_in": { "type": "integer" },
            "access_token": { "type": "string" },
            "scope": { "type": "string" },
            "refresh_token": { "type": "string" },
            "id_token": { "type": "string" },
            "client_info": { "type": "string" },
        },
    })
}

fn device_code_response() -> Value {
    json!({
        "type": "object",
        "required": ["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"],
        "properties": {
            "user_code": { "type": "string" },
            "device_code": { "type": "string" },
            "verification_uri": { "type": "string", "format": "uri" },
            "expires_in": { "type": "integer" },
            "interval": { "type": "integer" },
            "message": { "type": "string" },
        },
    })
}
