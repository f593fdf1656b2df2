//! The `$filter` grammar, by recursive descent:
//!
//! ```text
//! or      = and *( "or" and )
//! and     = unary *( "and" unary )
//! unary   = "not" unary / primary
//! primary = "(" or ")"
//!         / function "(" property "," string ")"
//!         / property op literal
//!         / property "in" "(" literal *( "," literal ) ")"
//! ```
//!
//! Only `(` and `not` recurse, and both are counted before the recursion, so no input can take
//! the stack deeper than [`MAX_FILTER_DEPTH`] levels; `and`/`or` chains are built in a loop.
//!
//! Hand-written rather than built on a parser library: no maintained Rust crate parses OData's
//! `$filter`, and a combinator grammar would still need this file's limits (depth, length,
//! conditions) and Graph's error messages, which the HTTP suite's `query` tests and snapshots
//! pin; the fuzz target `odata_query` (`fuzz/`, bodies in `rapd_fuzz_targets`) shows no input panics or
//! overflows the stack.

use rapd_model::{ApiVersion, Property, PropertyKind};

use super::lexer::{Token, TokenKind};
use super::literal::convert;
use super::{CompareOp, Filter, Literal, MAX_FILTER_DEPTH, MAX_IN_VALUES, OPTION, TextFunction};
use crate::error::QueryError;
use crate::names;

/// Lowercase words of the grammar, for the "keywords are lowercase" hint.
const KEYWORDS: [&str; 11] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "in", "null",
];
/// OData operators this entity has no use for.
const UNSUPPORTED_OPERATORS: [&str; 7] = ["has", "add", "sub", "mul", "div", "divby", "mod"];

pub(super) fn parse(
    version: ApiVersion,
    tokens: &[Token],
    end: usize,
) -> Result<Filter, QueryError> {
    let mut parser = Parser {
        version,
        tokens,
        next: 0,
        end,
        parens: 0,
        nots: 0,
    };
    let (filter, _) = parser.or()?;
    match parser.peek() {
        None => Ok(filter),
        Some(t) if t.kind == TokenKind::Close => Err(err(t.position, "')' without a matching '('")),
        Some(t) => Err(err(
            t.position,
            format!(
                "expected 'and', 'or' or the end, found {}",
                describe(&t.kind)
            ),
        )),
    }
}

/// A parsed subtree and its height ([`Filter::depth`]).
type Node = (Filter, usize);

