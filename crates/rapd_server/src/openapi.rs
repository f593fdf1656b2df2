//! `GET /openapi.json`: an OpenAPI 3.1 document of every route rapd serves, derived from the
//! code.
//!
//! **Operations** (utoipa 5): `routing::described` registers Graph's routes, the partner API,
//! health and this document through `utoipa_axum`'s `OpenApiRouter` with `routes!`, so each
//! route exists only together with the `#[utoipa::path]` on its handler. What those name is in
//! `described.rs`: the shared error responses and the error lists of each kind of operation
//! (`ReadErrors`, `WriteOneErrors`, …, as `IntoResponses`), header schemas, and in
//! `described/operations.rs` the query parameters (`IntoParams`) and the names of the bodies'
//! schemas. Bodies whose type the handler serializes derive their schema from it
//! (`OpenIdConfiguration`, `PartnerConnection`, `PartnerRedeemRequest`). Graph's routes are
//! registered once under `/{version}/`; [`versions`] makes each version's path from them. The
//! document's head (info, servers, security, tags, the shared error responses) is built here.
//!
//! **Schemas still written as JSON** (`json!`) and merged in as components: the partner's
//! bodies, `$batch`'s, the settings', audit events' and the version-dependent query options'
//! ([`schemas`], [`service_schemas`], [`extensions`], [`query`]). They are written from the same
//! catalogue the server validates with (`rapd_model::Property`, the limits of `rapd_odata`), and
//! utoipa's schema types cannot carry them as they are: no `const`, `if`/`then`, `not` or
//! `propertyNames`, no type lists such as `["string", "null"]` with a pattern. The identity
//! provider's and the test-control API's operations are described in their own crates
//! (`rapd_idp::router`, `rapd_control::router`, each with its `described.rs`), and mounted only
//! while the development issuer is on and when the control API is configured: `routing::router`
//! builds the document once from the routers it mounts and keeps it in the state, so it lists
//! exactly the routes this configuration serves.
//!
//! What keeps the document and the router together: `tests/api/openapi.rs` sends a request for
//! every documented path and method to the real router and checks that none lands on a fallback,
//! that every status it gets is documented, that the methods left out are the router's
//! fallbacks, that every surface DESIGN names which the router serves is documented, and that a
//! production-like server lists (and routes) neither the identity provider nor the control API;
//! `interop/schemathesis.sh` fuzzes the release binary against this document. Patterns end in
//! `(?![\s\S])` (`described::END`).

mod extensions;
mod query;
mod schemas;
mod service_schemas;
mod versions;

pub(crate) use extensions::AUDIT_SCOPES;

use axum::body::Bytes;
use serde_json::Value;
use utoipa::{
    PartialSchema, ToResponse,
    openapi::{
        InfoBuilder, LicenseBuilder, OpenApi, RefOr, Server, security::SecurityRequirement,
        tag::TagBuilder,
    },
};

use crate::{
    described::{
        ClientRequestId, ODataVersion, PartnerUnauthorized, RequestId, error_response_components,
    },
    state::ServerConfig,
};

/// The path of this document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The security scheme of every Graph operation.
pub const BEARER: &str = "bearer";

/// The tags, in the order the document lists them.
const TAGS: &[(&str, &str)] = &[
    (
        "v1.0",
        "Graph v1.0: deviceManagement/remoteAssistancePartners",
    ),
    (
        "beta",
        "Graph beta: deviceManagement/remoteAssistancePartners",
    ),
    (
        "batch",
        "JSON batching: https://learn.microsoft.com/graph/json-batching",
    ),
    ("metadata", "The CSDL of each version"),
    (
        "partner",
        "rapd's own partner API: the remote assistance vendor's side of onboarding",
    ),
    (
        "identity",
        "The development issuer's OpenID metadata and keys",
    ),
    (
        "identity-provider",
        "The development identity provider: Entra's OAuth 2.0 endpoints, served while the development issuer is on",
    ),
    ("operations", "Health and this document"),
    (
        "control",
        "Test control: reset, seed, export, faults, the request log (only when served)",
    ),
    (
        "console",
        "The administrator's console, HTML for browsers (development profile)",
    ),
];

