//! What the Graph operations' `#[utoipa::path]` name besides the shared responses
//! (`described.rs`): their parameters and the names of their bodies' schemas.
//!
//! Graph's routes are registered once, under `/{version}/`, but a version's schemas differ (beta
//! has `onboardingRequestExpiryDateTime`, so its `$select` takes one more name). So a body or a
//! query option whose schema depends on the version names the placeholder `{version}.…`, which
//! `openapi/versions.rs` turns into the version's component (`v1.…`, `beta.…`), written in
//! `openapi/schemas.rs` and `openapi/query.rs`. The other bodies name their component directly; a
//! placeholder only names it (its schema is empty) and the component written there replaces it
//! (`openapi.rs` tests that none is left empty).

use std::borrow::Cow;

use rapd_odata::{
    MAX_AUDIT_CONDITIONS, MAX_AUDIT_FILTER_LENGTH, MAX_SKIP, MAX_SKIPTOKEN_LENGTH, MAX_TOP,
};
use utoipa::{
    IntoParams, PartialSchema, ToSchema,
    openapi::{
        KnownFormat, ObjectBuilder, RefOr, Required, Schema, SchemaFormat, Type,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::Ref,
    },
};

use super::END;

/// The name of the key segment's parameter, as the Graph docs and Microsoft's OpenAPI write it.
pub const ID_PARAM: &str = "remoteAssistancePartner-id";

/// Types that only name a component, by that name.
macro_rules! placeholders {
    ($($(#[$doc:meta])* $name:ident = $component:literal),* $(,)?) => {$(
        $(#[$doc])*
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().into()
            }
        }
        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($component)
            }
        }
    )*};
}

placeholders!(
    /// A page of partners.
    PartnerCollection = "{version}.remoteAssistancePartnerCollection",
    /// One whole partner with `@odata.context` (create, update).
    PartnerEntity = "{version}.remoteAssistancePartnerEntity",
    /// One partner as `GET` answers it: whole or under `$select`.
    PartnerEntityOrSelection = "{version}.remoteAssistancePartnerEntityOrSelection",
    /// A create or update body.
    PartnerInput = "{version}.remoteAssistancePartnerInput",
    /// beta's optional `beginOnboarding` body (v1.0 has none: `versions.rs`).
    BeginOnboardingInput = "{version}.beginOnboardingInput",
    /// A page of audit events.
    AuditEventCollection = "{version}.auditEventCollection",
    /// `$batch`'s request body.
    BatchRequest = "BatchRequest",
    /// `$batch`'s answer.
    BatchResponse = "BatchResponse",
    /// beta's settings singleton.
    Settings = "beta.remoteAssistanceSettings",
    /// A PATCH of the settings.
    SettingsInput = "beta.remoteAssistanceSettingsInput",
);

/// `$count`'s body: a `text/plain` integer.
pub struct Count;

impl PartialSchema for Count {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .into()
    }
}

impl ToSchema for Count {}

fn optional(
    name: &str,
    place: ParameterIn,
    schema: impl Into<RefOr<Schema>>,
    text: &str,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(place)
        .required(Required::False)
        .description(Some(text))
        .schema(Some(schema))
        .build()
}

/// `client-request-id`, which every Graph operation takes.
pub fn client_request_id() -> Parameter {
    optional(
        "client-request-id",
        ParameterIn::Header,
        ObjectBuilder::new().schema_type(Type::String),
        "Echoed in `client-request-id` and `innerError` when at most 128 visible ASCII characters.",
    )
}

/// A query option whose schema is the version's component `{version}.{option}`.
fn per_version(option: &str, text: &str) -> Parameter {
    let schema = Ref::from_schema_name(format!("{{version}}.{option}"));
    optional(&format!("${option}"), ParameterIn::Query, schema, text)
}

fn filter() -> Parameter {
    per_version(
        "filter",
        "OData `$filter`: `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `and`, `or`, `not`, `in (…)`, `startswith`, `endswith` and `contains`, parentheses, `null` on nullable properties. The pattern describes the simplest filters (one comparison or text function); the server takes the whole grammar.",
    )
}

fn select() -> Parameter {
    per_version(
        "select",
        "Comma-separated properties to return; `*` is all of them. Without `*`, the entities carry only those properties and no `@odata.type`.",
    )
}

/// The parameters of an operation on one partner, for `params(…)`.
pub struct PartnerPath;

