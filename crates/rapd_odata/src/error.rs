//! The one error of this layer: which query option was refused, where, and why.

use std::fmt;

/// A query option the server refuses; every one is a `400 Bad Request`.
///
/// `option` is the option's canonical name (`$filter`, also when a beta client wrote `filter`),
/// or the name as sent for an option rapd does not know. `position` is a 0-based offset in
/// characters (not bytes) into the option's percent-decoded value, when one token is to blame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid {option}{}: {reason}", At(*.position))]
pub struct QueryError {
    pub option: String,
    pub position: Option<usize>,
    pub reason: String,
}

impl QueryError {
    pub(crate) fn new(option: &str, reason: impl Into<String>) -> QueryError {
        QueryError {
            option: option.to_owned(),
            position: None,
            reason: reason.into(),
        }
    }

    pub(crate) fn at(option: &str, position: usize, reason: impl Into<String>) -> QueryError {
        QueryError {
            option: option.to_owned(),
            position: Some(position),
            reason: reason.into(),
        }
    }
}

/// Writes ` at position N` when there is a position.
struct At(Option<usize>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(position) => write!(f, " at position {position}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_position() {
        let e = QueryError::at("$filter", 12, "unknown property 'colour'");
        assert_eq!(
            e.to_string(),
            "Invalid $filter at position 12: unknown property 'colour'"
        );
        let e = QueryError::new("$top", "must be an integer from 0 to 1000");
        assert_eq!(
            e.to_string(),
            "Invalid $top: must be an integer from 0 to 1000"
        );
    }
}
