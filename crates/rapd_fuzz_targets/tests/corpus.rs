//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`) through the function its
//! cargo-fuzz target runs, on stable Rust, as part of the normal `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};

use rapd_auth::{DEV_TENANT, DEV_USER, SCOPE_READ_WRITE, Subject, TokenRequest};
use rapd_fuzz_targets::{batch_envelope, bearer_token, odata_query, partner_body};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    // A handful of seeds is the least a target starts from; an empty folder would prove nothing.
    assert!(files.len() >= 5, "{} holds too few seeds", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn odata_query_corpus_replays() {
    replay("odata_query", odata_query);
}

#[test]
fn partner_body_corpus_replays() {
    replay("partner_body", partner_body);
}

#[test]
fn bearer_token_corpus_replays() {
    replay("bearer_token", bearer_token);
}

#[test]
fn batch_envelope_corpus_replays() {
    replay("batch_envelope", batch_envelope);
}

/// The token oracle is only worth something if the same harness accepts a real token.
#[test]
fn token_harness_accepts_a_token_of_its_own_issuer() {
    let harness = rapd_fuzz_targets::token_harness();
    let request = TokenRequest {
        tenant: DEV_TENANT,
        subject: Subject::User(DEV_USER),
        scopes: vec![SCOPE_READ_WRITE.to_owned()],
        ttl_secs: 3600,
    };
    let token = harness
        .issuer
        .mint(&request, rapd_fuzz_targets::FUZZ_NOW - 10)
        .unwrap();
    assert!(harness.accepts(&token));
    let mut forged = token.into_bytes();
    let last = forged.len() - 3;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    assert!(!harness.accepts(std::str::from_utf8(&forged).unwrap()));
}
