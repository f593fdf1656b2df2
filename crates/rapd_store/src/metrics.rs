//! What both engines measure of their writes, for `/metrics`.

use rapd_metrics::{Histogram, Text};

/// The sizes of the SQLite writer's groups: how many writes one commit (one fsync) carries.
const GROUP_SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Timings of the write transactions, and the sizes of their groups.
pub(crate) struct WriteMetrics {
    engine: &'static str,
    /// From `BEGIN` to a durable `COMMIT`: a group for SQLite, one write (with its retries) for
    /// PostgreSQL.
    pub(crate) transaction_seconds: Histogram,
    pub(crate) group_size: Histogram,
}

impl WriteMetrics {
    pub(crate) fn new(engine: &'static str) -> WriteMetrics {
        WriteMetrics {
            engine,
            transaction_seconds: Histogram::latency(),
            group_size: Histogram::new(GROUP_SIZES),
        }
    }

    pub(crate) fn render(&self, text: &mut Text) {
        let labels = [("engine", self.engine)];
        text.family(
            "rapd_store_commit_seconds",
            "histogram",
            "Write transactions from BEGIN to a durable COMMIT.",
        );
        text.histogram(
            "rapd_store_commit_seconds",
            &labels,
            &self.transaction_seconds.counts(),
        );
        text.family(
            "rapd_store_commit_group_size",
            "histogram",
            "How many writes one commit carries (SQLite's group commit; 1 on PostgreSQL).",
        );
        text.histogram(
            "rapd_store_commit_group_size",
            &labels,
            &self.group_size.counts(),
        );
    }
}
