//! The one error type of the auth layer, with Graph's wording for each token failure.

use std::path::PathBuf;

/// Why a token was refused, or why the development issuer could not work.
///
/// Every variant that [`crate::Verifier::verify`] returns is an `invalid_token` (401);
/// [`AuthError::Key`], [`AuthError::Signing`] and [`AuthError::InvalidTokenRequest`] come only
/// from [`crate::DevIssuer`]. Display texts are for logs; clients get [`AuthError::graph_message`].
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    #[error("token longer than {} bytes", crate::MAX_TOKEN_BYTES)]
    TooLarge,
    #[error("token is not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("header lists critical extensions")]
    CriticalHeader,
    #[error("algorithm in the header is not the key's algorithm")]
    UnsupportedAlgorithm,
    #[error("no trusted key with this kid")]
    UnknownKey,
    #[error("token type (typ) not accepted for this issuer")]
    UnsupportedType,
    #[error("signature does not verify")]
    BadSignature,
    #[error("claim `{0}` missing or malformed")]
    BadClaim(&'static str),
    #[error("token expired")]
    Expired,
    #[error("token not valid yet (nbf)")]
    NotYetValid,
    #[error("token issued in the future (iat)")]
    IssuedInFuture,
    #[error("issuer does not match the key's issuer for this tenant")]
    WrongIssuer,
    #[error("audience is not one this issuer's tokens may carry")]
    WrongAudience,
    #[error("tid missing or not a tenant GUID")]
    BadTenant,
    #[error("token version (ver) is not the one configured for this issuer")]
    WrongTokenVersion,
    #[error("tenant is not in this issuer's allow-list")]
    TenantNotAllowed,
    #[error("not an access token (has a nonce, or neither scp nor roles)")]
    NotAnAccessToken,
    #[error("cannot load or create the development issuer key {}", path.display())]
    Key {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot sign the token")]
    Signing(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("token request refused: {0}")]
    InvalidTokenRequest(&'static str),
}

impl AuthError {
    /// The `message` Graph puts in its `InvalidAuthenticationToken` error body for this failure.
    pub fn graph_message(&self) -> &'static str {
        match self {
            AuthError::Missing => "Access token is empty.",
            AuthError::TooLarge | AuthError::Malformed(_) => {
                "CompactToken parsing failed with error code: 80049217"
            }
            AuthError::Expired => "Lifetime validation failed, the token is expired.",
            AuthError::NotYetValid => "Access token has expired or is not yet valid.",
            AuthError::WrongAudience => "Access token validation failure. Invalid audience.",
            _ => "Access token validation failure.",
        }
    }
}
