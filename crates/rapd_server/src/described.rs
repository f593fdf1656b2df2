//! What the handlers' `#[utoipa::path]` annotations name, for `/openapi.json`: the partner API's
//! `401` and the schemas of the headers and plain bodies, written with utoipa's builders; the
//! shared error responses (whose bodies `openapi/schemas.rs` still writes) and the request-id
//! headers' schemas are `rapd_http::described`'s, re-exported here. It uses nothing else of the
//! crate, so every handler module can name it.

pub use rapd_http::described::{
    BadRequest, ClientRequestId, ERROR_RESPONSES, Forbidden, InternalServerError, JsonWebKeySet,
    PayloadTooLarge, RequestId, ServiceUnavailable, TooManyRequests, Unauthorized,
    UnsupportedMediaType,
};
use utoipa::{
    PartialSchema, ToResponse, ToSchema,
    openapi::{
        ContentBuilder, Header, HeaderBuilder, ObjectBuilder, RefOr, Response, ResponseBuilder,
        Type,
        schema::{Ref, Schema},
    },
};

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
