//! Entra's error body for the identity endpoints: `error`, `error_description` starting with an
//! `AADSTS` code, `error_codes`, `timestamp`, `trace_id`, `correlation_id`. Graph's error body
//! is for Graph; the identity libraries parse this one.

use axum::{
    Json,
    response::{IntoResponse, Response},
};
use http::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// Entra's code for a locked account (smart lockout).
pub const LOCKED_OUT: u32 = 50053;

/// One refusal of the identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    /// The RFC 6749 error code (`invalid_client`, `authorization_pending`, ...).
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    pub description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, code: u32, description: String) -> OAuthError {
        OAuthError {
            status,
            error,
            code,
            description,
        }
    }

    pub fn missing_parameter(name: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub fn body_too_large(limit: usize) -> OAuthError {
        OAuthError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            90056,
            format!("The request body is larger than {limit} bytes."),
        )
    }

    pub fn unsupported_grant(grant: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        )
    }

    pub fn invalid_tenant(tenant: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud."
            ),
        )
    }

    pub fn unknown_client(client_id: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory. \
                 Register it in rapd's configuration ([[dev_apps]]) or with `rapd app add`."
            ),
        )
    }

    pub fn missing_client_secret() -> OAuthError {
        OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'."
                .to_owned(),
        )
    }

    pub fn invalid_client_secret(client_id: Uuid) -> OAuthError {
        OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        )
    }

    pub fn scope_needs_default(scope: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must \
                 have a scope value with /.default suffixed to the resource identifier \
                 (application ID URI)."
            ),
        )
    }

    pub fn unknown_resource(resource: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant. rapd \
                 issues tokens for Microsoft Graph (https://graph.microsoft.com) only."
            ),
        )
    }

    pub fn invalid_credentials() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.".to_owned(),
        )
    }

    pub fn authorization_pending() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.".to_owned(),
        )
    }

    pub fn device_code_expired() -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "expired_token",
            70019,
            "Verification code expired.".to_owned(),
        )
    }

    pub fn invalid_grant(parameter: &str) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            format!("The provided value for the input parameter '{parameter}' is not valid."),
        )
    }

    /// Too many wrong passwords: the user is refused unchecked for `secs` more seconds, as
    /// Entra's smart lockout answers.
    pub fn user_locked_out(secs: i64) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            LOCKED_OUT,
            format!(
                "Your account is locked because you've tried to sign in too many times with an \
                 incorrect user ID or password. Try again in {secs} seconds."
            ),
        )
    }

    /// Too many wrong client secrets: the client is refused unchecked for `secs` more seconds.
    pub fn client_locked_out(client_id: Uuid, secs: i64) -> OAuthError {
        OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            LOCKED_OUT,
            format!(
                "The application '{client_id}' is locked because an incorrect client secret was \
                 sent too many times. Try again in {secs} seconds."
            ),
        )
    }

    /// A refresh asked for permissions its sign-in did not grant.
    pub fn not_consented(client_id: Uuid, permissions: &[&str]) -> OAuthError {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID \
                 '{client_id}' for {}. A refresh token renews only the permissions it was \
                 issued with; sign in again to ask for more.",
                permissions.join(" ")
            ),
        )
    }

    /// A client has as many device codes waiting as it may.
    pub fn too_many_device_codes(client_id: Uuid, limit: usize) -> OAuthError {
        OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            90033,
            format!(
                "A transient error has occurred: the application '{client_id}' has {limit} \
                 device codes waiting for approval, the most it may. Use or let one expire, \
                 then try again."
            ),
        )
    }

    pub fn busy() -> OAuthError {
        OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred: too many outstanding codes. Please try again."
                .to_owned(),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let trace_id = Uuid::new_v4();
        let correlation_id = Uuid::new_v4();
        let timestamp = rapd_model::Timestamp::now().to_string();
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
                self.code, self.description
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        });
        (self.status, Json(body)).into_response()
    }
}

impl OAuthError {
    /// A failure of rapd itself; the cause is logged once and not shown.
    pub fn server_error(cause: &dyn std::error::Error) -> OAuthError {
        tracing::error!(error = %cause, "identity provider failed");
        OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            90100,
            "An unexpected error occurred.".to_owned(),
        )
    }
}
