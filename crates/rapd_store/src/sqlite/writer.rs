//! The single writer thread and its group commit.

use std::{sync::Arc, thread};

use rapd_model::{AuditContext, AuditEntry, Change, Clock, Mutation, TenantId, lifecycle};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::rows;
use crate::StoreError;

/// Requests waiting beyond this many make their callers wait (backpressure, not unbounded memory).
const QUEUE_DEPTH: usize = 4096;
/// The most requests one transaction commits together.
const MAX_GROUP: usize = 512;

struct Job {
    tenant: TenantId,
    mutation: Mutation,
    audit: AuditContext,
    reply: oneshot::Sender<Result<Change, StoreError>>,
}

pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn start(conn: Connection, clock: Arc<dyn Clock>) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        thread::Builder::new()
            .name("rapd-sqlite-writer".into())
            .spawn(move || run(conn, queue, clock.as_ref()))
            .map_err(|e| StoreError::Open(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    pub(super) async fn submit(
        &self,
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    ) -> Result<Change, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            tenant,
            mutation,
            audit,
            reply,
        };
        let gone = || StoreError::Unavailable("the writer has stopped".into());
        self.jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// Runs until every [`Writer`] handle is dropped, then closes the connection (checkpointing WAL).
fn run(mut conn: Connection, mut queue: mpsc::Receiver<Job>, clock: &dyn Clock) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let results = commit_group(&mut conn, &group, clock);
        for (job, result) in group.drain(..).zip(results) {
            // A caller that went away no longer needs the answer; the change is committed anyway.
            let _ = job.reply.send(result);
        }
    }
}

/// Commits `group` as one transaction, each job in its own savepoint. If the commit itself fails,
/// every job fails and nothing is acknowledged.
fn commit_group(
    conn: &mut Connection,
    group: &[Job],
    clock: &dyn Clock,
) -> Vec<Result<Change, StoreError>> {
    let unavailable = |e: rusqlite::Error| StoreError::Unavailable(e.to_string());
    let fail_all = |e: rusqlite::Error| {
        let reason = e.to_string();
        group
            .iter()
            .map(|_| Err(StoreError::Unavailable(reason.clone())))
            .collect()
    };
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(e),
    };
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        let result = (|| {
            let sp = tx.savepoint().map_err(unavailable)?;
            let outcome = apply_job(&sp, job, clock);
            match outcome {
                Ok(change) => {
                    sp.commit().map_err(unavailable)?;
                    Ok(change)
                }
                Err(e) => Err(e), // dropping the savepoint rolls it back
            }
        })();
        results.push(result);
    }
    if let Err(e) = tx.commit() {
        tracing::error!(error = %e, "group commit failed");
        return fail_all(e);
    }
    results
}

fn apply_job(conn: &Connection, job: &Job, clock: &dyn Clock) -> Result<Change, StoreError> {
    let now = clock.now();
    let current =
        rows::select_partner(conn, job.tenant, job.mutation.target()).map_err(rows::read_error)?;
    let change = lifecycle::apply(job.tenant, current.as_ref(), &job.mutation, now)?;
    let write = || -> rusqlite::Result<()> {
        match (&change.after, &change.before) {
            (Some(after), _) => rows::upsert_partner(conn, after)?,
            (None, Some(before)) => rows::delete_partner(conn, before)?,
            (None, None) => {}
        }
        let entry =
            AuditEntry::for_change(job.tenant, job.mutation.kind(), &change, &job.audit, now);
        rows::insert_audit(conn, &entry)
    };
    write().map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(change)
}
