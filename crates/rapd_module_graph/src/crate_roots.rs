//! Paths that reach past another crate's root into its modules (`rapd_server::tls::acceptor`,
//! `use rapd_server::{AppState, tls::CertificateSource}`), for crates that should use only what
//! their dependencies export at the root. A lowercase segment followed by `::` is a module.

use crate::{
    lexer::{Lexed, Token},
    references::group_elements,
};

/// Each `krate::module::…` in `tokens` whose crate is one of `crates`, as
/// (line, `krate::module`).
pub fn deep_paths(tokens: &[Lexed], crates: &[&str]) -> Vec<(u32, String)> {
    let token = |i: usize| tokens.get(i).map(|l| &l.token);
    let is_module = |i: usize| {
        matches!(token(i), Some(Token::Ident(m)) if m.starts_with(|c: char| c.is_lowercase()))
            && token(i + 1) == Some(&Token::PathSep)
    };
    let name = |i: usize| match token(i) {
        Some(Token::Ident(m)) => m.clone(),
        _ => String::new(),
    };
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let Some(Token::Ident(krate)) = token(i) else {
            continue;
        };
        let at_path_start = i == 0 || token(i - 1) != Some(&Token::PathSep);
        if !crates.contains(&krate.as_str())
            || !at_path_start
            || token(i + 1) != Some(&Token::PathSep)
        {
            continue;
        }
        if is_module(i + 2) {
            out.push((tokens[i].line, format!("{krate}::{}", name(i + 2))));
            continue;
        }
        if token(i + 2) != Some(&Token::Open) {
            continue;
        }
        // A group: the first segment of each element at its top level.
        for j in group_elements(tokens, i + 2) {
            if is_module(j) {
                out.push((tokens[j].line, format!("{krate}::{}", name(j))));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    #[test]
    fn modules_past_the_root_are_found() {
        let source = "use server::{AppState, tls::Source, run};\n\
                      use server::Provisioning::OnFirstUse;\n\
                      fn f() { server::tls::acceptor(); server::run(); other::deep::x(); }\n\
                      // server::hidden::x";
        let found = deep_paths(&lex(source), &["server"]);
        assert_eq!(
            found,
            [(1, "server::tls".to_owned()), (3, "server::tls".to_owned())]
        );
    }
}
