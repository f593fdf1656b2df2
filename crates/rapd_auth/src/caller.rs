//! The verified caller and the founding page's permission table.

use uuid::Uuid;

use crate::{CONSUMER_TENANT, SCOPE_READ, SCOPE_READ_WRITE};

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

const READ_SCOPES: &[&str] = &[SCOPE_READ, SCOPE_READ_WRITE];
const WRITE_SCOPES: &[&str] = &[SCOPE_READ_WRITE];

impl Caller {
    /// The founding page's table: delegated work/school tokens only; reads need
    /// `Read.All` or `ReadWrite.All`, writes need `ReadWrite.All` (exact, case-sensitive).
    pub fn authorize(&self, p: Permission) -> Result<Grant, Denied> {
        if self.tenant == CONSUMER_TENANT {
            return Err(Denied::PersonalAccount);
        }
        if self.kind == CallerKind::Application {
            return Err(Denied::ApplicationToken);
        }
        let required = match p {
            Permission::Read => READ_SCOPES,
            Permission::Write => WRITE_SCOPES,
        };
        if self.scopes.iter().any(|s| required.contains(&s.as_str())) {
            Ok(Grant(p))
        } else {
            Err(Denied::MissingScope { required })
        }
    }
}
