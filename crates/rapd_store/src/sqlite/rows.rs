//! Rows of the SQLite schema and the model values they hold.

use rapd_model::{
    Actor, ApiVersion, AuditEntry, ModifiedProperty, OnboardingStatus, OperationKind, Partner,
    PartnerId, RemoteAssistanceSettings, RemoteAssistanceState, Tenant, TenantId, Timestamp, wire,
};
use rusqlite::{Connection, OptionalExtension, Row, params, types::Type};
use uuid::Uuid;

use crate::{StoreError, page_rows::PartnerRow};

/// A constant: the writer runs it for every change, and the statement cache finds a constant
/// without a string being built first.
const UPSERT_PARTNER: &str = "INSERT INTO partners (tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash, json_v1, json_beta, json_revision) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?10) \
     ON CONFLICT (tenant_id, id) DO UPDATE SET display_name = excluded.display_name, \
     onboarding_url = excluded.onboarding_url, onboarding_status = excluded.onboarding_status, \
     last_connection = excluded.last_connection, onboarding_expiry = excluded.onboarding_expiry, \
     partner_domain = excluded.partner_domain, revision = excluded.revision, \
     onboarding_code_hash = excluded.onboarding_code_hash, credential_hash = excluded.credential_hash, \
     json_v1 = excluded.json_v1, json_beta = excluded.json_beta, \
     json_revision = excluded.json_revision";

const SELECT_PARTNER: &str = "SELECT tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash FROM partners WHERE tenant_id = ?1 AND id = ?2";

pub(super) const SELECT_TENANT_AUDIT: &str = "SELECT tenant_id, activity_date_time, id, \
     operation_kind, actor_json, resource_id, resource_display_name, modified_properties_json, \
     correlation_id, seq FROM audit_events WHERE tenant_id = ?1 ORDER BY seq";

pub(super) fn read_error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::FromSqlConversionFailure(_, _, cause) => {
            StoreError::Corrupt(cause.to_string())
        }
        other => StoreError::Unavailable(other.to_string()),
    }
}

fn uuid_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let bytes: [u8; 16] = row.get(i)?;
    Ok(Uuid::from_bytes(bytes))
}

fn corrupt(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Integer, what.into())
}

pub(super) fn partner_from_row(row: &Row<'_>) -> rusqlite::Result<Partner> {
    let status: i64 = row.get(4)?;
    Ok(Partner {
        tenant: TenantId(uuid_at(row, 0)?),
        id: PartnerId(uuid_at(row, 1)?),
        display_name: row.get(2)?,
        onboarding_url: row.get(3)?,
        onboarding_status: OnboardingStatus::from_value(status)
            .ok_or_else(|| corrupt(4, "unknown onboarding status"))?,
        last_connection: Timestamp::from_micros(row.get(5)?),
        onboarding_expiry: Timestamp::from_micros(row.get(6)?),
        partner_domain: row.get(7)?,
        created: Timestamp::from_micros(row.get(8)?),
        revision: row.get(9)?,
        onboarding_code_hash: row.get(10)?,
        credential_hash: row.get(11)?,
    })
}

/// A page's row: its partner decoded only when asked.
impl PartnerRow for Row<'_> {
    type Error = rusqlite::Error;

    fn partner(&self) -> rusqlite::Result<Partner> {
        partner_from_row(self)
    }

    fn stored_item(&self) -> rusqlite::Result<Option<Vec<u8>>> {
        self.get(12)
    }
}

pub(super) fn select_partner(
    conn: &Connection,
    tenant: TenantId,
    id: PartnerId,
) -> rusqlite::Result<Option<Partner>> {
    conn.prepare_cached(SELECT_PARTNER)?
        .query_row(
            params![tenant.0.as_bytes(), id.0.as_bytes()],
            partner_from_row,
        )
        .optional()
}

pub(super) fn upsert_partner(conn: &Connection, p: &Partner) -> rusqlite::Result<()> {
    conn.prepare_cached(UPSERT_PARTNER)?.execute(params![
        p.tenant.0.as_bytes(),
        p.id.0.as_bytes(),
        p.display_name,
        p.onboarding_url,
        p.onboarding_status.value(),
        p.last_connection.as_micros(),
        p.onboarding_expiry.as_micros(),
        p.partner_domain,
        p.created.as_micros(),
        p.revision,
        p.onboarding_code_hash,
        p.credential_hash,
        wire::stored_entity(p, ApiVersion::V1),
        wire::stored_entity(p, ApiVersion::Beta),
    ])?;
    Ok(())
}

pub(super) fn delete_partner(conn: &Connection, p: &Partner) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM partners WHERE tenant_id = ?1 AND id = ?2")?
        .execute(params![p.tenant.0.as_bytes(), p.id.0.as_bytes()])?;
    Ok(())
}

