//! Rows of the PostgreSQL schema and the model values they hold.

use deadpool_postgres::GenericClient;
use rapd_model::{
    Actor, ApiVersion, AuditEntry, ModifiedProperty, OnboardingStatus, OperationKind, Partner,
    PartnerId, RemoteAssistanceSettings, RemoteAssistanceState, Tenant, TenantId, Timestamp, wire,
};
use tokio_postgres::{Row, types::FromSql};

use crate::StoreError;

const SELECT_PARTNER: &str = "SELECT tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash FROM partners WHERE tenant_id = $1 AND id = $2";

const SELECT_PARTNER_FOR_UPDATE: &str = "SELECT tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash FROM partners WHERE tenant_id = $1 AND id = $2 FOR UPDATE";

pub(super) const SELECT_TENANT: &str =
    "SELECT tenant_id, display_name, intune_licensed, created FROM tenants WHERE tenant_id = $1";

pub(super) const SELECT_TENANTS: &str =
    "SELECT tenant_id, display_name, intune_licensed, created FROM tenants ORDER BY tenant_id";

/// Open onboarding requests across all tenants (for the development partner simulator).
/// An engine error as the store reports it: a conflict with a concurrent transaction (which the
/// server rolled back, so a retry is safe) or unavailability; the SQLSTATE stays in the text.
pub(super) fn db_error(e: tokio_postgres::Error) -> StoreError {
    use tokio_postgres::error::SqlState;
    let Some(code) = e.code() else {
        return StoreError::Unavailable(e.to_string());
    };
    let text = format!("{e} (SQLSTATE {})", code.code());
    if [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::UNIQUE_VIOLATION,
    ]
    .contains(code)
    {
        StoreError::Conflict(text)
    } else {
        StoreError::Unavailable(text)
    }
}

/// Column `i` of `row`; a value of the wrong type is corrupt data.
pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, StoreError> {
    row.try_get(i)
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

pub(super) fn partner_from_row(row: &Row) -> Result<Partner, StoreError> {
    let hash: Option<&[u8]> = get(row, 11)?;
    Ok(Partner {
        tenant: TenantId(get(row, 0)?),
        id: PartnerId(get(row, 1)?),
        display_name: get(row, 2)?,
        onboarding_url: get(row, 3)?,
        onboarding_status: OnboardingStatus::from_value(get(row, 4)?)
            .ok_or_else(|| corrupt("unknown onboarding status"))?,
        last_connection: Timestamp::from_micros(get(row, 5)?),
        onboarding_expiry: Timestamp::from_micros(get(row, 6)?),
        partner_domain: get(row, 7)?,
        created: Timestamp::from_micros(get(row, 8)?),
        revision: get(row, 9)?,
        onboarding_code_hash: get(row, 10)?,
        credential_hash: hash
            .map(|h| h.try_into().map_err(|_| corrupt("credential hash length")))
            .transpose()?,
    })
}

/// One partner; `for_update` locks its row until the transaction ends.
pub(super) async fn select_partner(
    client: &impl GenericClient,
    tenant: TenantId,
    id: PartnerId,
    for_update: bool,
) -> Result<Option<Partner>, StoreError> {
    let sql = if for_update {
        SELECT_PARTNER_FOR_UPDATE
    } else {
        SELECT_PARTNER
    };
    let stmt = client.prepare_cached(sql).await.map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&tenant.0, &id.0])
        .await
        .map_err(db_error)?;
    row.as_ref().map(partner_from_row).transpose()
}

