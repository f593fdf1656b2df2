//! Bearer tokens through the whole verifier (`rapd_auth`): strict JOSE and JSON parsing,
//! issuer routing, key selection, signature and claims.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rapd_auth::{DEV_TENANT, DevIssuer, Verifier};

/// The clock every fuzzed token is checked at; seeds put their `exp`/`nbf`/`iat` around it.
pub const FUZZ_NOW: i64 = 1_800_000_000;

/// A development issuer with a fresh key, and a verifier that trusts it.
pub struct Harness {
    pub issuer: DevIssuer,
    pub verifier: Verifier,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().expect("temporary directory");
        let issuer = DevIssuer::load_or_create(dir.path()).expect("development key");
        let verifier = Verifier::new(Some(&issuer));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        Harness {
            issuer,
            verifier,
            runtime,
            _dir: dir,
        }
    }

    /// Verifies `token` at [`FUZZ_NOW`]; `true` if it was accepted.
    pub fn accepts(&self, token: &str) -> bool {
        self.runtime
            .block_on(self.verifier.verify(token, FUZZ_NOW))
            .is_ok()
    }
}

/// The one harness of this process (its key is new every run, so no corpus file can hold a
/// valid signature).
pub fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::new)
}

/// The oracle: no input the fuzzer makes is ever accepted, since none is signed by the
/// trusted key. Input with a `.` is a raw compact token; input without one is a template of
/// three lines (header JSON, claims JSON, signature bytes) that is base64url-encoded here, with
/// `{kid}` and `{iss}` replaced by the trusted key's id and issuer so the fuzzer reaches the
/// signature and claims checks.
pub fn bearer_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let harness = harness();
    let token = if text.contains('.') {
        text.to_owned()
    } else {
        let text = text
            .replace("{kid}", harness.issuer.kid())
            .replace("{iss}", &harness.issuer.issuer_for(DEV_TENANT));
        let mut lines = text.splitn(3, '\n');
        let mut part = || URL_SAFE_NO_PAD.encode(lines.next().unwrap_or_default());
        format!("{}.{}.{}", part(), part(), part())
    };
    assert!(!harness.accepts(&token), "a forged token was accepted");
}
