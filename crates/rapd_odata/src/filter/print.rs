//! Writing a [`Filter`] back as OData text that parses to the same tree.
//!
//! Parentheses appear only where the grammar needs them (a right operand of the same or a lower
//! precedence, an `or` under `and`, a compound or comparison under `not`), so the printed text
//! never nests deeper than the tree it came from and stays within [`super::MAX_FILTER_DEPTH`].

use std::fmt;

use super::{CompareOp, Filter, Literal, TextFunction};

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Or(a, b) => {
                write!(f, "{a} or ")?;
                operand(f, b, matches!(**b, Filter::Or(..)))
            }
            Filter::And(a, b) => {
                operand(f, a, matches!(**a, Filter::Or(..)))?;
                f.write_str(" and ")?;
                operand(f, b, matches!(**b, Filter::Or(..) | Filter::And(..)))
            }
            Filter::Not(inner) => {
                f.write_str("not ")?;
                let bare = matches!(**inner, Filter::Not(..) | Filter::Text { .. });
                operand(f, inner, !bare)
            }
            Filter::Compare {
                property,
                op,
                value,
            } => write!(f, "{property} {op} {value}"),
            Filter::In { property, values } => {
                write!(f, "{property} in (")?;
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str(")")
            }
            Filter::Text {
                function,
                property,
                value,
            } => {
                write!(f, "{function}({property},")?;
                quoted(f, value)?;
                f.write_str(")")
            }
        }
    }
}

fn operand(f: &mut fmt::Formatter<'_>, filter: &Filter, parenthesise: bool) -> fmt::Result {
    if parenthesise {
        write!(f, "({filter})")
    } else {
        write!(f, "{filter}")
    }
}

/// `'text'` with every `'` doubled.
fn quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("'")?;
    for (i, part) in text.split('\'').enumerate() {
        if i > 0 {
            f.write_str("''")?;
        }
        f.write_str(part)?;
    }
    f.write_str("'")
}

/// The form a client would write: GUIDs and enum members quoted, DateTimeOffsets bare.
impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::String(s) => quoted(f, s),
            Literal::Guid(g) => write!(f, "'{}'", g.hyphenated()),
            Literal::DateTime(t) => write!(f, "{t}"),
            Literal::Status(s) => write!(f, "'{}'", s.as_str()),
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for TextFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use rapd_model::{OnboardingStatus, Property, Timestamp};

    use super::*;

    fn cmp(property: Property, value: Literal) -> Box<Filter> {
        Box::new(Filter::Compare {
            property,
            op: CompareOp::Eq,
            value,
        })
    }

    fn name(s: &str) -> Box<Filter> {
        cmp(Property::DisplayName, Literal::String(s.into()))
    }

    #[test]
    fn literals() {
        assert_eq!(Literal::String("it's".into()).to_string(), "'it''s'");
        assert_eq!(Literal::String("''".into()).to_string(), "''''''");
        assert_eq!(Literal::Null.to_string(), "null");
        assert_eq!(
            Literal::Status(OnboardingStatus::NotOnboarded).to_string(),
            "'notOnboarded'"
        );
        assert_eq!(
            Literal::DateTime(Timestamp::parse("2024-01-01T00:00:00.25+01:00").unwrap())
                .to_string(),
            "2023-12-31T23:00:00.25Z"
        );
        let g = uuid::Uuid::parse_str("7443C8B9-0C5D-4A6F-9F1E-2F9D7C4B1A00").unwrap();
        assert_eq!(
            Literal::Guid(g).to_string(),
            "'7443c8b9-0c5d-4a6f-9f1e-2f9d7c4b1a00'"
        );
    }

    #[test]
    fn parentheses_only_where_needed() {
        let (a, b, c) = (name("a"), name("b"), name("c"));
        let left = Filter::And(Box::new(Filter::And(a.clone(), b.clone())), c.clone());
        assert_eq!(
            left.to_string(),
            "displayName eq 'a' and displayName eq 'b' and displayName eq 'c'"
        );
        let right = Filter::And(a.clone(), Box::new(Filter::And(b.clone(), c.clone())));
        assert_eq!(
            right.to_string(),
            "displayName eq 'a' and (displayName eq 'b' and displayName eq 'c')"
        );
        let mixed = Filter::And(Box::new(Filter::Or(a.clone(), b.clone())), c.clone());
        assert_eq!(
            mixed.to_string(),
            "(displayName eq 'a' or displayName eq 'b') and displayName eq 'c'"
        );
        let or_and = Filter::Or(a.clone(), Box::new(Filter::And(b, c)));
        assert_eq!(
            or_and.to_string(),
            "displayName eq 'a' or displayName eq 'b' and displayName eq 'c'"
        );
        let text = Filter::Text {
            function: TextFunction::StartsWith,
            property: Property::Id,
            value: "74".into(),
        };
        let not = Filter::Not(Box::new(Filter::Not(Box::new(text))));
        assert_eq!(not.to_string(), "not not startswith(id,'74')");
        assert_eq!(Filter::Not(a).to_string(), "not (displayName eq 'a')");
        let list = Filter::In {
            property: Property::OnboardingUrl,
            values: vec![Literal::Null, Literal::String("x".into())],
        };
        assert_eq!(list.to_string(), "onboardingUrl in (null,'x')");
    }
}
