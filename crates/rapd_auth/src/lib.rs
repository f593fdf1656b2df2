//! Who is calling, and may they? Bearer-token verification for rapd.
//!
//! This crate holds:
//! - [`DevIssuer`], the built-in development issuer: an ES256 key pair kept in the data
//!   directory (`dev-issuer-key.pem`), its JWKS, and minting of Graph-shaped access tokens;
//! - [`Verifier`], which checks a compact JWS strictly (RFC 8725, RFC 9068 §4, Microsoft's
//!   multi-tenant issuer rules) against the development issuer and any number of external OIDC
//!   issuers ([`IssuerConfig`]) and turns it into a [`Caller`], with a bounded cache of tokens
//!   already verified and a rate-limited cache of each external issuer's JWKS;
//! - [`Caller::authorize`], the permission tables: the founding Graph page's and Graph's
//!   ([`PermissionProfile`]);
//! - behind the `testing` feature, [`testing`]: a loopback JWKS server, test keys and
//!   Entra-shaped claims for this crate's tests and its users'.
//!
//! Invariants:
//! - The only network I/O is a GET of a URL from the configuration: an external issuer's JWKS
//!   or OIDC discovery document (and the `jwks_uri` that document names), `https` or loopback
//!   `http`, redirects never followed, time- and size-limited. Nothing in a token is ever
//!   fetched: `jku`, `x5u`, `jwk` and `x5c` are never read, and `kid` is only a key into an
//!   in-memory map. The only file I/O is [`DevIssuer::load_or_create`].
//! - A token's unverified `iss` only picks whose keys are tried; a key verifies tokens of its
//!   own issuer only (and of the `issuer` its JWKS entry names, with the token's `tid`), and
//!   `iss` is checked again, exactly, after the signature.
//! - The algorithm comes from the trusted key, never from the token; RS256 and ES256 only.
//! - An unknown `kid` costs at most one JWKS fetch per issuer per `min_refresh_interval`;
//!   a failed refresh keeps the last good keys; a withdrawn key's tokens stop verifying.
//! - Time is injected (`now_unix`), so callers and tests own the clock; the JWKS rate limit
//!   and key age run on that clock too.
//! - Tokens are never logged or put into an error by this crate.
//!
//! ## Map
//!
//! The development issuer (ES256 key in the data dir, JWKS, minting); the
//! verifier (size cap, strict JOSE parsing, issuer selection, key-issuer binding, signature,
//! claims, a cache of verified tokens); external issuers' JWKS (`jwks.rs`, `fetch.rs`: fetched,
//! cached, refreshed at a bounded rate); the permission profiles. The `testing` feature adds a
//! loopback JWKS server and signing keys for tests. Key types: `DevIssuer`, `Verifier`,
//! `VerifierConfig`, `IssuerConfig`, `Caller`, `Permission`, `AccessPolicy`, `PermissionProfile`,
//! `Grant`, `Denied`, `AuthError`.

mod cache;
mod caller;
mod claims;
mod config;
mod dev_issuer;
mod error;
mod external;
mod fetch;
mod jose;
mod jwks;
#[cfg(feature = "testing")]
pub mod testing;
mod verify;

use uuid::Uuid;

pub use caller::{AccessPolicy, Caller, CallerKind, Denied, Grant, Permission, PermissionProfile};
pub use config::{
    ConfigError, IssuerConfig, JwksSettings, JwksSource, VerifierConfig, url_allowed,
};
pub use dev_issuer::{
    DEV_ISSUER_TEMPLATE, DEV_KEY_FILE, DevIssuer, PLACEHOLDER_NAME, PLACEHOLDER_UPN, Principal,
    Subject, TokenRequest,
};
pub use error::AuthError;
pub use verify::Verifier;

/// Graph's resource identifier, the audience of tokens minted for Graph.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
/// Graph's application id; Entra puts it in `aud` of some v1 tokens.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The tenant of development tokens when none is asked for:
/// `d3f0a7c2-5b1e-4c8d-9a6f-1e2b3c4d5e60` (a random v4 GUID, fixed so scripts can name it).
pub const DEV_TENANT: Uuid = Uuid::from_u128(0xd3f0a7c2_5b1e_4c8d_9a6f_1e2b3c4d5e60);
/// The user object id of development tokens when none is asked for:
/// `a1c2e3f4-0b1d-4e5f-8a7b-6c5d4e3f2a10`.
pub const DEV_USER: Uuid = Uuid::from_u128(0xa1c2e3f4_0b1d_4e5f_8a7b_6c5d4e3f2a10);
/// The client application id (`azp`/`appid`) of every development token:
/// `0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80`.
pub const DEV_APP: Uuid = Uuid::from_u128(0x0e8b1f2a_9c3d_4a6b_b7e5_3f2d1c0b9a80);
/// Entra's tenant of personal Microsoft accounts; the founding page does not support them.
pub const CONSUMER_TENANT: Uuid = Uuid::from_u128(0x9188040d_6c67_4c5b_b112_36a304b66dad);

/// Delegated permission for reads.
pub const SCOPE_READ: &str = "DeviceManagementServiceConfig.Read.All";
/// Delegated permission for reads, writes and both actions.
pub const SCOPE_READ_WRITE: &str = "DeviceManagementServiceConfig.ReadWrite.All";
/// Also accepted for reads on beta under [`PermissionProfile::Graph`].
pub const SCOPE_CONFIG_READ: &str = "DeviceManagementConfiguration.Read.All";
/// Also accepted for reads and writes on beta under [`PermissionProfile::Graph`].
pub const SCOPE_CONFIG_READ_WRITE: &str = "DeviceManagementConfiguration.ReadWrite.All";

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: i64 = 60;
/// Longest token accepted, in bytes; longer ones are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Verified tokens remembered by one [`Verifier`].
pub const CACHE_CAPACITY: usize = 10_000;