/// The whole document for a server with `config` (the body limit it states is `config`'s): `api`,
/// what `routing::described` registers with its `#[utoipa::path]`, the document's head built
/// with utoipa's builders, and the paths and components still written as JSON here.
pub fn document(config: &ServerConfig, mut api: OpenApi) -> Value {
    versions::expand(&mut api);
    head(&mut api, config);
    let mut doc = serde_json::to_value(&api).expect("an OpenAPI document serializes");
    link_field_names(&mut doc);
    if let Value::Object(written) = schemas::components() {
        let components = doc
            .as_object_mut()
            .expect("a document is an object")
            .entry("components")
            .or_insert_with(|| Value::Object(Default::default()));
        for (kind, entries) in written {
            match (components.get_mut(&kind), entries) {
                (Some(Value::Object(into)), Value::Object(entries)) => into.extend(entries),
                (_, entries) => {
                    components[&kind] = entries;
                }
            }
        }
    }
    doc
}

/// utoipa 5.5 writes a link's fields in snake case (`operation_id`); OpenAPI names them in camel
/// case.
fn link_field_names(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(Value::as_object_mut))
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(Value::as_object_mut) else {
            continue;
        };
        for link in links.values_mut().filter_map(Value::as_object_mut) {
            for (from, to) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(from) {
                    link.insert(to.to_owned(), value);
                }
            }
        }
    }
}

/// The whole document, serialized once for `GET /openapi.json`.
pub fn serialized(config: &ServerConfig, api: OpenApi) -> Bytes {
    Bytes::from(serde_json::to_vec(&document(config, api)).expect("a JSON value serializes"))
}

/// What the document says of itself: info, server, the security every operation needs, tags.
fn head(api: &mut OpenApi, config: &ServerConfig) {
    let license = env!("CARGO_PKG_LICENSE");
    api.info = InfoBuilder::new()
        .title("rapd: Microsoft Graph remoteAssistancePartners")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(description(config)))
        .license(Some(
            LicenseBuilder::new()
                .name(license)
                .identifier(Some(license))
                .build(),
        ))
        .build();
    api.servers = Some(vec![Server::new("/")]);
    // `routes!` collects the bodies' schemas; the headers' are named here.
    let components = api.components.get_or_insert_with(Default::default);
    for (name, schema) in [
        ("RequestId", RequestId::schema()),
        ("ClientRequestId", ClientRequestId::schema()),
        ("ODataVersion", ODataVersion::schema()),
    ] {
        components.schemas.insert(name.to_owned(), schema);
    }
    let (name, response) = PartnerUnauthorized::response();
    components.responses.insert(name.to_owned(), response);
    for (name, response) in error_response_components(config.max_body_bytes) {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(response));
    }
    api.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    api.tags = Some(
        TAGS.iter()
            .map(|(name, text)| {
                TagBuilder::new()
                    .name(*name)
                    .description(Some(*text))
                    .build()
            })
            .collect(),
    );
}

