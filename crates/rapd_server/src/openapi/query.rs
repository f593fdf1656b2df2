//! The OData query options as parameters, from `rapd_odata`'s limits and `rapd_model`'s property
//! catalogue.
//!
//! `$select` and `$orderby` get patterns that describe exactly the decoded values the server
//! takes (without the optional spaces around items); `$filter` gets a pattern for a subset of its
//! grammar (one comparison or text function), because a free string would make almost every
//! generated value a syntax error. Values are percent-decoded by the server, which reads `+` as
//! a plus sign, not a space: a space is sent as `%20`.

use rapd_model::{ApiVersion, OnboardingStatus, Property, PropertyKind};
use rapd_odata::{MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS, MAX_SKIP, MAX_SKIPTOKEN_LENGTH, MAX_TOP};
use serde_json::{Map, Value, json};

use super::{paths::key, schemas::END};

/// `a|b|c` of the names of `properties`.
fn alternatives<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join("|")
}

fn names(version: ApiVersion, keep: impl Fn(Property) -> bool) -> String {
    alternatives(
        Property::all(version)
            .iter()
            .copied()
            .filter(|&p| keep(p))
            .map(Property::name),
    )
}

/// `$select`: comma-separated property names or `*`.
pub fn select_pattern(version: ApiVersion) -> String {
    let item = format!(r"(?:\*|{})", names(version, |_| true));
    format!("^{item}(?:,{item})*{END}")
}

/// `$orderby`: 1 to `MAX_ORDERBY_KEYS` keys `property[ asc|desc]`, each property once.
pub fn orderby_pattern(version: ApiVersion) -> String {
    let all = names(version, |_| true);
    let key = format!("(?:{all})(?: (?:asc|desc))?");
    let more = MAX_ORDERBY_KEYS - 1;
    format!(r"^(?![\s\S]*\b({all})\b[\s\S]*\b\1\b){key}(?:,{key}){{0,{more}}}{END}")
}

/// A subset of `$filter`: one text function on a string property or `id`, one `eq`/`ne` on a
/// string property (with `null` where it is nullable), or one on `onboardingStatus`.
pub fn filter_pattern(version: ApiVersion) -> String {
    // A literal holds anything but NUL, which the server refuses (400) in text.
    let literal = r"'(?:[^'\x00]|'')*'";
    let text = names(version, |p| {
        matches!(p.kind(), PropertyKind::String | PropertyKind::Guid)
    });
    let nullable = names(version, |p| {
        p.kind() == PropertyKind::String && p.nullable()
    });
    let strings = names(version, |p| p.kind() == PropertyKind::String);
    let statuses = alternatives(OnboardingStatus::ALL.iter().map(|s| s.as_str()));
    let function = format!(r"(?:startswith|endswith|contains)\((?:{text}),{literal}\)");
    let mut forms = vec![function];
    if !nullable.is_empty() {
        forms.push(format!("(?:{nullable}) (?:eq|ne) (?:{literal}|null)"));
    }
    if strings != nullable {
        forms.push(format!("(?:{strings}) (?:eq|ne) {literal}"));
    }
    forms.push(format!("onboardingStatus (?:eq|ne) '(?:{statuses})'"));
    format!("^(?:{}){END}", forms.join("|"))
}

