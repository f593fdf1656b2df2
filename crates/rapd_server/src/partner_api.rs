//! `POST /partner/v1/onboarding` and `GET /partner/v1/connection`: the remote assistance
//! vendor's side of onboarding, rapd's own extension (Microsoft does not publish it).
//! `docs/partner-api.md` describes it.

use axum::{Extension, extract::State, response::Response};
use http::{HeaderMap, StatusCode, header};
use rapd_model::{
    Actor, AuditContext, Mutation, OnboardingCode, Partner, PartnerCredential, PartnerId, TenantId,
};
use serde::{Deserialize, Serialize};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, RefOr, Schema, Type, schema::Ref},
};

use rapd_http::RequestIds;

use crate::{
    described::{
        ClientRequestId, InternalServerError, ODataVersion, PartnerUnauthorized, PayloadTooLarge,
        RequestId, ServiceUnavailable, UnsupportedMediaType,
    },
    error::ApiError,
    extract::JsonBody,
    response,
    state::AppState,
};

/// The body of `POST /partner/v1/onboarding`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PartnerRedeemRequest)]
pub struct Redeem {
    /// The one-time onboarding code, `rac1.<tenant and partner>.<secret>`.
    code: String,
}

/// The partner's view of its connection.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartnerConnection {
    #[schema(format = Uuid)]
    tenant_id: String,
    #[schema(format = Uuid)]
    partner_id: String,
    #[schema(required = true)]
    display_name: Option<String>,
    #[schema(required = true)]
    partner_domain: Option<String>,
    #[schema(schema_with = onboarding_status)]
    onboarding_status: &'static str,
    #[schema(schema_with = date_time_offset)]
    last_connection_date_time: String,
}

/// The answer to a redemption: the partner's view of its connection and its new credential.
#[derive(Serialize)]
pub struct PartnerConnectionWithCredential {
    #[serde(flatten)]
    connection: PartnerConnection,
    credential: String,
}

/// The partner as the actor of its own changes.
fn partner_actor(partner: PartnerId, ids: &RequestIds) -> AuditContext {
    AuditContext {
        actor: Actor {
            actor_type: "Partner".into(),
            application_id: Some(partner.to_string()),
            ..Actor::default()
        },
        correlation_id: ids.request_id,
    }
}

fn view(tenant: TenantId, p: &Partner, now: rapd_model::Timestamp) -> PartnerConnection {
    PartnerConnection {
        tenant_id: tenant.to_string(),
        partner_id: p.id.to_string(),
        display_name: p.display_name.clone(),
        partner_domain: p.partner_domain.clone(),
        onboarding_status: p.status_at(now).as_str(),
        last_connection_date_time: p.last_connection.to_string(),
    }
}

/// `POST /partner/v1/onboarding` with `{"code": "…"}`: redeems a one-time onboarding code; the
/// partner becomes `onboarded` and receives its credential, shown this once.
#[utoipa::path(
    post,
    path = "/partner/v1/onboarding",
    tag = "partner",
    operation_id = "partner.redeemOnboardingCode",
    summary = "Redeem a one-time onboarding code (the vendor's side)",
    description = "rapd's own extension: Microsoft does not publish the partner side. The code comes from `beginOnboarding` (`rapd onboarding-link` shows it); redeeming it makes the partner `onboarded` and returns its credential, shown this once. An unknown, used or expired code, or a body that is not `{\"code\": …}`, is `401 InvalidOnboardingCode`.",
    security(()),
    request_body(content = Redeem, content_type = "application/json"),
    responses(
        (status = 200, description = "Connected: the partner's view, with its new credential", body = PartnerConnectionWithCredential, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion),
        )),
        (status = 401, response = PartnerUnauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub async fn redeem_onboarding_code(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let request: Redeem = serde_json::from_slice(&body)
        .map_err(|_| ApiError::PartnerUnauthorized("InvalidOnboardingCode"))?;
    let code = OnboardingCode::parse(&request.code)
        .ok_or(ApiError::PartnerUnauthorized("InvalidOnboardingCode"))?;
    let (tenant, id) = (code.tenant(), code.partner());
    let credential = PartnerCredential::issue(tenant, id);
    let mutation = Mutation::Connect {
        id,
        code: code.into_secret(),
        credential_hash: credential.hash(),
    };
    let change = state
        .store
        .mutate(tenant, mutation, partner_actor(id, &ids))
        .await
        .map_err(|e| match e {
            rapd_store::StoreError::Rejected(_) => {
                ApiError::PartnerUnauthorized("InvalidOnboardingCode")
            }
            other => other.into(),
        })?;
    let partner = change
        .after
        .ok_or_else(|| ApiError::Internal("connect removed the row".into()))?;
    let body = PartnerConnectionWithCredential {
        connection: view(tenant, &partner, state.clock.now()),
        credential: credential.to_string(),
    };
    Ok(response::json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    ))
}

