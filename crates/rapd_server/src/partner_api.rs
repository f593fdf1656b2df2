//! `POST /partner/v1/onboarding` and `GET /partner/v1/connection`: the remote assistance
//! vendor's side of onboarding, rapd's own extension (Microsoft does not publish it).
//! `docs/partner-api.md` describes it.

use axum::{Extension, extract::State, response::Response};
use http::{HeaderMap, StatusCode, header};
use rapd_model::{
    Actor, AuditContext, Mutation, OnboardingCode, Partner, PartnerCredential, PartnerId, TenantId,
};
use serde::Deserialize;
use serde_json::json;

use rapd_http::RequestIds;

use crate::{error::ApiError, extract::JsonBody, response, state::AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Redeem {
    code: String,
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

fn view(tenant: TenantId, p: &Partner, now: rapd_model::Timestamp) -> serde_json::Value {
    json!({
        "tenantId": tenant.to_string(),
        "partnerId": p.id.to_string(),
        "displayName": p.display_name,
        "partnerDomain": p.partner_domain,
        "onboardingStatus": p.status_at(now).as_str(),
        "lastConnectionDateTime": p.last_connection.to_string(),
    })
}

/// `POST /partner/v1/onboarding` with `{"code": "…"}`: redeems a one-time onboarding code; the
/// partner becomes `onboarded` and receives its credential, shown this once.
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
    let mut body = view(tenant, &partner, state.clock.now());
    body["credential"] = json!(credential.to_string());
    Ok(response::json(
        StatusCode::OK,
        serde_json::to_vec(&body).unwrap_or_default(),
    ))
}

/// `GET /partner/v1/connection` with `Authorization: Bearer <credential>`: the partner's view of
/// its connection. Every call refreshes `lastConnectionDateTime`, at most once per the configured
/// interval; after `disconnect`, `DELETE` or a new onboarding the credential is refused.
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
