//! Just enough of Rust's lexical grammar to read paths: identifiers, `::` and the punctuation of
//! `use` trees and blocks. Comments, strings and character literals are skipped, so a path named
//! in a doc comment or a message is not a reference.

/// One token of interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    /// Anything else (operators, numbers' digits, `#`, `$`, …), kept so paths do not run on.
    Other,
}

/// A token and the line it starts on (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexed {
    pub token: Token,
    pub line: u32,
}

pub fn lex(source: &str) -> Vec<Lexed> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        let token = match c {
            '\n' => {
                line += 1;
                i += 1;
                continue;
            }
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if at(i + 1) == '*' => {
                i = skip_block_comment(&chars, i, &mut line);
                continue;
            }
            '"' => {
                i = skip_string(&chars, i + 1, &mut line);
                continue;
            }
            '\'' => {
                i = skip_char_or_lifetime(&chars, i);
                continue;
            }
            c if c.is_alphabetic() || c == '_' => {
                if let Some(end) = literal_with_prefix(&chars, i, &mut line) {
                    i = end;
                    continue;
                }
                // `r#type` is the identifier `type`.
                if c == 'r' && at(i + 1) == '#' && is_ident_char(at(i + 2)) {
                    i += 2;
                }
                let begin = i;
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                out.push(Lexed {
                    token: Token::Ident(chars[begin..i].iter().collect()),
                    line: start_line,
                });
                continue;
            }
            ':' if at(i + 1) == ':' => {
                i += 1;
                Token::PathSep
            }
            '{' => Token::Open,
            '}' => Token::Close,
            ',' => Token::Comma,
            ';' => Token::Semi,
            _ => Token::Other,
        };
        i += 1;
        out.push(Lexed {
            token,
            line: start_line,
        });
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Past a `/* … */` comment starting at `i`; these nest.
fn skip_block_comment(chars: &[char], mut i: usize, line: &mut u32) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1).copied()) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            ('\n', _) => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Past the closing quote of a string whose body starts at `i`.
fn skip_string(chars: &[char], mut i: usize, line: &mut u32) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Past `'x'`, `'\n'` or `'\u{…}'`; a lifetime or label (`'a`) only loses its quote.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    let at = |j: usize| chars.get(j).copied().unwrap_or('\0');
    if at(i + 1) == '\\' {
        let mut j = i + 3;
        while j < chars.len() && chars[j] != '\'' {
            j += 1;
        }
        return j + 1;
    }
    if at(i + 2) == '\'' {
        return i + 3;
    }
    i + 1
}

/// A string or character literal with a prefix (`b"…"`, `b'…'`, `c"…"`, `r#"…"#`, `br"…"`):
/// where it ends, or `None` when `i` starts an identifier.
fn literal_with_prefix(chars: &[char], i: usize, line: &mut u32) -> Option<usize> {
    let at = |j: usize| chars.get(j).copied().unwrap_or('\0');
    let mut j = i;
    if matches!(at(j), 'b' | 'c') {
        j += 1;
        match at(j) {
            '"' => return Some(skip_string(chars, j + 1, line)),
            '\'' if chars[i] == 'b' => return Some(skip_char_or_lifetime(chars, j)),
            _ => {}
        }
    }
    if at(j) != 'r' {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while at(j) == '#' {
        hashes += 1;
        j += 1;
    }
    if at(j) != '"' {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '\n' {
            *line += 1;
        }
        if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<String> {
        lex(source)
            .into_iter()
            .filter_map(|l| match l.token {
                Token::Ident(name) => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_chars_hide_their_contents() {
        let source = r####"
            // crate::h1
            /* crate::h2 /* nested crate::h3 */ still comment */
            let s = "crate::h4 \" crate::h5";
            let r = r#"crate::h6 "quoted" "#;
            let b = b"crate::h7";
            let q = '"';
            let e = '\'';
            fn f<'a>(x: &'a str) {}
            keep
        "####;
        let found = idents(source);
        for hidden in [
            "h1", "h2", "h3", "h4", "h5", "h6", "h7", "quoted", "comment",
        ] {
            assert!(!found.contains(&hidden.to_owned()), "{hidden} in {found:?}");
        }
        assert!(found.contains(&"keep".to_owned()));
        assert!(found.contains(&"x".to_owned()));
    }

    #[test]
    fn lines_are_counted_through_comments_and_strings() {
        let lexed = lex("a\n/* x\n y */ \"s\ns\"\nb");
        assert_eq!(lexed.last().map(|l| l.line), Some(5));
    }

    #[test]
    fn raw_identifiers_lose_their_prefix() {
        assert_eq!(idents("r#type"), ["type"]);
    }
}
