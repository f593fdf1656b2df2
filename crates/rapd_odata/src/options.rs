//! The values of the options other than `$filter`: `$top`, `$skip`, `$count`, `$skiptoken`,
//! `$select`, `$expand`, `$orderby` and `$format`. Each takes the percent-decoded value.

use rapd_model::{ApiVersion, Property};

use crate::error::QueryError;
use crate::names;

/// The largest `$top`: the most partners one request may ask for.
pub const MAX_TOP: u32 = 1000;
/// The largest `$skip`.
pub const MAX_SKIP: u32 = 1_000_000;
/// The longest `$skiptoken`, in characters.
pub const MAX_SKIPTOKEN_LENGTH: usize = 1024;
/// The most keys one `$orderby` may list.
pub const MAX_ORDERBY_KEYS: usize = 5;

/// One `$orderby` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderBy {
    pub property: Property,
    pub descending: bool,
}

/// `$top` and `$skip`: a decimal integer from 0 to `max`.
pub(crate) fn bounded(option: &str, value: &str, max: u32) -> Result<u32, QueryError> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits {
        return Err(QueryError::new(
            option,
            format!("'{value}' is not an integer from 0 to {max}"),
        ));
    }
    match value.parse::<u64>() {
        Ok(n) if n <= u64::from(max) => Ok(n as u32),
        _ => Err(QueryError::new(
            option,
            format!("{value} is more than the limit of {max}"),
        )),
    }
}

/// `$count`: `true` or `false`, lowercase as OData's boolean literals.
pub(crate) fn count(value: &str) -> Result<bool, QueryError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(QueryError::new(
            "$count",
            format!("'{value}' is neither true nor false"),
        )),
    }
}

/// `$skiptoken`: opaque here; the server that wrote it reads it.
pub(crate) fn skip_token(value: &str) -> Result<String, QueryError> {
    if value.is_empty() {
        return Err(QueryError::new("$skiptoken", "must not be empty"));
    }
    if let Some((byte, _)) = value.char_indices().nth(MAX_SKIPTOKEN_LENGTH) {
        return Err(QueryError::at(
            "$skiptoken",
            value[..byte].chars().count(),
            format!("longer than {MAX_SKIPTOKEN_LENGTH} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// `$format`: JSON is the only format, by its OData name or its media type (with parameters).
pub(crate) fn format(value: &str) -> Result<(), QueryError> {
    let media_type = value.split(';').next().unwrap_or_default().trim();
    if value.eq_ignore_ascii_case("json") || media_type.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(QueryError::new(
            "$format",
            format!("'{value}' is not supported: the only format is json"),
        ))
    }
}

/// `$expand`: the entity has no navigation properties, so `*` (every navigation property)
/// expands nothing and is accepted, as OData defines it; naming any property is refused with
/// the message Graph's OData layer gives.
pub(crate) fn expand(version: ApiVersion, value: &str) -> Result<(), QueryError> {
    const OPTION: &str = "$expand";
    const TYPE: &str = "microsoft.graph.remoteAssistancePartner";
    for (position, item) in items(value) {
        if item == "*" {
            continue;
        }
        if item.is_empty() {
            return Err(QueryError::at(
                OPTION,
                position,
                "expected '*' or a navigation property",
            ));
        }
        let reason = match names::property(version, item) {
            Ok(property) => format!(
                "Parsing OData Select and Expand failed: Property '{}' on type '{TYPE}' is not a \
                 navigation property or complex property. Only navigation properties can be expanded.",
                property.name()
            ),
            Err(_) => format!(
                "Parsing OData Select and Expand failed: Could not find a property named '{item}' \
                 on type '{TYPE}'."
            ),
        };
        return Err(QueryError::at(OPTION, position, reason));
    }
    Ok(())
}

/// `$select`: properties in the order asked, each once; `*` (alone or among others) selects
/// every property, which is the same as no `$select` and so returns `None`.
pub(crate) fn select(
    version: ApiVersion,
    value: &str,
) -> Result<Option<Vec<Property>>, QueryError> {
    let mut properties = Vec::new();
    let mut star = false;
    for (position, item) in items(value) {
        if item == "*" {
            star = true;
            continue;
        }
        let property = property("$select", version, position, item)?;
        if !properties.contains(&property) {
            properties.push(property);
        }
    }
    Ok((!star).then_some(properties))
}

/// `$orderby`: `property [asc|desc]`, comma-separated, at most [`MAX_ORDERBY_KEYS`], each
/// property once.
pub(crate) fn order_by(version: ApiVersion, value: &str) -> Result<Vec<OrderBy>, QueryError> {
    const OPTION: &str = "$orderby";
    let mut keys: Vec<OrderBy> = Vec::new();
    for (position, item) in items(value) {
        if keys.len() == MAX_ORDERBY_KEYS {
            return Err(QueryError::at(
                OPTION,
                position,
                format!("at most {MAX_ORDERBY_KEYS} keys"),
            ));
        }
        let mut words = words(item).map(|(offset, word)| (position + offset, word));
        let (_, name) = words.next().unwrap_or((position, ""));
        let property = property(OPTION, version, position, name)?;
        let descending = match words.next() {
            None => false,
            Some((_, "asc")) => false,
            Some((_, "desc")) => true,
            Some((at, other)) => {
                return Err(QueryError::at(
                    OPTION,
                    at,
                    format!("expected asc or desc after '{property}', found '{other}'"),
                ));
            }
        };
        if let Some((at, extra)) = words.next() {
            return Err(QueryError::at(
                OPTION,
                at,
                format!("unexpected '{extra}': keys are separated by commas"),
            ));
        }
        if keys.iter().any(|k| k.property == property) {
            return Err(QueryError::at(
                OPTION,
                position,
                format!("'{property}' is listed more than once"),
            ));
        }
        keys.push(OrderBy {
            property,
            descending,
        });
    }
    Ok(keys)
}

fn property(
    option: &str,
    version: ApiVersion,
    position: usize,
    name: &str,
) -> Result<Property, QueryError> {
    if name.is_empty() {
        return Err(QueryError::at(option, position, "expected a property name"));
    }
    names::property(version, name).map_err(|reason| QueryError::at(option, position, reason))
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The comma-separated items of `value`, trimmed of OData whitespace, each with the character
/// position of its first character (of where it would be, when empty).
fn items(value: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in value.split(',') {
        let lead = part.chars().take_while(|&c| is_space(c)).count();
        let trimmed = part.trim_matches(is_space);
        out.push((start + lead, trimmed));
        start += part.chars().count() + 1;
    }
    out
}

/// The whitespace-separated words of `item`, with their character offsets in it.
fn words(item: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    item.split(is_space).filter_map(move |word| {
        let at = offset;
        offset += word.chars().count() + 1;
        (!word.is_empty()).then_some((at, word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_words_report_character_positions() {
        assert_eq!(
            items(" a ,é,, b"),
            vec![(1, "a"), (4, "é"), (6, ""), (8, "b")]
        );
        assert_eq!(
            words("é  asc\tx").collect::<Vec<_>>(),
            vec![(0, "é"), (3, "asc"), (7, "x")]
        );
    }

    #[test]
    fn format_values() {
        for ok in [
            "json",
            "JSON",
            "application/json",
            "application/json;odata.metadata=minimal",
        ] {
            assert!(format(ok).is_ok(), "{ok}");
        }
        for bad in ["xml", "atom", "", "text/plain", "application/jsonx"] {
            assert!(format(bad).is_err(), "{bad}");
        }
    }
}
