//! The statements of write transactions, prepared before any of them is sent.
//!
//! A write pipelines its statements ([`super::transaction`]): each goes out when its future is
//! first polled. A statement that still had to be prepared would wait a round trip for that,
//! and go out after the statements polled after it. So a transaction
//! prepares its statements first ([`WriteStatements::prepare`], a lookup in the connection's
//! cache after its first use) and writes only through a [`Writer`], whose statements are
//! prepared by construction.

use deadpool_postgres::{GenericClient, Object};
use rapd_model::{
    ApiVersion, AuditEntry, Partner, PartnerId, RemoteAssistanceSettings, TenantId, wire,
};
use tokio_postgres::Statement;

use super::rows::{
    SELECT_PARTNER_FOR_UPDATE, SELECT_SETTINGS_FOR_UPDATE, db_error, partner_from_row,
    settings_from_row,
};
use crate::StoreError;

const LOCK_KEY: &str =
    "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || $2::uuid::text, 0))";

// The list items are rendered with the row, so every write of the row writes them with it.
const UPDATE_PARTNER: &str = "UPDATE partners SET display_name = $3, onboarding_url = $4, \
     onboarding_status = $5, last_connection = $6, onboarding_expiry = $7, partner_domain = $8, \
     created = $9, revision = $10, onboarding_code_hash = $11, credential_hash = $12, \
     json_v1 = $13, json_beta = $14, json_revision = $10 WHERE tenant_id = $1 AND id = $2";

const INSERT_PARTNER: &str = "INSERT INTO partners (tenant_id, id, display_name, onboarding_url, \
     onboarding_status, last_connection, onboarding_expiry, partner_domain, created, revision, \
     onboarding_code_hash, credential_hash, json_v1, json_beta, json_revision) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $10)";

const DELETE_PARTNER: &str = "DELETE FROM partners WHERE tenant_id = $1 AND id = $2";

// At the position of the writing transaction's id, then the global sequence (`audit_order.rs`).
const INSERT_AUDIT: &str = "INSERT INTO audit_events (tenant_id, xact, seq, activity_date_time, \
     id, operation_kind, actor_json, resource_id, resource_display_name, \
     modified_properties_json, correlation_id) VALUES ($1, pg_current_xact_id()::text::bigint, \
     nextval('audit_seq'), $2, $3, $4, $5, $6, $7, $8, $9)";

const UPSERT_SETTINGS: &str = "INSERT INTO remote_assistance_settings (tenant_id, \
     remote_assistance_state, allow_unenrolled_devices, block_chat) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (tenant_id) DO UPDATE SET \
     remote_assistance_state = excluded.remote_assistance_state, \
     allow_unenrolled_devices = excluded.allow_unenrolled_devices, block_chat = excluded.block_chat";

/// Every statement a write transaction sends, prepared on its connection.
pub(super) struct WriteStatements {
    lock_key: Statement,
    select_partner: Statement,
    update_partner: Statement,
    insert_partner: Statement,
    delete_partner: Statement,
    insert_audit: Statement,
    select_settings: Statement,
    upsert_settings: Statement,
}

impl WriteStatements {
    pub(super) async fn prepare(client: &Object) -> Result<WriteStatements, StoreError> {
        let prepare = async |sql| client.prepare_cached(sql).await.map_err(db_error);
        Ok(WriteStatements {
            lock_key: prepare(LOCK_KEY).await?,
            select_partner: prepare(SELECT_PARTNER_FOR_UPDATE).await?,
            update_partner: prepare(UPDATE_PARTNER).await?,
            insert_partner: prepare(INSERT_PARTNER).await?,
            delete_partner: prepare(DELETE_PARTNER).await?,
            insert_audit: prepare(INSERT_AUDIT).await?,
            select_settings: prepare(SELECT_SETTINGS_FOR_UPDATE).await?,
            upsert_settings: prepare(UPSERT_SETTINGS).await?,
        })
    }
}

/// A write transaction's statements on its connection: each method's future sends its
/// statement when first polled, so statements polled in order go out in that order.
#[derive(Clone, Copy)]
pub(super) struct Writer<'a> {
    pub(super) client: &'a Object,
    pub(super) statements: &'a WriteStatements,
}

impl Writer<'_> {
    /// Waits for every other write of `key` (a partner, or the tenant's settings under the
    /// tenant's id) to end, holding an advisory lock until this transaction ends. Taken before
    /// the transaction has an id (an advisory lock assigns none; a row lock does, before
    /// waiting), so of two writes of one key the later one has the higher id, and the audit
    /// order, which compares ids first, is their commit order (`audit_order.rs`).
    pub(super) async fn lock_key(
        &self,
        tenant: TenantId,
        key: uuid::Uuid,
    ) -> Result<(), StoreError> {
        self.client
            .execute(&self.statements.lock_key, &[&tenant.0, &key])
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// One partner, its row locked until the transaction ends.
    pub(super) async fn select_partner(
        &self,
        tenant: TenantId,
        id: PartnerId,
    ) -> Result<Option<Partner>, StoreError> {
        let row = self
            .client
            .query_opt(&self.statements.select_partner, &[&tenant.0, &id.0])
            .await
            .map_err(db_error)?;
        row.as_ref().map(partner_from_row).transpose()
    }

    /// Writes `p`: an insert when `existed` is false (a concurrent insert of the same id then
    /// fails with a unique violation and the transaction is retried), else an update of the
    /// locked row.
    pub(super) async fn write_partner(&self, p: &Partner, existed: bool) -> Result<(), StoreError> {
        let statement = if existed {
            &self.statements.update_partner
        } else {
            &self.statements.insert_partner
        };
        let hash = p.credential_hash.as_ref().map(|h| h.as_slice());
        self.client
            .execute(
                statement,
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

    pub(super) async fn delete_partner(&self, p: &Partner) -> Result<(), StoreError> {
        self.client
            .execute(&self.statements.delete_partner, &[&p.tenant.0, &p.id.0])
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Appends `e` to its tenant's trail, at the position of the writing transaction's id, then
    /// the global sequence: no row is locked, so writers of one tenant do not wait for each
    /// other (`audit_order.rs` shows why readers still see the trail only grow at its end).
    pub(super) async fn insert_audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        let actor = serde_json::to_string(&e.actor).unwrap_or_default();
        let modified = serde_json::to_string(&e.modified_properties).unwrap_or_default();
        self.client
            .execute(
                &self.statements.insert_audit,
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

    /// The tenant's settings (their defaults when never changed), the row locked until the
    /// transaction ends.
    pub(super) async fn select_settings(
        &self,
        tenant: TenantId,
    ) -> Result<RemoteAssistanceSettings, StoreError> {
        let row = self
            .client
            .query_opt(&self.statements.select_settings, &[&tenant.0])
            .await
            .map_err(db_error)?;
        let stored = row.as_ref().map(settings_from_row).transpose()?;
        Ok(stored.unwrap_or_else(|| RemoteAssistanceSettings::defaults(tenant.0)))
    }

    pub(super) async fn upsert_settings(
        &self,
        tenant: TenantId,
        s: &RemoteAssistanceSettings,
    ) -> Result<(), StoreError> {
        self.client
            .execute(
                &self.statements.upsert_settings,
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
}
