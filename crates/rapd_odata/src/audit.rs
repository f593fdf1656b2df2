//! The query options of `GET /deviceManagement/auditEvents`: `$filter` on `activityDateTime`,
//! `category` and `activityType` (comparisons joined by `and`), `$top` and `$skiptoken`.

use rapd_model::{ApiVersion, Timestamp};

use crate::{
    CompareOp, QueryError, options,
    query::{Options, SystemOption},
};

/// The longest audit `$filter` accepted, in characters.
pub const MAX_AUDIT_FILTER_LENGTH: usize = 1024;
/// The most comparisons an audit `$filter` may join.
pub const MAX_AUDIT_CONDITIONS: usize = 16;

/// One comparison of an audit `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCondition {
    ActivityDateTime(CompareOp, Timestamp),
    /// `category eq '…'` (or `ne`).
    Category(CompareOp, String),
    /// `activityType eq '…'` (or `ne`).
    ActivityType(CompareOp, String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// All must hold.
    pub filter: Vec<AuditCondition>,
    pub top: Option<u32>,
    pub skip_token: Option<String>,
}

/// Parses the options of the audit-events collection.
pub fn parse_audit_query(
    version: ApiVersion,
    raw_query: Option<&str>,
) -> Result<AuditQuery, QueryError> {
    use SystemOption as O;
    let allowed = [O::Filter, O::Top, O::SkipToken, O::Format];
    let mut query = AuditQuery::default();
    for (option, value) in Options::split(version, raw_query, &allowed, "auditEvents")?.0 {
        match option {
            O::Filter => query.filter = parse_audit_filter(&value)?,
            O::Top => query.top = Some(options::bounded("$top", &value, crate::MAX_TOP)?),
            O::SkipToken => query.skip_token = Some(options::skip_token(&value)?),
            _ => options::format(&value)?,
        }
    }
    Ok(query)
}

fn error(position: usize, reason: impl Into<String>) -> QueryError {
    QueryError::at("$filter", position, reason)
}

/// Words of the filter with their character positions; a quoted string is one word.
fn words(text: &str) -> Result<Vec<(usize, String)>, QueryError> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    let position = |byte: usize| text[..byte].chars().count();
    while let Some(&(start, c)) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '\'' {
            chars.next();
            word.push('\'');
            loop {
                match chars.next() {
                    Some((_, '\'')) if chars.peek().map(|(_, c)| *c) == Some('\'') => {
                        chars.next();
                        word.push('\'');
                    }
                    Some((_, '\'')) => break,
                    Some((_, c)) => word.push(c),
                    None => return Err(error(position(start), "unterminated string")),
                }
            }
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push((position(start), word));
    }
    Ok(words)
}

fn parse_audit_filter(text: &str) -> Result<Vec<AuditCondition>, QueryError> {
    if text.chars().count() > MAX_AUDIT_FILTER_LENGTH {
        return Err(error(
            MAX_AUDIT_FILTER_LENGTH,
            format!("longer than {MAX_AUDIT_FILTER_LENGTH} characters"),
        ));
    }
    let words = words(text)?;
    let mut conditions = Vec::new();
    let mut rest = words.as_slice();
    loop {
        let [(at, property), (op_at, op), (value_at, value), tail @ ..] = rest else {
            let at = rest.first().map_or(text.chars().count(), |w| w.0);
            return Err(error(at, "expected 'property operator value'"));
        };
        let op = CompareOp::ALL
            .into_iter()
            .find(|o| o.as_str() == op)
            .ok_or_else(|| error(*op_at, format!("unknown operator '{op}'")))?;
        let text_value = || {
            value
                .strip_prefix('\'')
                .map(str::to_owned)
                .ok_or_else(|| error(*value_at, "expected a quoted string"))
        };
        let equality = || {
            matches!(op, CompareOp::Eq | CompareOp::Ne)
                .then_some(op)
                .ok_or_else(|| error(*op_at, "only eq and ne apply to this property"))
        };
        conditions.push(match property.as_str() {
            "activityDateTime" => {
                let time = Timestamp::parse(value)
                    .ok_or_else(|| error(*value_at, "expected a date-time such as 2024-01-01T00:00:00Z"))?;
                AuditCondition::ActivityDateTime(op, time)
            }
            "category" => AuditCondition::Category(equality()?, text_value()?),
            "activityType" => AuditCondition::ActivityType(equality()?, text_value()?),
            other => {
                return Err(error(
                    *at,
                    format!("'{other}' cannot be filtered; use activityDateTime, category or activityType"),
                ));
            }
        });
        if conditions.len() > MAX_AUDIT_CONDITIONS {
            return Err(error(
                *at,
                format!("more than {MAX_AUDIT_CONDITIONS} conditions"),
            ));
        }
        match tail {
            [] => return Ok(conditions),
            [(_, and), more @ ..] if and == "and" => rest = more,
            [(at, other), ..] => {
                return Err(error(*at, format!("expected 'and', found '{other}'")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(text: &str) -> Result<Vec<AuditCondition>, QueryError> {
        parse_audit_filter(text)
    }

    #[test]
    fn the_supported_shapes() {
        let parsed = filter("activityDateTime ge 2024-01-01T00:00:00Z and category eq 'RemoteAssistance' and activityType ne 'It''s'").unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(
            parsed[2],
            AuditCondition::ActivityType(CompareOp::Ne, "It's".into())
        );
        let q =
            parse_audit_query(ApiVersion::V1, Some("$top=5&$filter=category%20eq%20'x'")).unwrap();
        assert_eq!((q.top, q.filter.len()), (Some(5), 1));
    }

    #[test]
    fn refusals_name_the_position() {
        assert_eq!(filter("colour eq 'x'").unwrap_err().position, Some(0));
        assert_eq!(filter("category gt 'x'").unwrap_err().position, Some(9));
        assert!(filter("activityDateTime ge yesterday").is_err());
        assert!(filter("category eq 'x' or category eq 'y'").is_err());
        assert!(filter("category eq 'x").is_err());
        assert!(filter("").is_err());
        assert!(parse_audit_query(ApiVersion::V1, Some("$orderby=x")).is_err());
        let at = format!("category eq '{}'", "x".repeat(MAX_AUDIT_FILTER_LENGTH - 14));
        assert!(filter(&at).is_ok());
        let past = format!("category eq '{}'", "x".repeat(MAX_AUDIT_FILTER_LENGTH - 13));
        assert!(filter(&past).is_err());
    }
}