fn description(config: &ServerConfig) -> String {
    format!(
        "A Graph-compatible implementation of Microsoft Intune's remote assistance partner API \
         (`/deviceManagement/remoteAssistancePartners`, `beginOnboarding`, `disconnect`) in v1.0 and \
         beta, with Intune's audit events, beta's `remoteAssistanceSettings` and rapd's own partner \
         API. Every Graph operation needs `Authorization: Bearer <token>`; `rapd token` mints a \
         development token. Query option values are percent-decoded; `+` is a plus sign, so a space \
         is sent as `%20`. Every response carries `request-id` and `client-request-id`. Errors are \
         Graph's `{{\"error\":{{\"code\",\"message\",\"innerError\"}}}}` body. A request body is at \
         most {} bytes (413 past it); a non-empty body must be declared `application/json` (415). \
         An unsupported verb on a Graph route is `400` with code `No method match route template`, \
         as Intune answers; an unknown version segment is `404` `Invalid version`.",
        config.max_body_bytes
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rapd_auth::{DevIssuer, Verifier};
    use rapd_model::{Clock, ManualClock, Timestamp};
    use rapd_store::SqliteStore;

    use super::*;
    use crate::state::AppState;

    /// The document a server with `config` serves, with the development issuer on or off.
    fn served(config: ServerConfig, dev_issuer: bool) -> Value {
        let dir = tempfile::tempdir().unwrap();
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(Timestamp::now()));
        let issuer = dev_issuer.then(|| Arc::new(DevIssuer::load_or_create(dir.path()).unwrap()));
        let engine =
            Arc::new(SqliteStore::open(&dir.path().join("rapd.db"), clock.clone()).unwrap());
        let verifier = Verifier::new(issuer.as_deref());
        let state = AppState::new(engine, verifier, issuer, clock, config);
        let _router = crate::routing::router(state.clone());
        serde_json::from_slice(state.openapi.get().expect("the router wrote it")).unwrap()
    }

    /// Every `$ref` in the document names a component that exists, whatever is mounted.
    #[test]
    fn every_reference_resolves() {
        for (config, dev_issuer) in [
            (ServerConfig::default(), false),
            (ServerConfig::default(), true),
            (with_control(), true),
        ] {
            let doc = served(config, dev_issuer);
            let mut refs = Vec::new();
            collect_refs(&doc, &mut refs);
            assert!(refs.len() > 50, "the document uses its components");
            for r in refs {
                let pointer = r.strip_prefix('#').expect("local reference");
                assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
            }
        }
    }

    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => collect_refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    /// The test-control paths appear exactly when the API is served, the identity provider's
    /// exactly while the development issuer is on.
    #[test]
    fn mounted_surfaces_follow_the_configuration() {
        let off = served(ServerConfig::default(), false);
        assert!(off["paths"].get("/_rapd/reset").is_none());
        assert!(off["paths"].get("/{tenant}/oauth2/v2.0/token").is_none());
        assert!(
            off["components"]["securitySchemes"]
                .get("controlAdmin")
                .is_none()
        );
        let on = served(with_control(), true);
        for path in ["reset", "seed", "export", "requests", "faults"] {
            assert!(
                on["paths"].get(format!("/_rapd/{path}")).is_some(),
                "{path}"
            );
        }
        assert!(on["paths"].get("/{tenant}/oauth2/v2.0/token").is_some());
        assert_eq!(
            on["components"]["securitySchemes"]["controlAdmin"]["scheme"],
            "bearer"
        );
    }

    fn with_control() -> ServerConfig {
        ServerConfig {
            control: Some(rapd_control::ControlConfig {
                admin_token: "x".repeat(16),
                allow_remote: false,
                faults: true,
                max_fault_delay: std::time::Duration::from_millis(rapd_control::MAX_FAULT_DELAY_MS),
                request_log_capacity: 10,
            }),
            ..ServerConfig::default()
        }
    }

    /// Operation ids are unique, and every link names one of them.
    #[test]
    fn operation_ids_are_unique_and_links_resolve() {
        let doc = served(with_control(), true);
        let mut ids = std::collections::HashSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap().to_owned();
                assert!(ids.insert(id.clone()), "duplicate operationId {id}");
            }
        }
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for response in op["responses"].as_object().unwrap().values() {
                    let Some(links) = response.get("links").and_then(Value::as_object) else {
                        continue;
                    };
                    for link in links.values() {
                        let target = link["operationId"].as_str().unwrap();
                        assert!(ids.contains(target), "link to unknown {target}");
                    }
                }
            }
        }
    }

    /// Every Graph route is in both versions with the same methods, but beta's settings, and
    /// v1.0's `beginOnboarding` takes no body while beta's is optional.
    #[test]
    fn every_graph_route_is_in_both_versions() {
        let doc = document(
            &ServerConfig::default(),
            crate::routing::described_api(&ServerConfig::default()),
        );
        let paths = doc["paths"].as_object().unwrap();
        let v1: Vec<&String> = paths.keys().filter(|p| p.starts_with("/v1.0/")).collect();
        assert_eq!(v1.len(), 8, "{v1:?}");
        for p in v1 {
            let beta = p.replacen("/v1.0/", "/beta/", 1);
            assert_eq!(
                paths[p].as_object().unwrap().keys().collect::<Vec<_>>(),
                paths[&beta].as_object().unwrap().keys().collect::<Vec<_>>(),
                "{p}"
            );
        }
        assert!(paths.contains_key("/beta/deviceManagement/remoteAssistanceSettings"));
        assert!(!paths.contains_key("/v1.0/deviceManagement/remoteAssistanceSettings"));
        let action = "deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}/beginOnboarding";
        assert!(
            paths[&format!("/v1.0/{action}")]["post"]
                .get("requestBody")
                .is_none()
        );
        let beta = &paths[&format!("/beta/{action}")]["post"]["requestBody"];
        assert_eq!(beta["required"], false);
        assert_eq!(
            beta["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/beta.beginOnboardingInput"
        );
    }

    /// A body's schema named by a placeholder type is written as JSON: none is left empty, and
    /// no reference or operation id keeps a `{version}`.
    #[test]
    fn no_placeholder_is_left() {
        let doc = document(
            &with_control(),
            crate::routing::described_api(&with_control()),
        );
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            assert_ne!(schema, &serde_json::json!({}), "{name} is empty");
        }
        let text = doc.to_string();
        assert!(
            !text.contains("schemas/{version}"),
            "a {{version}} schema is left"
        );
        assert!(
            !text.contains("\"{version}."),
            "a {{version}} operation id is left"
        );
        assert!(!text.contains("operation_id"), "links are camel case");
    }
}
