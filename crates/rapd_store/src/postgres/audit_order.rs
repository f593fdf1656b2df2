//! The order of a tenant's audit trail on PostgreSQL, without a lock per tenant.
//!
//! A record is stored with `xact`, the id of the transaction that wrote it
//! (`pg_current_xact_id()`, 64 bits, never reused), and `seq`, from the global sequence
//! `audit_seq`. The trail's order is (`xact`, `seq`): by writing transaction, then the order the
//! transaction wrote its records in. Writers take no shared row, so two writes of one tenant
//! wait for each other only when they touch the same partner (its row lock) or settings row.
//!
//! A read (`query_sql::audit_page`) returns only records with `xact` below the horizon of its
//! statement's snapshot, `h = pg_snapshot_xmin(pg_current_snapshot())`: the lowest id of a
//! transaction still running when the snapshot was taken. Why no record can later appear before
//! one it returned:
//!
//! 1. Every transaction with an id below `h` had ended when the snapshot was taken: `xmin` is the
//!    least id still running, and ids are handed out in increasing order, each becoming visible
//!    as running before it can be used (PostgreSQL's own MVCC relies on this).
//! 2. So the records with `xact < h` are final: those of committed transactions are all in the
//!    snapshot, an aborted one left none, and none of those transactions can write again.
//! 3. Any record written later comes from a transaction running then or started later, whose id
//!    is `≥ h`, so it sorts after every record returned (the order compares `xact` first).
//! 4. A later read's horizon is `≥ h` (a transaction running at the later snapshot either was
//!    running at the earlier one, so its id is `≥ h`, or started after it, with an id beyond any
//!    then handed out), so it returns a superset that extends the earlier one at its end.
//!
//! A reader paging with a position ("after (xact, seq)") therefore never misses a record and never
//! sees one slot in before a position it was given.
//!
//! Writes of one partner (or of a tenant's settings) are audited in their commit order: each takes
//! an advisory lock on its key before its transaction has an id (`Writer::lock_key`; a row lock
//! would assign the id first, then wait), so the later of two gets its id after the earlier ended,
//! a higher one. Within one transaction (a seed writing many
//! records) `seq` follows the order of its inserts, as the sequence only grows.
//!
//! The price is that a committed record is hidden while any transaction with a lower id, in any
//! database of the cluster, still runs. So that a write acknowledged before a read began is in
//! that read, [`await_horizon`] first waits until every transaction with an id below its
//! snapshot's `xmax` has ended: a write transaction here lasts a few milliseconds. It gives up after
//! [`crate::PostgresOptions::audit_wait`] (the statement timeout: a long transaction elsewhere,
//! such as a migration under load): the read is then still stable, only shorter. Records written before migration 0006 keep their per-tenant `seq` under
//! `xact` 0, so they stay first and in order. The ids are read as `bigint`, which holds them until
//! the cluster's transaction-id epoch passes 2³¹.

use std::time::{Duration, Instant};

use deadpool_postgres::GenericClient;

use super::rows::{db_error, get};
use crate::StoreError;

const FIRST_PAUSE: Duration = Duration::from_micros(200);
const LONGEST_PAUSE: Duration = Duration::from_millis(10);

/// Waits (at most `wait`) until every transaction below the `xmax` of a snapshot taken now has
/// ended, so the horizon of the next statement is past every write acknowledged before this
/// call: such a write's id is below that `xmax` (at most the latest id completed).
pub(super) async fn await_horizon(
    client: &impl GenericClient,
    wait: Duration,
) -> Result<(), StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint \
             FROM pg_current_snapshot() s",
        )
        .await
        .map_err(db_error)?;
    let row = client.query_one(&stmt, &[]).await.map_err(db_error)?;
    let (mut horizon, target): (i64, i64) = (get(&row, 0)?, get(&row, 1)?);
    let deadline = Instant::now() + wait;
    let mut pause = FIRST_PAUSE;
    while horizon < target {
        if Instant::now() >= deadline {
            tracing::debug!(
                horizon,
                target,
                "audit read: a transaction outlived the wait"
            );
            break;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
        horizon = get(&client.query_one(&stmt, &[]).await.map_err(db_error)?, 0)?;
    }
    Ok(())
}
