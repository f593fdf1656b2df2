//! Intune's published throttling for remote assistance: per tenant 200 writes and 2 000 requests,
//! per application per tenant 100 writes and 1 000 requests, in each 20-second window.
//!
//! Windows are fixed: one starts at a key's first request and ends `window_secs` later. A refused
//! request does not count, so a client that waits `Retry-After` always gets through.
//!
//! Hand-written rather than taken from a rate-limiting crate (`governor` and the like use GCRA or
//! sliding windows): Intune counts in fixed windows with separate write and request budgets per
//! tenant and per application, and answers `Retry-After` with the window's end;
//! `tests/api/throttling.rs` checks the 101st write and the 1 001st request exactly.
//!
//! Counters live in this process, or, with [`SharedCounters`] (Redis), are shared by every node.
//! When Redis does not answer, the node counts on its own until it does again (fail open to
//! per-node limits: an outage of Redis never refuses traffic that a single node would admit).

mod shared;

use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use rapd_model::{TenantId, Timestamp};

pub use shared::{SharedCounters, SharedError};

/// The limits; [`ThrottleLimits::INTUNE`] are Intune's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    pub window_secs: i64,
    pub tenant_writes: u32,
    pub tenant_requests: u32,
    pub app_writes: u32,
    pub app_requests: u32,
}

impl ThrottleLimits {
    pub const INTUNE: ThrottleLimits = ThrottleLimits {
        window_secs: 20,
        tenant_writes: 200,
        tenant_requests: 2000,
        app_writes: 100,
        app_requests: 1000,
    };
}

/// Refused: retry after this many whole seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

#[derive(Debug, Clone, Copy)]
struct Window {
    ends: Timestamp,
    requests: u32,
    writes: u32,
}

impl Window {
    fn current(slot: &mut Option<Window>, now: Timestamp, secs: i64) -> &mut Window {
        if slot.is_none_or(|w| w.ends <= now) {
            *slot = Some(Window {
                ends: now.plus_secs(secs),
                requests: 0,
                writes: 0,
            });
        }
        slot.as_mut().expect("just set")
    }

    fn has_room(&self, write: bool, max_requests: u32, max_writes: u32) -> bool {
        self.requests < max_requests && (!write || self.writes < max_writes)
    }

    fn count(&mut self, write: bool) {
        self.requests += 1;
        self.writes += u32::from(write);
    }
}

#[derive(Default)]
struct TenantWindows {
    tenant: Option<Window>,
    apps: HashMap<String, Option<Window>>,
}

const SHARDS: usize = 16;
/// A shard holding more tenants than this drops the ones whose windows have all ended.
const SHARD_SWEEP_AT: usize = 4096;

/// The throttle; one tenant's counters never touch another's lock (sharded by tenant).
pub struct Throttle {
    limits: Option<ThrottleLimits>,
    hasher: RandomState,
    shards: [Mutex<HashMap<TenantId, TenantWindows>>; SHARDS],
    shared: Option<SharedCounters>,
    /// Whether the last call to `shared` failed: the outage and the recovery are logged once.
    shared_failing: AtomicBool,
    /// How many requests were refused since the start.
    refused: AtomicU64,
}

impl Throttle {
    /// `None` switches throttling off.
    pub fn new(limits: Option<ThrottleLimits>) -> Throttle {
        Throttle {
            limits,
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            shared: None,
            shared_failing: AtomicBool::new(false),
            refused: AtomicU64::new(0),
        }
    }

    /// Keeps the counters in `shared` (Redis) rather than in this process.
    pub fn shared(self, shared: SharedCounters) -> Throttle {
        Throttle {
            shared: Some(shared),
            ..self
        }
    }

    /// Counts one request of `app` in `tenant`, or says how long to wait: in Redis when shared
    /// (on this node while Redis does not answer), else on this node.
    pub async fn admit(
        &self,
        tenant: TenantId,
        app: &str,
        write: bool,
        now: Timestamp,
    ) -> Result<(), RetryAfter> {
        let decision = match (&self.limits, &self.shared) {
            (Some(limits), Some(shared)) => match shared.admit(limits, tenant, app, write).await {
                Ok(decision) => {
                    if self.shared_failing.swap(false, Ordering::Relaxed) {
                        tracing::info!("shared throttling is back");
                    }
                    decision
                }
                Err(e) => {
                    if !self.shared_failing.swap(true, Ordering::Relaxed) {
                        tracing::warn!(error = %e, "shared throttling unavailable; counting on this node");
                    }
                    self.admit_here(tenant, app, write, now)
                }
            },
            _ => self.admit_here(tenant, app, write, now),
        };
        if decision.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        decision
    }

