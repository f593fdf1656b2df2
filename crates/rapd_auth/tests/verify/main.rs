//! The token validator against genuine, forged and malformed tokens (reliability.md J6–J47),
//! for the development issuer and for external issuers served by `JwksServer` (`external`),
//! the development issuer's key file, and the permission tables. One binary; each
//! module holds one concern, and `support` holds the fixture and the token forger.

mod authorize;
mod cache;
mod external;
mod header;
mod issuer_and_audience;
mod key_file;
mod lifetime;
mod profiles;
mod roundtrip;
mod signature;
mod structure;
mod support;

use jsonwebtoken::{Algorithm, EncodingKey};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{EncodePublicKey, LineEnding};
use rapd_auth::{
    AccessPolicy, AuthError, CONSUMER_TENANT, CallerKind, DEV_APP, DEV_ISSUER_TEMPLATE,
    DEV_KEY_FILE, DEV_TENANT, DEV_USER, Denied, DevIssuer, GRAPH_APP_ID, GRAPH_AUDIENCE,
    LEEWAY_SECS, MAX_TOKEN_BYTES, Permission, PermissionProfile, SCOPE_READ, SCOPE_READ_WRITE,
    Subject, TokenRequest, Verifier,
};
use serde_json::{Value, json};
use support::*;
use uuid::Uuid;

const TB: Uuid = Uuid::from_u128(0x1b2c3d4e_0000_4000_8000_00000000000b);

/// The founding page's table, the default policy.
const FOUNDING: AccessPolicy = AccessPolicy {
    profile: PermissionProfile::FoundingPage,
    beta: false,
};

fn err(f: &Fixture, token: &str) -> AuthError {
    f.verify(token, NOW).unwrap_err()
}

#[test]
fn graph_messages() {
    let generic = "Access token validation failure.";
    for e in [
        AuthError::UnknownKey,
        AuthError::BadSignature,
        AuthError::WrongIssuer,
        AuthError::BadTenant,
        AuthError::UnsupportedType,
        AuthError::UnsupportedAlgorithm,
        AuthError::CriticalHeader,
        AuthError::IssuedInFuture,
        AuthError::BadClaim("exp"),
    ] {
        assert_eq!(e.graph_message(), generic, "{e:?}");
    }
    let parse = "CompactToken parsing failed with error code: 80049217";
    assert_eq!(AuthError::TooLarge.graph_message(), parse);
    assert_eq!(
        AuthError::NotYetValid.graph_message(),
        "Access token has expired or is not yet valid."
    );
}

/// The server shares both behind an `Arc` across threads.
#[test]
fn issuer_and_verifier_are_shareable() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Verifier>();
    shareable::<DevIssuer>();
    // axum needs the extractor's future, and so `verify`'s, to be Send.
    fn send<T: Send>(_: &T) {}
    let verifier = Verifier::new(None);
    send(&verifier.verify("a.b.c", NOW));
}
