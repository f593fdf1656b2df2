//! The origin links in responses are built on: the configured public URL, else the scheme the
//! request came over and its `Host`.

use http::{HeaderMap, HeaderName, header};

/// Set by the accept loop on every request that arrived over TLS (and removed from every other),
/// so links in responses use `https`. Never trusted from a client.
pub const TLS_HEADER: HeaderName = HeaderName::from_static("x-rapd-tls");

/// `public_url` without its trailing slash when configured, else the connection's scheme
/// (`https` on the TLS listener) + `Host` (`localhost` when missing or not an authority).
pub fn origin(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.parse::<http::uri::Authority>().is_ok())
        .unwrap_or("localhost");
    let scheme = match headers.contains_key(TLS_HEADER) {
        true => "https",
        false => "http",
    };
    format!("{scheme}://{host}")
}