impl IntoParams for PartnerPath {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let id = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        let id = ParameterBuilder::new()
            .name(ID_PARAM)
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .description(Some(
                "The partner's id, a GUID. Anything else names no partner (`404`).",
            ))
            .schema(Some(id))
            .build();
        vec![id, client_request_id()]
    }
}

/// `$top`, at most [`MAX_TOP`].
fn top(text: &str) -> Parameter {
    let schema = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(MAX_TOP));
    optional("$top", ParameterIn::Query, schema, text)
}

/// `$skiptoken`, as the server issues it in `@odata.nextLink`.
fn skiptoken() -> Parameter {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_SKIPTOKEN_LENGTH))
        .pattern(Some(format!("^[A-Za-z0-9_-]+{END}")));
    optional(
        "$skiptoken",
        ParameterIn::Query,
        schema,
        "Opaque, issued by the server in `@odata.nextLink` for the same query; any other value is `400`.",
    )
}

/// The query options of a list: `$filter`, `$orderby`, `$select`, `$top`, `$skip`, `$count`,
/// `$skiptoken`, and `client-request-id`.
pub struct ListQuery;

impl IntoParams for ListQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let skip = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(MAX_SKIP));
        let count = ObjectBuilder::new().schema_type(Type::Boolean);
        vec![
            filter(),
            per_version(
                "orderby",
                "Comma-separated keys, each property at most once and optionally followed by ` asc` or ` desc`.",
            ),
            select(),
            top("The most partners on one page (default 100)."),
            optional("$skip", ParameterIn::Query, skip, "Partners to skip."),
            optional(
                "$count",
                ParameterIn::Query,
                count,
                "`true` adds `@odata.count`.",
            ),
            skiptoken(),
            client_request_id(),
        ]
    }
}

/// The query option of a read of one partner: `$select`.
pub struct ItemQuery;

impl IntoParams for ItemQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![select()]
    }
}

/// The query option of `$count`: `$filter`, and `client-request-id`.
pub struct CountQuery;

impl IntoParams for CountQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![filter(), client_request_id()]
    }
}

/// Only `client-request-id`.
pub struct ClientRequestIdHeader;

impl IntoParams for ClientRequestIdHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![client_request_id()]
    }
}

pub fn audit_filter_pattern() -> String {
    let date = "[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])";
    let time = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,7})?";
    let zone = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    let condition = format!(
        "(?:activityDateTime (?:eq|ne|gt|ge|lt|le) {date}T{time}{zone}|(?:category|activityType) (?:eq|ne) '(?:[^']|'')*')"
    );
    let more = MAX_AUDIT_CONDITIONS - 1;
    format!("^{condition}(?: and {condition}){{0,{more}}}{END}")
}

/// The query options of `GET /{version}/deviceManagement/auditEvents`: `$filter` (the audit
/// dialect), `$top`, `$skiptoken`, `client-request-id`.
pub struct AuditEventsQuery;

impl IntoParams for AuditEventsQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let filter = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX_AUDIT_FILTER_LENGTH))
            .pattern(Some(audit_filter_pattern()))
            .examples([
                "activityDateTime ge 2024-01-01T00:00:00Z",
                "activityType eq 'Disconnect RemoteAssistancePartner'",
            ]);
        let text = format!(
            "Up to {MAX_AUDIT_CONDITIONS} comparisons joined by `and`: `activityDateTime` with `eq`, `ne`, `gt`, `ge`, `lt` or `le` and an unquoted date-time; `category` or `activityType` with `eq` or `ne` and a quoted string. At most {MAX_AUDIT_FILTER_LENGTH} characters."
        );
        vec![
            optional("$filter", ParameterIn::Query, filter, &text),
            top("The most events on one page (default 100)."),
            skiptoken(),
            client_request_id(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_filter_samples_parse() {
        for filter in [
            "activityDateTime ge 2024-01-28T23:59:59.1234567+02:00",
            "category eq 'RemoteAssistance' and activityType ne 'It''s'",
        ] {
            let query = format!("$filter={}", filter.replace(' ', "%20").replace('+', "%2B"));
            let parsed = rapd_odata::parse_audit_query(rapd_model::ApiVersion::V1, Some(&query));
            assert!(parsed.is_ok(), "{filter}");
        }
        assert!(audit_filter_pattern().contains(&format!("{{0,{}}}", MAX_AUDIT_CONDITIONS - 1)));
    }
}