    /// How many requests were refused since the start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Counts one request on this node alone.
    pub fn admit_here(
        &self,
        tenant: TenantId,
        app: &str,
        write: bool,
        now: Timestamp,
    ) -> Result<(), RetryAfter> {
        let Some(l) = self.limits else { return Ok(()) };
        let shard = &self.shards[self.hasher.hash_one(tenant) as usize % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > SHARD_SWEEP_AT {
            map.retain(|_, w| {
                w.tenant.is_some_and(|t| t.ends > now)
                    || w.apps.values().any(|a| a.is_some_and(|a| a.ends > now))
            });
        }
        let windows = map.entry(tenant).or_default();
        if !windows.apps.contains_key(app) {
            windows.apps.insert(app.to_owned(), None);
        }
        let TenantWindows {
            tenant: tenant_slot,
            apps,
        } = windows;
        let tenant_window = Window::current(tenant_slot, now, l.window_secs);
        let app_window = Window::current(apps.get_mut(app).expect("inserted"), now, l.window_secs);
        let tenant_ok = tenant_window.has_room(write, l.tenant_requests, l.tenant_writes);
        let app_ok = app_window.has_room(write, l.app_requests, l.app_writes);
        if tenant_ok && app_ok {
            tenant_window.count(write);
            app_window.count(write);
            return Ok(());
        }
        let ends = match (tenant_ok, app_ok) {
            (false, false) => tenant_window.ends.max(app_window.ends),
            (false, true) => tenant_window.ends,
            _ => app_window.ends,
        };
        let micros = (ends.as_micros() - now.as_micros()).max(0) as u64;
        Err(RetryAfter(micros.div_ceil(1_000_000).max(1)))
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    const LIMITS: ThrottleLimits = ThrottleLimits::INTUNE;

    #[test]
    fn exactly_the_documented_counts() {
        let t = Throttle::new(Some(LIMITS));
        let (tenant, now) = (TenantId(Uuid::new_v4()), Timestamp::from_unix_secs(1000));
        for _ in 0..100 {
            assert!(t.admit_here(tenant, "app-a", true, now).is_ok());
        }
        assert_eq!(
            t.admit_here(tenant, "app-a", true, now),
            Err(RetryAfter(20))
        );
        // Reads still pass for the same app; another app may write.
        assert!(t.admit_here(tenant, "app-a", false, now).is_ok());
        for _ in 0..100 {
            assert!(
                t.admit_here(tenant, "app-b", true, now.plus_secs(5))
                    .is_ok()
            );
        }
        // The tenant has had 200 writes: a third app is refused until the tenant window ends.
        assert_eq!(
            t.admit_here(tenant, "app-c", true, now.plus_secs(5)),
            Err(RetryAfter(15))
        );
        assert!(
            t.admit_here(tenant, "app-c", true, now.plus_secs(20))
                .is_ok()
        );
    }

    #[test]
    fn requests_of_any_kind_and_tenant_isolation() {
        let t = Throttle::new(Some(LIMITS));
        let (a, b, now) = (
            TenantId(Uuid::new_v4()),
            TenantId(Uuid::new_v4()),
            Timestamp::from_unix_secs(0),
        );
        for _ in 0..1000 {
            assert!(t.admit_here(a, "x", false, now).is_ok());
        }
        assert!(t.admit_here(a, "x", false, now).is_err());
        assert!(t.admit_here(b, "x", false, now).is_ok());
        for _ in 0..1000 {
            assert!(t.admit_here(a, "y", false, now).is_ok());
        }
        assert!(
            t.admit_here(a, "z", false, now).is_err(),
            "tenant's 2 000 requests are spent"
        );
    }

    #[test]
    fn off_admits_everything() {
        let t = Throttle::new(None);
        let tenant = TenantId(Uuid::new_v4());
        for _ in 0..10_000 {
            assert!(t.admit_here(tenant, "a", true, Timestamp::ZERO).is_ok());
        }
    }
}