/// Writes `p`: an insert when `existed` is false (a concurrent insert of the same id then fails
/// with a unique violation and the transaction is retried), else an update of the locked row.
pub(super) async fn write_partner(
    client: &impl GenericClient,
    p: &Partner,
    existed: bool,
) -> Result<(), StoreError> {
    // The list items are rendered here, so every write of the row writes them with it.
    let sql = if existed {
        "UPDATE partners SET display_name = $3, onboarding_url = $4, onboarding_status = $5, \
         last_connection = $6, onboarding_expiry = $7, partner_domain = $8, created = $9, \
         revision = $10, onboarding_code_hash = $11, credential_hash = $12, json_v1 = $13, \
         json_beta = $14, json_revision = $10 WHERE tenant_id = $1 AND id = $2"
    } else {
        "INSERT INTO partners (tenant_id, id, display_name, onboarding_url, onboarding_status, \
         last_connection, onboarding_expiry, partner_domain, created, revision, onboarding_code_hash, \
         credential_hash, json_v1, json_beta, json_revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $10)"
    };
    let stmt = client.prepare_cached(sql).await.map_err(db_error)?;
    let hash = p.credential_hash.as_ref().map(|h| h.as_slice());
    client
        .execute(
            &stmt,
            &[
                &p.tenant.0,
                &p.id.0,
                &p.display_name,
                &p.onboarding_url,
                &p.onboarding_status.value(),
                &p.last_connection.as_micros(),
                &p.onboarding_expiry.as_micros(),
                &p.partner_domain,
                &p.created.as_micros(),
                &p.revision,
                &p.onboarding_code_hash,
                &hash,
                &wire::stored_entity(p, ApiVersion::V1),
                &wire::stored_entity(p, ApiVersion::Beta),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn delete_partner(
    client: &impl GenericClient,
    p: &Partner,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached("DELETE FROM partners WHERE tenant_id = $1 AND id = $2")
        .await
        .map_err(db_error)?;
    client
        .execute(&stmt, &[&p.tenant.0, &p.id.0])
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Waits for every other write of `key` (a partner, or the tenant's settings under the tenant's
/// id) to end, holding an advisory lock until this transaction ends. Taken before the
/// transaction has an id (an advisory lock assigns none; a row lock does, before waiting), so
/// of two writes of one key the later one has the higher id, and the audit order, which
/// compares ids first, is their commit order (`audit_order.rs`).
pub(super) async fn lock_key(
    client: &impl GenericClient,
    tenant: TenantId,
    key: uuid::Uuid,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || $2::uuid::text, 0))",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(&stmt, &[&tenant.0, &key])
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Appends `e` to its tenant's trail, at the position of the writing transaction's id, then
/// the global sequence: no row is locked, so writers of one tenant do not wait for each other
/// (`audit_order.rs` shows why readers still see the trail only grow at its end).
pub(super) async fn insert_audit(
    client: &impl GenericClient,
    e: &AuditEntry,
) -> Result<(), StoreError> {
    let actor = serde_json::to_string(&e.actor).unwrap_or_default();
    let modified = serde_json::to_string(&e.modified_properties).unwrap_or_default();
    let stmt = client
        .prepare_cached(
            "INSERT INTO audit_events (tenant_id, xact, seq, activity_date_time, id, \
             operation_kind, actor_json, resource_id, resource_display_name, \
             modified_properties_json, correlation_id) VALUES ($1, \
             pg_current_xact_id()::text::bigint, nextval('audit_seq'), $2, $3, $4, $5, $6, $7, \
             $8, $9)",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[
                &e.tenant.0,
                &e.activity_date_time.as_micros(),
                &e.id,
                &e.kind.activity_type(),
                &actor,
                &e.resource_id,
                &e.resource_display_name,
                &modified,
                &e.correlation_id,
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) fn audit_from_row(row: &Row) -> Result<AuditEntry, StoreError> {
    let kind: &str = get(row, 3)?;
    let kind = OperationKind::ALL
        .into_iter()
        .find(|k| k.activity_type() == kind)
        .ok_or_else(|| corrupt("unknown audit kind"))?;
    Ok(AuditEntry {
        tenant: TenantId(get(row, 0)?),
        activity_date_time: Timestamp::from_micros(get(row, 1)?),
        id: get(row, 2)?,
        kind,
        actor: serde_json::from_str::<Actor>(get(row, 4)?).map_err(|_| corrupt("bad actor"))?,
        resource_id: get(row, 5)?,
        resource_display_name: get(row, 6)?,
        modified_properties: serde_json::from_str::<Vec<ModifiedProperty>>(get(row, 7)?)
            .map_err(|_| corrupt("bad modified properties"))?,
        correlation_id: get(row, 8)?,
    })
}

pub(super) fn tenant_from_row(row: &Row) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId(get(row, 0)?),
        display_name: get(row, 1)?,
        intune_licensed: get(row, 2)?,
        created: Timestamp::from_micros(get(row, 3)?),
    })
}

pub(super) async fn upsert_tenant(
    client: &impl GenericClient,
    t: &Tenant,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO tenants (tenant_id, display_name, intune_licensed, created) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET \
             display_name = excluded.display_name, intune_licensed = excluded.intune_licensed",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[
                &t.id.0,
                &t.display_name,
                &t.intune_licensed,
                &t.created.as_micros(),
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn delete_tenant(
    client: &impl GenericClient,
    id: TenantId,
) -> Result<bool, StoreError> {
    let stmt = client
        .prepare_cached("DELETE FROM tenants WHERE tenant_id = $1")
        .await
        .map_err(db_error)?;
    let n = client.execute(&stmt, &[&id.0]).await.map_err(db_error)?;
    Ok(n > 0)
}

/// A tenant's settings, or their defaults when never changed; `for_update` locks the row.
pub(super) async fn select_settings(
    client: &impl GenericClient,
    tenant: TenantId,
    for_update: bool,
) -> Result<RemoteAssistanceSettings, StoreError> {
    let stored = stored_settings(client, tenant, for_update).await?;
    Ok(stored.unwrap_or_else(|| RemoteAssistanceSettings::defaults(tenant.0)))
}

/// The tenant's settings row, if it was ever written (an export leaves defaults out).
pub(super) async fn stored_settings(
    client: &impl GenericClient,
    tenant: TenantId,
    for_update: bool,
) -> Result<Option<RemoteAssistanceSettings>, StoreError> {
    let sql = if for_update {
        "SELECT remote_assistance_state, allow_unenrolled_devices, block_chat \
         FROM remote_assistance_settings WHERE tenant_id = $1 FOR UPDATE"
    } else {
        "SELECT remote_assistance_state, allow_unenrolled_devices, block_chat \
         FROM remote_assistance_settings WHERE tenant_id = $1"
    };
    let stmt = client.prepare_cached(sql).await.map_err(db_error)?;
    let Some(row) = client
        .query_opt(&stmt, &[&tenant.0])
        .await
        .map_err(db_error)?
    else {
        return Ok(None);
    };
    Ok(Some(RemoteAssistanceSettings {
        id: tenant.0,
        remote_assistance_state: RemoteAssistanceState::from_value(get(&row, 0)?)
            .ok_or_else(|| corrupt("unknown remote assistance state"))?,
        allow_sessions_to_unenrolled_devices: get(&row, 1)?,
        block_chat: get(&row, 2)?,
    }))
}

pub(super) async fn upsert_settings(
    client: &impl GenericClient,
    tenant: TenantId,
    s: &RemoteAssistanceSettings,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "INSERT INTO remote_assistance_settings (tenant_id, remote_assistance_state, \
             allow_unenrolled_devices, block_chat) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) \
             DO UPDATE SET remote_assistance_state = excluded.remote_assistance_state, \
             allow_unenrolled_devices = excluded.allow_unenrolled_devices, \
             block_chat = excluded.block_chat",
        )
        .await
        .map_err(db_error)?;
    client
        .execute(
            &stmt,
            &[
                &tenant.0,
                &s.remote_assistance_state.value(),
                &s.allow_sessions_to_unenrolled_devices,
                &s.block_chat,
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(())
}
