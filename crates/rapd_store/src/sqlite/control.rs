//! The test-control operations: reset, seed and export of whole tenants.

use rapd_model::{AuditContext, TenantId, TenantState, Timestamp, seed};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::rows;
use crate::query_sql::SELECT_PARTNER_COLUMNS;

/// The tables holding a tenant's rows, each keyed by `tenant_id` first.
const TENANT_TABLES: [&str; 4] = [
    "partners",
    "audit_events",
    "remote_assistance_settings",
    "tenants",
];

/// Deletes every row of `tenant`, or of every tenant.
pub(super) fn reset(conn: &Connection, tenant: Option<TenantId>) -> rusqlite::Result<()> {
    for table in TENANT_TABLES {
        match tenant {
            Some(t) => conn
                .prepare_cached(&format!("DELETE FROM {table} WHERE tenant_id = ?1"))?
                .execute(params![t.0.as_bytes()])?,
            None => conn.execute(&format!("DELETE FROM {table}"), [])?,
        };
    }
    Ok(())
}

/// Writes `states`, auditing each partner and settings written under `audit` (the rules are
/// `rapd_model::seed`).
pub(super) fn seed(
    conn: &Connection,
    states: &[TenantState],
    audit: &AuditContext,
    now: Timestamp,
) -> rusqlite::Result<()> {
    for state in states {
        let tenant = state.tenant.id;
        let registered = rows::select_tenant(conn, tenant)?;
        rows::upsert_tenant(
            conn,
            &seed::registration(&state.tenant, registered.as_ref()),
        )?;
        if let Some(seeded) = &state.settings {
            let current = rows::select_settings(conn, tenant)?;
            let change = seed::settings(tenant, &current, seeded, audit, now);
            rows::upsert_settings(conn, tenant, &change.after)?;
            rows::insert_audit(conn, &change.entry)?;
        }
        for seeded in &state.partners {
            let current = rows::select_partner(conn, tenant, seeded.id)?;
            let write = seed::partner(tenant, current, seeded, audit, now);
            rows::upsert_partner(conn, &write.partner)?;
            rows::insert_audit(conn, &write.entry)?;
        }
    }
    Ok(())
}

/// The state of `tenant`, or of every tenant with any row, by tenant id then partner id.
pub(super) fn export(
    conn: &Connection,
    tenant: Option<TenantId>,
) -> rusqlite::Result<Vec<TenantState>> {
    let tenants = match tenant {
        Some(t) => vec![t],
        None => {
            let mut stmt = conn.prepare_cached(
                "SELECT tenant_id FROM tenants UNION SELECT tenant_id FROM partners \
                 UNION SELECT tenant_id FROM remote_assistance_settings ORDER BY 1",
            )?;
            let ids = stmt.query_map([], |r| r.get::<_, [u8; 16]>(0))?;
            ids.map(|id| id.map(|b| TenantId(Uuid::from_bytes(b))))
                .collect::<rusqlite::Result<_>>()?
        }
    };
    let mut states = Vec::with_capacity(tenants.len());
    for id in tenants {
        let registered = rows::select_tenant(conn, id)?;
        let settings = rows::stored_settings(conn, id)?;
        let mut stmt = conn.prepare_cached(&format!(
            "{} WHERE tenant_id = ?1 ORDER BY id",
            SELECT_PARTNER_COLUMNS
        ))?;
        let partners = stmt
            .query_map(params![id.0.as_bytes()], rows::partner_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        states.extend(TenantState::from_rows(id, registered, settings, partners));
    }
    Ok(states)
}
