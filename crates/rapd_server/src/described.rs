//! What the handlers' `#[utoipa::path]` annotations name, for `/openapi.json`: a `ToResponse` for
//! each shared error response (a `$ref` to `#/components/responses/{name}`, whose body
//! `openapi/schemas.rs` still writes), the partner API's `401`, and the schemas of the headers
//! and plain bodies, written with utoipa's builders. It uses nothing else of the crate, so every
//! handler module can name it.

pub mod operations;

use std::collections::BTreeMap;

use utoipa::{
    IntoResponses, PartialSchema, ToResponse, ToSchema,
    openapi::{
        ContentBuilder, Header, HeaderBuilder, KnownFormat, ObjectBuilder, RefOr, Response,
        ResponseBuilder, SchemaFormat, Type,
        schema::{ArrayBuilder, Ref, Schema},
    },
};

/// The end of a pattern's value, in every regex dialect that reads these patterns: `$` also
/// matches before a final newline in Python, which generates test data from them, and a value
/// with a trailing newline is not one the server accepts.
pub const END: &str = r"(?![\s\S])";

/// The shared error responses, by status: the component name and when it is answered.
pub const ERROR_RESPONSES: &[(u16, &str, &str)] = &[
    (
        400,
        "BadRequest",
        "The request is malformed: an invalid body (`BadRequest`, the property named in Intune's message), a query option (`BadRequest`), or two credentials (`invalid_request`).",
    ),
    (
        401,
        "Unauthorized",
        "No token, or one that fails verification (`InvalidAuthenticationToken`).",
    ),
    (
        403,
        "Forbidden",
        "The token lacks the scope, is a personal account's or an application's, or the tenant holds no Intune licence (`Forbidden`).",
    ),
    (
        404,
        "NotFound",
        "No such partner in the caller's tenant, or an id that is not a GUID (`ResourceNotFound`).",
    ),
    (
        406,
        "NotAcceptable",
        "`Accept` excludes the response's media type (`NotAcceptable`).",
    ),
    (
        409,
        "Conflict",
        "A partner with the generated id exists already (`Conflict`).",
    ),
    (
        413,
        "PayloadTooLarge",
        "The body is larger than the server's limit (`RequestEntityTooLarge`).",
    ),
    (
        415,
        "UnsupportedMediaType",
        "A non-empty body not declared `application/json` (`UnsupportedMediaType`).",
    ),
    (
        429,
        "TooManyRequests",
        "Throttled by Intune's limits for the tenant or the application (`TooManyRequests`); retry after `Retry-After` seconds.",
    ),
    (
        500,
        "InternalServerError",
        "An unexpected failure (`Unknown`); the cause is logged, not sent.",
    ),
    (
        503,
        "ServiceUnavailable",
        "Too many requests in flight, or storage unavailable (`ServiceUnavailable`); retry after `Retry-After` seconds.",
    ),
];

/// The shared error response of `status`, as a reference (the component is in `schemas.rs`).
fn error_response(status: u16) -> (&'static str, RefOr<Response>) {
    let (_, name, _) = ERROR_RESPONSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .unwrap_or_else(|| panic!("no shared response for {status}"));
    (name, RefOr::Ref(Ref::from_response_name(*name)))
}

/// The shared error responses the service routes name, one type per status (a table).
macro_rules! error_responses {
    ($($name:ident = $status:literal),* $(,)?) => {$(
        #[doc = concat!("The shared `", stringify!($status), "` response.")]
        pub struct $name;
        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                error_response($status)
            }
        }
    )*};
}

error_responses!(
    BadRequest = 400,
    PayloadTooLarge = 413,
    UnsupportedMediaType = 415,
    InternalServerError = 500,
    ServiceUnavailable = 503,
);

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

/// `request-id`: a new GUID for each request.
pub struct RequestId;

impl PartialSchema for RequestId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .description(Some(
                "A new GUID for each request; also `innerError.request-id`.",
            ))
            .into()
    }
}

impl ToSchema for RequestId {}

/// `client-request-id`: the client's, else the `request-id`.
pub struct ClientRequestId;

impl PartialSchema for ClientRequestId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The client's `client-request-id` (at most 128 characters), else the `request-id`.",
            ))
            .into()
    }
}

impl ToSchema for ClientRequestId {}

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

/// The development issuer's key set (`rapd_auth` writes it as JSON).
pub struct JsonWebKeySet;

impl PartialSchema for JsonWebKeySet {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let key = ["crv", "x", "y", "use", "alg"].into_iter().fold(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .required("kty")
                .required("kid")
                .property("kty", string())
                .property("kid", string()),
            |key, name| key.property(name, string()),
        );
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("keys")
            .property("keys", ArrayBuilder::new().items(key))
            .into()
    }
}

impl ToSchema for JsonWebKeySet {}
