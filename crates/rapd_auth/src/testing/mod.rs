//! Test support (the `testing` feature): a real JWKS and discovery server on loopback that
//! can be told to misbehave, signing keys (a committed INSECURE RSA key and generated P-256
//! keys) that sign any header and payload, and Entra-shaped access-token claims.
//!
//! Never enable this feature in a build that serves traffic: its keys are public.

mod claims;
mod keys;
mod server;

pub use claims::{EntraVersion, Principal, TEST_CLIENT_APP, TEST_USER, entra_claims};
pub use keys::{TestKey, b64url, sign_hs256_with, unsigned};
pub use server::{JwksServer, Misbehaviour, Route};
