//! Counters recorded on every request, kept once per shard so that threads on different cores add
//! to different cache lines (two worker threads adding to one line pass it back and forth on every
//! request); a scrape sums the shards.

use std::{
    num::NonZero,
    sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed},
    time::Duration,
};

use crate::{Counts, LATENCY_BUCKETS};

/// At most this many shards, however many cores; threads beyond share them (still correct: the
/// additions are atomic).
const MAX_SHARDS: usize = 16;
/// Counters per 128 bytes: a cache line and the one the prefetcher pairs with it.
const LINE: usize = 16;

/// `len` counters, once per shard; this thread adds to its own shard's.
pub struct ShardedCounters {
    len: usize,
    /// Cells from one shard's start to the next: `len` rounded up to whole lines, and one line
    /// more, so no two shards' counters share a line.
    stride: usize,
    /// Shards minus one; shards are a power of two.
    mask: usize,
    cells: Box<[AtomicU64]>,
}

impl ShardedCounters {
    pub fn new(len: usize) -> ShardedCounters {
        let cores = std::thread::available_parallelism().map_or(1, NonZero::get);
        let shards = cores.next_power_of_two().min(MAX_SHARDS);
        let stride = len.next_multiple_of(LINE) + LINE;
        ShardedCounters {
            len,
            stride,
            mask: shards - 1,
            cells: (0..shards * stride).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Adds `n` to counter `cell` in this thread's shard.
    #[inline]
    pub fn add(&self, cell: usize, n: u64) {
        assert!(cell < self.len, "counter {cell} of {}", self.len);
        let start = (thread_shard() & self.mask) * self.stride;
        self.cells[start + cell].fetch_add(n, Relaxed);
    }

    /// Counter `cell`, summed over the shards.
    pub fn get(&self, cell: usize) -> u64 {
        let shards = self.mask + 1;
        (0..shards)
            .map(|shard| self.cells[shard * self.stride + cell].load(Relaxed))
            .sum()
    }
}

/// This thread's shard number, handed out in turn as threads first record.
fn thread_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Relaxed);
    }
    SHARD.with(|shard| *shard)
}

const BOUNDS: usize = LATENCY_BUCKETS.len();
/// Each histogram's cells: a counter per bound, `+Inf`, and the sum in microseconds.
const WIDTH: usize = BOUNDS + 2;

/// `len` latency histograms over [`LATENCY_BUCKETS`], sharded.
pub struct LatencyHistograms {
    /// The bounds in nanoseconds, so a duration finds its bucket with integer comparisons.
    bounds_nanos: [u64; BOUNDS],
    counters: ShardedCounters,
}

impl LatencyHistograms {
    pub fn new(len: usize) -> LatencyHistograms {
        LatencyHistograms {
            bounds_nanos: std::array::from_fn(|i| (LATENCY_BUCKETS[i] * 1e9).round() as u64),
            counters: ShardedCounters::new(len * WIDTH),
        }
    }

    /// Records `elapsed` in histogram `i`.
    #[inline]
    pub fn observe(&self, i: usize, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        // The bucket is the first bound not below the value: the count of bounds below it, which
        // compiles to comparisons without branches.
        let bucket = self.bounds_nanos.iter().filter(|&&b| b < nanos).count();
        self.counters.add(i * WIDTH + bucket, 1);
        self.counters.add(i * WIDTH + BOUNDS + 1, nanos / 1000);
    }

    /// Histogram `i`'s counts, summed over the shards.
    pub fn counts(&self, i: usize) -> Counts {
        let cell = |c: usize| self.counters.get(i * WIDTH + c);
        Counts {
            bounds: LATENCY_BUCKETS,
            buckets: (0..=BOUNDS).map(cell).collect(),
            sum_micros: cell(BOUNDS + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_add_up_across_threads() {
        let counters = ShardedCounters::new(3);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..1000).for_each(|_| counters.add(2, 1)));
            }
        });
        assert_eq!(counters.get(2), 4000);
        assert_eq!(counters.get(1), 0);
    }

    #[test]
    fn a_duration_on_a_bound_counts_in_that_bound() {
        let h = LatencyHistograms::new(2);
        h.observe(1, Duration::from_micros(500));
        h.observe(1, Duration::from_micros(501));
        h.observe(1, Duration::from_secs(11));
        let counts = h.counts(1);
        assert_eq!(counts.buckets[..3], [1, 1, 0]);
        assert_eq!(counts.buckets[BOUNDS], 1);
        assert_eq!(counts.count(), 3);
        assert_eq!(counts.sum_micros, 11_001_001);
        assert_eq!(h.counts(0).count(), 0);
    }
}
