//! `ApiError`: every failure a client can see, and the one place that turns it into Graph's
//! error body (`{"error":{"code","message","innerError":{…}}}`).
//!
//! A handler's `ApiError` becomes a response carrying an [`ErrorPayload`] extension and no body;
//! the envelope ([`rapd_http::GraphEnvelope`]), which knows the request id and URL, writes the
//! body. So the wording and
//! the status of each error live here, and the envelope of every error is written once.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use rapd_auth::{AuthError, Denied};
use rapd_control::ControlError;
use rapd_http::{ErrorPayload, MessageStyle};
use rapd_model::{InputError, TenantId};
use rapd_store::StoreError;

/// Graph's challenge on every 401, as graph.microsoft.com sends it.
const CHALLENGE: &str = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication failed: {0}")]
    Unauthenticated(#[from] AuthError),
    #[error("partner call refused: {0}")]
    PartnerUnauthorized(&'static str),
    #[error("more than one bearer token in the request")]
    AmbiguousCredentials,
    #[error("forbidden: {0}")]
    Forbidden(#[from] Denied),
    #[error("no such partner")]
    NotFound,
    #[error("unknown version segment {0:?}")]
    InvalidVersion(String),
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },
    #[error("unknown segment {0:?}")]
    UnknownSegment(String),
    #[error("invalid request: {0}")]
    Invalid(#[from] InputError),
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    #[error("invalid query: {0}")]
    Query(#[from] rapd_odata::QueryError),
    #[error("query option {0} not supported here")]
    UnsupportedOption(String),
    #[error("invalid $skiptoken")]
    InvalidSkipToken,
    #[error("a partner with this id already exists")]
    Conflict,
    #[error("the request body did not arrive in time")]
    BodyTimeout(u64),
    /// `Accept` excludes the only media type the resource has.
    #[error("the Accept header excludes {0}")]
    NotAcceptable(&'static str),
    #[error("the body is not application/json")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The accept loop's HTTP parser refused the request line: its URL is too long.
    #[error("the URL is too long")]
    UriTooLong,
    /// The accept loop's HTTP parser refused the request head: too many or too large headers.
    #[error("the request headers are too large")]
    HeadersTooLarge,
    #[error("tenant {0} is not provisioned")]
    UnknownTenant(TenantId),
    #[error("tenant {0} holds no Intune licence")]
    Unlicensed(TenantId),
    #[error("throttled for {0} s")]
    Throttled(u64),
    #[error("too many requests in flight")]
    Overloaded,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("the test-control API needs its admin token")]
    ControlUnauthorized,
    #[error("the test-control API answers loopback clients only")]
    ControlRemote,
    #[error("invalid test-control request: {0}")]
    InvalidControl(String),
    #[error("no fault rule {0}")]
    NoSuchFaultRule(u64),
    /// A fault the fault-injection rules or the trigger header asked for.
    #[error("injected fault {status}")]
    InjectedFault { status: u16, retry_after_secs: u32 },
}

/// The test-control API's refusals, in this table like every other error.
impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> ApiError {
        match e {
            ControlError::Unauthorized => ApiError::ControlUnauthorized,
            ControlError::Remote => ApiError::ControlRemote,
            ControlError::Invalid(reason) => ApiError::InvalidControl(reason),
            ControlError::NoSuchFaultRule(id) => ApiError::NoSuchFaultRule(id),
            ControlError::PayloadTooLarge(limit) => ApiError::PayloadTooLarge(limit),
            ControlError::InjectedFault {
                status,
                retry_after_secs,
            } => ApiError::InjectedFault {
                status,
                retry_after_secs,
            },
            ControlError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Rejected(rapd_model::Rejection::NotFound) => ApiError::NotFound,
            StoreError::Rejected(rapd_model::Rejection::AlreadyExists) => ApiError::Conflict,
            StoreError::Rejected(rapd_model::Rejection::InvalidCode) => {
                ApiError::PartnerUnauthorized("InvalidOnboardingCode")
            }
            StoreError::Rejected(rapd_model::Rejection::InvalidCredential) => {
                ApiError::PartnerUnauthorized("InvalidPartnerCredential")
            }
            StoreError::Unavailable(reason) | StoreError::Conflict(reason) => {
                ApiError::Unavailable(reason)
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// The one table of status, Graph code and message.
    fn parts(&self) -> (StatusCode, &'static str, String, MessageStyle) {
        use MessageStyle::{Intune, Plain};
        let code = "InvalidAuthenticationToken";
        match self {
            ApiError::Unauthenticated(e) => {
                (StatusCode::UNAUTHORIZED, code, e.graph_message().into(), Plain)
            }
            ApiError::PartnerUnauthorized(code) => (
                StatusCode::UNAUTHORIZED,
                code,
                match *code {
                    "InvalidOnboardingCode" => "The onboarding code is unknown, already used or expired. Ask the administrator to begin onboarding again.",
                    _ => "The partner credential is unknown or revoked: the partner was disconnected, deleted or onboarded anew.",
                }
                .into(),
                Plain,
            ),
            ApiError::AmbiguousCredentials => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The request carries more than one access token.".into(),
                Plain,
            ),
            ApiError::Forbidden(denied) => {
                (StatusCode::FORBIDDEN, "Forbidden", forbidden_message(denied), Intune)
            }
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                "An error has occurred".into(),
                Intune,
            ),
            ApiError::InvalidVersion(segment) => (
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!("Invalid version: {segment}"),
                Plain,
            ),
            ApiError::NoRoute { method, path } => (
                StatusCode::BAD_REQUEST,
                "No method match route template",
                format!(
                    "No OData route exists that match template {} with http verb {method} for request {path}.",
                    route_template(path)
                ),
                Plain,
            ),
            ApiError::UnknownSegment(segment) => (
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Resource not found for the segment '{segment}'."),
                Plain,
            ),
            ApiError::Invalid(e) => (StatusCode::BAD_REQUEST, "BadRequest", e.to_string(), Intune),
            ApiError::InvalidBatch(reason) => {
                (StatusCode::BAD_REQUEST, "BadRequest", reason.clone(), Plain)
            }
            ApiError::Query(e) => (StatusCode::BAD_REQUEST, "BadRequest", e.to_string(), Plain),
            ApiError::UnsupportedOption(option) => (
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("The query option '{option}' is not supported on remoteAssistanceSettings."),
                Plain,
            ),
            ApiError::InvalidSkipToken => (
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Invalid $skiptoken: it was not issued for this query. Follow @odata.nextLink as it is.".into(),
                Plain,
            ),
            ApiError::Conflict => (
                StatusCode::CONFLICT,
                "Conflict",
                "A remoteAssistancePartner with this id already exists.".into(),
                Intune,
            ),
            ApiError::NotAcceptable(media_type) => (
                StatusCode::NOT_ACCEPTABLE,
                "NotAcceptable",
                format!("The Accept header does not allow {media_type}, the only format this resource has."),
                Plain,
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                "The request body must be sent with Content-Type: application/json.".into(),
                Plain,
            ),
            ApiError::BodyTimeout(secs) => (
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                format!("The request body did not arrive within {secs} seconds of its headers."),
                Plain,
            ),
            ApiError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!("The request body is larger than the limit of {limit} bytes."),
                Plain,
            ),
            ApiError::UriTooLong => (
                StatusCode::URI_TOO_LONG,
                "RequestUriTooLong",
                "The request URL is longer than the limit of 65 534 bytes.".into(),
                Plain,
            ),
            ApiError::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                "The request headers are larger than the limit: at most 100 headers, and a request head of at most 8 KiB + 100 × 4 KiB.".into(),
                Plain,
            ),
            ApiError::UnknownTenant(tenant) => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!(
                    "The tenant {tenant} is not provisioned for Microsoft Intune on this service, so it holds no Intune license. An operator adds it with `rapd tenant add`."
                ),
                Intune,
            ),
            ApiError::Unlicensed(tenant) => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!(
                    "The tenant {tenant} does not have a valid Microsoft Intune license. This API requires that the Intune service is correctly licensed for the tenant."
                ),
                Intune,
            ),
            ApiError::Throttled(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!("Too many requests. Retry after {secs} seconds."),
                Intune,
            ),
            ApiError::Overloaded => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is handling too many requests right now. Retry after the interval in Retry-After.".into(),
                Plain,
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Retry after the interval in Retry-After.".into(),
                Plain,
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Unknown",
                "An internal server error has occurred".into(),
                Intune,
            ),
            ApiError::ControlUnauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "The test-control API needs its admin token in `Authorization: Bearer <token>`; `rapd control-token` prints it.".into(),
                Plain,
            ),
            ApiError::ControlRemote => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                "The test-control API answers loopback clients only; set control.allow_remote to allow others.".into(),
                Plain,
            ),
            ApiError::InvalidControl(reason) => {
                (StatusCode::BAD_REQUEST, "BadRequest", reason.clone(), Plain)
            }
            ApiError::NoSuchFaultRule(id) => (
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!("No fault rule {id} is held (never added, used up, or removed)."),
                Plain,
            ),
            // Injected faults look exactly like the real ones, so clients meet what they will meet.
            ApiError::InjectedFault {
                status,
                retry_after_secs,
            } => match status {
                429 => ApiError::Throttled(u64::from(*retry_after_secs)).parts(),
                503 => ApiError::Unavailable(String::new()).parts(),
                _ => ApiError::Internal(String::new()).parts(),
            },
        }
    }
}

