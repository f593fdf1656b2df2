//! The read connections, and the snapshots they keep between reads.
//!
//! Starting and ending a read transaction costs SQLite a lock and an unlock of the WAL index
//! (`fcntl` calls, and a mutex the readers share): about a sixth of the CPU of a small `GET`.
//! So a reader keeps its snapshot open from one read to the next, until
//! - the writer commits: it bumps `generation` after every commit and before it answers anyone,
//!   so a read that starts after an acknowledged write always sees it; or
//! - the snapshot is [`MAX_SNAPSHOT_AGE`] old, so a write by another process (`rapd seed` beside
//!   a running server) is seen within that time.
//!
//! After each commit the writer also ends the snapshots of the readers that are idle, so an idle
//! reader never holds back a checkpoint.

use std::{
    path::Path,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use rusqlite::Connection;

use super::{rows, schema};
use crate::StoreError;

/// How long a reader may go on reading one snapshot while this process writes nothing.
pub(super) const MAX_SNAPSHOT_AGE: Duration = Duration::from_millis(10);

pub(super) struct Readers {
    readers: Vec<Mutex<Reader>>,
    next: AtomicUsize,
    /// Bumped by the writer after every commit.
    generation: AtomicU64,
}

struct Reader {
    conn: Connection,
    snapshot: Option<Snapshot>,
}

/// An open read transaction: begun when `generation` was current, at `since`.
struct Snapshot {
    generation: u64,
    since: Instant,
}

impl Readers {
    pub(super) fn open(path: &Path, count: usize) -> Result<Readers, StoreError> {
        let readers = (0..count)
            .map(|_| {
                schema::open_connection(path).map(|conn| {
                    Mutex::new(Reader {
                        conn,
                        snapshot: None,
                    })
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Readers {
            readers,
            next: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
        })
    }

    /// Runs `f` on a reader, inside a snapshot that includes every acknowledged write.
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut reader = self.take()?;
        let generation = self.generation.load(Ordering::Acquire);
        reader.begin(generation).map_err(rows::read_error)?;
        let result = f(&reader.conn);
        if result.is_err() {
            reader.end();
        }
        result.map_err(rows::read_error)
    }

    /// Called by the writer after each commit, before it answers: later reads take a new
    /// snapshot, and idle readers let go of theirs now.
    pub(super) fn committed(&self) {
        self.generation.fetch_add(1, Ordering::Release);
        for reader in &self.readers {
            if let Ok(mut reader) = reader.try_lock() {
                reader.end();
            }
        }
    }

    /// The first idle reader, starting from a rotating index; waits only if all are busy.
    fn take(&self) -> Result<MutexGuard<'_, Reader>, StoreError> {
        let count = self.readers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .find_map(|i| self.readers[(start + i) % count].try_lock().ok())
            .map_or_else(|| self.readers[start % count].lock(), Ok)
            .map_err(|_| StoreError::Unavailable("a reader connection was poisoned".into()))
    }
}

impl Reader {
    /// Keeps the open snapshot if it is still current and young; otherwise begins a new one.
    fn begin(&mut self, generation: u64) -> rusqlite::Result<()> {
        if let Some(s) = &self.snapshot
            && s.generation == generation
            && s.since.elapsed() < MAX_SNAPSHOT_AGE
        {
            return Ok(());
        }
        self.end();
        // Deferred: the snapshot is taken by the first read, after `generation` was loaded.
        self.conn.prepare_cached("BEGIN")?.execute([])?;
        self.snapshot = Some(Snapshot {
            generation,
            since: Instant::now(),
        });
        Ok(())
    }

    /// Ends the snapshot, if any. A read transaction has nothing to undo, so this cannot lose
    /// anything; should it fail, the connection is left as it was and the next `BEGIN` reports it.
    fn end(&mut self) {
        self.snapshot = None;
        if !self.conn.is_autocommit() {
            let _ = self
                .conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut s| s.execute([]));
        }
    }
}
