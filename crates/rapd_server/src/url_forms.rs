//! The URL forms Graph accepts for one resource, rewritten to the one form the router matches.
//!
//! Graph reads path segments without regard to letter case (`/v1.0/devicemanagement/...`),
//! addresses an entity by OData key as well as by segment (`remoteAssistancePartners('{id}')`,
//! `remoteAssistancePartners({id})`), names bound actions with or without their namespace
//! (`microsoft.graph.disconnect`, or the schema alias `graph.disconnect`, as Microsoft's
//! PowerShell SDK sends them), and ignores one trailing slash. Only paths under a Graph version
//! segment are touched; ids and unknown segments pass through as they came.

use std::borrow::Cow;

/// Every fixed segment the Graph routes use, as the router spells it.
const SEGMENTS: [&str; 9] = [
    "deviceManagement",
    "remoteAssistancePartners",
    "remoteAssistanceSettings",
    "auditEvents",
    "beginOnboarding",
    "disconnect",
    "$count",
    "$metadata",
    "$batch",
];

/// The bound actions, which may come qualified by namespace or alias.
const ACTIONS: [&str; 2] = ["beginOnboarding", "disconnect"];
const NAMESPACES: [&str; 2] = ["microsoft.graph.", "graph."];

/// The entity set that may be followed by an OData key.
const KEYED_SET: &str = "remoteAssistancePartners";

const VERSIONS: [&str; 2] = ["v1.0", "beta"];

/// The router's form of `path`, or `None` when `path` already is in it (the common case, which
/// allocates nothing).
pub fn canonical_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let (first, _) = rest.split_once('/').unwrap_or((rest, ""));
    VERSIONS.iter().find(|v| v.eq_ignore_ascii_case(first))?;
    let trimmed = match rest.strip_suffix('/') {
        Some(t) if t.contains('/') => t,
        _ => rest,
    };
    let mut changed = trimmed.len() != rest.len();
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    for (index, segment) in trimmed.split('/').enumerate() {
        let forms = match index {
            0 => canonical_version(segment).map(|v| vec![Cow::Borrowed(v)]),
            _ => canonical_segment(segment),
        };
        match forms {
            Some(forms) => {
                changed |= forms.len() != 1 || forms[0] != segment;
                out.extend(forms);
            }
            None => out.push(Cow::Borrowed(segment)),
        }
    }
    changed.then(|| {
        let mut canonical = String::with_capacity(path.len());
        for segment in &out {
            canonical.push('/');
            canonical.push_str(segment);
        }
        canonical
    })
}

fn canonical_version(segment: &str) -> Option<&'static str> {
    VERSIONS
        .iter()
        .copied()
        .find(|v| v.eq_ignore_ascii_case(segment))
}

/// The router's segments for one segment of the request, or `None` to keep it as it is.
fn canonical_segment(raw: &str) -> Option<Vec<Cow<'static, str>>> {
    let decoded = percent_decode(raw)?;
    if let Some(name) = known(&decoded) {
        return Some(vec![Cow::Borrowed(name)]);
    }
    if let Some(key) = keyed(&decoded) {
        return Some(vec![
            Cow::Borrowed(KEYED_SET),
            Cow::Owned(encode_segment(&key)),
        ]);
    }
    None
}

/// A fixed segment in any letter case, or an action qualified by namespace or alias.
fn known(segment: &str) -> Option<&'static str> {
    if let Some(name) = SEGMENTS.iter().find(|s| s.eq_ignore_ascii_case(segment)) {
        return Some(name);
    }
    let unqualified = NAMESPACES.iter().find_map(|ns| {
        let head = segment.get(..ns.len())?;
        head.eq_ignore_ascii_case(ns).then(|| &segment[ns.len()..])
    })?;
    ACTIONS
        .iter()
        .copied()
        .find(|a| a.eq_ignore_ascii_case(unqualified))
}

/// The key of `remoteAssistancePartners('{id}')` or `remoteAssistancePartners({id})`.
fn keyed(segment: &str) -> Option<String> {
    let head = segment.get(..KEYED_SET.len())?;
    if !head.eq_ignore_ascii_case(KEYED_SET) {
        return None;
    }
    let inner = segment[KEYED_SET.len()..]
        .strip_prefix('(')?
        .strip_suffix(')')?;
    match inner.strip_prefix('\'') {
        // A string literal: `''` inside it is one quote.
        Some(quoted) => Some(quoted.strip_suffix('\'')?.replace("''", "'")),
        None if !inner.is_empty() && !inner.contains(['\'', '(', ')', ',', '=']) => {
            Some(inner.to_owned())
        }
        None => None,
    }
}

