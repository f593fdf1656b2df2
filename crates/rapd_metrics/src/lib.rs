//! Metrics in the Prometheus text format, kept in atomics laid out before the first request, so
//! recording one is a few relaxed atomic adds: no allocation, no lock, no label lookup by string.
//!
//! Written here rather than taken from the `metrics` or `prometheus` crates because those find a
//! series by hashing its labels under a lock (or allocate a key) on every record, and rapd
//! records on every request; the benchmark's "GET item (metrics off)" row shows what recording
//! costs. Rendering, on a scrape, allocates freely.
//!
//! ## Map
//!
//! `Histogram` (fixed buckets, a sum and a count), `Gauge`, `Counts` (a histogram's counts at one
//! moment), and `Text`, the writer of the exposition format (`# HELP`, `# TYPE`, escaped label
//! values). What every request records is sharded (`sharded.rs`: `ShardedCounters`, one copy
//! per core so that worker threads never add to one cache line, and `LatencyHistograms` on top,
//! which find a duration's bucket with integer comparisons). The HTTP surface's per-route table
//! is `rapd_server`'s `request_counts.rs`; the store's are in `rapd_store`.

mod sharded;

pub use sharded::{LatencyHistograms, ShardedCounters};

use std::{
    fmt::Write,
    sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed},
    time::Duration,
};

/// The upper bounds, in seconds, of the latency histograms' buckets.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A histogram over fixed upper bounds, with the sum of the observed values.
pub struct Histogram {
    bounds: &'static [f64],
    /// One counter per bound, then the `+Inf` bucket; each counts its own range only (the
    /// cumulative counts are summed when rendered).
    buckets: Box<[AtomicU64]>,
    /// The sum, in millionths of the unit, so that it is an integer.
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// A histogram of durations in seconds, over [`LATENCY_BUCKETS`].
    pub fn latency() -> Histogram {
        Histogram::new(LATENCY_BUCKETS)
    }

    pub fn observe(&self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|&bound| value <= bound)
            .unwrap_or(self.bounds.len());
        self.buckets[bucket].fetch_add(1, Relaxed);
        // Saturating float-to-integer conversion; a negative value counts as zero.
        self.sum_micros.fetch_add((value * 1e6) as u64, Relaxed);
    }

    pub fn observe_duration(&self, elapsed: Duration) {
        self.observe(elapsed.as_secs_f64());
    }

    /// How many values were observed.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Relaxed)).sum()
    }

    /// The counts now, to render.
    pub fn counts(&self) -> Counts {
        Counts {
            bounds: self.bounds,
            buckets: self.buckets.iter().map(|b| b.load(Relaxed)).collect(),
            sum_micros: self.sum_micros.load(Relaxed),
        }
    }
}

/// A histogram's counts at one moment: each bucket's own (one per bound, then `+Inf`) and the sum
/// in millionths of the unit.
pub struct Counts {
    bounds: &'static [f64],
    buckets: Vec<u64>,
    sum_micros: u64,
}

impl Counts {
    /// How many values were observed.
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// A value that goes up and down.
#[derive(Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn add(&self, delta: i64) {
        self.0.fetch_add(delta, Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Relaxed)
    }
}

/// The exposition text being written: each family's `# HELP` and `# TYPE`, then its samples.
#[derive(Default)]
pub struct Text(String);

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    /// Starts a family: `kind` is `counter`, `gauge` or `histogram`.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    /// One sample: `name{labels} value`.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        self.labels(labels, None);
        let _ = writeln!(self.0, " {value}");
    }

    /// A histogram's samples: `_bucket` per bound (cumulative) and `+Inf`, `_sum`, `_count`.
    pub fn histogram(&mut self, name: &str, labels: &[(&str, &str)], counts: &Counts) {
        let mut cumulative = 0;
        for (i, bucket) in counts.buckets.iter().enumerate() {
            cumulative += bucket;
            let le = match counts.bounds.get(i) {
                Some(bound) => bound.to_string(),
                None => "+Inf".to_owned(),
            };
            let _ = write!(self.0, "{name}_bucket");
            self.labels(labels, Some(&le));
            let _ = writeln!(self.0, " {cumulative}");
        }
        let sum = counts.sum_micros as f64 / 1e6;
        self.sample(&format!("{name}_sum"), labels, sum);
        self.sample(&format!("{name}_count"), labels, cumulative);
    }

    fn labels(&mut self, labels: &[(&str, &str)], le: Option<&str>) {
        if labels.is_empty() && le.is_none() {
            return;
        }
        self.0.push('{');
        let le = le.map(|le| ("le", le));
        for (i, (key, value)) in labels.iter().copied().chain(le).enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            let _ = write!(self.0, "{key}=\"");
            for c in value.chars() {
                match c {
                    '\\' => self.0.push_str("\\\\"),
                    '"' => self.0.push_str("\\\""),
                    '\n' => self.0.push_str("\\n"),
                    c => self.0.push(c),
                }
            }
            self.0.push('"');
        }
        self.0.push('}');
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_renders_cumulative_buckets_sum_and_count() {
        let h = Histogram::new(&[0.1, 1.0]);
        for v in [0.05, 0.5, 0.7, 3.0] {
            h.observe(v);
        }
        let mut text = Text::new();
        text.family("x_seconds", "histogram", "A test.");
        text.histogram("x_seconds", &[("route", "/a\"b")], &h.counts());
        let text = text.into_string();
        assert!(text.contains("# TYPE x_seconds histogram\n"));
        assert!(text.contains("x_seconds_bucket{route=\"/a\\\"b\",le=\"0.1\"} 1\n"));
        assert!(text.contains("x_seconds_bucket{route=\"/a\\\"b\",le=\"1\"} 3\n"));
        assert!(text.contains("x_seconds_bucket{route=\"/a\\\"b\",le=\"+Inf\"} 4\n"));
        assert!(text.contains("x_seconds_sum{route=\"/a\\\"b\"} 4.25\n"));
        assert!(text.contains("x_seconds_count{route=\"/a\\\"b\"} 4\n"));
        assert_eq!(h.count(), 4);
    }

    #[test]
    fn samples_without_labels_have_no_braces() {
        let mut text = Text::new();
        text.sample("up", &[], 1);
        assert_eq!(text.into_string(), "up 1\n");
    }
}
