//! The single writer thread and its group commit.

use std::{sync::Arc, thread, time::Instant};

use rapd_metrics::Text;
use rapd_model::{Clock, Timestamp};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::{readers::Readers, writes::SqliteWrite};
use crate::{StoreError, metrics::WriteMetrics};

/// Requests waiting beyond this many make their callers wait (backpressure, not unbounded memory).
const QUEUE_DEPTH: usize = 4096;
/// The most requests one transaction commits together.
const MAX_GROUP: usize = 512;

/// A queued write with the channel its caller waits on, typed by the write's answer, and the
/// outcome kept from its run until the group has committed.
struct Queued<J: SqliteWrite> {
    job: J,
    reply: oneshot::Sender<Result<J::Reply, StoreError>>,
    outcome: Option<Result<J::Reply, StoreError>>,
}

/// A queued write as the writer thread holds it, whatever its kind.
trait Pending: Send {
    /// Runs the write in its own savepoint and keeps its outcome. `Err` only when the savepoint
    /// itself cannot be managed.
    fn run(&mut self, conn: &Connection, now: Timestamp) -> rusqlite::Result<()>;

    /// Replaces the outcome: the group was not committed, so nothing of it was written.
    fn fail(&mut self, error: StoreError);

    /// Hands the outcome to the caller. A caller that went away no longer needs it; a committed
    /// change stays committed.
    fn answer(self: Box<Self>);
}

impl<J: SqliteWrite> Pending for Queued<J> {
    fn run(&mut self, conn: &Connection, now: Timestamp) -> rusqlite::Result<()> {
        self.outcome = Some(in_savepoint(conn, || self.job.run(conn, now))?);
        Ok(())
    }

    fn fail(&mut self, error: StoreError) {
        self.outcome = Some(Err(error));
    }

    fn answer(self: Box<Self>) {
        let outcome = self
            .outcome
            .unwrap_or_else(|| Err(StoreError::Unavailable("the write was not run".into())));
        let _ = self.reply.send(outcome);
    }
}

pub(super) struct Writer {
    jobs: mpsc::Sender<Box<dyn Pending>>,
    metrics: Arc<WriteMetrics>,
}

impl Writer {
    pub(super) fn start(
        conn: Connection,
        clock: Arc<dyn Clock>,
        readers: Arc<Readers>,
    ) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        let metrics = Arc::new(WriteMetrics::new("sqlite"));
        let measured = metrics.clone();
        thread::Builder::new()
            .name("rapd-sqlite-writer".into())
            .spawn(move || run(conn, queue, clock.as_ref(), &readers, &measured))
            .map_err(|e| StoreError::Open(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer { jobs, metrics })
    }

    /// The writer's timings and group sizes, and how many writes wait in its queue.
    pub(super) fn render_metrics(&self, text: &mut Text) {
        self.metrics.render(text);
        text.family(
            "rapd_store_sqlite_writer_queue",
            "gauge",
            "Writes queued for the SQLite writer thread.",
        );
        let queued = self.jobs.max_capacity() - self.jobs.capacity();
        text.sample("rapd_store_sqlite_writer_queue", &[], queued);
    }

    /// Queues `job` and waits until its group has committed (or failed).
    pub(super) async fn write<J: SqliteWrite>(&self, job: J) -> Result<J::Reply, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable("the writer has stopped".into());
        let queued = Box::new(Queued {
            job,
            reply,
            outcome: None,
        });
        self.jobs.send(queued).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// Runs until every [`Writer`] handle is dropped, then closes the connection (checkpointing WAL).
fn run(
    mut conn: Connection,
    mut queue: mpsc::Receiver<Box<dyn Pending>>,
    clock: &dyn Clock,
    readers: &Readers,
    metrics: &WriteMetrics,
) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let started = Instant::now();
        commit_group(&mut conn, &mut group, clock);
        metrics
            .transaction_seconds
            .observe_duration(started.elapsed());
        metrics.group_size.observe(group.len() as f64);
        // Before anyone is answered, so a read after an acknowledgement sees the write.
        readers.committed();
        for job in group.drain(..) {
            job.answer();
        }
    }
}

/// Commits `group` as one transaction, each job in its own savepoint. If the commit itself fails,
/// every job fails and nothing is acknowledged.
fn commit_group(conn: &mut Connection, group: &mut [Box<dyn Pending>], clock: &dyn Clock) {
    let fail_all = |group: &mut [Box<dyn Pending>], e: rusqlite::Error| {
        let reason = e.to_string();
        for job in group {
            job.fail(StoreError::Unavailable(reason.clone()));
        }
    };
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(group, e),
    };
    for job in group.iter_mut() {
        if let Err(e) = job.run(&tx, clock.now()) {
            // The savepoint machinery itself failed: the transaction is in doubt; commit nothing.
            return fail_all(group, e);
        }
    }
    if let Err(e) = tx.commit() {
        tracing::error!(error = %e, "group commit failed");
        fail_all(group, e);
    }
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
