//! The verified caller and the two permission tables: the founding page's and Graph's.

use uuid::Uuid;

use crate::{
    CONSUMER_TENANT, SCOPE_CONFIG_READ, SCOPE_CONFIG_READ_WRITE, SCOPE_READ, SCOPE_READ_WRITE,
};

/// Who sent a verified token. Holds no token material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `tid`: every data access is scoped to it.
    pub tenant: Uuid,
    pub kind: CallerKind,
    /// The client application (`azp`, or `appid` in v1 tokens).
    pub app_id: Option<String>,
    /// `oid`: the user, or for application tokens the service principal.
    pub object_id: Option<Uuid>,
    /// `upn`, `preferred_username` or `name`, for the audit actor only; never for authorization.
    pub display: Option<String>,
    /// `scp` split on spaces (delegated), or `roles` (application).
    pub scopes: Vec<String>,
    /// The token's `exp`, in Unix seconds.
    pub expires_at: i64,
}

/// Whether a user is present (delegated) or the application acts on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    Delegated,
    Application,
}

/// What an operation needs: reads, or writes and the two actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Read,
    Write,
    /// Reading Intune's audit events (`DeviceManagementApps.Read.All` or `.ReadWrite.All`).
    AuditRead,
}

/// Proof that [`Caller::authorize`] passed; only this crate can make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant(Permission);

impl Grant {
    pub fn permission(&self) -> Permission {
        self.0
    }
}

/// Why a valid token may not do this (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("personal Microsoft accounts are not supported")]
    PersonalAccount,
    #[error("application permissions are not supported")]
    ApplicationToken,
    /// `required` lists the scopes any one of which would do, for `insufficient_scope`'s `scope=`.
    #[error("the token has none of the required scopes")]
    MissingScope { required: &'static [&'static str] },
}

/// Which permission table applies (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PermissionProfile {
    /// The founding Graph page: delegated work/school tokens only, with
    /// `DeviceManagementServiceConfig.Read.All` or `.ReadWrite.All`.
    #[default]
    FoundingPage,
    /// Today's Graph table: delegated permissions (`scp`) and application permissions
    /// (`roles`) alike; on beta, `DeviceManagementConfiguration.Read.All` and `.ReadWrite.All`
    /// also do.
    Graph,
}

/// The table and the API version a request is authorised against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AccessPolicy {
    pub profile: PermissionProfile,
    /// Whether the request came in under `/beta`.
    pub beta: bool,
}

const READ_SCOPES: &[&str] = &[SCOPE_READ, SCOPE_READ_WRITE];
const WRITE_SCOPES: &[&str] = &[SCOPE_READ_WRITE];
const BETA_READ_SCOPES: &[&str] = &[
    SCOPE_READ,
    SCOPE_READ_WRITE,
    SCOPE_CONFIG_READ,
    SCOPE_CONFIG_READ_WRITE,
];
const BETA_WRITE_SCOPES: &[&str] = &[SCOPE_READ_WRITE, SCOPE_CONFIG_READ_WRITE];

impl AccessPolicy {
    /// The permissions any one of which allows `p` under this policy.
    pub fn accepted(&self, p: Permission) -> &'static [&'static str] {
        let graph_beta = self.profile == PermissionProfile::Graph && self.beta;
        match (p, graph_beta) {
            (Permission::Read, false) => READ_SCOPES,
            (Permission::Write, false) => WRITE_SCOPES,
            (Permission::Read, true) => BETA_READ_SCOPES,
            (Permission::Write, true) => BETA_WRITE_SCOPES,
            (Permission::AuditRead, _) => AUDIT_READ_SCOPES,
        }
    }
}

/// The auditEvents list page: `DeviceManagementApps.Read.All` or `.ReadWrite.All`.
const AUDIT_READ_SCOPES: &[&str] = &[
    "DeviceManagementApps.Read.All",
    "DeviceManagementApps.ReadWrite.All",
];

impl Caller {
    /// Whether this caller may do `p` under `policy`. Permissions compare exactly
    /// (case-sensitive, whole words of `scp`; members of `roles`). Personal Microsoft accounts
    /// are refused under every profile, application tokens under the founding page's.
    pub fn authorize(&self, p: Permission, policy: AccessPolicy) -> Result<Grant, Denied> {
        if self.tenant == CONSUMER_TENANT {
            return Err(Denied::PersonalAccount);
        }
        if self.kind == CallerKind::Application && policy.profile == PermissionProfile::FoundingPage
        {
            return Err(Denied::ApplicationToken);
        }
        let required = policy.accepted(p);
        if self.scopes.iter().any(|s| required.contains(&s.as_str())) {
            Ok(Grant(p))
        } else {
            Err(Denied::MissingScope { required })
        }
    }
}
