//! Strict verification of bearer tokens against the development issuer's key and the cached
//! keys of configured external issuers.

use std::fmt;
use std::sync::Arc;

use crate::cache::VerifiedCache;
use crate::claims::{self, IssuerRules};
use crate::config::{IssuerConfig, VerifierConfig};
use crate::external::ExternalIssuer;
use crate::fetch::Fetcher;
use crate::jose::{self, Compact, Header};
use crate::jwks::TrustedKey;
use crate::{
    AuthError, Caller, DEV_ISSUER_TEMPLATE, DevIssuer, GRAPH_APP_ID, GRAPH_AUDIENCE,
    MAX_TOKEN_BYTES,
};
use rapd_model::strict_json;

/// Header `typ`s an external issuer accepts when its configuration names none.
const DEFAULT_TOKEN_TYPES: [&str; 2] = ["JWT", "at+jwt"];

/// Verifies bearer tokens strictly and remembers the ones that passed. Cheap to share behind
/// an `Arc`. `verify` awaits only when a token names a `kid` its issuer has not published yet
/// (a rate-limited JWKS refresh); every other path, the cache hit above all, is plain CPU.
pub struct Verifier {
    dev: Option<DevTrust>,
    issuers: Vec<Arc<ExternalIssuer>>,
    cache: Arc<VerifiedCache>,
}

/// The development issuer's one key and the rules its tokens follow (RFC 9068 typing,
/// Graph's audiences, the `{tenantid}` template).
struct DevTrust {
    kid: String,
    key: TrustedKey,
    rules: IssuerRules,
}

/// Whose keys a token is checked with, chosen by its unverified `iss`.
enum Route<'a> {
    Dev(&'a DevTrust),
    External(&'a Arc<ExternalIssuer>),
}

impl Verifier {
    /// Trusts the development issuer's key, for its issuer template only; with `None`,
    /// no token verifies. No external issuer, no network.
    pub fn new(dev: Option<&DevIssuer>) -> Verifier {
        Verifier {
            dev: dev.map(dev_trust),
            issuers: Vec::new(),
            cache: Arc::new(VerifiedCache::new()),
        }
    }

    /// Trusts `dev` (if given and `config.dev_issuer_trusted`) and every configured external
    /// issuer, fetching each issuer's JWKS once, concurrently. Never fails: an issuer whose
    /// fetch fails has no keys until a refresh succeeds, and an issuer that
    /// [`IssuerConfig::validate`] refuses is left out; both are logged. Needs a Tokio runtime.
    pub async fn from_config(dev: Option<&DevIssuer>, config: VerifierConfig) -> Verifier {
        let cache = Arc::new(VerifiedCache::new());
        let fetcher = Arc::new(Fetcher::new(config.jwks));
        let mut issuers: Vec<Arc<ExternalIssuer>> = Vec::new();
        for issuer in config.issuers {
            if let Err(e) = issuer.validate() {
                tracing::error!(error = %e, "external issuer left out");
                continue;
            }
            if issuers.iter().any(|i| i.rules.issuer == issuer.issuer) {
                tracing::error!(issuer = %issuer.issuer, "external issuer configured twice; the first is used");
                continue;
            }
            let source = issuer.jwks.clone();
            issuers.push(Arc::new(ExternalIssuer::new(
                external_rules(issuer),
                source,
                Arc::clone(&fetcher),
                Arc::clone(&cache),
            )));
        }
        let mut first_fetches = tokio::task::JoinSet::new();
        for issuer in &issuers {
            let issuer = Arc::clone(issuer);
            first_fetches.spawn(async move { issuer.fetch_and_install(None).await });
        }
        while first_fetches.join_next().await.is_some() {}
        Verifier {
            dev: dev.filter(|_| config.dev_issuer_trusted).map(dev_trust),
            issuers,
            cache,
        }
    }

    /// Checks `token` (the part after `Bearer `) as of `now_unix` and says who sent it.
    /// Personal-account and app-only tokens verify; [`Caller::authorize`] decides on them.
    /// Awaits only for a JWKS refresh after an unknown `kid` of an external issuer, which
    /// needs a Tokio runtime (without one, no refresh happens and the `kid` stays unknown).
    pub async fn verify(&self, token: &str, now_unix: i64) -> Result<Arc<Caller>, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::TooLarge);
        }
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        if let Some(hit) = self.cache.get(token, now_unix) {
            return hit;
        }
        let compact = jose::split(token)?;
        let header = jose::parse_header(&compact.header)?;
        let claims = strict_json::parse_object(&compact.payload)
            .ok_or(AuthError::Malformed("payload is not a JSON object"))?;
        let iss = match claims.get("iss") {
            Some(serde_json::Value::String(iss)) => Some(iss.as_str()),
            _ => None,
        };
        let (key, rules) = match self.route(iss).ok_or(AuthError::WrongIssuer)? {
            Route::Dev(dev) => {
                if header.kid.as_deref() != Some(dev.kid.as_str()) {
                    return Err(AuthError::UnknownKey);
                }
                (KeyRef::Dev(&dev.key), &dev.rules)
            }
            Route::External(issuer) => {
                // Every external key has a kid; a token without one cannot pick (J19).
                let kid = header.kid.as_deref().ok_or(AuthError::UnknownKey)?;
                let key = match issuer.key(kid, now_unix) {
                    Some(key) => key,
                    None => {
                        issuer.refresh_after_miss(now_unix).await;
                        issuer.key(kid, now_unix).ok_or(AuthError::UnknownKey)?
                    }
                };
                (KeyRef::External(key), &issuer.rules)
            }
        };
        // Our own signer writes low S, so a high-S twin of a development token is a malleated
        // one. External issuers' signers (Java's, .NET's, Go's) write either form, and refusing
        // half of a compliant issuer's tokens would be wrong, so there both forms verify.
        let low_s_only = matches!(key, KeyRef::Dev(_));
        let key = key.get();
        check_signature(&compact, &header, key, rules, low_s_only)?;
        let (caller, lifetime) = claims::check(claims, rules, key.issuer.as_deref(), now_unix)?;
        let caller = Arc::new(caller);
        self.cache.insert(token, &caller, lifetime, now_unix);
        Ok(caller)
    }

    /// The development issuer for its own `iss`; else the first external issuer whose
    /// template admits `iss`; else the development issuer (whose checks then refuse it).
    fn route(&self, iss: Option<&str>) -> Option<Route<'_>> {
        if let (Some(dev), Some(iss)) = (&self.dev, iss)
            && claims::issuer_admits(&dev.rules.issuer, iss)
        {
            return Some(Route::Dev(dev));
        }
        if let Some(iss) = iss
            && let Some(issuer) = self
                .issuers
                .iter()
                .find(|i| claims::issuer_admits(&i.rules.issuer, iss))
        {
            return Some(Route::External(issuer));
        }
        self.dev.as_ref().map(Route::Dev)
    }
}

