//! The single writer thread and its group commit.

use std::{sync::Arc, thread};

use rapd_model::{
    AuditContext, AuditEntry, Change, Clock, Mutation, RemoteAssistanceSettings, SettingsPatch,
    Tenant, TenantId, TenantState, Timestamp, lifecycle,
};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::{control, readers::Readers, rows};
use crate::StoreError;

/// Requests waiting beyond this many make their callers wait (backpressure, not unbounded memory).
const QUEUE_DEPTH: usize = 4096;
/// The most requests one transaction commits together.
const MAX_GROUP: usize = 512;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// One write, with the channel its caller waits on.
enum Job {
    Mutate {
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
        reply: Reply<Change>,
    },
    PutTenant {
        tenant: Tenant,
        reply: Reply<()>,
    },
    RemoveTenant {
        id: TenantId,
        reply: Reply<bool>,
    },
    PatchSettings {
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
        reply: Reply<RemoteAssistanceSettings>,
    },
    Reset {
        tenant: Option<TenantId>,
        reply: Reply<()>,
    },
    Seed {
        states: Vec<TenantState>,
        audit: AuditContext,
        reply: Reply<()>,
    },
}

/// What a job produced, before it is handed back to its caller.
enum Done {
    Change(Box<Change>),
    Put,
    Removed(bool),
    Settings(RemoteAssistanceSettings),
}

impl Job {
    fn run(&self, conn: &Connection, now: Timestamp) -> Result<Done, StoreError> {
        let write = |e: rusqlite::Error| StoreError::Unavailable(e.to_string());
        match self {
            Job::Mutate {
                tenant,
                mutation,
                audit,
                ..
            } => {
                let current = rows::select_partner(conn, *tenant, mutation.target())
                    .map_err(rows::read_error)?;
                let change = lifecycle::apply(*tenant, current.as_ref(), mutation, now)?;
                if change.is_noop() {
                    return Ok(Done::Change(Box::new(change)));
                }
                match (&change.after, &change.before) {
                    (Some(after), _) => rows::upsert_partner(conn, after).map_err(write)?,
                    (None, Some(before)) => rows::delete_partner(conn, before).map_err(write)?,
                    (None, None) => {}
                }
                let entry = AuditEntry::for_change(*tenant, mutation.kind(), &change, audit, now);
                rows::insert_audit(conn, &entry).map_err(write)?;
                Ok(Done::Change(Box::new(change)))
            }
            Job::PutTenant { tenant, .. } => {
                rows::upsert_tenant(conn, tenant).map_err(write)?;
                Ok(Done::Put)
            }
            Job::RemoveTenant { id, .. } => rows::delete_tenant(conn, *id)
                .map(Done::Removed)
                .map_err(write),
            Job::PatchSettings {
                tenant,
                patch,
                audit,
                ..
            } => {
                let before = rows::select_settings(conn, *tenant).map_err(rows::read_error)?;
                let after = before.apply(patch);
                rows::upsert_settings(conn, *tenant, &after).map_err(write)?;
                let entry = AuditEntry::for_settings(*tenant, &before, &after, audit, now);
                rows::insert_audit(conn, &entry).map_err(write)?;
                Ok(Done::Settings(after))
            }
            Job::Reset { tenant, .. } => {
                control::reset(conn, *tenant).map_err(write)?;
                Ok(Done::Put)
            }
            Job::Seed { states, audit, .. } => {
                control::seed(conn, states, audit, now).map_err(write)?;
                Ok(Done::Put)
            }
        }
    }

    /// Hands `result` to the caller. A caller that went away no longer needs it; a committed
    /// change stays committed.
    fn answer(self, result: Result<Done, StoreError>) {
        let mismatch = || StoreError::Unavailable("writer answered with the wrong kind".into());
        match self {
            Job::Mutate { reply, .. } => {
                let _ = reply.send(result.and_then(|d| match d {
                    Done::Change(c) => Ok(*c),
                    _ => Err(mismatch()),
                }));
            }
            Job::PutTenant { reply, .. } | Job::Reset { reply, .. } | Job::Seed { reply, .. } => {
                let _ = reply.send(result.map(|_| ()));
            }
            Job::PatchSettings { reply, .. } => {
                let _ = reply.send(result.and_then(|d| match d {
                    Done::Settings(s) => Ok(s),
                    _ => Err(mismatch()),
                }));
            }
            Job::RemoveTenant { reply, .. } => {
                let _ = reply.send(result.and_then(|d| match d {
                    Done::Removed(r) => Ok(r),
                    _ => Err(mismatch()),
                }));
            }
        }
    }
}

pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(super) fn start(
        conn: Connection,
        clock: Arc<dyn Clock>,
        readers: Arc<Readers>,
    ) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        thread::Builder::new()
            .name("rapd-sqlite-writer".into())
            .spawn(move || run(conn, queue, clock.as_ref(), &readers))
            .map_err(|e| StoreError::Open(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { jobs })
    }

    pub(super) async fn mutate(
        &self,
        tenant: TenantId,
        mutation: Mutation,
        audit: AuditContext,
    ) -> Result<Change, StoreError> {
        self.submit(|reply| Job::Mutate {
            tenant,
            mutation,
            audit,
            reply,
        })
        .await
    }

    pub(super) async fn put_tenant(&self, tenant: Tenant) -> Result<(), StoreError> {
        self.submit(|reply| Job::PutTenant { tenant, reply }).await
    }

    pub(super) async fn patch_settings(
        &self,
        tenant: TenantId,
        patch: SettingsPatch,
        audit: AuditContext,
    ) -> Result<RemoteAssistanceSettings, StoreError> {
        self.submit(|reply| Job::PatchSettings {
            tenant,
            patch,
            audit,
            reply,
        })
        .await
    }

    pub(super) async fn remove_tenant(&self, id: TenantId) -> Result<bool, StoreError> {
        self.submit(|reply| Job::RemoveTenant { id, reply }).await
    }

    pub(super) async fn reset(&self, tenant: Option<TenantId>) -> Result<(), StoreError> {
        self.submit(|reply| Job::Reset { tenant, reply }).await
    }

    pub(super) async fn seed(
        &self,
        states: Vec<TenantState>,
        audit: AuditContext,
    ) -> Result<(), StoreError> {
        self.submit(|reply| Job::Seed {
            states,
            audit,
            reply,
        })
        .await
    }

    async fn submit<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable("the writer has stopped".into());
        self.jobs.send(job(reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// Runs until every [`Writer`] handle is dropped, then closes the connection (checkpointing WAL).
fn run(mut conn: Connection, mut queue: mpsc::Receiver<Job>, clock: &dyn Clock, readers: &Readers) {
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
        // Before anyone is answered, so a read after an acknowledgement sees the write.
        readers.committed();
        for (job, result) in group.drain(..).zip(results) {
            job.answer(result);
        }
    }
}

/// Commits `group` as one transaction, each job in its own savepoint. If the commit itself fails,
/// every job fails and nothing is acknowledged.
fn commit_group(
    conn: &mut Connection,
    group: &[Job],
    clock: &dyn Clock,
) -> Vec<Result<Done, StoreError>> {
    let fail_all = |e: rusqlite::Error| {
        let reason = e.to_string();
        group
            .iter()
            .map(|_| Err(StoreError::Unavailable(reason.clone())))
            .collect()
    };
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(e),
    };
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        match in_savepoint(&tx, || job.run(&tx, clock.now())) {
            Ok(result) => results.push(result),
            // The savepoint machinery itself failed: the transaction is in doubt; commit nothing.
            Err(e) => return fail_all(e),
        }
    }
    if let Err(e) = tx.commit() {
        tracing::error!(error = %e, "group commit failed");
        return fail_all(e);
    }
    results
}

/// Runs `job` inside a savepoint: kept when it succeeds, rolled back when it is refused, so one
/// refused request never undoes another. The statements are cached (rusqlite's `Savepoint`
/// parses its SQL anew each time). `Err` only when the savepoint itself cannot be managed.
fn in_savepoint<T>(
    conn: &Connection,
    job: impl FnOnce() -> Result<T, StoreError>,
) -> rusqlite::Result<Result<T, StoreError>> {
    let run = |sql: &str| conn.prepare_cached(sql)?.execute([]).map(|_| ());
    run("SAVEPOINT job")?;
    let result = job();
    if result.is_err() {
        run("ROLLBACK TO job")?;
    }
    run("RELEASE job")?;
    Ok(result)
}