/// `%XX` escapes decoded; `None` when they do not make UTF-8 (such a segment is left alone).
fn percent_decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('%') {
        return Some(Cow::Borrowed(raw));
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| raw.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// A key as one path segment: unreserved characters as they are, every other byte escaped, so a
/// key can never add a segment or a query.
fn encode_segment(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The request with its path in the router's form; the query is kept.
pub fn canonical_request<B>(mut request: http::Request<B>) -> http::Request<B> {
    let Some(path) = canonical_path(request.uri().path()) else {
        return request;
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(path_and_query) = path_and_query.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::canonical_path;

    const ID: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    fn canon(path: &str) -> String {
        canonical_path(path).unwrap_or_else(|| path.to_owned())
    }

    #[test]
    fn canonical_paths_are_left_alone() {
        for path in [
            "/v1.0/deviceManagement/remoteAssistancePartners",
            &format!("/beta/deviceManagement/remoteAssistancePartners/{ID}/disconnect"),
            "/v1.0/$metadata",
            "/healthz",
            "/_rapd/reset",
            "/partner/v1/connection",
            "/common/oauth2/v2.0/token",
            "/v1.0",
            "/",
        ] {
            assert_eq!(canonical_path(path), None, "{path}");
        }
    }

    #[test]
    fn letter_case_does_not_matter() {
        assert_eq!(
            canon("/V1.0/devicemanagement/REMOTEASSISTANCEPARTNERS/$COUNT"),
            "/v1.0/deviceManagement/remoteAssistancePartners/$count"
        );
        assert_eq!(
            canon(&format!(
                "/Beta/deviceManagement/remoteAssistancePartners/{ID}/BeginOnboarding"
            )),
            format!("/beta/deviceManagement/remoteAssistancePartners/{ID}/beginOnboarding")
        );
        assert_eq!(canon("/v1.0/%24Metadata"), "/v1.0/$metadata");
    }

    #[test]
    fn keys_and_qualified_actions() {
        let want = format!("/v1.0/deviceManagement/remoteAssistancePartners/{ID}/disconnect");
        for path in [
            format!("/v1.0/deviceManagement/remoteAssistancePartners('{ID}')/disconnect"),
            format!("/v1.0/deviceManagement/remoteAssistancePartners({ID})/disconnect"),
            format!("/v1.0/deviceManagement/remoteAssistancePartners%28%27{ID}%27%29/disconnect"),
            format!(
                "/v1.0/deviceManagement/remoteAssistancePartners/{ID}/microsoft.graph.disconnect"
            ),
            format!(
                "/v1.0/deviceManagement/remoteAssistancePartners/{ID}/Microsoft.Graph.Disconnect"
            ),
            format!("/v1.0/deviceManagement/remoteAssistancePartners/{ID}/graph.disconnect"),
            format!(
                "/v1.0/deviceManagement/remoteAssistancePartners('{ID}')/microsoft.graph.disconnect/"
            ),
        ] {
            assert_eq!(canon(&path), want, "{path}");
        }
    }

    #[test]
    fn a_key_never_adds_a_segment() {
        assert_eq!(
            canon("/v1.0/deviceManagement/remoteAssistancePartners('a%2Fb%3Fc')"),
            "/v1.0/deviceManagement/remoteAssistancePartners/a%2Fb%3Fc"
        );
        assert_eq!(
            canon("/v1.0/deviceManagement/remoteAssistancePartners('it''s')"),
            "/v1.0/deviceManagement/remoteAssistancePartners/it%27s"
        );
        // Not a key form: left for the router to refuse.
        for path in [
            "/v1.0/deviceManagement/remoteAssistancePartners()",
            "/v1.0/deviceManagement/remoteAssistancePartners(id='x',y='z')",
            "/v1.0/deviceManagement/remoteAssistancePartnersX",
        ] {
            assert_eq!(canonical_path(path), None, "{path}");
        }
    }

    #[test]
    fn one_trailing_slash_is_ignored() {
        assert_eq!(
            canon("/v1.0/deviceManagement/remoteAssistancePartners/"),
            "/v1.0/deviceManagement/remoteAssistancePartners"
        );
        assert_eq!(canon("/v1.0/$metadata/"), "/v1.0/$metadata");
        // Only one, and not the version's own.
        assert_eq!(canonical_path("/v1.0/"), None);
        assert_eq!(
            canon("/v1.0/deviceManagement/remoteAssistancePartners//"),
            "/v1.0/deviceManagement/remoteAssistancePartners/"
        );
    }
}
