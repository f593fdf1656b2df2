//! Authorisation in the handler's signature: [`Admitted<P>`] is the caller let in for one kind of
//! access, and, as an extractor of the request's head, it runs before any body is read.
//!
//! Order, as Graph answers: the version (404), the token (401), the permission table (403;
//! personal accounts and unsupported token kinds never reach the tenant store), the tenant's
//! Intune licence (403), then Intune's throttling (429).

use std::{marker::PhantomData, sync::Arc};

use axum::extract::FromRequestParts;
use http::request::Parts;
use rapd_auth::{Caller, CallerKind, Permission};
use rapd_model::{Actor, ApiVersion, AuditContext, Change, Mutation, PartnerId, TenantId};

use rapd_http::RequestIds;

use crate::{
    error::ApiError,
    extract::{Authenticated, GraphPath},
    state::AppState,
};

/// A kind of access a route needs.
pub trait Access {
    const PERMISSION: Permission;
}

/// Reading partners and settings.
pub struct Read;
/// Changing them, and both actions.
pub struct Write;
/// Reading Intune's audit events.
pub struct AuditRead;

impl Access for Read {
    const PERMISSION: Permission = Permission::Read;
}
impl Access for Write {
    const PERMISSION: Permission = Permission::Write;
}
impl Access for AuditRead {
    const PERMISSION: Permission = Permission::AuditRead;
}

/// A caller admitted for `P` on this request's version, with what a handler needs next: the
/// path, the tenant, and the audit context of any change it makes.
pub struct Admitted<P> {
    pub path: GraphPath,
    caller: Arc<Caller>,
    request_ids: RequestIds,
    access: PhantomData<P>,
}

impl<P> Admitted<P> {
    pub fn version(&self) -> ApiVersion {
        self.path.version
    }

    /// The partner the path names (not a GUID: 404, said only to an admitted caller).
    pub fn partner_id(&self) -> Result<PartnerId, ApiError> {
        self.path.partner_id()
    }

    /// The caller's tenant: the token's `tid`, the only source of a tenant id.
    pub fn tenant(&self) -> TenantId {
        TenantId(self.caller.tenant)
    }

    /// The audit context of a change this caller makes in this request.
    pub fn audit_context(&self) -> AuditContext {
        let c = &self.caller;
        let actor = Actor {
            actor_type: match c.kind {
                CallerKind::Delegated => "ItPro".into(),
                CallerKind::Application => "Application".into(),
            },
            user_id: c.object_id.map(|o| o.to_string()),
            user_principal_name: c.display.clone(),
            application_id: c.app_id.clone(),
            ip_address: None,
        };
        AuditContext {
            actor,
            correlation_id: self.request_ids.request_id,
        }
    }
}

impl Admitted<Write> {
    /// Makes `mutation` in the caller's tenant, audited as the caller's under this request's id.
    pub async fn mutate(&self, state: &AppState, mutation: Mutation) -> Result<Change, ApiError> {
        Ok(state
            .store
            .mutate(self.tenant(), mutation, self.audit_context())
            .await?)
    }
}

impl<P: Access> FromRequestParts<AppState> for Admitted<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let path = GraphPath::from_request_parts(parts, state).await?;
        let Authenticated(caller) = Authenticated::from_request_parts(parts, state).await?;
        admit(state, &caller, P::PERMISSION, path.version).await?;
        let request_ids = *parts
            .extensions
            .get::<RequestIds>()
            .ok_or_else(|| ApiError::Internal("no request ids: the envelope is missing".into()))?;
        Ok(Admitted {
            path,
            caller,
            request_ids,
            access: PhantomData,
        })
    }
}

/// The permission table, the tenant gate and the throttle, in that order.
async fn admit(
    state: &AppState,
    caller: &Caller,
    permission: Permission,
    version: ApiVersion,
) -> Result<(), ApiError> {
    caller.authorize(permission, state.policy(version))?;
    let now = state.clock.now();
    let tenant = TenantId(caller.tenant);
    state.tenancy.admit(tenant, now).await?;
    let app = caller.app_id.as_deref().unwrap_or("");
    let write = permission == Permission::Write;
    state
        .throttle
        .admit(tenant, app, write, now)
        .await
        .map_err(|r| ApiError::Throttled(r.0))
}

/// A route that exists in beta only: on v1.0 its segment is unknown, as on Graph, whoever asks.
pub struct BetaOnly;

impl FromRequestParts<AppState> for BetaOnly {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match GraphPath::from_request_parts(parts, state).await?.version {
            ApiVersion::Beta => Ok(BetaOnly),
            ApiVersion::V1 => Err(ApiError::UnknownSegment("remoteAssistanceSettings".into())),
        }
    }
}
