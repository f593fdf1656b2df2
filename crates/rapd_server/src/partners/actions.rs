//! `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/beginOnboarding` and
//! `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/disconnect`.
//! <https://learn.microsoft.com/graph/api/intune-remoteassistance-remoteassistancepartner-disconnect>

use axum::{extract::State, response::Response};
use rapd_model::{BeginOnboardingInput, InputError, Mutation, OnboardingCode};

use crate::{
    admission::{Admitted, Write},
    described::operations::{BeginOnboardingInput as BeginOnboardingBody, PartnerPath},
    described::{ClientRequestId, RequestId, WriteOneErrors},
    error::ApiError,
    extract::JsonBody,
    response,
    state::AppState,
};

/// `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/beginOnboarding`: no body in
/// v1.0; beta takes an optional `{"partnerDomain": "…"}`. `204` whatever the state was.
#[utoipa::path(
    post,
    path = "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}/beginOnboarding",
    tag = "{version}",
    operation_id = "{version}.beginOnboarding",
    summary = "Begin onboarding a partner",
    description = "Needs `DeviceManagementServiceConfig.ReadWrite.All`. `notOnboarded` becomes `onboarding`; the request is renewed while `onboarding`; `onboarded` stays. In v1.0 there is no request body (an empty one with `Content-Type: application/json` is fine; a non-empty one is `400`); in beta an optional body names the partner account domain (the beta SDK always sends one, `{}` when empty).",
    params(PartnerPath),
    request_body(content = BeginOnboardingBody, examples(
        ("domain" = (value = json!({ "partnerDomain": "contoso.example" }))),
        ("empty" = (summary = "What the beta SDK sends without a domain", value = json!({}))),
    )),
    responses(
        (status = 204, description = "Onboarding begun (idempotent)", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        WriteOneErrors,
    ),
)]
pub async fn begin_onboarding(
    State(state): State<AppState>,
    caller: Admitted<Write>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    let input = BeginOnboardingInput::parse(caller.version(), &body)?;
    let ttl_secs = state.config.onboarding_ttl_secs;
    // A fresh one-time code for the vendor. The store keeps only its hash; the code goes to
    // whoever listens in this process (the development partner simulator), and
    // `rapd onboarding-link` issues the administrator one of their own.
    let code = rapd_model::new_secret();
    let mutation = Mutation::BeginOnboarding {
        id,
        input,
        ttl_secs,
        code: code.clone(),
    };
    let change = caller.mutate(&state, mutation).await?;
    let issued = change
        .after
        .as_ref()
        .and_then(|p| p.onboarding_code_hash.as_deref())
        == Some(rapd_model::code_hash(&code).as_str());
    if issued {
        // No listener is fine: the code is then only the vendor's through `onboarding-link`.
        let _ = state
            .onboarding_codes
            .send(OnboardingCode::new(caller.tenant(), id, code));
    }
    Ok(response::no_content())
}

/// `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/disconnect`: no body; `204`.
#[utoipa::path(
    post,
    path = "/{version}/deviceManagement/remoteAssistancePartners/{remoteAssistancePartner-id}/disconnect",
    tag = "{version}",
    operation_id = "{version}.disconnect",
    summary = "Disconnect a partner",
    description = "Needs `DeviceManagementServiceConfig.ReadWrite.All`. No request body (an empty one is fine; a non-empty one is `400`). Any state becomes `notOnboarded`.",
    params(PartnerPath),
    responses(
        (status = 204, description = "Disconnected (idempotent)", headers(("request-id" = RequestId), ("client-request-id" = ClientRequestId))),
        WriteOneErrors,
    ),
)]
pub async fn disconnect_partner(
    State(state): State<AppState>,
    caller: Admitted<Write>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    if !body.is_empty() {
        return Err(InputError::BodyNotAllowed.into());
    }
    caller.mutate(&state, Mutation::Disconnect { id }).await?;
    Ok(response::no_content())
}
