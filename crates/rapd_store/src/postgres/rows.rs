//! Rows of the PostgreSQL schema and the model values they hold.

use deadpool_postgres::GenericClient;
use rapd_model::{
    Actor, AuditEntry, ModifiedProperty, OnboardingStatus, OperationKind, Partner, PartnerId,
    RemoteAssistanceSettings, RemoteAssistanceState, Tenant, TenantId, Timestamp,
};
use tokio_postgres::{Row, types::FromSql};

use crate::{StoreError, page_rows::PartnerRow};

const SELECT_PARTNER: &str = "SELECT tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash FROM partners WHERE tenant_id = $1 AND id = $2";

pub(super) const SELECT_PARTNER_FOR_UPDATE: &str = "SELECT tenant_id, id, display_name, \
     onboarding_url, onboarding_status, last_connection, onboarding_expiry, partner_domain, \
     created, revision, onboarding_code_hash, credential_hash FROM partners \
     WHERE tenant_id = $1 AND id = $2 FOR UPDATE";

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

/// A page's row: its partner decoded only when asked.
impl PartnerRow for Row {
    type Error = StoreError;

    fn partner(&self) -> Result<Partner, StoreError> {
        partner_from_row(self)
    }

    fn stored_item(&self) -> Result<Option<Vec<u8>>, StoreError> {
        get(self, 12)
    }
}

/// One partner (a write locks it with `writer::Writer::select_partner`).
pub(super) async fn select_partner(
    client: &impl GenericClient,
    tenant: TenantId,
    id: PartnerId,
) -> Result<Option<Partner>, StoreError> {
    let stmt = client
        .prepare_cached(SELECT_PARTNER)
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&tenant.0, &id.0])
        .await
        .map_err(db_error)?;
    row.as_ref().map(partner_from_row).transpose()
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

/// A tenant's settings, or their defaults when never changed.
pub(super) async fn select_settings(
    client: &impl GenericClient,
    tenant: TenantId,
) -> Result<RemoteAssistanceSettings, StoreError> {
    let stored = stored_settings(client, tenant).await?;
    Ok(stored.unwrap_or_else(|| RemoteAssistanceSettings::defaults(tenant.0)))
}

/// The tenant's settings row, if it was ever written (an export leaves defaults out).
pub(super) async fn stored_settings(
    client: &impl GenericClient,
    tenant: TenantId,
) -> Result<Option<RemoteAssistanceSettings>, StoreError> {
    let stmt = client
        .prepare_cached(SELECT_SETTINGS)
        .await
        .map_err(db_error)?;
    let row = client
        .query_opt(&stmt, &[&tenant.0])
        .await
        .map_err(db_error)?;
    row.as_ref().map(settings_from_row).transpose()
}

const SELECT_SETTINGS: &str = "SELECT tenant_id, remote_assistance_state, \
     allow_unenrolled_devices, block_chat FROM remote_assistance_settings WHERE tenant_id = $1";

pub(super) const SELECT_SETTINGS_FOR_UPDATE: &str = "SELECT tenant_id, remote_assistance_state, \
     allow_unenrolled_devices, block_chat FROM remote_assistance_settings WHERE tenant_id = $1 \
     FOR UPDATE";

pub(super) fn settings_from_row(row: &Row) -> Result<RemoteAssistanceSettings, StoreError> {
    Ok(RemoteAssistanceSettings {
        id: get(row, 0)?,
        remote_assistance_state: RemoteAssistanceState::from_value(get(row, 1)?)
            .ok_or_else(|| corrupt("unknown remote assistance state"))?,
        allow_sessions_to_unenrolled_devices: get(row, 2)?,
        block_chat: get(row, 3)?,
    })
}
