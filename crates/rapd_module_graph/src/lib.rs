//! The workspace's layering where the compiler does not enforce it (`tests/layering.rs` checks
//! every workspace crate): no import loop between the top-level modules of a crate (`a` uses
//! `crate::b` and `b` uses `crate::a`, directly or through others), and, for a crate that should
//! use only its dependencies' crate roots (the binary), no path into their modules
//! ([`paths_past_roots`]).
//!
//! A top-level module is `src/x.rs` or `src/x/` with everything under it. An edge `a → b` is a
//! path in `a` that reaches the crate root and names `b` (`use crate::b::…`, `crate::b::f()`,
//! `super::b` from `src/a.rs`), or names an item the root re-exports from `b`
//! (`pub use b::Thing;`, then `crate::Thing`). The crate root itself is not a node: it declares
//! every module, so it would close every loop. Test code (`#[cfg(test)]` modules, inline or in
//! their own file) is left out: a unit test may build its input with a higher layer. Test
//! tooling, not part of the server.
//!
//! ## Map
//!
//! Reads every crate's `src/` (a small lexer: comments and strings skipped),
//! builds the graph of `crate::`/`super::` references between top-level modules (a root re-export
//! counts as its module; `#[cfg(test)]` code does not), and names each loop with the file and line
//! of every step (`lib.rs`, `references.rs`); finds paths past another crate's root
//! (`crate_roots.rs`). `tests/layering.rs` runs both over the workspace, in `cargo test` and as its
//! own stage of `scripts/test.sh`. Test tooling. Key types: `CrateGraph`, `ImportLoop`,
//! `paths_past_roots`.

mod crate_roots;
mod lexer;
mod references;

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    fmt, fs, io,
    path::{Path, PathBuf},
};

/// Where a module first refers to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Relative to the crate's `src/`.
    pub file: PathBuf,
    pub line: u32,
}

/// The top-level modules of one crate and the references between them.
#[derive(Debug)]
pub struct CrateGraph {
    pub name: String,
    modules: BTreeSet<String>,
    edges: BTreeMap<String, BTreeMap<String, Site>>,
}

/// One loop: each module with the place it refers to the next; the last refers to the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLoop {
    pub crate_name: String,
    pub steps: Vec<(String, Site)>,
}

impl fmt::Display for ImportLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.steps.iter().map(|(m, _)| m.as_str()).collect();
        write!(
            f,
            "{}: {} → {}",
            self.crate_name,
            names.join(" → "),
            names[0]
        )?;
        for (i, (_, site)) in self.steps.iter().enumerate() {
            let next = &self.steps[(i + 1) % self.steps.len()].0;
            write!(
                f,
                "\n    src/{}:{} uses {next}",
                site.file.display(),
                site.line
            )?;
        }
        Ok(())
    }
}

impl CrateGraph {
    /// Reads every `.rs` file under `crate_dir/src` (a `src/bin/` of further roots is skipped).
    pub fn read(crate_dir: &Path) -> io::Result<CrateGraph> {
        let name = crate_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let src = crate_dir.join("src");
        let mut files = Vec::new();
        collect_sources(&src, &src, &mut files)?;
        Ok(CrateGraph::from_sources(name, files))
    }

    /// The graph of `files`, each a path relative to `src/` and its text.
    pub fn from_sources(name: String, files: Vec<(PathBuf, String)>) -> CrateGraph {
        let files: Vec<(PathBuf, Vec<String>, Vec<lexer::Lexed>)> = files
            .into_iter()
            .filter_map(|(path, text)| Some((path.clone(), module_path(&path)?, lexer::lex(&text))))
            .collect();
        let scans: Vec<references::Scan> = files
            .iter()
            .map(|(_, module, tokens)| references::scan(tokens, module))
            .collect();
        // Files of `#[cfg(test)] mod name;` modules are test code, like inline test modules.
        let test_only: Vec<&Vec<String>> = scans.iter().flat_map(|s| &s.test_modules).collect();
        let is_test = |module: &[String]| test_only.iter().any(|t| module.starts_with(t));
        let modules: BTreeSet<String> = files
            .iter()
            .filter_map(|(_, module, _)| module.first().cloned())
            .collect();
        // What the root re-exports, by the module it comes from.
        let reexports: BTreeMap<String, String> = files
            .iter()
            .filter(|(_, module, _)| module.is_empty())
            .flat_map(|(_, _, tokens)| references::root_bindings(tokens))
            .filter(|(_, from)| modules.contains(from))
            .collect();
        let mut edges: BTreeMap<String, BTreeMap<String, Site>> = BTreeMap::new();
        for ((path, module, _), scan) in files.iter().zip(&scans) {
            let Some(from) = module.first() else {
                continue;
            };
            if is_test(module) {
                continue;
            }
            for reference in &scan.references {
                let to = match modules.contains(&reference.name) {
                    true => &reference.name,
                    false => match reexports.get(&reference.name) {
                        Some(to) => to,
                        None => continue,
                    },
                };
                if to == from {
                    continue;
                }
                let site = Site {
                    file: path.clone(),
                    line: reference.line,
                };
                let out = edges.entry(from.clone()).or_default();
                // The first reference in file order names the edge.
                match out.get(to) {
                    Some(seen) if (&seen.file, seen.line) <= (&site.file, site.line) => {}
                    _ => {
                        out.insert(to.clone(), site);
                    }
                }
            }
        }
        CrateGraph {
            name,
            modules,
            edges,
        }
    }

