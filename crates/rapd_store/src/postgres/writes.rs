//! How the PostgreSQL engine runs each write of [`crate::jobs`], inside one transaction (rerun
//! on conflicts by [`super::retry`], rolled back there on an error).

use rapd_model::{AuditEntry, Timestamp, lifecycle};

use super::{control, rows, transaction::WriteTx};
use crate::{
    StoreError,
    jobs::{Mutate, PatchSettings, PutTenant, RemoveTenant, Reset, Seed, WriteJob},
};

/// A write run in one PostgreSQL transaction. A new kind of write is a struct in `jobs.rs` and an
/// impl here (and in `sqlite/writes.rs`).
pub(super) trait PostgresWrite: WriteJob {
    /// Runs the write at `now`: begins `tx`, writes, and commits it. It may run again, in a new
    /// transaction, when this one conflicts.
    fn run(
        &self,
        tx: &WriteTx,
        now: Timestamp,
    ) -> impl Future<Output = Result<Self::Reply, StoreError>> + Send;
}

impl PostgresWrite for Mutate {
    async fn run(&self, tx: &WriteTx, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let Mutate {
            tenant,
            mutation,
            audit,
        } = self;
        let w = tx.writer();
        let target = mutation.target();
        // The key lock, then the row lock, order concurrent writes to one partner on every node;
        // both go out with BEGIN.
        let current = tx
            .begin_with(async {
                let (_, current) = tokio::try_join!(biased;
                    w.lock_key(*tenant, target.0),
                    w.select_partner(*tenant, target),
                )?;
                Ok(current)
            })
            .await?;
        let change = lifecycle::apply(*tenant, current.as_ref(), mutation, now)?;
        if change.is_noop() {
            tx.commit().await?;
            return Ok(change);
        }
        let entry = AuditEntry::for_change(*tenant, mutation.kind(), &change, audit, now);
        let row = async {
            match (&change.after, &change.before) {
                (Some(after), before) => w.write_partner(after, before.is_some()).await,
                (None, Some(before)) => w.delete_partner(before).await,
                (None, None) => Ok(()),
            }
        };
        // The row and its audit record go out together, then COMMIT.
        tx.commit_with(async { tokio::try_join!(biased; row, w.insert_audit(&entry)) })
            .await?;
        Ok(change)
    }
}

impl PostgresWrite for PutTenant {
    async fn run(&self, tx: &WriteTx, _: Timestamp) -> Result<(), StoreError> {
        tx.begin().await?;
        rows::upsert_tenant(tx.client(), &self.tenant).await?;
        tx.commit().await
    }
}

impl PostgresWrite for RemoveTenant {
    async fn run(&self, tx: &WriteTx, _: Timestamp) -> Result<bool, StoreError> {
        tx.begin().await?;
        let removed = rows::delete_tenant(tx.client(), self.id).await?;
        tx.commit().await?;
        Ok(removed)
    }
}

impl PostgresWrite for PatchSettings {
    async fn run(&self, tx: &WriteTx, now: Timestamp) -> Result<Self::Reply, StoreError> {
        let PatchSettings {
            tenant,
            patch,
            audit,
        } = self;
        let w = tx.writer();
        let current = tx
            .begin_with(async {
                let (_, current) = tokio::try_join!(biased;
                    w.lock_key(*tenant, tenant.0),
                    w.select_settings(*tenant),
                )?;
                Ok(current)
            })
            .await?;
        let change = lifecycle::apply_settings(*tenant, &current, patch, audit, now);
        tx.commit_with(async {
            tokio::try_join!(biased;
                w.upsert_settings(*tenant, &change.after),
                w.insert_audit(&change.entry)
            )
        })
        .await?;
        Ok(change.after)
    }
}

impl PostgresWrite for Reset {
    async fn run(&self, tx: &WriteTx, _: Timestamp) -> Result<(), StoreError> {
        tx.begin().await?;
        control::reset(tx.client(), self.tenant).await?;
        tx.commit().await
    }
}

impl PostgresWrite for Seed {
    async fn run(&self, tx: &WriteTx, now: Timestamp) -> Result<(), StoreError> {
        tx.begin().await?;
        control::seed(tx, &self.states, &self.audit, now).await?;
        tx.commit().await
    }
}