/// The query parameters of both versions, by component name.
pub fn parameters(into: &mut Map<String, Value>) {
    for version in [ApiVersion::V1, ApiVersion::Beta] {
        let k = key(version);
        let all = Property::all(version)
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        into.insert(
            format!("{k}.filter"),
            json!({
                "name": "$filter",
                "in": "query",
                "description": format!(
                    "OData `$filter` over {all}: `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `and`, `or`, `not`, `in (…)`, `startswith`, `endswith` and `contains`, parentheses, `null` on nullable properties; at most {MAX_FILTER_LENGTH} characters. The pattern describes the simplest filters (one comparison or text function); the server takes the whole grammar."
                ),
                "schema": {
                    "type": "string",
                    "maxLength": MAX_FILTER_LENGTH,
                    "pattern": filter_pattern(version),
                },
                "examples": {
                    "startswith": { "value": "startswith(displayName,'Contoso')" },
                    "status": { "value": "onboardingStatus eq 'onboarded'" },
                },
            }),
        );
        into.insert(
            format!("{k}.orderby"),
            json!({
                "name": "$orderby",
                "in": "query",
                "description": format!(
                    "1 to {MAX_ORDERBY_KEYS} comma-separated keys of {all}, each at most once and optionally followed by ` asc` or ` desc`."
                ),
                "schema": { "type": "string", "pattern": orderby_pattern(version) },
                "examples": { "newestName": { "value": "displayName desc,id" } },
            }),
        );
        into.insert(
            format!("{k}.select"),
            json!({
                "name": "$select",
                "in": "query",
                "description": format!(
                    "Comma-separated properties to return, of {all}; `*` is all of them. Without `*`, the entities carry only those properties and no `@odata.type`."
                ),
                "schema": { "type": "string", "pattern": select_pattern(version) },
                "examples": { "nameAndStatus": { "value": "displayName,onboardingStatus" } },
            }),
        );
    }
    into.insert(
        "top".into(),
        json!({
            "name": "$top",
            "in": "query",
            "description": "The most partners on one page (default 100).",
            "schema": { "type": "integer", "minimum": 0, "maximum": MAX_TOP },
        }),
    );
    into.insert(
        "skip".into(),
        json!({
            "name": "$skip",
            "in": "query",
            "schema": { "type": "integer", "minimum": 0, "maximum": MAX_SKIP },
        }),
    );
    into.insert(
        "count".into(),
        json!({
            "name": "$count",
            "in": "query",
            "description": "`true` adds `@odata.count`.",
            "schema": { "type": "boolean" },
        }),
    );
    into.insert(
        "skiptoken".into(),
        json!({
            "name": "$skiptoken",
            "in": "query",
            "description": "Opaque, issued by the server in `@odata.nextLink` for the same query; any other value is `400`.",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_SKIPTOKEN_LENGTH,
                "pattern": format!("^[A-Za-z0-9_-]+{END}"),
            },
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_the_versions_properties() {
        assert!(select_pattern(ApiVersion::V1).contains("displayName"));
        assert!(!select_pattern(ApiVersion::V1).contains("onboardingRequestExpiryDateTime"));
        assert!(select_pattern(ApiVersion::Beta).contains("onboardingRequestExpiryDateTime"));
        assert!(
            orderby_pattern(ApiVersion::V1).contains(&format!("{{0,{}}}", MAX_ORDERBY_KEYS - 1))
        );
        let filter = filter_pattern(ApiVersion::V1);
        assert!(
            filter.contains(r"(?:startswith|endswith|contains)\((?:id|displayName|onboardingUrl),")
        );
        assert!(
            filter.contains("onboardingStatus (?:eq|ne) '(?:notOnboarded|onboarding|onboarded)'")
        );
    }

    /// Samples of each pattern's shape parse with the server's own parser.
    #[test]
    fn samples_parse() {
        for version in [ApiVersion::V1, ApiVersion::Beta] {
            for filter in [
                "startswith(displayName,'Con''toso')",
                "contains(id,'ab')",
                "onboardingUrl eq null",
                "displayName ne ''",
                "onboardingStatus eq 'onboarding'",
            ] {
                let query = format!("$filter={}", filter.replace(' ', "%20"));
                assert!(
                    rapd_odata::parse_list_query(version, Some(&query)).is_ok(),
                    "{filter}"
                );
            }
            for query in [
                "$select=*,id,displayName",
                "$orderby=displayName%20desc,id,onboardingUrl%20asc,onboardingStatus,lastConnectionDateTime",
            ] {
                assert!(
                    rapd_odata::parse_list_query(version, Some(query)).is_ok(),
                    "{query}"
                );
            }
        }
    }
}
