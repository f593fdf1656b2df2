//! `$filter`: the typed expression tree, and the entry point that turns decoded text into one.
//!
//! Every [`Filter`] this crate returns is well typed against the catalogue of its API version:
//! each literal has the kind of its property (`null` only under `eq`/`ne` on a nullable
//! property), text functions apply only to strings and `id`, and the tree is at most
//! [`MAX_FILTER_DEPTH`] levels high.

mod lexer;
mod literal;
mod parser;
mod print;

use rapd_model::{ApiVersion, OnboardingStatus, Property, Timestamp};
use uuid::Uuid;

use crate::error::QueryError;

/// The longest `$filter`, in characters of the percent-decoded value.
pub const MAX_FILTER_LENGTH: usize = 2048;
/// The highest a filter may nest: each `and`, `or` and `not` is one level of the tree (a chain
/// `a and b and c` is two), and grouping parentheses may nest at most this deep too.
pub const MAX_FILTER_DEPTH: usize = 32;
/// The most values one `in (...)` list may hold.
pub const MAX_IN_VALUES: usize = 100;

/// A boolean `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `property op value`; the property is always on the left.
    Compare {
        property: Property,
        op: CompareOp,
        value: Literal,
    },
    /// `property in (v1, v2, ...)`, 1 to [`MAX_IN_VALUES`] values, duplicates kept.
    In {
        property: Property,
        values: Vec<Literal>,
    },
    /// `startswith(property, 'value')` and its siblings; case-sensitive, as OData's are.
    Text {
        function: TextFunction,
        property: Property,
        value: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextFunction {
    StartsWith,
    EndsWith,
    Contains,
}

/// A literal, already converted to its property's type. `onboardingStatus` values order by their
/// CSDL value: notOnboarded < onboarding < onboarded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    Null,
    String(String),
    Guid(Uuid),
    DateTime(Timestamp),
    Status(OnboardingStatus),
}

impl CompareOp {
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The OData keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    fn parse(word: &str) -> Option<CompareOp> {
        CompareOp::ALL.into_iter().find(|op| op.as_str() == word)
    }
}

impl TextFunction {
    pub const ALL: [TextFunction; 3] = [
        TextFunction::StartsWith,
        TextFunction::EndsWith,
        TextFunction::Contains,
    ];

    /// The OData function name.
    pub fn as_str(self) -> &'static str {
        match self {
            TextFunction::StartsWith => "startswith",
            TextFunction::EndsWith => "endswith",
            TextFunction::Contains => "contains",
        }
    }

    fn parse(word: &str) -> Option<TextFunction> {
        TextFunction::ALL.into_iter().find(|f| f.as_str() == word)
    }
}

impl Filter {
    /// Parses a percent-decoded `$filter` value against `version`'s catalogue.
    pub fn parse(version: ApiVersion, text: &str) -> Result<Filter, QueryError> {
        parse_filter(version, text)
    }

    /// The height of the tree: 0 for a comparison, one more for each `and`, `or`, `not` above it.
    pub fn depth(&self) -> usize {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => 1 + a.depth().max(b.depth()),
            Filter::Not(inner) => 1 + inner.depth(),
            Filter::Compare { .. } | Filter::In { .. } | Filter::Text { .. } => 0,
        }
    }
}

/// Parses a percent-decoded `$filter` value against `version`'s catalogue. Errors name the option
/// `$filter` and carry the character position of the offending token.
pub fn parse_filter(version: ApiVersion, text: &str) -> Result<Filter, QueryError> {
    // Checked before anything else looks at the text, so a huge value costs one pass.
    if let Some((position, _)) = text.char_indices().nth(MAX_FILTER_LENGTH) {
        let position = text[..position].chars().count();
        return Err(QueryError::at(
            OPTION,
            position,
            format!("longer than {MAX_FILTER_LENGTH} characters"),
        ));
    }
    let tokens = lexer::lex(text)?;
    parser::parse(version, &tokens, text.chars().count())
}

/// The option every error of this module names.
const OPTION: &str = "$filter";
