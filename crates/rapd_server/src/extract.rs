//! Extractors that turn a raw request into typed values, rejecting with [`ApiError`] so that even
//! a malformed request gets Graph's error body.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, RawPathParams, Request},
};
use http::{HeaderMap, header, request::Parts};
use rapd_auth::{AuthError, Caller};
use rapd_model::{ApiVersion, PartnerId, TenantId};

use rapd_control::{PendingFault, TenantSlot};

use crate::{error::ApiError, state::AppState};

/// The `{version}` segment, and the `{id}` segment when the route has one (raw: an id that is
/// not a GUID is answered 404 only after the caller is authorised).
pub struct GraphPath {
    pub version: ApiVersion,
    id: Option<String>,
}

impl GraphPath {
    pub fn partner_id(&self) -> Result<PartnerId, ApiError> {
        self.id
            .as_deref()
            .and_then(PartnerId::parse)
            .ok_or(ApiError::NotFound)
    }
}

impl FromRequestParts<AppState> for GraphPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut version = None;
        let mut id = None;
        for (name, value) in &params {
            match name {
                "version" => {
                    version = Some(
                        ApiVersion::parse(value)
                            .ok_or_else(|| ApiError::InvalidVersion(value.to_owned()))?,
                    )
                }
                crate::described::operations::ID_PARAM => id = Some(value.to_owned()),
                _ => {}
            }
        }
        let version =
            version.ok_or_else(|| ApiError::Internal("route without {version}".into()))?;
        Ok(GraphPath { version, id })
    }
}

/// The origin links in a response are built on (see [`AppState::origin`]); taken from the
/// request without copying its headers.
pub struct Origin(pub String);

impl Origin {
    /// `{origin}/{version}`: the service root of one Graph version.
    pub fn service_root(&self, version: ApiVersion) -> String {
        format!("{}/{}", self.0, version.segment())
    }
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Origin(state.origin(&parts.headers)))
    }
}

/// The caller, from a strictly verified bearer token.
pub struct Authenticated(pub Arc<Caller>);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers, parts.uri.query())?;
        let now = state.clock.now().unix_secs();
        // Why a token was refused is said once, at info: the reason names a check (issuer, key
        // id, expiry…), never the token or a claim's value.
        let caller = state
            .verifier
            .verify(token, now)
            .await
            .inspect_err(|reason| {
                tracing::info!(%reason, "bearer token refused");
            })?;
        if let Some(slot) = parts.extensions.get::<TenantSlot>() {
            slot.set(TenantId(caller.tenant));
        }
        // A fault the request asked for (or a rule gives it) applies only now, to a verified
        // caller: a request without a valid token never waits on a fault's account.
        if let Some(fault) = parts.extensions.remove::<PendingFault>() {
            fault.apply().await?;
        }
        Ok(Authenticated(caller))
    }
}

/// The token of the one `Authorization: Bearer` header (RFC 6750 §2.1). A token in the query
/// string is not a supported method; sent beside a header it makes the request ambiguous.
fn bearer_token<'a>(headers: &'a HeaderMap, query: Option<&str>) -> Result<&'a str, ApiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return if headers.contains_key(header::AUTHORIZATION) {
            Err(ApiError::AmbiguousCredentials)
        } else {
            Err(AuthError::Missing.into())
        };
    };
    let in_query = query.is_some_and(|q| q.split('&').any(|p| p.starts_with("access_token=")));
    if in_query {
        return Err(ApiError::AmbiguousCredentials);
    }
    let value = value
        .to_str()
        .map_err(|_| AuthError::Malformed("header is not ASCII"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::Missing.into());
    }
    Ok(token.trim())
}

