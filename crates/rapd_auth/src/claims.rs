//! Claim checks on a signature-verified payload, and the [`Caller`] they yield.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{AuthError, Caller, CallerKind, LEEWAY_SECS};

/// 9999-12-31T23:59:59Z: a larger NumericDate is nonsense, not a far future.
const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// What one issuer's tokens must say, beyond a signature by one of its keys.
pub(crate) struct IssuerRules {
    /// `iss` with `{tenantid}` standing for the token's `tid`, or one fixed issuer.
    pub issuer: String,
    /// `aud` must be, or (as an array) contain, one of these.
    pub audiences: Vec<String>,
    /// Accepted header `typ`s, lowercase and without an `application/` prefix.
    pub token_types: Vec<String>,
    /// `ver` must equal it, if set.
    pub token_version: Option<String>,
    /// `tid` must be one of these, if set.
    pub tenants: Option<Vec<Uuid>>,
    /// External issuers also sign ID tokens for the same audience: refuse a token with a
    /// `nonce`, or with neither `scp` nor `roles` (reliability.md J41).
    pub access_tokens_only: bool,
}

impl IssuerRules {
    /// Whether the header `typ` is accepted (RFC 7515 §4.1.9: case and `application/` aside).
    pub(crate) fn accepts_type(&self, typ: Option<&str>) -> bool {
        typ.is_some_and(|typ| self.token_types.contains(&normalise_type(typ)))
    }
}

/// A media type as compared: lowercase, without a leading `application/`.
pub(crate) fn normalise_type(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

/// The time claims, kept so a cached caller is re-checked against the clock on every use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetime {
    pub exp: i64,
    pub nbf: Option<i64>,
    pub iat: i64,
}

impl Lifetime {
    pub(crate) fn check(&self, now: i64) -> Result<(), AuthError> {
        if self.exp.saturating_add(LEEWAY_SECS) < now {
            return Err(AuthError::Expired);
        }
        let latest_start = now.saturating_add(LEEWAY_SECS);
        if self.nbf.is_some_and(|nbf| nbf > latest_start) {
            return Err(AuthError::NotYetValid);
        }
        if self.iat > latest_start {
            return Err(AuthError::IssuedInFuture);
        }
        Ok(())
    }
}

/// Checks every claim rapd relies on and builds the caller.
/// `key_issuer` is the `issuer` the signing key was published with, if any.
pub(crate) fn check(
    mut claims: Map<String, Value>,
    rules: &IssuerRules,
    key_issuer: Option<&str>,
    now: i64,
) -> Result<(Caller, Lifetime), AuthError> {
    let lifetime = Lifetime {
        exp: numeric_date(&claims, "exp")?.ok_or(AuthError::BadClaim("exp"))?,
        nbf: numeric_date(&claims, "nbf")?,
        iat: numeric_date(&claims, "iat")?.ok_or(AuthError::BadClaim("iat"))?,
    };
    check_audience(claims.get("aud"), &rules.audiences)?;
    let (tenant, tid) = match claims.get("tid") {
        Some(Value::String(tid)) => (tenant_id(tid).ok_or(AuthError::BadTenant)?, tid),
        _ => return Err(AuthError::BadTenant),
    };
    let Some(Value::String(iss)) = claims.get("iss") else {
        return Err(AuthError::WrongIssuer);
    };
    // The issuer's own template with this tid (J34), and the key's published issuer (J25).
    if !issuer_matches(&rules.issuer, tid, iss)
        || key_issuer.is_some_and(|key_iss| !issuer_matches(key_iss, tid, iss))
    {
        return Err(AuthError::WrongIssuer);
    }
    if let Some(version) = &rules.token_version {
        match claims.get("ver") {
            Some(Value::String(ver)) if ver == version => {}
            _ => return Err(AuthError::WrongTokenVersion),
        }
    }
    if rules.tenants.as_ref().is_some_and(|t| !t.contains(&tenant)) {
        return Err(AuthError::TenantNotAllowed);
    }
    lifetime.check(now)?;
    if rules.access_tokens_only
        && (claims.contains_key("nonce")
            || !(claims.contains_key("scp") || claims.contains_key("roles")))
    {
        return Err(AuthError::NotAnAccessToken);
    }

    let scp = opt_string(&mut claims, "scp")?;
    let roles = match claims.remove("roles") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(role) => Ok(role),
                    _ => Err(AuthError::BadClaim("roles")),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(AuthError::BadClaim("roles")),
    };
    let app_only = opt_string(&mut claims, "idtyp")?.as_deref() == Some("app")
        || (roles.is_some() && scp.is_none());
    let (kind, scopes) = if app_only {
        (CallerKind::Application, roles.unwrap_or_default())
    } else {
        let scopes = scp.as_deref().unwrap_or_default().split(' ');
        let scopes = scopes.filter(|s| !s.is_empty()).map(str::to_owned);
        (CallerKind::Delegated, scopes.collect())
    };
    let object_id = match opt_string(&mut claims, "oid")? {
        None => None,
        Some(oid) => Some(guid(&oid).ok_or(AuthError::BadClaim("oid"))?),
    };
    let app_id = match opt_string(&mut claims, "azp")? {
        Some(azp) => Some(azp),
        None => opt_string(&mut claims, "appid")?,
    };
    let mut display = None;
    for name in ["upn", "preferred_username", "name"] {
        if let Some(value) = opt_string(&mut claims, name)? {
            display.get_or_insert(value);
        }
    }
    let caller = Caller {
        tenant,
        kind,
        app_id,
        object_id,
        display,
        scopes,
        expires_at: lifetime.exp,
    };
    Ok((caller, lifetime))
}

