//! What the routes' `#[utoipa::path]` annotations name, for the server's `/openapi.json`: Entra's
//! OAuth error response and the bodies' schemas, written with utoipa's builders (the handlers
//! read forms field by field and write their answers as JSON, so there is no type to derive
//! from), and the renaming of the router's `{version}` to the document's `{tenant}`.

use utoipa::{
    PartialSchema, ToResponse, ToSchema,
    openapi::{
        ArrayBuilder, ContentBuilder, KnownFormat, ObjectBuilder, OpenApi, RefOr, Response,
        ResponseBuilder, SchemaFormat, Type,
        schema::{Ref, Schema},
    },
};

/// The tag of these operations (schemathesis leaves them to the identity-library suites).
pub const TAG: &str = "identity-provider";

/// The router names the tenant segment `version`, as the Graph routes it shares a position
/// with; the document names it `tenant`, as Entra's authority URLs do.
pub(crate) fn tenant_named(api: &mut OpenApi) {
    let paths = std::mem::take(&mut api.paths.paths);
    for (path, item) in paths {
        let path = match path.strip_prefix("/{version}/") {
            Some(rest) => format!("/{{tenant}}/{rest}"),
            None => path,
        };
        api.paths.paths.insert(path, item);
    }
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn integer() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer)
}

fn uuid() -> ObjectBuilder {
    string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

/// An object whose named properties are strings.
fn strings(required: &[&str], optional: &[&str]) -> ObjectBuilder {
    let object = required.iter().fold(
        ObjectBuilder::new().schema_type(Type::Object),
        |object, name| object.required(*name).property(*name, string()),
    );
    optional
        .iter()
        .fold(object, |object, name| object.property(*name, string()))
}

/// Entra's OAuth error, as `OAuthError` writes it.
pub struct OAuthErrorResponse;

impl<'r> ToResponse<'r> for OAuthErrorResponse {
    fn response() -> (&'r str, RefOr<Response>) {
        let body = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("error", string())
            .property(
                "error_description",
                string().pattern(Some("^AADSTS[0-9]+: ")),
            )
            .property("error_codes", ArrayBuilder::new().items(integer()))
            .property("timestamp", string())
            .property("trace_id", uuid())
            .property("correlation_id", uuid());
        let body = [
            "error",
            "error_description",
            "error_codes",
            "timestamp",
            "trace_id",
            "correlation_id",
        ]
        .into_iter()
        .fold(body, ObjectBuilder::required);
        let response = ResponseBuilder::new()
            .description("Entra's OAuth error")
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(body)).build(),
            )
            .build();
        ("OAuthError", RefOr::T(response))
    }
}

/// A tenant's OpenID Connect metadata: the server's `OpenIdConfiguration` component, which
/// describes the development issuer's metadata, describes this document too.
pub struct TenantOpenIdConfiguration;

impl PartialSchema for TenantOpenIdConfiguration {
    fn schema() -> RefOr<Schema> {
        Ref::from_schema_name("OpenIdConfiguration").into()
    }
}

impl ToSchema for TenantOpenIdConfiguration {}

/// The token endpoint's form.
pub struct TokenForm;

impl PartialSchema for TokenForm {
    fn schema() -> RefOr<Schema> {
        let grant_type = string().enum_values(Some([
            "client_credentials",
            "password",
            "refresh_token",
            "device_code",
            "urn:ietf:params:oauth:grant-type:device_code",
        ]));
        strings(
            &["client_id"],
            &[
                "client_secret",
                "scope",
                "username",
                "password",
                "device_code",
                "refresh_token",
            ],
        )
        .required("grant_type")
        .property("grant_type", grant_type)
        .into()
    }
}

impl ToSchema for TokenForm {}

/// The token endpoint's answer.
pub struct TokenResponse;

impl PartialSchema for TokenResponse {
    fn schema() -> RefOr<Schema> {
        strings(
            &["access_token"],
            &["scope", "refresh_token", "id_token", "client_info"],
        )
        .required("token_type")
        .property("token_type", string().enum_values(Some(["Bearer"])))
        .required("expires_in")
        .property("expires_in", integer())
        .property("ext_expires_in", integer())
        .into()
    }
}

impl ToSchema for TokenResponse {}

/// The device-code endpoint's form.
pub struct DeviceCodeForm;

impl PartialSchema for DeviceCodeForm {
    fn schema() -> RefOr<Schema> {
        strings(&["client_id"], &["scope"]).into()
    }
}

impl ToSchema for DeviceCodeForm {}

/// The device-code endpoint's answer.
pub struct DeviceCodeResponse;

impl PartialSchema for DeviceCodeResponse {
    fn schema() -> RefOr<Schema> {
        strings(&["user_code", "device_code", "message"], &[])
            .required("verification_uri")
            .property(
                "verification_uri",
                string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uri))),
            )
            .required("expires_in")
            .property("expires_in", integer())
            .required("interval")
            .property("interval", integer())
            .into()
    }
}

impl ToSchema for DeviceCodeResponse {}

/// The sign-in form of `/devicelogin`.
pub struct DeviceLoginForm;

impl PartialSchema for DeviceLoginForm {
    fn schema() -> RefOr<Schema> {
        strings(&["user_code", "username", "password"], &[]).into()
    }
}

impl ToSchema for DeviceLoginForm {}

/// The user realm MSAL Python asks for.
pub struct UserRealm;

impl PartialSchema for UserRealm {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Object).into()
    }
}

impl ToSchema for UserRealm {}

/// A managed identity's app-only token.
pub struct ManagedIdentityToken;

impl PartialSchema for ManagedIdentityToken {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("access_token")
            .required("expires_on")
            .required("resource")
            .required("token_type")
            .into()
    }
}

impl ToSchema for ManagedIdentityToken {}

/// An HTML page.
pub struct Html;

impl PartialSchema for Html {
    fn schema() -> RefOr<Schema> {
        string().into()
    }
}

impl ToSchema for Html {}

/// The `Metadata` header IMDS requires: `true`.
pub struct MetadataTrue;

impl PartialSchema for MetadataTrue {
    fn schema() -> RefOr<Schema> {
        string().enum_values(Some(["true"])).into()
    }
}

impl ToSchema for MetadataTrue {}
