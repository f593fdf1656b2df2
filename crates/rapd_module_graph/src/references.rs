//! Which names at the crate root a file refers to: the first segment after `crate::`, or after
//! as many `super::` as climb to the root (`use crate::{a, b::c}` names `a` and `b`), and what
//! the root's own `use` items re-export.

use crate::lexer::{Lexed, Token};

/// A name at the crate root, and the line that refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub line: u32,
}

/// What one file tells about the graph.
#[derive(Debug, Default)]
pub struct Scan {
    /// The crate-root names referred to outside test-only code.
    pub references: Vec<Reference>,
    /// The module paths of the `#[cfg(test)] mod name;` declared here, whose files are left out.
    pub test_modules: Vec<Vec<String>>,
}

/// Reads a file whose module path is `module` (`["idp", "token"]` for `src/idp/token.rs`).
/// Inline modules are followed, so their `super` climbs from where they are, and the inside of
/// a `#[cfg(test)]` module is skipped: a unit test may use a higher layer to build its input.
pub fn scan(tokens: &[Lexed], module: &[String]) -> Scan {
    let token = |i: usize| tokens.get(i).map(|l| &l.token);
    let mut out = Scan::default();
    let mut depth = 0usize;
    // Inline modules open at this point: name, the brace depth inside, whether test-only.
    let mut inline: Vec<(String, usize, bool)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|m| m.1 > depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => match (token(i + 1), token(i + 2)) {
                (Some(Token::Ident(name)), Some(Token::Open)) => {
                    inline.push((name.clone(), depth + 1, test_only(tokens, i)));
                }
                (Some(Token::Ident(name)), Some(Token::Semi)) if test_only(tokens, i) => {
                    let mut path = module.to_vec();
                    path.extend(inline.iter().map(|m| m.0.clone()));
                    path.push(name.clone());
                    out.test_modules.push(path);
                }
                _ => {}
            },
            Token::Ident(word)
                if (word == "crate" || word == "super")
                    && token(i + 1) == Some(&Token::PathSep)
                    && (i == 0 || token(i - 1) != Some(&Token::PathSep)) =>
            {
                let (level, next) = match word.as_str() {
                    "crate" => (Some(0), i + 2),
                    _ => climb(tokens, i, module.len() + inline.len()),
                };
                if level == Some(0) && !inline.iter().any(|m| m.2) {
                    first_segments(tokens, next, &mut out.references);
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether the `mod` at `i` (after an optional `pub`) carries `#[cfg(test)]`.
fn test_only(tokens: &[Lexed], i: usize) -> bool {
    let at = |j: usize| tokens.get(j).map(|l| &l.token);
    let is = |j: usize, word: &str| matches!(at(j), Some(Token::Ident(w)) if w == word);
    let i = if i > 0 && is(i - 1, "pub") { i - 1 } else { i };
    // `cfg ( test ) ]` just before.
    i >= 5
        && is(i - 5, "cfg")
        && at(i - 4) == Some(&Token::Other)
        && is(i - 3, "test")
        && at(i - 2) == Some(&Token::Other)
        && at(i - 1) == Some(&Token::Other)
}

/// Follows `super::super::…` from `i`: the module depth reached and the token after the path's
/// last `super::`. Climbing above the root is not Rust; it gives `None`.
fn climb(tokens: &[Lexed], mut i: usize, mut level: usize) -> (Option<usize>, usize) {
    let mut valid = true;
    while matches!(tokens.get(i).map(|l| &l.token), Some(Token::Ident(w)) if w == "super")
        && tokens.get(i + 1).map(|l| &l.token) == Some(&Token::PathSep)
    {
        match level.checked_sub(1) {
            Some(up) => level = up,
            None => valid = false,
        }
        i += 2;
    }
    (valid.then_some(level), i)
}

/// The first segment of the path at `i`, or of each element of the group (`{a, b::c}`) there.
fn first_segments(tokens: &[Lexed], i: usize, out: &mut Vec<Reference>) {
    let mut push = |l: &Lexed| {
        if let Token::Ident(name) = &l.token
            && name != "self"
        {
            out.push(Reference {
                name: name.clone(),
                line: l.line,
            });
        }
    };
    match tokens.get(i).map(|l| &l.token) {
        Some(Token::Ident(_)) => push(&tokens[i]),
        Some(Token::Open) => group_elements(tokens, i)
            .into_iter()
            .for_each(|j| push(&tokens[j])),
        _ => {}
    }
}

/// The position of the first token of each top-level element of the group (`{a, b::c}`) that
/// opens at `open`.
pub fn group_elements(tokens: &[Lexed], open: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth = 0;
    let mut element_start = true;
    for (j, l) in tokens.iter().enumerate().skip(open) {
        match &l.token {
            Token::Open => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                element_start = true;
                continue;
            }
            _ if depth == 1 && element_start => starts.push(j),
            _ => {}
        }
        element_start = false;
    }
    starts
}

/// What the crate root's `use` items bind, as (name, first segment of its path):
/// `pub use idp::{DevApp, DevUser as User};` gives `(DevApp, idp)` and `(User, idp)`.
pub fn root_bindings(tokens: &[Lexed]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            Token::Ident(word) if word == "use" && depth == 0 => {
                let mut leaves = Vec::new();
                i = use_tree(tokens, i + 1, &[], &mut leaves);
                for (path, name) in leaves {
                    let first = path
                        .iter()
                        .find(|s| !matches!(s.as_str(), "crate" | "self"))
                        .cloned();
                    if let Some(first) = first {
                        out.push((name, first));
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads one use tree at `i` under `prefix`, adding each leaf's full path and bound name;
/// returns the index after it.
fn use_tree(
    tokens: &[Lexed],
    mut i: usize,
    prefix: &[String],
    leaves: &mut Vec<(Vec<String>, String)>,
) -> usize {
    let token = |i: usize| tokens.get(i).map(|l| &l.token);
    let mut path = prefix.to_vec();
    loop {
        match token(i) {
            Some(Token::Ident(segment)) if segment != "as" => {
                path.push(segment.clone());
                i += 1;
            }
            Some(Token::PathSep) => i += 1,
            Some(Token::Open) => {
                i += 1;
                while !matches!(token(i), None | Some(Token::Close)) {
                    i = use_tree(tokens, i, &path, leaves);
                    if token(i) == Some(&Token::Comma) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            _ => break,
        }
    }
    let bound = match (token(i), token(i + 1)) {
        (Some(Token::Ident(k)), Some(Token::Ident(alias))) if k == "as" => {
            i += 2;
            Some(alias.clone())
        }
        _ => path
            .iter()
            .rev()
            .find(|s| s.as_str() != "self")
            .cloned()
            .filter(|_| path.len() > prefix.len()),
    };
    if let Some(bound) = bound {
        leaves.push((path, bound));
    }
    // Past a glob (`*`) or anything this reader does not follow, to the end of this element.
    while matches!(token(i), Some(Token::Other | Token::Ident(_))) {
        i += 1;
    }
    if token(i) == Some(&Token::Semi) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn names(source: &str, module: &[&str]) -> Vec<String> {
        let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
        scan(&lex(source), &module)
            .references
            .into_iter()
            .map(|r| r.name)
            .collect()
    }

    #[test]
    fn crate_paths_and_groups() {
        let source = "use crate::{a, b::c, d::{e, f}}; fn g() { crate::h::i(); x::crate_y(); }";
        assert_eq!(names(source, &["z"]), ["a", "b", "d", "h"]);
    }

    #[test]
    fn super_climbs_from_the_file_and_its_inline_modules() {
        assert_eq!(names("use super::{a, b};", &["x"]), ["a", "b"]);
        assert!(names("use super::a;", &["x", "y"]).is_empty());
        assert_eq!(names("use super::super::a;", &["x", "y"]), ["a"]);
        let inline = "mod inner { use super::*; use super::a; } use super::b;";
        assert_eq!(names(inline, &["x"]), ["b"]);
        let nested = "mod inner { use super::super::a; }";
        assert_eq!(names(nested, &["x"]), ["a"]);
    }

    #[test]
    fn test_only_modules_are_left_out() {
        let source = "#[cfg(test)] mod tests { use crate::a; } #[cfg(test)] pub mod more; \
                      mod fixtures; use crate::b;";
        let found = scan(&lex(source), &["x".to_owned()]);
        let names: Vec<_> = found.references.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b"]);
        assert_eq!(found.test_modules, [["x".to_owned(), "more".to_owned()]]);
    }

    #[test]
    fn root_bindings_follow_use_trees() {
        let source = "pub mod idp; pub use idp::{DevApp, directory::DevUser as User}; \
                      pub use crate::routing::router; use std::future::Future; \
                      fn f() { use inner::Hidden; }";
        let bindings = root_bindings(&lex(source));
        assert_eq!(
            bindings,
            [
                ("DevApp".to_owned(), "idp".to_owned()),
                ("User".to_owned(), "idp".to_owned()),
                ("router".to_owned(), "routing".to_owned()),
                ("Future".to_owned(), "std".to_owned()),
            ]
        );
    }
}
