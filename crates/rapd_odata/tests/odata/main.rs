//! rapd_odata from the outside: raw query strings in, typed options or a positioned error out.

mod filter;
mod limits;
mod properties;
mod query;

use rapd_odata::{ApiVersion, Filter, QueryError, parse_filter};

const V1: ApiVersion = ApiVersion::V1;
const BETA: ApiVersion = ApiVersion::Beta;

/// Percent-encodes every byte outside RFC 3986's unreserved set, as Kiota does.
fn encode(text: &str) -> String {
    encode_bytes(text.as_bytes())
}

fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn filter(version: ApiVersion, text: &str) -> Filter {
    parse_filter(version, text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn filter_err(version: ApiVersion, text: &str) -> QueryError {
    match parse_filter(version, text) {
        Ok(f) => panic!("{text:?} parsed as {f:?}"),
        Err(e) => {
            assert_eq!(e.option, "$filter");
            e
        }
    }
}

/// Asserts the error's position and that its reason contains `needle`.
#[track_caller]
fn assert_err(e: &QueryError, position: Option<usize>, needle: &str) {
    assert_eq!(e.position, position, "{e}");
    assert!(e.reason.contains(needle), "{e:?} lacks {needle:?}");
}
