//! The test-control operations on PostgreSQL: reset, seed and export of whole tenants, with the
//! same meaning as the SQLite engine's (`sqlite/control.rs`).

use deadpool_postgres::GenericClient;
use rapd_model::{AuditContext, TenantId, TenantState, Timestamp, seed};

use super::{
    rows::{self, db_error, get},
    transaction::WriteTx,
};
use crate::{StoreError, query_sql::SELECT_PARTNER_COLUMNS};

/// The tables holding a tenant's rows, each keyed by `tenant_id` first. (`audit_heads` is
/// written only by nodes of the release before migration 0006, during a rolling upgrade.)
const TENANT_TABLES: [&str; 5] = [
    "partners",
    "audit_events",
    "audit_heads",
    "remote_assistance_settings",
    "tenants",
];

/// Deletes every row of `tenant`, or of every tenant.
pub(super) async fn reset(
    tx: &impl GenericClient,
    tenant: Option<TenantId>,
) -> Result<(), StoreError> {
    for table in TENANT_TABLES {
        match tenant {
            Some(t) => tx
                .execute(
                    &format!("DELETE FROM {table} WHERE tenant_id = $1"),
                    &[&t.0],
                )
                .await
                .map_err(db_error)?,
            None => tx
                .execute(&format!("DELETE FROM {table}"), &[])
                .await
                .map_err(db_error)?,
        };
    }
    Ok(())
}

/// Writes `states`, auditing each partner and settings written under `audit` (the rules are
/// `rapd_model::seed`).
pub(super) async fn seed(
    tx: &WriteTx,
    states: &[TenantState],
    audit: &AuditContext,
    now: Timestamp,
) -> Result<(), StoreError> {
    // Every key it writes is locked before the transaction takes an id (`Writer::lock_key`), in
    // one order, so concurrent writes of those keys are audited in commit order.
    let mut keys: Vec<_> = states
        .iter()
        .flat_map(|s| {
            let settings = s.settings.as_ref().map(|_| s.tenant.id.0);
            let partners = s.partners.iter().map(|p| p.id.0);
            settings
                .into_iter()
                .chain(partners)
                .map(|k| (s.tenant.id, k))
        })
        .collect();
    keys.sort();
    keys.dedup();
    let (client, w) = (tx.client(), tx.writer());
    for (tenant, key) in keys {
        w.lock_key(tenant, key).await?;
    }
    for state in states {
        let tenant = state.tenant.id;
        let registered = client
            .query_opt(rows::SELECT_TENANT, &[&tenant.0])
            .await
            .map_err(db_error)?
            .map(|r| rows::tenant_from_row(&r))
            .transpose()?;
        let registration = seed::registration(&state.tenant, registered.as_ref());
        rows::upsert_tenant(client, &registration).await?;
        if let Some(seeded) = &state.settings {
            let current = w.select_settings(tenant).await?;
            let change = seed::settings(tenant, &current, seeded, audit, now);
            w.upsert_settings(tenant, &change.after).await?;
            w.insert_audit(&change.entry).await?;
        }
        for seeded in &state.partners {
            let current = w.select_partner(tenant, seeded.id).await?;
            let write = seed::partner(tenant, current, seeded, audit, now);
            w.write_partner(&write.partner, write.replaces).await?;
            w.insert_audit(&write.entry).await?;
        }
    }
    Ok(())
}

/// The state of `tenant`, or of every tenant with any row, by tenant id then partner id.
pub(super) async fn export(
    client: &impl GenericClient,
    tenant: Option<TenantId>,
) -> Result<Vec<TenantState>, StoreError> {
    let tenants = match tenant {
        Some(t) => vec![t],
        None => client
            .query(
                "SELECT tenant_id FROM tenants UNION SELECT tenant_id FROM partners \
                 UNION SELECT tenant_id FROM remote_assistance_settings ORDER BY 1",
                &[],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| get(r, 0).map(TenantId))
            .collect::<Result<_, _>>()?,
    };
    let mut states = Vec::with_capacity(tenants.len());
    for id in tenants {
        let registered = client
            .query_opt(rows::SELECT_TENANT, &[&id.0])
            .await
            .map_err(db_error)?
            .map(|r| rows::tenant_from_row(&r))
            .transpose()?;
        let settings = rows::stored_settings(client, id).await?;
        let partners = client
            .query(
                &format!("{SELECT_PARTNER_COLUMNS} WHERE tenant_id = $1 ORDER BY id"),
                &[&id.0],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(rows::partner_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        states.extend(TenantState::from_rows(id, registered, settings, partners));
    }
    Ok(states)
}