fn forbidden_message(denied: &Denied) -> String {
    match denied {
        Denied::PersonalAccount => {
            "Personal Microsoft accounts are not supported by this API; sign in with a work or school account.".into()
        }
        Denied::ApplicationToken => {
            "Application is not authorized to perform this operation as called in app only context; this API supports delegated permissions only, as its Graph reference page says. To accept application permissions as today's Graph does, start rapd with RAPD_PERMISSIONS=graph (or permissions = \"graph\" in its configuration file).".into()
        }
        Denied::MissingScope { required } => format!(
            "Application is not authorized to perform this operation. Application must have one of the following scopes: {}",
            required.join(", ")
        ),
    }
}

/// The OData route template Intune names in its routing error, from the path's shape.
fn route_template(path: &str) -> &'static str {
    let depth = path.trim_matches('/').split('/').count();
    match depth {
        0..=2 => "~/singleton",
        3 => "~/singleton/navigation",
        4 => "~/singleton/navigation/key",
        _ => "~/singleton/navigation/key/navigation",
    }
}

impl ApiError {
    /// The status and what the envelope writes, for an answer given outside the router.
    pub(crate) fn payload(&self) -> (StatusCode, ErrorPayload) {
        let (status, code, message, style) = self.parts();
        (
            status,
            ErrorPayload {
                code,
                message,
                style,
            },
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, style) = self.parts();
        match &self {
            ApiError::Internal(cause) | ApiError::Unavailable(cause) => {
                tracing::error!(error.cause = %cause, "request failed");
            }
            _ => {}
        }
        let mut response = status.into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthenticated(e) => {
                let challenge = match e {
                    AuthError::Missing => CHALLENGE.to_owned(),
                    _ => format!("{CHALLENGE}, error=\"invalid_token\""),
                };
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            // Every 403 challenges too: the token was valid, but not for this.
            ApiError::Forbidden(denied) => {
                let challenge = match denied {
                    Denied::MissingScope { required } => format!(
                        "{CHALLENGE}, error=\"insufficient_scope\", scope=\"{}\"",
                        required.join(" ")
                    ),
                    _ => format!("{CHALLENGE}, error=\"insufficient_scope\""),
                };
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::PartnerUnauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"rapd-partner\""),
                );
            }
            ApiError::UnknownTenant(_) | ApiError::Unlicensed(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(CHALLENGE),
                );
            }
            ApiError::AmbiguousCredentials => {
                let challenge = format!("{CHALLENGE}, error=\"invalid_request\"");
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::Unavailable(_) | ApiError::Overloaded => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            ApiError::Throttled(secs) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            ApiError::InjectedFault {
                retry_after_secs, ..
            } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::ControlUnauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"rapd-control\""),
                );
            }
            _ => {}
        }
        response.extensions_mut().insert(ErrorPayload {
            code,
            message,
            style,
        });
        response
    }
}
