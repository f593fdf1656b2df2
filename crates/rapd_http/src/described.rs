//! What the `#[utoipa::path]` annotations of every HTTP surface (the server's, the identity
//! provider's, the test-control API's) name in common: a `ToResponse` for each shared error
//! response (a `$ref` to `#/components/responses/{name}`, whose body the server's document
//! writes), the request-id headers' schemas and the development issuer's key set, written with
//! utoipa's builders.

use utoipa::{
    PartialSchema, ToResponse, ToSchema,
    openapi::{
        KnownFormat, ObjectBuilder, RefOr, Response, SchemaFormat, Type,
        schema::{ArrayBuilder, Ref, Schema},
    },
};

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

/// The shared error response of `status`, as a reference (the server's document writes the
/// component).
pub fn error_response(status: u16) -> (&'static str, RefOr<Response>) {
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
    Unauthorized = 401,
    Forbidden = 403,
    TooManyRequests = 429,
    PayloadTooLarge = 413,
    UnsupportedMediaType = 415,
    InternalServerError = 500,
    ServiceUnavailable = 503,
);

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
