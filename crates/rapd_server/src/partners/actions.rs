//! `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/beginOnboarding` and
//! `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/disconnect`.
//! <https://learn.microsoft.com/graph/api/intune-remoteassistance-remoteassistancepartner-disconnect>

use axum::{extract::State, response::Response};
use rapd_model::{BeginOnboardingInput, InputError, Mutation};

use crate::{
    admission::{Admitted, Write},
    error::ApiError,
    extract::JsonBody,
    response,
    state::AppState,
};

/// `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/beginOnboarding`: no body in
/// v1.0; beta takes an optional `{"partnerDomain": "…"}`. `204` whatever the state was.
pub async fn begin_onboarding(
    State(state): State<AppState>,
    caller: Admitted<Write>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = caller.partner_id()?;
    let input = BeginOnboardingInput::parse(caller.version(), &body)?;
    let ttl_secs = state.config.onboarding_ttl_secs;
    // A fresh one-time code for the vendor; `rapd onboarding-link` shows it to the administrator.
    let code = rapd_model::new_secret();
    let mutation = Mutation::BeginOnboarding {
        id,
        input,
        ttl_secs,
        code,
    };
    caller.mutate(&state, mutation).await?;
    Ok(response::no_content())
}

/// `POST /{version}/deviceManagement/remoteAssistancePartners/{id}/disconnect`: no body; `204`.
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