/// A borrowed development key or a shared external one.
enum KeyRef<'a> {
    Dev(&'a TrustedKey),
    External(Arc<TrustedKey>),
}

impl KeyRef<'_> {
    fn get(&self) -> &TrustedKey {
        match self {
            KeyRef::Dev(key) => key,
            KeyRef::External(key) => key,
        }
    }
}

/// The algorithm comes from the key (RFC 8725 §3.1); the header must name exactly it.
fn check_signature(
    compact: &Compact<'_>,
    header: &Header,
    key: &TrustedKey,
    rules: &IssuerRules,
    low_s_only: bool,
) -> Result<(), AuthError> {
    if header.alg != key.alg_name {
        return Err(AuthError::UnsupportedAlgorithm);
    }
    if !rules.accepts_type(header.typ.as_deref()) {
        return Err(AuthError::UnsupportedType);
    }
    if low_s_only && key.alg == jsonwebtoken::Algorithm::ES256 && jose::is_high_s(compact.signature)
    {
        return Err(AuthError::BadSignature);
    }
    let signed = jsonwebtoken::crypto::verify(
        compact.signature,
        compact.signing_input.as_bytes(),
        &key.key,
        key.alg,
    );
    if matches!(signed, Ok(true)) {
        Ok(())
    } else {
        Err(AuthError::BadSignature)
    }
}

fn dev_trust(dev: &DevIssuer) -> DevTrust {
    let (x, y) = dev.public_coordinates();
    let key = TrustedKey::es256(x, y, None)
        .expect("DevIssuer encodes a P-256 point as base64url coordinates");
    DevTrust {
        kid: dev.kid().to_owned(),
        key,
        rules: IssuerRules {
            issuer: DEV_ISSUER_TEMPLATE.to_owned(),
            audiences: vec![GRAPH_AUDIENCE.to_owned(), GRAPH_APP_ID.to_owned()],
            token_types: vec!["at+jwt".to_owned()],
            token_version: None,
            tenants: None,
            access_tokens_only: false,
        },
    }
}

fn external_rules(config: IssuerConfig) -> IssuerRules {
    let token_types = if config.token_types.is_empty() {
        DEFAULT_TOKEN_TYPES
            .iter()
            .map(|t| claims::normalise_type(t))
            .collect()
    } else {
        config
            .token_types
            .iter()
            .map(|t| claims::normalise_type(t))
            .collect()
    };
    IssuerRules {
        issuer: config.issuer,
        audiences: config.audiences,
        token_types,
        token_version: config.token_version,
        tenants: config.tenants,
        access_tokens_only: true,
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuers: Vec<&str> = self
            .issuers
            .iter()
            .map(|i| i.rules.issuer.as_str())
            .collect();
        f.debug_struct("Verifier")
            .field("dev_kid", &self.dev.as_ref().map(|d| d.kid.as_str()))
            .field("issuers", &issuers)
            .finish_non_exhaustive()
    }
}
