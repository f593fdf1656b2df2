//! What the handlers' `#[utoipa::path]` annotations name, for `/openapi.json`: a `ToResponse` for
//! each shared error response (a `$ref` to `#/components/responses/{name}`, whose body
//! `openapi/schemas.rs` still writes), the partner API's `401`, and the schemas of the headers
//! and plain bodies, written with utoipa's builders. It uses nothing else of the crate, so every
//! handler module can name it.

pub mod operations;

use std::collections::BTreeMap;

pub use rapd_http::described::{
    BadRequest, ClientRequestId, ERROR_RESPONSES, InternalServerError, JsonWebKeySet,
    PayloadTooLarge, RequestId, ServiceUnavailable, UnsupportedMediaType, error_response,
};

use utoipa::{
    IntoResponses, PartialSchema, ToResponse, ToSchema,
    openapi::{
        ContentBuilder, Header, HeaderBuilder, ObjectBuilder, RefOr, Response, ResponseBuilder,
        Type,
        schema::{Ref, Schema},
    },
};

/// The end of a pattern's value, in every regex dialect that reads these patterns: `$` also
/// matches before a final newline in Python, which generates test data from them, and a value
/// with a trailing newline is not one the server accepts.
pub const END: &str = r"(?![\s\S])";

/// The error statuses an operation can answer, as one `responses(…)` entry: which errors an
/// operation meets follows from what it extracts (`RequireJsonAccept` 406, `Admitted` 400, 401,
/// 403 and 429, `JsonBody` 413 and 415, an `{id}` 404, a store call 500 and 503).
macro_rules! error_lists {
    ($($(#[$doc:meta])* $name:ident = [$($status:literal),*]),* $(,)?) => {$(
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                [$($status),*]
                    .into_iter()
                    .map(|status: u16| (status.to_string(), error_response(status).1))
                    .collect()
            }
        }
    )*};
}

error_lists!(
    /// A read of a collection: a query option or a second credential (400), the token (401),
    /// permission or licence (403), `Accept` (406), throttling (429), 500, 503.
    ReadErrors = [400, 401, 403, 406, 429, 500, 503],
    /// A read or a body-less change of one partner adds 404.
    ReadOneErrors = [400, 401, 403, 404, 406, 429, 500, 503],
    /// A write with a body to one partner adds 413 and 415.
    WriteOneErrors = [400, 401, 403, 404, 406, 413, 415, 429, 500, 503],
    /// A create: 409 (a generated id that exists already), no 404.
    CreateErrors = [400, 401, 403, 406, 409, 413, 415, 429, 500, 503],
    /// `$batch`: the envelope (400, 413, 415) and its token (401); inner answers come back in
    /// the 200.
    BatchErrors = [400, 401, 413, 415, 500, 503],
    /// A read of a singleton or of audit events.
    PlainReadErrors = [400, 401, 403, 429, 500, 503],
    /// A change of the settings singleton.
    PlainWriteErrors = [400, 401, 403, 413, 415, 429, 500, 503],
);

/// The shared error responses as components, each with Graph's error body and the headers its
/// status carries; the 413's names `max_body_bytes`.
pub fn error_response_components(max_body_bytes: usize) -> Vec<(&'static str, Response)> {
    ERROR_RESPONSES
        .iter()
        .map(|&(status, name, description)| {
            let mut response = ResponseBuilder::new()
                .description(match status {
                    413 => format!("{description} The limit is {max_body_bytes} bytes."),
                    _ => description.to_owned(),
                })
                .header("request-id", Header::new(RequestId::schema()))
                .header("client-request-id", Header::new(ClientRequestId::schema()));
            let challenge = |text: &str| {
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::String).pattern(Some("^Bearer ")))
                    .description(Some(text))
                    .build()
            };
            response = match status {
                400 => response.header("WWW-Authenticate", challenge(
                    "With two credentials in one request: the challenge with `error=\"invalid_request\"`.",
                )),
                401 | 403 => response.header("WWW-Authenticate", challenge(
                    "Graph's bearer challenge: on 401 with `error=\"invalid_token\"` when a token was presented; on 403 with `error=\"insufficient_scope\"` (and the scopes that would do) when the token lacks the permission.",
                )),
                429 | 503 => response.header("Retry-After", Header::new(RetryAfter::schema())),
                _ => response,
            };
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ODataError")))
                .build();
            (name, response.content("application/json", body).build())
        })
        .collect()
}

/// `Retry-After`: whole seconds to wait before retrying.
pub struct RetryAfter;

impl PartialSchema for RetryAfter {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .description(Some("Seconds to wait before retrying."))
            .into()
    }
}

impl ToSchema for RetryAfter {}

/// The partner API's `401`: Graph's error body with the partner realm's challenge.
pub struct PartnerUnauthorized;

impl<'r> ToResponse<'r> for PartnerUnauthorized {
    fn response() -> (&'r str, RefOr<Response>) {
        let challenge = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^Bearer "));
        let response = ResponseBuilder::new()
            .description(
                "The onboarding code (`InvalidOnboardingCode`) or the partner credential (`InvalidPartnerCredential`) is unknown, used, expired or revoked.",
            )
            .header("request-id", Header::new(RequestId::schema()))
            .header("client-request-id", Header::new(ClientRequestId::schema()))
            .header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(challenge)
                    .description(Some("`Bearer realm=\"rapd-partner\"`"))
                    .build(),
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ODataError")))
                    .build(),
            )
            .build();
        ("PartnerUnauthorized", RefOr::T(response))
    }
}

/// `OData-Version`: `4.0` on every JSON success.
pub struct ODataVersion;

impl PartialSchema for ODataVersion {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["4.0"]))
            .description(Some("On every JSON success."))
            .into()
    }
}

impl ToSchema for ODataVersion {}

/// The body of `/healthz` and `/readyz`: the two letters `ok`.
pub struct PlainOk;

impl PartialSchema for PlainOk {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["ok"]))
            .into()
    }
}

impl ToSchema for PlainOk {}

/// The body of `GET /openapi.json`: an OpenAPI document.
pub struct OpenApiDocument;

impl PartialSchema for OpenApiDocument {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("openapi")
            .required("info")
            .required("paths")
            .into()
    }
}

impl ToSchema for OpenApiDocument {}
