//! Splits a decoded `$filter` value into tokens, each with its character position.
//!
//! A word is a maximal run of anything but whitespace, parentheses, commas and quotes, so names,
//! keywords, GUIDs, `null` and DateTimeOffsets (`2024-01-01T00:00:00+02:00`) are all words and
//! the parser decides what each one means in its place.

use super::OPTION;
use crate::error::QueryError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TokenKind {
    Open,
    Close,
    Comma,
    Word(String),
    /// `'text'`, with `''` already turned into `'`.
    Str(String),
    /// `prefix'text'` where the prefix contains a dot: a type-qualified literal such as
    /// `microsoft.graph.remoteAssistanceOnboardingStatus'onboarded'`.
    Typed(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: TokenKind,
    /// Character offset of the token's first character.
    pub position: usize,
}

/// OData's whitespace (`RWS`/`BWS`): space and horizontal tab.
fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn ends_word(c: char) -> bool {
    is_space(c) || c.is_control() || matches!(c, '(' | ')' | ',' | '\'')
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let kind = match c {
            c if is_space(c) => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                TokenKind::Open
            }
            ')' => {
                i += 1;
                TokenKind::Close
            }
            ',' => {
                i += 1;
                TokenKind::Comma
            }
            '\'' => {
                let (text, next) = string(&chars, i)?;
                i = next;
                TokenKind::Str(text)
            }
            c if c.is_control() => {
                return Err(QueryError::at(
                    OPTION,
                    i,
                    format!("unexpected character U+{:04X}", u32::from(c)),
                ));
            }
            _ => {
                while i < chars.len() && !ends_word(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if i < chars.len() && chars[i] == '\'' && word.contains('.') {
                    let (text, next) = string(&chars, i)?;
                    i = next;
                    TokenKind::Typed(word, text)
                } else {
                    TokenKind::Word(word)
                }
            }
        };
        tokens.push(Token {
            kind,
            position: start,
        });
    }
    Ok(tokens)
}

/// Reads the quoted string opening at `open`; returns its text and the index after its end.
fn string(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let mut text = String::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(QueryError::at(OPTION, open, "string literal is not closed"));
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            // No stored text holds NUL (request bodies refuse it), and PostgreSQL's text cannot.
            Some('\0') => {
                return Err(QueryError::at(
                    OPTION,
                    i,
                    "a string literal cannot hold NUL (%00)",
                ));
            }
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_a_literal_is_refused_where_it_stands() {
        let e = lex("displayName eq 'a\0b'").unwrap_err();
        assert_eq!(e.position, Some(17));
        assert!(e.reason.contains("NUL"), "{e}");
    }

    fn kinds(text: &str) -> Vec<(TokenKind, usize)> {
        lex(text)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, t.position))
            .collect()
    }

    fn word(w: &str) -> TokenKind {
        TokenKind::Word(w.to_owned())
    }

    #[test]
    fn words_strings_and_punctuation() {
        assert_eq!(
            kinds("startswith(displayName,'it''s') or\tid in ( 'a' )"),
            vec![
                (word("startswith"), 0),
                (TokenKind::Open, 10),
                (word("displayName"), 11),
                (TokenKind::Comma, 22),
                (TokenKind::Str("it's".into()), 23),
                (TokenKind::Close, 30),
                (word("or"), 32),
                (word("id"), 35),
                (word("in"), 38),
                (TokenKind::Open, 41),
                (TokenKind::Str("a".into()), 43),
                (TokenKind::Close, 47),
            ]
        );
    }

    #[test]
    fn date_times_and_guids_are_single_words() {
        assert_eq!(
            kinds("x gt 2024-01-01T00:00:00.5+02:00"),
            vec![
                (word("x"), 0),
                (word("gt"), 2),
                (word("2024-01-01T00:00:00.5+02:00"), 5)
            ]
        );
    }

    #[test]
    fn typed_literals_need_a_dotted_prefix() {
        assert_eq!(
            kinds("microsoft.graph.remoteAssistanceOnboardingStatus'onboarded'"),
            vec![(
                TokenKind::Typed(
                    "microsoft.graph.remoteAssistanceOnboardingStatus".into(),
                    "onboarded".into()
                ),
                0
            )]
        );
        assert_eq!(
            kinds("eq'x'"),
            vec![(word("eq"), 0), (TokenKind::Str("x".into()), 2)]
        );
    }

    #[test]
    fn empty_and_quote_only_strings() {
        assert_eq!(kinds("''"), vec![(TokenKind::Str(String::new()), 0)]);
        assert_eq!(kinds("''''"), vec![(TokenKind::Str("'".into()), 0)]);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(
            kinds("'é' x"),
            vec![(TokenKind::Str("é".into()), 0), (word("x"), 4)]
        );
    }

    #[test]
    fn unclosed_string_points_at_its_quote() {
        let e = lex("a eq 'abc").unwrap_err();
        assert_eq!(e.position, Some(5));
        let e = lex("a eq 'it''").unwrap_err();
        assert_eq!(e.position, Some(5));
    }

    #[test]
    fn control_characters_are_refused() {
        let e = lex("a\neq").unwrap_err();
        assert_eq!(e.position, Some(1));
    }
}
