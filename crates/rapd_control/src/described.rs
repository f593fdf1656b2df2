//! What the routes' `#[utoipa::path]` annotations name, for the server's `/openapi.json`: the
//! admin token's security scheme, the guard's `401` and `403`, and the bodies' schemas. Those
//! with a Rust type derive from it (`SeedResult`; `RuleInput`, in `faults.rs`); the fixture (`rapd_model`'s,
//! which knows nothing of OpenAPI), the request log and the rules are written as JSON by their
//! own code, so their schemas are written here with utoipa's builders.

use rapd_http::described::{ClientRequestId, RequestId};
use serde::Serialize;
use utoipa::{
    PartialSchema, ToResponse, ToSchema,
    openapi::{
        ArrayBuilder, ContentBuilder, Header, HeaderBuilder, KnownFormat, ObjectBuilder, OpenApi,
        RefOr, Response, ResponseBuilder, SchemaFormat, Type,
        schema::{AdditionalProperties, Ref, Schema, SchemaType},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

/// The security scheme of the test-control API: its admin token.
pub const CONTROL_ADMIN: &str = "controlAdmin";

/// Adds what the operations name but `routes!` does not collect: the security scheme and the
/// guard's responses.
pub(crate) fn components(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.security_schemes.insert(
        CONTROL_ADMIN.to_owned(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "The test-control admin token (`rapd control-token`); not a Graph token.",
                ))
                .build(),
        ),
    );
    for (name, response) in [
        ControlUnauthorized::response(),
        ControlForbidden::response(),
        FaultRuleNotFound::response(),
    ] {
        components.responses.insert(name.to_owned(), response);
    }
}

/// The guard's `401`: no admin token, or another one.
pub struct ControlUnauthorized;

impl<'r> ToResponse<'r> for ControlUnauthorized {
    fn response() -> (&'r str, RefOr<Response>) {
        let challenge = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^Bearer "));
        let response = error_body(
            ResponseBuilder::new()
                .description("No admin token, or the wrong one (`Unauthorized`).")
                .header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(challenge)
                        .description(Some("`Bearer realm=\"rapd-control\"`"))
                        .build(),
                ),
        );
        ("ControlUnauthorized", RefOr::T(response))
    }
}

/// The guard's `403`: a client off the loopback interface.
pub struct ControlForbidden;

impl<'r> ToResponse<'r> for ControlForbidden {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = error_body(ResponseBuilder::new().description(
            "The client is not on a loopback address and `control.allow_remote` is off (`Forbidden`).",
        ));
        ("ControlForbidden", RefOr::T(response))
    }
}

/// `DELETE /_rapd/faults/{id}`'s `404`: no rule with that id is held.
pub struct FaultRuleNotFound;

impl<'r> ToResponse<'r> for FaultRuleNotFound {
    fn response() -> (&'r str, RefOr<Response>) {
        let response = error_body(ResponseBuilder::new().description(
            "No rule with that id is held: never added, used up, or removed (`ResourceNotFound`).",
        ));
        ("ControlFaultRuleNotFound", RefOr::T(response))
    }
}

/// Graph's error body (the server's `ODataError` component) with the request ids.
fn error_body(response: ResponseBuilder) -> Response {
    response
        .header("request-id", Header::new(RequestId::schema()))
        .header("client-request-id", Header::new(ClientRequestId::schema()))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ODataError")))
                .build(),
        )
        .build()
}

/// The answer to `POST /_rapd/seed`: how many tenants and partners were written.
#[derive(Serialize, ToSchema)]
#[schema(as = ControlSeedResult)]
pub struct SeedResult {
    pub tenants: usize,
    pub partners: usize,
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

fn integer() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer)
}

fn closed(object: ObjectBuilder) -> ObjectBuilder {
    object
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
}

/// `rapd_model::Fixture`: what `POST /_rapd/seed` takes and `GET /_rapd/export` answers.
pub struct ControlFixture;

impl PartialSchema for ControlFixture {
    fn schema() -> RefOr<Schema> {
        let uuid = || string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        let date_time = || {
            nullable(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        };
        let settings = closed(ObjectBuilder::new())
            .required("remoteAssistanceState")
            .required("allowSessionsToUnenrolledDevices")
            .required("blockChat")
            .property(
                "remoteAssistanceState",
                string().enum_values(Some(["disabled", "enabled"])),
            )
            .property(
                "allowSessionsToUnenrolledDevices",
                ObjectBuilder::new().schema_type(Type::Boolean),
            )
            .property("blockChat", ObjectBuilder::new().schema_type(Type::Boolean));
        let partner = closed(ObjectBuilder::new())
            .property(
                "id",
                nullable(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .property("displayName", nullable(Type::String))
            .property("onboardingUrl", nullable(Type::String))
            .property(
                "onboardingStatus",
                nullable(Type::String).enum_values(Some([
                    Some("notOnboarded"),
                    Some("onboarding"),
                    Some("onboarded"),
                    None,
                ])),
            )
            .property("lastConnectionDateTime", date_time())
            .property("onboardingRequestExpiryDateTime", date_time())
            .property("partnerDomain", nullable(Type::String));
        let tenant = closed(ObjectBuilder::new())
            .required("id")
            .property("id", uuid())
            .property("displayName", nullable(Type::String))
            .property(
                "intuneLicensed",
                ObjectBuilder::new().schema_type(Type::Boolean),
            )
            .property("settings", settings)
            .property("partners", ArrayBuilder::new().items(partner));
        closed(ObjectBuilder::new())
            .property("tenants", ArrayBuilder::new().items(tenant))
            .into()
    }
}

impl ToSchema for ControlFixture {}

/// `GET /_rapd/requests`: the request log as `Journal::newest` writes it.
pub struct ControlRequestLog;

impl PartialSchema for ControlRequestLog {
    fn schema() -> RefOr<Schema> {
        let entry = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("sequence", integer())
            .property("dateTime", string())
            .property("method", string())
            .property("path", string().max_length(Some(128)))
            .property("status", integer())
            .property("durationMs", ObjectBuilder::new().schema_type(Type::Number))
            .property(
                "requestId",
                string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .property("tenantId", nullable(Type::String));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("capacity")
            .required("recorded")
            .required("value")
            .property("capacity", integer())
            .property("recorded", integer())
            .property("value", ArrayBuilder::new().items(entry))
            .into()
    }
}

impl ToSchema for ControlRequestLog {}

/// One fault rule as `Faults::add` answers it: the input and its `id`.
pub struct ControlFaultRule;

impl PartialSchema for ControlFaultRule {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("id")
            .required("path")
            .property("id", integer())
            .into()
    }
}

impl ToSchema for ControlFaultRule {}

/// `GET /_rapd/faults`: every rule, as `Faults::list` writes them.
pub struct ControlFaultRules;

impl PartialSchema for ControlFaultRules {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("value")
            .property(
                "value",
                ArrayBuilder::new().items(Ref::from_schema_name(ControlFaultRule::name())),
            )
            .into()
    }
}

impl ToSchema for ControlFaultRules {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((ControlFaultRule::name().into(), ControlFaultRule::schema()));
    }
}