struct Parser<'a> {
    version: ApiVersion,
    tokens: &'a [Token],
    next: usize,
    /// Character length of the text: where "unexpected end" errors point.
    end: usize,
    /// Grouping parentheses open around the current token.
    parens: usize,
    /// `not`s whose operand is being parsed.
    nots: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.next)
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let token = self.tokens.get(self.next);
        self.next += 1;
        token
    }

    /// The next token, or an error saying `what` was expected at the end.
    fn expect_any(&mut self, what: &str) -> Result<&'a Token, QueryError> {
        self.bump().ok_or_else(|| {
            err(
                self.end,
                format!("unexpected end of $filter: expected {what}"),
            )
        })
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<&'a Token, QueryError> {
        let token = self.expect_any(what)?;
        if token.kind == kind {
            Ok(token)
        } else {
            Err(err(
                token.position,
                format!("expected {what}, found {}", describe(&token.kind)),
            ))
        }
    }

    fn at_word(&self, word: &str) -> Option<&'a Token> {
        self.peek()
            .filter(|t| matches!(&t.kind, TokenKind::Word(w) if w == word))
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut left = self.and()?;
        while let Some(op) = self.at_word("or") {
            self.next += 1;
            let right = self.and()?;
            left = join(Filter::Or, left, right, op.position)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut left = self.unary()?;
        while let Some(op) = self.at_word("and") {
            self.next += 1;
            let right = self.unary()?;
            left = join(Filter::And, left, right, op.position)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        let Some(not) = self.at_word("not") else {
            return self.primary();
        };
        self.next += 1;
        if self.nots == MAX_FILTER_DEPTH {
            return Err(too_deep(not.position));
        }
        self.nots += 1;
        let (inner, height) = self.unary()?;
        self.nots -= 1;
        if height + 1 > MAX_FILTER_DEPTH {
            return Err(too_deep(not.position));
        }
        Ok((Filter::Not(Box::new(inner)), height + 1))
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        let token = self.expect_any("an expression")?;
        let word = match &token.kind {
            TokenKind::Open => return self.group(token.position),
            TokenKind::Word(w) => w,
            TokenKind::Str(_) | TokenKind::Typed(..) => {
                return Err(err(token.position, LEFT_SIDE));
            }
            other => {
                return Err(err(
                    token.position,
                    format!("expected an expression, found {}", describe(other)),
                ));
            }
        };
        if let Some(function) = TextFunction::parse(word) {
            return self.text_function(function).map(|f| (f, 0));
        }
        let property = self.property(token)?;
        let op_token = self.expect_any("an operator (eq, ne, gt, ge, lt, le or in)")?;
        let TokenKind::Word(op) = &op_token.kind else {
            return Err(err(
                op_token.position,
                format!(
                    "expected an operator (eq, ne, gt, ge, lt, le or in) after '{property}', found {}",
                    describe(&op_token.kind)
                ),
            ));
        };
        if op == "in" {
            return self.in_list(property).map(|f| (f, 0));
        }
        let Some(op) = CompareOp::parse(op) else {
            return Err(err(op_token.position, unknown_operator(op)));
        };
        let value_token = self.expect_any("a value")?;
        let value = convert(property, &value_token.kind)
            .map_err(|reason| err(value_token.position, reason))?;
        if value == Literal::Null {
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return Err(err(
                    value_token.position,
                    "null can only be compared with eq or ne",
                ));
            }
            check_nullable(property, value_token.position)?;
        }
        Ok((
            Filter::Compare {
                property,
                op,
                value,
            },
            0,
        ))
    }

    /// After `(`: the group's expression and its `)`.
    fn group(&mut self, open: usize) -> Result<Node, QueryError> {
        if self.parens == MAX_FILTER_DEPTH {
            return Err(err(
                open,
                format!("parentheses nested deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        self.parens += 1;
        let node = self.or()?;
        self.parens -= 1;
        let what = format!("')' to close the '(' at position {open}");
        self.expect(TokenKind::Close, &what)?;
        Ok(node)
    }

    /// Resolves the word in `token` as a property name of this version.
    fn property(&self, token: &Token) -> Result<Property, QueryError> {
        let TokenKind::Word(word) = &token.kind else {
            return Err(err(
                token.position,
                format!("expected a property name, found {}", describe(&token.kind)),
            ));
        };
        names::property(self.version, word).map_err(|reason| {
            let next_is_open = self.peek().map(|t| &t.kind) == Some(&TokenKind::Open);
            let reason = if next_is_open && self.tokens.get(self.next - 1) == Some(token) {
                unknown_function(word)
            } else if let Some(hint) = keyword_hint(word) {
                hint
            } else if looks_like_literal(word) {
                LEFT_SIDE.to_owned()
            } else if KEYWORDS.contains(&word.as_str()) {
                format!("expected an expression, found '{word}'")
            } else {
                reason
            };
            err(token.position, reason)
        })
    }

    /// After the function name: `(property, 'text')`.
    fn text_function(&mut self, function: TextFunction) -> Result<Filter, QueryError> {
        let name = function.as_str();
        self.expect(TokenKind::Open, &format!("'(' after {name}"))?;
        let property_token = self.expect_any("a property name")?;
        let property = self.property(property_token)?;
        if !matches!(property.kind(), PropertyKind::String | PropertyKind::Guid) {
            return Err(err(
                property_token.position,
                format!("{name} applies only to string properties and id, not to '{property}'"),
            ));
        }
        self.expect(TokenKind::Comma, "','")?;
        let value_token = self.expect_any("a quoted string")?;
        let TokenKind::Str(value) = &value_token.kind else {
            return Err(err(
                value_token.position,
                format!(
                    "the second argument of {name} must be a quoted string, found {}",
                    describe(&value_token.kind)
                ),
            ));
        };
        self.expect(TokenKind::Close, &format!("')' to close {name}"))?;
        Ok(Filter::Text {
            function,
            property,
            value: value.clone(),
        })
    }

    /// After `in`: `(value, ...)`.
    fn in_list(&mut self, property: Property) -> Result<Filter, QueryError> {
        self.expect(TokenKind::Open, "'(' after in")?;
        let mut values = Vec::new();
        loop {
            let token = self.expect_any("a value")?;
            if token.kind == TokenKind::Close && values.is_empty() {
                return Err(err(token.position, "an in list needs at least one value"));
            }
            if values.len() == MAX_IN_VALUES {
                return Err(err(
                    token.position,
                    format!("an in list holds at most {MAX_IN_VALUES} values"),
                ));
            }
            let value =
                convert(property, &token.kind).map_err(|reason| err(token.position, reason))?;
            if value == Literal::Null {
                check_nullable(property, token.position)?;
            }
            values.push(value);
            let separator = self.expect_any("',' or ')'")?;
            match separator.kind {
                TokenKind::Comma => continue,
                TokenKind::Close => return Ok(Filter::In { property, values }),
                ref other => {
                    return Err(err(
                        separator.position,
                        format!("expected ',' or ')', found {}", describe(other)),
                    ));
                }
            }
        }
    }
}

const LEFT_SIDE: &str =
    "the left side of a comparison must be a property name (e.g. displayName eq 'x')";

fn err(position: usize, reason: impl Into<String>) -> QueryError {
    QueryError::at(OPTION, position, reason)
}

fn too_deep(position: usize) -> QueryError {
    err(
        position,
        format!("expression nested deeper than {MAX_FILTER_DEPTH} levels"),
    )
}

/// Builds `and`/`or` over two subtrees, refusing a tree higher than the limit.
fn join(
    make: fn(Box<Filter>, Box<Filter>) -> Filter,
    (left, lh): Node,
    (right, rh): Node,
    position: usize,
) -> Result<Node, QueryError> {
    let height = 1 + lh.max(rh);
    if height > MAX_FILTER_DEPTH {
        return Err(too_deep(position));
    }
    Ok((make(Box::new(left), Box::new(right)), height))
}

fn check_nullable(property: Property, position: usize) -> Result<(), QueryError> {
    if property.nullable() {
        Ok(())
    } else {
        Err(err(position, format!("'{property}' is never null")))
    }
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Open => "'('".into(),
        TokenKind::Close => "')'".into(),
        TokenKind::Comma => "','".into(),
        TokenKind::Word(w) => format!("'{w}'"),
        TokenKind::Str(s) => format!("the string '{s}'"),
        TokenKind::Typed(prefix, s) => format!("the literal {prefix}'{s}'"),
    }
}

fn keyword_hint(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    (lower != word && KEYWORDS.contains(&lower.as_str()))
        .then(|| format!("unknown word '{word}': OData keywords are lowercase ('{lower}')"))
}

fn unknown_operator(op: &str) -> String {
    if let Some(hint) = keyword_hint(op) {
        hint
    } else if UNSUPPORTED_OPERATORS.contains(&op) {
        format!("the operator '{op}' is not supported")
    } else {
        format!("expected an operator (eq, ne, gt, ge, lt, le or in), found '{op}'")
    }
}

fn unknown_function(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if TextFunction::parse(&lower).is_some() {
        format!("unknown function '{name}': function names are lowercase ('{lower}')")
    } else {
        format!(
            "the function '{name}' is not supported (supported: startswith, endswith, contains)"
        )
    }
}

/// Whether a word on the left of a comparison is a value rather than a misspelt property.
fn looks_like_literal(word: &str) -> bool {
    matches!(word, "null" | "true" | "false")
        || word.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}
