//! The schemas of the OData query options whose values depend on the version, from `rapd_odata`'s limits and `rapd_model`'s property
//! catalogue.
//!
//! `$select` and `$orderby` get patterns that describe exactly the decoded values the server
//! takes (without the optional spaces around items); `$filter` gets a pattern for a subset of its
//! grammar (one comparison or text function), because a free string would make almost every
//! generated value a syntax error. Values are percent-decoded by the server, which reads `+` as
//! a plus sign, not a space: a space is sent as `%20`.

use rapd_model::{ApiVersion, OnboardingStatus, Property, PropertyKind};
use rapd_odata::{MAX_FILTER_LENGTH, MAX_ORDERBY_KEYS};
use serde_json::{Map, Value, json};

use super::{schemas::END, versions::key};

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

/// The schemas of the query options whose values depend on the version, by component name
/// (`v1.filter`, `beta.select`, …): the parameters in `operations.rs` name them.
pub fn schemas(into: &mut Map<String, Value>) {
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
                "type": "string",
                "description": format!("A filter over {all}; at most {MAX_FILTER_LENGTH} characters."),
                "maxLength": MAX_FILTER_LENGTH,
                "pattern": filter_pattern(version),
                "examples": ["startswith(displayName,'Contoso')", "onboardingStatus eq 'onboarded'"],
            }),
        );
        into.insert(
            format!("{k}.orderby"),
            json!({
                "type": "string",
                "description": format!("1 to {MAX_ORDERBY_KEYS} keys of {all}."),
                "pattern": orderby_pattern(version),
                "examples": ["displayName desc,id"],
            }),
        );
        into.insert(
            format!("{k}.select"),
            json!({
                "type": "string",
                "description": format!("Properties of {all}, or `*`."),
                "pattern": select_pattern(version),
                "examples": ["displayName,onboardingStatus"],
            }),
        );
    }
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
