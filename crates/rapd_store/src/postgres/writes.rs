//! The writes of the PostgreSQL engine, each run inside one transaction by [`super::retry`].

use deadpool_postgres::Transaction;
use rapd_model::{
    AuditContext, AuditEntry, Change, Mutation, RemoteAssistanceSettings, SettingsPatch, Tenant,
    TenantId, TenantState, Timestamp, lifecycle,
};

use super::{control, rows};
use crate::StoreError;

/// One write. A new kind of write is a variant here and an arm in [`Job::run`].
pub(super) enum Job {
    Mutate {
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    },
    PutTenant {
        tenant: Tenant,
    },
    RemoveTenant {
        id: TenantId,
    },
    PatchSettings {
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
    },
    Reset {
        tenant: Option<TenantId>,
    },
    Seed {
        states: Vec<TenantState>,
        audit: AuditContext,
    },
}

/// What a job produced.
pub(super) enum Done {
    Change(Box<Change>),
    Put,
    Removed(bool),
    Settings(RemoteAssistanceSettings),
}

impl Done {
    /// The error for a job that answered with another job's kind of result (a bug).
    pub(super) fn mismatch(&self) -> StoreError {
        StoreError::Unavailable("a write answered with the wrong kind".into())
    }
}

impl Job {
    /// Runs the job in `tx` at `now`; the caller commits.
    pub(super) async fn run(
        &self,
        tx: &Transaction<'_>,
        now: Timestamp,
    ) -> Result<Done, StoreError> {
        match self {
            Job::Mutate {
                tenant,
                mutation,
                audit,
            } => {
                // The row lock orders concurrent writes to one partner, on every node.
                let current = rows::select_partner(tx, *tenant, mutation.target(), true).await?;
                let change = lifecycle::apply(*tenant, current.as_ref(), mutation, now)?;
                if change.is_noop() {
                    return Ok(Done::Change(Box::new(change)));
                }
                match (&change.after, &change.before) {
                    (Some(after), before) => {
                        rows::write_partner(tx, after, before.is_some()).await?;
                    }
                    (None, Some(before)) => rows::delete_partner(tx, before).await?,
                    (None, None) => {}
                }
                let entry = AuditEntry::for_change(*tenant, mutation.kind(), &change, audit, now);
                rows::insert_audit(tx, &entry).await?;
                Ok(Done::Change(Box::new(change)))
            }
            Job::PutTenant { tenant } => {
                rows::upsert_tenant(tx, tenant).await?;
                Ok(Done::Put)
            }
            Job::RemoveTenant { id } => rows::delete_tenant(tx, *id).await.map(Done::Removed),
            Job::PatchSettings {
                tenant,
                patch,
                audit,
            } => {
                let before = rows::select_settings(tx, *tenant, true).await?;
                let after = before.apply(patch);
                rows::upsert_settings(tx, *tenant, &after).await?;
                let entry = AuditEntry::for_settings(*tenant, &before, &after, audit, now);
                rows::insert_audit(tx, &entry).await?;
                Ok(Done::Settings(after))
            }
            Job::Reset { tenant } => control::reset(tx, *tenant).await.map(|()| Done::Put),
            Job::Seed { states, audit } => control::seed(tx, states, audit, now)
                .await
                .map(|()| Done::Put),
        }
    }
}
