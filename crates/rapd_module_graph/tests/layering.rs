//! The layering the compiler does not enforce, over every crate of the workspace.

use std::path::{Path, PathBuf};

use rapd_module_graph::{CrateGraph, paths_past_roots};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// No crate has an import loop between its top-level modules.
#[test]
fn no_crate_has_an_import_loop() {
    let mut dirs: Vec<_> = std::fs::read_dir(crates_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").is_file() && p.join("src").is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "found only {dirs:?}");
    let loops: Vec<String> = dirs
        .iter()
        .flat_map(|dir| CrateGraph::read(dir).unwrap().loops())
        .map(|l| l.to_string())
        .collect();
    assert!(
        loops.is_empty(),
        "import loops between top-level modules:\n{}",
        loops.join("\n")
    );
}

/// The binary uses only what the server's crates export at their roots.
#[test]
fn the_binary_uses_only_crate_roots() {
    let crates = ["rapd_server", "rapd_idp", "rapd_control"];
    let deep = paths_past_roots(&crates_dir().join("rapd"), &crates).unwrap();
    assert!(
        deep.is_empty(),
        "crates/rapd reaches past a crate root; re-export what it needs there:\n{}",
        deep.join("\n")
    );
}