/// A request body of at most the configured size; when not empty, it must be declared as JSON.
pub struct JsonBody(pub Bytes);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.max_body_bytes;
        let declared_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_media_type);
        let declared_len = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared_len.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        let timeout = state.config.body_read_timeout;
        let body = tokio::time::timeout(timeout, axum::body::to_bytes(request.into_body(), limit))
            .await
            .map_err(|_| ApiError::BodyTimeout(timeout.as_secs()))?
            .map_err(|_| ApiError::PayloadTooLarge(limit))?;
        if !body.is_empty() && !declared_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        Ok(JsonBody(body))
    }
}

/// `application/json`, with any parameters, in any letter case.
fn is_json_media_type(value: &str) -> bool {
    let media_type = value.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case("application/json")
}

/// Whether an `Accept` header admits `media_type` (`type/subtype`); a missing header admits all.
pub fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    if !headers.contains_key(header::ACCEPT) {
        return true;
    }
    media_ranges(headers).any(|(range, zero)| !zero && specificity(range, media_type).is_some())
}

/// Whether an `Accept` header excludes `media_type` outright: the most specific range that
/// matches it has `q=0`. A header that merely does not name it (`Accept: application/json` on a
/// raw value) does not exclude it; Graph answers such a request in the value's own type.
pub fn excludes(headers: &HeaderMap, media_type: &str) -> bool {
    media_ranges(headers)
        .filter_map(|(range, zero)| Some((specificity(range, media_type)?, zero)))
        .fold(
            None,
            |best: Option<(u8, bool)>, (closeness, zero)| match best {
                Some((b, _)) if b >= closeness => best,
                _ => Some((closeness, zero)),
            },
        )
        .is_some_and(|(_, zero)| zero)
}

/// The media ranges of the `Accept` headers, each with whether its weight is `q=0`.
fn media_ranges(headers: &HeaderMap) -> impl Iterator<Item = (&str, bool)> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|range| {
            let mut parts = range.split(';');
            let name = parts.next().unwrap_or("").trim();
            let zero = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .or_else(|| p.strip_prefix("Q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name, zero)
        })
}

/// How closely `range` names `media_type`: 2 exactly, 1 as `type/*`, 0 as `*/*`; `None` not at all.
fn specificity(range: &str, media_type: &str) -> Option<u8> {
    let (wanted_type, _) = media_type.split_once('/').unwrap_or((media_type, ""));
    if range.eq_ignore_ascii_case(media_type) {
        Some(2)
    } else if range
        .strip_suffix("/*")
        .is_some_and(|t| t.eq_ignore_ascii_case(wanted_type))
    {
        Some(1)
    } else {
        (range == "*/*").then_some(0)
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn with_accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn accept_negotiation() {
        assert!(accepts(&HeaderMap::new(), "application/json"));
        assert!(accepts(&with_accept("*/*"), "application/json"));
        assert!(accepts(
            &with_accept("application/json"),
            "application/json"
        ));
        assert!(accepts(
            &with_accept("text/html, application/*;q=0.5"),
            "application/json"
        ));
        assert!(!accepts(&with_accept("text/html"), "application/json"));
        assert!(!accepts(
            &with_accept("application/json;q=0"),
            "application/json"
        ));
        assert!(accepts(&with_accept("text/plain;q=0.9"), "text/plain"));
    }

    #[test]
    fn raw_values_are_refused_only_when_excluded() {
        assert!(!excludes(&HeaderMap::new(), "text/plain"));
        assert!(!excludes(&with_accept("application/json"), "text/plain"));
        assert!(!excludes(&with_accept("*/*"), "text/plain"));
        assert!(!excludes(
            &with_accept("text/*;q=0, text/plain"),
            "text/plain"
        ));
        assert!(excludes(&with_accept("text/plain;q=0"), "text/plain"));
        assert!(excludes(
            &with_accept("application/json, text/*;q=0"),
            "text/plain"
        ));
        assert!(excludes(&with_accept("*/*;q=0"), "text/plain"));
    }

    #[test]
    fn json_media_types() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type("Application/JSON; charset=utf-8"));
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type("application/jsonp"));
    }
}
