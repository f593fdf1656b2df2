//! What each fuzz target runs, and the properties it asserts. `fuzz/` (cargo-fuzz, nightly) feeds
//! these functions random inputs; `tests/corpus.rs` replays every committed corpus file through
//! the same functions on stable Rust, so a reproducer stays fixed once committed.
//!
//! Every function takes raw bytes, never panics on bad input, and panics (a fuzz "crash") only
//! when a property of the code under test is broken.
//!
//! ## Map
//!
//! What each cargo-fuzz target (`fuzz/`) runs and asserts; its test replays the
//! committed corpora on stable. Test tooling, not part of the server. Key types: `odata_query`,
//! `partner_body`, `bearer_token`, `batch_envelope`.

mod batch;
mod body;
mod filter;
mod token;

pub use batch::batch_envelope;
pub use body::partner_body;
pub use filter::odata_query;
pub use token::{FUZZ_NOW, Harness, bearer_token, harness as token_harness};
