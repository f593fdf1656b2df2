//! Graph's routes are registered once, under `/{version}/…`; the document names each version's
//! path (`/v1.0/…`, `/beta/…`), as Graph's own descriptions do. This step makes the copies on
//! utoipa's types: the `version` parameter goes, and `{version}` in an operation's id, tags,
//! summary and description becomes the version's key (`v1`, `beta`) or segment (`v1.0`, `beta`).

use rapd_model::ApiVersion;
use utoipa::openapi::{OpenApi, PathItem, path::Operation};

use super::paths::key;

/// The prefix of a path registered for every version.
const VERSIONED: &str = "/{version}/";

/// Replaces each `/{version}/…` path item with one per version.
pub(super) fn expand(api: &mut OpenApi) {
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
    if let Some(parameters) = &mut operation.parameters {
        parameters.retain(|p| p.name != "version");
        if parameters.is_empty() {
            operation.parameters = None;
        }
    }
}
