//! How the PostgreSQL engine runs each write of [`crate::jobs`], inside one transaction opened
//! (and rerun on conflicts) by [`super::retry`].

use deadpool_postgres::Transaction;
use rapd_model::{AuditEntry, Timestamp, lifecycle};

use super::{control, rows};
use crate::{
    StoreError,
    jobs::{Mutate, PatchSettings, PutTenant, RemoveTenant, Reset, Seed, WriteJob},
};

/// A write run in one PostgreSQL transaction. A new kind of write is a struct in `jobs.rs` and an
/// impl here (and in `sqlite/writes.rs`).
pub(super) trait PostgresWrite: WriteJob {
    /// Runs the write in `tx` at `now`; the caller commits. It may run again, in a new
    /// transaction, when this one conflicts.
    fn run(
        &self,
        tx: &Transaction<'_>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Self::Reply, StoreError>> + Send;
}

impl PostgresWrite for Mutate {
    async fn run(&self, tx: &Transaction<'_>, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let Mutate {
            tenant,
            mutation,
            audit,
        } = self;
        // The key lock, then the row lock, order concurrent writes to one partner on every node.
        rows::lock_key(tx, *tenant, mutation.target().0).await?;
        let current = rows::select_partner(tx, *tenant, mutation.target(), true).await?;
        let change = lifecycle::apply(*tenant, current.as_ref(), mutation, now)?;
        if change.is_noop() {
            return Ok(change);
        }
        let entry = AuditEntry::for_change(*tenant, mutation.kind(), &change, audit, now);
        let row = async {
            match (&change.after, &change.before) {
                (Some(after), before) => rows::write_partner(tx, after, before.is_some()).await,
                (None, Some(before)) => rows::delete_partner(tx, before).await,
                (None, None) => Ok(()),
            }
        };
        // Polled together, the row and its audit record go out in one round trip (tokio-postgres
        // pipelines the statements of one connection); neither depends on the other's result.
        tokio::try_join!(row, rows::insert_audit(tx, &entry))?;
        Ok(change)
    }
}

impl PostgresWrite for PutTenant {
    async fn run(&self, tx: &Transaction<'_>, _: Timestamp) -> Result<(), StoreError> {
        rows::upsert_tenant(tx, &self.tenant).await
    }
}

impl PostgresWrite for RemoveTenant {
    async fn run(&self, tx: &Transaction<'_>, _: Timestamp) -> Result<bool, StoreError> {
        rows::delete_tenant(tx, self.id).await
    }
}

impl PostgresWrite for PatchSettings {
    async fn run(&self, tx: &Transaction<'_>, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let PatchSettings {
            tenant,
            patch,
            audit,
        } = self;
        rows::lock_key(tx, *tenant, tenant.0).await?;
        let current = rows::select_settings(tx, *tenant, true).await?;
        let change = lifecycle::apply_settings(*tenant, &current, patch, audit, now);
        tokio::try_join!(
            rows::upsert_settings(tx, *tenant, &change.after),
            rows::insert_audit(tx, &change.entry)
        )?;
        Ok(change.after)
    }
}

impl PostgresWrite for Reset {
    async fn run(&self, tx: &Transaction<'_>, _: Timestamp) -> Result<(), StoreError> {
        control::reset(tx, self.tenant).await
    }
}

impl PostgresWrite for Seed {
    async fn run(&self, tx: &Transaction<'_>, now: Timestamp) -> Result<(), StoreError> {
        control::seed(tx, &self.states, &self.audit, now).await
    }
}