pub(super) fn insert_audit(conn: &Connection, e: &AuditEntry) -> rusqlite::Result<()> {
    let actor = serde_json::to_string(&e.actor).unwrap_or_default();
    let modified = serde_json::to_string(&e.modified_properties).unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO audit_events (tenant_id, seq, activity_date_time, id, operation_kind, \
         actor_json, resource_id, resource_display_name, modified_properties_json, correlation_id) \
         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM audit_events WHERE tenant_id = ?1), \
         ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.tenant.0.as_bytes(),
        e.activity_date_time.as_micros(),
        e.id.as_bytes(),
        e.kind.activity_type(),
        actor,
        e.resource_id.as_bytes(),
        e.resource_display_name,
        modified,
        e.correlation_id.as_bytes(),
    ])?;
    Ok(())
}

pub(super) fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let kind: String = row.get(3)?;
    let kind = OperationKind::ALL
        .into_iter()
        .find(|k| k.activity_type() == kind)
        .ok_or_else(|| corrupt(3, "unknown audit kind"))?;
    let actor: String = row.get(4)?;
    let modified: String = row.get(7)?;
    Ok(AuditEntry {
        tenant: TenantId(uuid_at(row, 0)?),
        activity_date_time: Timestamp::from_micros(row.get(1)?),
        id: uuid_at(row, 2)?,
        kind,
        actor: serde_json::from_str::<Actor>(&actor).map_err(|_| corrupt(4, "bad actor"))?,
        resource_id: uuid_at(row, 5)?,
        resource_display_name: row.get(6)?,
        modified_properties: serde_json::from_str::<Vec<ModifiedProperty>>(&modified)
            .map_err(|_| corrupt(7, "bad modified properties"))?,
        correlation_id: uuid_at(row, 8)?,
    })
}

pub(super) fn select_tenant(conn: &Connection, id: TenantId) -> rusqlite::Result<Option<Tenant>> {
    conn.prepare_cached(
        "SELECT tenant_id, display_name, intune_licensed, created FROM tenants WHERE tenant_id = ?1",
    )?
    .query_row(params![id.0.as_bytes()], tenant_from_row)
    .optional()
}

pub(super) const SELECT_TENANTS: &str =
    "SELECT tenant_id, display_name, intune_licensed, created FROM tenants ORDER BY tenant_id";

pub(super) fn tenant_from_row(row: &Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        id: TenantId(uuid_at(row, 0)?),
        display_name: row.get(1)?,
        intune_licensed: row.get(2)?,
        created: Timestamp::from_micros(row.get(3)?),
    })
}

pub(super) fn upsert_tenant(conn: &Connection, t: &Tenant) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO tenants (tenant_id, display_name, intune_licensed, created) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) DO UPDATE SET \
         display_name = excluded.display_name, intune_licensed = excluded.intune_licensed",
    )?
    .execute(params![
        t.id.0.as_bytes(),
        t.display_name,
        t.intune_licensed,
        t.created.as_micros()
    ])?;
    Ok(())
}

pub(super) fn delete_tenant(conn: &Connection, id: TenantId) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM tenants WHERE tenant_id = ?1")?
        .execute(params![id.0.as_bytes()])?;
    Ok(n > 0)
}

/// Open onboarding requests across all tenants (for the development partner simulator).
/// A tenant's settings, or their defaults when never changed.
pub(super) fn select_settings(
    conn: &Connection,
    tenant: TenantId,
) -> rusqlite::Result<RemoteAssistanceSettings> {
    let stored = stored_settings(conn, tenant)?;
    Ok(stored.unwrap_or_else(|| RemoteAssistanceSettings::defaults(tenant.0)))
}

/// The tenant's settings row, if it was ever written (an export leaves defaults out).
pub(super) fn stored_settings(
    conn: &Connection,
    tenant: TenantId,
) -> rusqlite::Result<Option<RemoteAssistanceSettings>> {
    conn.prepare_cached(
        "SELECT remote_assistance_state, allow_unenrolled_devices, block_chat \
         FROM remote_assistance_settings WHERE tenant_id = ?1",
    )?
    .query_row(params![tenant.0.as_bytes()], |row| {
        let state: i64 = row.get(0)?;
        Ok(RemoteAssistanceSettings {
            id: tenant.0,
            remote_assistance_state: RemoteAssistanceState::from_value(state)
                .ok_or_else(|| corrupt(0, "unknown remote assistance state"))?,
            allow_sessions_to_unenrolled_devices: row.get(1)?,
            block_chat: row.get(2)?,
        })
    })
    .optional()
}

pub(super) fn upsert_settings(
    conn: &Connection,
    tenant: TenantId,
    s: &RemoteAssistanceSettings,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO remote_assistance_settings (tenant_id, remote_assistance_state, \
         allow_unenrolled_devices, block_chat) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id) \
         DO UPDATE SET remote_assistance_state = excluded.remote_assistance_state, \
         allow_unenrolled_devices = excluded.allow_unenrolled_devices, block_chat = excluded.block_chat",
    )?
    .execute(params![
        tenant.0.as_bytes(),
        s.remote_assistance_state.value(),
        s.allow_sessions_to_unenrolled_devices,
        s.block_chat
    ])?;
    Ok(())
}
