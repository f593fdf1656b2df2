//! The writes every engine runs, defined once. Each names the type of its answer, so an engine
//! that answers a write with another write's kind of result does not compile. How each engine
//! runs them: `sqlite/writes.rs` (on the writer thread, in a savepoint of the group's
//! transaction) and `postgres/writes.rs` (in one transaction, retried on conflicts).

use rapd_model::{
    AuditContext, Change, Mutation, RemoteAssistanceSettings, SettingsPatch, Tenant, TenantId,
    TenantState,
};

/// One kind of write. `Sync` because the PostgreSQL engine reruns a job (by reference) when its
/// transaction conflicts.
pub(crate) trait WriteJob: Send + Sync + 'static {
    /// What the caller receives once the write has committed.
    type Reply: Send + 'static;
}

/// A partner mutation, run through `lifecycle::apply` and audited.
pub(crate) struct Mutate {
    pub tenant: TenantId,
    pub mutation: Mutation,
    pub audit: AuditContext,
}

impl WriteJob for Mutate {
    type Reply = Change;
}

/// Provisions a tenant, or updates its name and licence.
pub(crate) struct PutTenant {
    pub tenant: Tenant,
}

impl WriteJob for PutTenant {
    type Reply = ();
}

/// Removes a tenant's registration.
pub(crate) struct RemoveTenant {
    pub id: TenantId,
}

impl WriteJob for RemoveTenant {
    /// Whether the tenant was registered.
    type Reply = bool;
}

/// A patch of the tenant's settings, audited.
pub(crate) struct PatchSettings {
    pub tenant: TenantId,
    pub patch: SettingsPatch,
    pub audit: AuditContext,
}

impl WriteJob for PatchSettings {
    /// The settings after the patch.
    type Reply = RemoteAssistanceSettings;
}

/// Test control: deletes every row of one tenant, or of every tenant.
pub(crate) struct Reset {
    pub tenant: Option<TenantId>,
}

impl WriteJob for Reset {
    type Reply = ();
}

/// Test control: writes whole tenants' state, auditing every partner and settings written.
pub(crate) struct Seed {
    pub states: Vec<TenantState>,
    pub audit: AuditContext,
}

impl WriteJob for Seed {
    type Reply = ();
}
