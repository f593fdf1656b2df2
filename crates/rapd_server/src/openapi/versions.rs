//! Graph's routes are registered once, under `/{version}/…`; the document names each version's
//! path (`/v1.0/…`, `/beta/…`), as Graph's own descriptions do. This step makes the copies on
//! utoipa's types: the `version` parameter goes, and `{version}` in an operation's id, tags,
//! summary, description and the schemas its responses name becomes the version's key (`v1`,
//! `beta`) or segment (`v1.0`, `beta`).

use rapd_model::ApiVersion;
use utoipa::openapi::{ExternalDocs, OpenApi, PathItem, RefOr, path::Operation};

use super::paths::key;

/// The Graph docs page of an operation, by its id after the version's key (`#[utoipa::path]`
/// has no `externalDocs`).
const GRAPH_DOCS: &[(&str, &str)] = &[("listAuditEvents", "intune-auditing-auditevent-list")];

/// The prefix of a path registered for every version.
const VERSIONED: &str = "/{version}/";

/// Replaces each `/{version}/…` path item with one per version.
pub(super) fn expand(api: &mut OpenApi) {
    // The placeholders of per-version schemas (`{version}.…`) name no schema of their own.
    if let Some(components) = &mut api.components {
        components
            .schemas
            .retain(|name, _| !name.contains("{version}"));
    }
    let paths = std::mem::take(&mut api.paths.paths);
    for (path, item) in paths {
        let Some(rest) = path.strip_prefix(VERSIONED) else {
            api.paths.paths.insert(path, item);
            continue;
        };
        for version in [ApiVersion::V1, ApiVersion::Beta] {
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
            let mut docs =
                ExternalDocs::new(format!("https://learn.microsoft.com/graph/api/{page}"));
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
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        for content in response.content.values_mut() {
            if let Some(RefOr::Ref(schema)) = &mut content.schema {
                schema.ref_location = schema.ref_location.replace("{version}", k);
            }
        }
    }
    if let Some(parameters) = &mut operation.parameters {
        parameters.retain(|p| p.name != "version");
        if parameters.is_empty() {
            operation.parameters = None;
        }
    }
}