/// A NumericDate as rapd accepts it: a whole number of seconds in 0..=9999-12-31.
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, AuthError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(t) if (0..=MAX_NUMERIC_DATE).contains(&t) => Ok(Some(t)),
            _ => Err(AuthError::BadClaim(name)),
        },
        Some(_) => Err(AuthError::BadClaim(name)),
    }
}

fn check_audience(aud: Option<&Value>, accepted: &[String]) -> Result<(), AuthError> {
    let ok = match aud {
        Some(Value::String(aud)) => accepted.contains(aud),
        Some(Value::Array(items)) => {
            let mut found = false;
            for item in items {
                let Value::String(aud) = item else {
                    return Err(AuthError::BadClaim("aud"));
                };
                found |= accepted.contains(aud);
            }
            found
        }
        None => false,
        Some(_) => return Err(AuthError::BadClaim("aud")),
    };
    if ok {
        Ok(())
    } else {
        Err(AuthError::WrongAudience)
    }
}

/// `tid` in the one form Entra writes: lowercase, hyphenated, not nil. Requiring the canonical
/// form keeps the `{tenantid}` substitution exact.
fn tenant_id(tid: &str) -> Option<Uuid> {
    let tenant = guid(tid)?;
    let mut buf = Uuid::encode_buffer();
    let canonical = *tenant.hyphenated().encode_lower(&mut buf) == *tid;
    (canonical && !tenant.is_nil()).then_some(tenant)
}

/// A hyphenated GUID; the braced, URN and simple forms `Uuid::parse_str` allows are refused.
fn guid(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::try_parse(s).ok()
}

/// Whether `iss` is `template` with `{tenantid}` replaced by `tid`, byte for byte.
pub(crate) fn issuer_matches(template: &str, tid: &str, iss: &str) -> bool {
    match template.split_once("{tenantid}") {
        Some((before, after)) => iss
            .strip_prefix(before)
            .and_then(|rest| rest.strip_prefix(tid))
            .is_some_and(|rest| rest == after),
        None => iss == template,
    }
}

/// Whether an unverified `iss` could be `template`'s: equal to it, or (for a template) equal to
/// it with a lowercase hyphenated GUID in place of `{tenantid}`. Only picks whose keys to try;
/// [`check`] decides after the signature.
pub(crate) fn issuer_admits(template: &str, iss: &str) -> bool {
    match template.split_once("{tenantid}") {
        Some((before, after)) => iss
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .is_some_and(|tid| tenant_id(tid).is_some()),
        None => iss == template,
    }
}

fn opt_string(
    claims: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, AuthError> {
    match claims.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthError::BadClaim(name)),
    }
}
