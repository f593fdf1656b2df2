//! A tenant as rapd knows it: provisioned, and licensed for Intune or not.

use crate::{TenantId, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: Option<String>,
    /// Whether the tenant holds an Intune licence; the founding page requires one.
    pub intune_licensed: bool,
    pub created: Timestamp,
}