    /// The modules `module` refers to.
    pub fn uses(&self, module: &str) -> impl Iterator<Item = &str> {
        self.edges
            .get(module)
            .into_iter()
            .flat_map(|out| out.keys().map(String::as_str))
    }

    /// One shortest loop through each group of modules that reach one another.
    pub fn loops(&self) -> Vec<ImportLoop> {
        let reach: BTreeMap<&str, BTreeSet<&str>> = self
            .modules
            .iter()
            .map(|m| (m.as_str(), self.reachable(m)))
            .collect();
        let mut placed: BTreeSet<&str> = BTreeSet::new();
        let mut loops = Vec::new();
        for (&start, from_start) in &reach {
            if placed.contains(start) || !from_start.contains(start) {
                continue;
            }
            let group: BTreeSet<&str> = from_start
                .iter()
                .copied()
                .filter(|m| reach[m].contains(start))
                .collect();
            placed.extend(&group);
            loops.push(self.shortest_loop(start, &group));
        }
        loops
    }

    /// Every module reachable from `start` in one step or more.
    fn reachable(&self, start: &str) -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&str> = self.uses(start).collect();
        while let Some(m) = queue.pop_front() {
            if seen.insert(m) {
                queue.extend(self.uses(m));
            }
        }
        seen
    }

    /// The shortest way from `start` back to itself inside `group`.
    fn shortest_loop(&self, start: &str, group: &BTreeSet<&str>) -> ImportLoop {
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        'search: while let Some(m) = queue.pop_front() {
            for next in self.uses(m).filter(|n| group.contains(n)) {
                if next == start {
                    came_from.insert(start, m);
                    break 'search;
                }
                if !came_from.contains_key(next) {
                    came_from.insert(next, m);
                    queue.push_back(next);
                }
            }
        }
        let mut order = vec![came_from[start]];
        while order.last() != Some(&start) {
            let before = came_from[order.last().expect("not empty")];
            order.push(before);
        }
        order.reverse();
        let steps = order
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let next = order[(i + 1) % order.len()];
                (m.to_string(), self.edges[*m][next].clone())
            })
            .collect();
        ImportLoop {
            crate_name: self.name.clone(),
            steps,
        }
    }
}

/// Every path in `crate_dir/src` that reaches past the root of one of `crates` into its modules,
/// as `src/file:line: krate::module`.
pub fn paths_past_roots(crate_dir: &Path, crates: &[&str]) -> io::Result<Vec<String>> {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    collect_sources(&src, &src, &mut files)?;
    Ok(files
        .iter()
        .flat_map(|(path, text)| {
            crate_roots::deep_paths(&lexer::lex(text), crates)
                .into_iter()
                .map(move |(line, p)| format!("src/{}:{line}: {p}", path.display()))
        })
        .collect())
}

/// `lib.rs`/`main.rs` → the root (`[]`); `a.rs` and `a/mod.rs` → `[a]`; `a/b.rs` → `[a, b]`.
fn module_path(path: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    match (parts.is_empty(), stem) {
        (true, "lib" | "main") => {}
        (_, "mod") => {}
        _ => parts.push(stem.to_owned()),
    }
    Some(parts)
}

fn collect_sources(src: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_sources(src, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
            out.push((relative, fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> CrateGraph {
        let files = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        CrateGraph::from_sources("demo".into(), files)
    }

    #[test]
    fn a_loop_is_found_and_named() {
        let g = graph(&[
            (
                "lib.rs",
                "pub mod a; pub mod b; pub mod c; pub use c::Thing;",
            ),
            ("a.rs", "use crate::b::B;"),
            ("b/mod.rs", "pub struct B;"),
            ("b/inner.rs", "fn f() -> crate::Thing { todo!() }"),
            ("c.rs", "// crate::b in a comment\nuse super::a;"),
        ]);
        let loops = graph_loops(&g);
        assert_eq!(loops, ["demo: a → b → c → a"]);
        let text = g.loops()[0].to_string();
        assert!(text.contains("src/b/inner.rs:1 uses c"), "{text}");
        assert!(text.contains("src/c.rs:2 uses a"), "{text}");
    }

    #[test]
    fn layers_and_the_root_make_no_loop() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; pub fn run() { a::f(); }"),
            ("a.rs", "use crate::{b, run}; mod tests { use super::*; }"),
            ("b.rs", "pub fn g() { crate::run(); }"),
        ]);
        assert!(g.loops().is_empty());
        assert_eq!(g.uses("a").collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn test_code_makes_no_edge() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b; #[cfg(test)] mod tests;"),
            ("a/tests.rs", "use crate::b; use super::*;"),
            ("b.rs", "#[cfg(test)] mod tests { use crate::a; }"),
            ("b/other.rs", ""),
        ]);
        assert!(g.loops().is_empty());
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b;"),
            ("b.rs", "use crate::a;"),
        ]);
        assert_eq!(g.loops().len(), 1);
    }

    fn graph_loops(g: &CrateGraph) -> Vec<String> {
        g.loops()
            .iter()
            .map(|l| l.to_string().lines().next().unwrap_or("").to_owned())
            .collect()
    }
}