/// `GET /partner/v1/connection` with `Authorization: Bearer <credential>`: the partner's view of
/// its connection. Every call refreshes `lastConnectionDateTime`, at most once per the configured
/// interval; after `disconnect`, `DELETE` or a new onboarding the credential is refused.
#[utoipa::path(
    get,
    path = "/partner/v1/connection",
    tag = "partner",
    operation_id = "partner.getConnection",
    summary = "The partner's view of its connection; a heartbeat",
    description = "Each call refreshes `lastConnectionDateTime` (at most once per heartbeat interval). After `disconnect`, `DELETE` or a new onboarding the credential is refused: `401 InvalidPartnerCredential`.",
    security(("partnerCredential" = [])),
    responses(
        (status = 200, description = "The connection", body = PartnerConnection, headers(
            ("request-id" = RequestId), ("client-request-id" = ClientRequestId), ("OData-Version" = ODataVersion),
        )),
        (status = 401, response = PartnerUnauthorized),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    ),
)]
pub async fn get_connection(
    State(state): State<AppState>,
    Extension(ids): Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let refused = || ApiError::PartnerUnauthorized("InvalidPartnerCredential");
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(refused)?;
    let credential = PartnerCredential::parse(credential).ok_or_else(refused)?;
    let (tenant, id, hash) = (credential.tenant(), credential.partner(), credential.hash());
    let now = state.clock.now();
    let partner = state.store.get(tenant, id).await?.ok_or_else(refused)?;
    if !partner.accepts_credential(&hash) {
        return Err(refused());
    }
    let interval = state.config.heartbeat_interval_secs;
    let partner = if partner.last_connection.plus_secs(interval) <= now {
        let mutation = Mutation::Heartbeat {
            id,
            credential_hash: hash,
            min_interval_secs: interval,
        };
        let change = state
            .store
            .mutate(tenant, mutation, partner_actor(id, &ids))
            .await
            .map_err(|e| match e {
                rapd_store::StoreError::Rejected(_) => refused(),
                other => other.into(),
            })?;
        change.after.unwrap_or(partner)
    } else {
        partner
    };
    let body = view(tenant, &partner, now);
    Ok(response::json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    ))
}

/// `PartnerConnection`'s schema with the credential added, required.
impl PartialSchema for PartnerConnectionWithCredential {
    fn schema() -> RefOr<Schema> {
        let RefOr::T(Schema::Object(mut object)) = PartnerConnection::schema() else {
            unreachable!("a derived struct's schema is an object")
        };
        let credential = ObjectBuilder::new().schema_type(Type::String).description(Some(
            "`rap1.<tenant and partner>.<secret>`: the bearer credential of `GET /partner/v1/connection`. Shown this once; only its hash is stored.",
        ));
        object
            .properties
            .insert("credential".into(), credential.into());
        object.required.push("credential".into());
        RefOr::T(Schema::Object(object))
    }
}

impl ToSchema for PartnerConnectionWithCredential {}

fn onboarding_status() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(
            rapd_model::OnboardingStatus::ALL.iter().map(|s| s.as_str()),
        ))
}

fn date_time_offset() -> Ref {
    Ref::from_schema_name("DateTimeOffset")
}
