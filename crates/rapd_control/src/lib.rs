//! The test-control API under `/_rapd/` (a prefix Graph cannot have): reset, seed and export of
//! test state, fault rules, and the request log. Loopback clients only unless allowed, and only
//! with the admin token. The binary leaves it out of the production profile unless enabled.
//!
//! The server builds one [`Control`], mounts [`router`], and adds the layers [`Control`] hands out
//! (the request log; fault injection when on). Refusals are [`ControlError`]s, which the server
//! turns into its Graph-shaped error ([`Refusal`]); this crate knows nothing of the server's state.
//!
//! ## Map
//!
//! The test-control API under `/_rapd/` (`routes.rs`: the guard,
//! reset/seed/export, the request log's and the fault rules' routes), fault injection (`faults.rs`:
//! rules and the `x-rapd-fault` trigger; `injection.rs`: the `InjectFaults` layer, which notes a
//! request's `PendingFault` for the server to apply after authentication, from loopback peers
//! only unless `allow_remote`, within one `FaultBudget` of latency per request), the fixed-size request log
//! (`journal.rs`: the ring and the `RecordRequests` layer), what the `#[utoipa::path]` on each
//! handler names (`described.rs`: the admin token's scheme, the guard's answers, the bodies'
//! schemas; `router` registers each route with its description). Its own state (`Control`: the settings,
//! the log, the rules, the `ControlStore`, and the server's tenant cache as a `TenantCache` to
//! forget after a reset or seed); refusals are `ControlError`s, answered as the server's error
//! through `Refusal` (`From<ControlError>`), so the wording stays in the server's one table. Key
//! types: `Control`, `ControlConfig`, `ControlError`, `Refusal`, `TenantCache`, `Journal`,
//! `Faults`, `InjectFaults`, `PendingFault`, `FaultBudget`, `RecordRequests`, `TenantSlot`, `router`, `control_actor`.

mod described;
mod error;
mod faults;
mod injection;
mod journal;
mod routes;

pub use described::CONTROL_ADMIN;
pub use error::ControlError;
pub use faults::{
    Faults, MAX_FAULT_DELAY_MS, MAX_LATENCY_MS, MAX_RETRY_AFTER_SECS, MAX_RULES, RuleInput, TRIGGER,
};
pub use injection::{FaultBudget, InjectFaults, PendingFault};
pub use journal::{Journal, RecordRequests, TenantSlot};
pub use routes::router;

use std::{sync::Arc, time::Duration};

use axum::response::IntoResponse;
use rapd_http::AroundLayer;
use rapd_model::{Actor, AuditContext, Clock, Timestamp};
use rapd_store::ControlStore;
use uuid::Uuid;

/// The reserved prefix.
pub const PREFIX: &str = "/_rapd";
/// The largest fixture accepted by `POST /_rapd/seed`.
pub const MAX_FIXTURE_BYTES: usize = 8 * 1024 * 1024;

/// Settings of the test-control API, resolved by the binary.
#[derive(Clone)]
pub struct ControlConfig {
    /// The bearer token every control call must carry.
    pub admin_token: String,
    /// Answer clients that are not on a loopback address, and inject faults into their requests.
    pub allow_remote: bool,
    /// Fault injection (rules and the trigger header); never in the production profile.
    pub faults: bool,
    /// The most latency faults add to one request in all, a `$batch`'s inner requests included
    /// (the binary uses [`MAX_FAULT_DELAY_MS`]).
    pub max_fault_delay: Duration,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
}

/// Never shows the admin token.
impl std::fmt::Debug for ControlConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlConfig")
            .field("admin_token", &"<redacted>")
            .field("allow_remote", &self.allow_remote)
            .field("faults", &self.faults)
            .field("max_fault_delay", &self.max_fault_delay)
            .field("request_log_capacity", &self.request_log_capacity)
            .finish()
    }
}

/// How the server answers a [`ControlError`]: as its own Graph-shaped error, converted in the
/// one place its errors become Graph bodies (`rapd_server` passes its `ApiError`).
pub trait Refusal: From<ControlError> + IntoResponse + Send + 'static {}

impl<E: From<ControlError> + IntoResponse + Send + 'static> Refusal for E {}

/// What the server caches about tenants, forgotten once the control API changed them behind its
/// back (a reset or a seed).
pub trait TenantCache: Send + Sync {
    fn forget(&self);
}

/// The running test-control API: its settings, the request log, the fault rules, and the store
/// it resets, seeds and exports. A clone is one reference count.
#[derive(Clone)]
pub struct Control(Arc<Parts>);

struct Parts {
    config: ControlConfig,
    journal: Arc<Journal>,
    /// `None` when fault injection is off.
    faults: Option<Arc<Faults>>,
    store: Arc<dyn ControlStore>,
    clock: Arc<dyn Clock>,
    tenants: Arc<dyn TenantCache>,
}

impl Control {
    /// The request log is allocated here, at its full capacity.
    pub fn new(
        config: ControlConfig,
        store: Arc<dyn ControlStore>,
        clock: Arc<dyn Clock>,
        tenants: Arc<dyn TenantCache>,
    ) -> Control {
        Control(Arc::new(Parts {
            journal: Arc::new(Journal::new(config.request_log_capacity, clock.clone())),
            faults: config.faults.then(|| Arc::new(Faults::default())),
            config,
            store,
            clock,
            tenants,
        }))
    }

    /// The request log as a layer: it sees every request that passes.
    pub fn record_requests(&self) -> RecordRequests {
        RecordRequests::new(self.0.journal.clone())
    }

    /// Fault injection as a layer, or `None` when it is off. It only notes a request's
    /// [`PendingFault`]; the server applies it once the caller is authenticated.
    pub fn inject_faults(&self) -> Option<AroundLayer<InjectFaults>> {
        let config = self.config();
        self.0.faults.clone().map(|faults| {
            AroundLayer(InjectFaults::new(
                faults,
                config.allow_remote,
                config.max_fault_delay,
            ))
        })
    }

    /// A fresh budget of injected latency for a request, or `None` when fault injection is off:
    /// `$batch` shares one among its inner requests when the outer request brought none.
    pub fn fault_budget(&self) -> Option<FaultBudget> {
        self.0
            .faults
            .as_ref()
            .map(|_| FaultBudget::new(self.config().max_fault_delay))
    }

    /// The request log's newest `limit` entries, as `GET /_rapd/requests` answers them (the
    /// console shows a tenant its own).
    pub fn request_log(&self, limit: usize) -> serde_json::Value {
        self.journal().newest(limit)
    }

    /// The fault rules, as `GET /_rapd/faults` answers them; `None` while fault injection is off.
    pub fn fault_rules(&self) -> Option<serde_json::Value> {
        self.faults().map(Faults::list)
    }

    fn config(&self) -> &ControlConfig {
        &self.0.config
    }

    fn journal(&self) -> &Journal {
        &self.0.journal
    }

    fn faults(&self) -> Option<&Faults> {
        self.0.faults.as_deref()
    }

    fn store(&self) -> &dyn ControlStore {
        self.0.store.as_ref()
    }

    fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    fn tenants_changed(&self) {
        self.0.tenants.forget();
    }
}

/// The actor of changes the control API makes, as the audit trail shows it.
pub fn control_actor(application: &str, ip: Option<String>, correlation_id: Uuid) -> AuditContext {
    AuditContext {
        actor: Actor {
            actor_type: "TestControl".into(),
            application_id: Some(application.into()),
            ip_address: ip,
            ..Actor::default()
        },
        correlation_id,
    }
}
