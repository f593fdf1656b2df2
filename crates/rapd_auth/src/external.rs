//! One external issuer: its rules, its cached keys, and their refresh.
//!
//! Refreshes are rate-limited per issuer on the verifier's injected clock: an unknown `kid`
//! triggers at most one fetch per `min_refresh_interval` (reliability.md J16, J17), concurrent
//! misses wait for the one fetch in flight instead of starting their own, and the fetch runs
//! in its own task so a caller that goes away does not cancel it for the others. A failed or
//! empty refresh keeps the last good keys; a refresh that drops or replaces a key empties the
//! verified-token cache, so tokens of a withdrawn key stop verifying at once.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::cache::VerifiedCache;
use crate::claims::IssuerRules;
use crate::config::JwksSource;
use crate::fetch::Fetcher;
use crate::jwks::{self, KeySet, TrustedKey};

/// `last_attempt` before any refresh was tried.
const NEVER: i64 = i64::MIN;
/// `fetched_at` of keys fetched before the verifier saw a clock (at construction).
const UNSTAMPED: i64 = i64::MIN;

pub(crate) struct ExternalIssuer {
    pub(crate) rules: IssuerRules,
    source: JwksSource,
    fetcher: Arc<Fetcher>,
    cache: Arc<VerifiedCache>,
    keys: RwLock<Arc<KeySet>>,
    /// Injected time of the last successful refresh, or [`UNSTAMPED`].
    fetched_at: AtomicI64,
    /// Injected time of the last refresh started after construction, or [`NEVER`].
    last_attempt: AtomicI64,
    /// Refreshes finished after construction: a waiter that sees it move was served by another.
    attempts: AtomicU64,
    /// Held for the whole of a refresh, by the task doing it.
    refresh: Arc<tokio::sync::Mutex<()>>,
}

impl ExternalIssuer {
    pub(crate) fn new(
        rules: IssuerRules,
        source: JwksSource,
        fetcher: Arc<Fetcher>,
        cache: Arc<VerifiedCache>,
    ) -> ExternalIssuer {
        ExternalIssuer {
            rules,
            source,
            fetcher,
            cache,
            keys: RwLock::new(Arc::new(KeySet::default())),
            fetched_at: AtomicI64::new(UNSTAMPED),
            last_attempt: AtomicI64::new(NEVER),
            attempts: AtomicU64::new(0),
            refresh: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The key with this `kid`, if cached. Keys past `max_age` are refreshed in the background
    /// (when the rate limit allows) and keep serving meanwhile.
    pub(crate) fn key(self: &Arc<Self>, kid: &str, now: i64) -> Option<Arc<TrustedKey>> {
        let key = self
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys
            .get(kid)
            .cloned();
        if key.is_some() && self.stale(now) && self.may_refresh(now) {
            self.refresh_in_background(now);
        }
        key
    }

    /// After a `kid` was not found: refreshes once if the rate limit allows, or waits for the
    /// refresh in flight. Returns when the caller should look the `kid` up again.
    pub(crate) async fn refresh_after_miss(self: &Arc<Self>, now: i64) {
        if !self.may_refresh(now) && self.refresh.try_lock().is_ok() {
            return; // The interval is spent and nothing is in flight.
        }
        let seen = self.attempts.load(Ordering::Acquire);
        let guard = Arc::clone(&self.refresh).lock_owned().await;
        if self.attempts.load(Ordering::Acquire) != seen || !self.may_refresh(now) {
            return; // Another refresh served us, or the interval is spent.
        }
        self.last_attempt.store(now, Ordering::Release);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let me = Arc::clone(self);
        let task = runtime.spawn(async move {
            me.fetch_and_install(Some(now)).await;
            me.attempts.fetch_add(1, Ordering::AcqRel);
            drop(guard);
        });
        let _ = task.await;
    }

    fn refresh_in_background(self: &Arc<Self>, now: i64) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Ok(guard) = Arc::clone(&self.refresh).try_lock_owned() else {
            return; // One is in flight already.
        };
        self.last_attempt.store(now, Ordering::Release);
        let me = Arc::clone(self);
        runtime.spawn(async move {
            me.fetch_and_install(Some(now)).await;
            me.attempts.fetch_add(1, Ordering::AcqRel);
            drop(guard);
        });
    }

    /// Whether the rate limit allows a refresh at `now`. A clock that went back allows one.
    fn may_refresh(&self, now: i64) -> bool {
        let last = self.last_attempt.load(Ordering::Acquire);
        let interval = secs(self.fetcher.settings.min_refresh_interval);
        last == NEVER || now < last || now - last >= interval
    }

    /// Whether the keys are older than `max_age`. Keys fetched at construction are stamped
    /// with the first clock reading that asks.
    fn stale(&self, now: i64) -> bool {
        let fetched = match self.fetched_at.compare_exchange(
            UNSTAMPED,
            now,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => now,
            Err(fetched) => fetched,
        };
        now.saturating_sub(fetched) >= secs(self.fetcher.settings.max_age)
    }

    /// Fetches the JWKS and, if it holds a usable key, installs it. `now` is `None` at
    /// construction. Failures are logged and leave the last good keys in place.
    pub(crate) async fn fetch_and_install(&self, now: Option<i64>) {
        let issuer = &self.rules.issuer;
        let bytes = match self.fetcher.jwks(&self.source, issuer).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(issuer = %issuer, error = %e, "JWKS refresh failed; the last good keys keep serving");
                return;
            }
        };
        let parsed = match jwks::parse(&bytes) {
            Ok(parsed) => parsed,
            Err(reason) => {
                tracing::warn!(issuer = %issuer, reason, "JWKS refused; the last good keys keep serving");
                return;
            }
        };
        if !parsed.ambiguous.is_empty() {
            tracing::warn!(issuer = %issuer, kids = ?parsed.ambiguous, "JWKS lists a kid more than once; those keys are not trusted");
        }
        if parsed.skipped > 0 {
            tracing::info!(issuer = %issuer, skipped = parsed.skipped, "JWKS entries skipped (not RS256/ES256 signing keys, broken, or past the cap)");
        }
        if parsed.set.keys.is_empty() {
            tracing::warn!(issuer = %issuer, "JWKS holds no usable key; the last good keys keep serving");
            return;
        }
        self.install(parsed.set, now);
    }

    fn install(&self, set: KeySet, now: Option<i64>) {
        let old = {
            let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *keys, Arc::new(set))
        };
        let new = self.keys.read().unwrap_or_else(|e| e.into_inner()).clone();
        let withdrawn = old.keys.iter().any(|(kid, key)| {
            new.keys
                .get(kid)
                .is_none_or(|kept| kept.material != key.material)
        });
        if withdrawn {
            self.cache.clear();
        }
        self.fetched_at
            .store(now.unwrap_or(UNSTAMPED), Ordering::Release);
        tracing::debug!(issuer = %self.rules.issuer, keys = new.keys.len(), "JWKS installed");
    }
}

/// Whole seconds, rounded up: the clock is in seconds, and a sub-second interval must not
/// become no limit at all.
fn secs(d: std::time::Duration) -> i64 {
    let whole = d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
    i64::try_from(whole).unwrap_or(i64::MAX)
}
