//! Graph's routes are registered once, under `/{version}/…`; the document names each version's
//! path (`/v1.0/…`, `/beta/…`), as Graph's own descriptions do. This step makes the copies on
//! utoipa's types: the `version` parameter goes, and `{version}` in an operation's id, tags,
//! summary, description, links and the schemas its parameters and bodies name becomes the
//! version's key (`v1`, `beta`) or segment (`v1.0`, `beta`). An item whose operations are tagged
//! `beta` exists only there, and v1.0 drops a body only beta takes.

use rapd_model::ApiVersion;
use utoipa::openapi::{ExternalDocs, OpenApi, PathItem, RefOr, Required, Schema, path::Operation};

/// The Graph docs page of an operation, by its id after the version's key (`#[utoipa::path]`
/// has no `externalDocs`), under `https://learn.microsoft.com/graph/`.
const GRAPH_DOCS: &[(&str, &str)] = &[
    (
        "listRemoteAssistancePartners",
        "api/intune-remoteassistance-remoteassistancepartner-list",
    ),
    (
        "createRemoteAssistancePartner",
        "api/intune-remoteassistance-remoteassistancepartner-create",
    ),
    (
        "getRemoteAssistancePartner",
        "api/intune-remoteassistance-remoteassistancepartner-get",
    ),
    (
        "updateRemoteAssistancePartner",
        "api/intune-remoteassistance-remoteassistancepartner-update",
    ),
    (
        "deleteRemoteAssistancePartner",
        "api/intune-remoteassistance-remoteassistancepartner-delete",
    ),
    (
        "beginOnboarding",
        "api/intune-remoteassistance-remoteassistancepartner-beginonboarding",
    ),
    (
        "disconnect",
        "api/intune-remoteassistance-remoteassistancepartner-disconnect",
    ),
    ("batch", "json-batching"),
    (
        "getRemoteAssistanceSettings",
        "api/intune-remoteassistance-remoteassistancesettings-get?view=graph-rest-beta",
    ),
    (
        "updateRemoteAssistanceSettings",
        "api/intune-remoteassistance-remoteassistancesettings-update?view=graph-rest-beta",
    ),
    ("listAuditEvents", "api/intune-auditing-auditevent-list"),
];

/// The prefix of a path registered for every version.
const VERSIONED: &str = "/{version}/";

/// The bodies only beta takes, by schema placeholder: optional there, and v1.0's operation has
/// none.
const BETA_ONLY_BODIES: &[&str] = &["#/components/schemas/{version}.beginOnboardingInput"];

/// The version's key, the prefix of its component and operation names: `v1` or `beta`.
pub(super) fn key(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "v1",
        ApiVersion::Beta => "beta",
    }
}

/// Replaces each `/{version}/…` path item with one per version.
pub(super) fn expand(api: &mut OpenApi) {
    // The placeholders of per-version schemas (`{version}.…`) name no schema of their own.
    if let Some(components) = &mut api.components {
        components
            .schemas
            .retain(|name, _| !name.contains("{version}"));
    }
    let paths = std::mem::take(&mut api.paths.paths);
    for (path, mut item) in paths {
        let Some(rest) = path.strip_prefix(VERSIONED) else {
            api.paths.paths.insert(path, item);
            continue;
        };
        let beta_only = operations(&mut item).all(|op| {
            op.tags
                .as_deref()
                .is_some_and(|tags| tags.iter().all(|t| t == "beta"))
        });
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            if beta_only && version == ApiVersion::V1 {
                continue;
            }
            let mut copy = item.clone();
            for operation in operations(&mut copy) {
                for_version(operation, version);
            }
            let concrete = format!("/{}/{rest}", version.segment());
            api.paths.paths.insert(concrete, copy);
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// An operation id's `{version}` is the key, so ids stay valid identifiers (`v1.metadata`);
/// in text and tags it is the segment (`v1.0`).
fn for_version(operation: &mut Operation, version: ApiVersion) {
    let (k, segment) = (key(version), version.segment());
    if let Some(id) = &mut operation.operation_id {
        if let Some((_, page)) = GRAPH_DOCS
            .iter()
            .find(|(name, _)| id.strip_prefix("{version}.") == Some(*name))
        {
            // utoipa writes a missing description as `null`, which OpenAPI does not allow.
            let mut docs = ExternalDocs::new(format!("https://learn.microsoft.com/graph/{page}"));
            docs.description = Some("The Graph docs".into());
            operation.external_docs = Some(docs);
        }
        *id = id.replace("{version}", k);
    }
    for text in [&mut operation.summary, &mut operation.description]
        .into_iter()
        .flatten()
    {
        *text = text.replace("{version}", segment);
    }
    for tag in operation.tags.iter_mut().flatten() {
        *tag = tag.replace("{version}", segment);
    }
    let named = |schema: &mut Option<RefOr<Schema>>| {
        if let Some(RefOr::Ref(schema)) = schema {
            schema.ref_location = schema.ref_location.replace("{version}", k);
        }
    };
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        response
            .content
            .values_mut()
            .for_each(|c| named(&mut c.schema));
        for link in response.links.values_mut() {
            if let RefOr::T(link) = link {
                link.operation_id = link.operation_id.replace("{version}", k);
            }
        }
    }
    let beta_only_body = operation.request_body.as_ref().is_some_and(|body| {
        body.content.values().any(|c| {
            matches!(&c.schema, Some(RefOr::Ref(r)) if BETA_ONLY_BODIES.contains(&r.ref_location.as_str()))
        })
    });
    if beta_only_body && version == ApiVersion::V1 {
        operation.request_body = None;
    }
    if let Some(body) = &mut operation.request_body {
        if beta_only_body {
            body.required = Some(Required::False);
        }
        body.content.values_mut().for_each(|c| named(&mut c.schema));
    }
    if let Some(parameters) = &mut operation.parameters {
        parameters.retain(|p| p.name != "version");
        parameters.iter_mut().for_each(|p| named(&mut p.schema));
        if parameters.is_empty() {
            operation.parameters = None;
        }
    }
}
