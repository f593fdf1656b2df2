//! What every handler shares: the store, the token verifier, the clock and the settings.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;

use http::HeaderMap;
use rapd_auth::{AccessPolicy, DevIssuer, PermissionProfile, Verifier};
use rapd_control::{Control, ControlConfig};
use rapd_idp::{IdentityConfig, IdentityProvider};
use rapd_model::{ApiVersion, Clock, OnboardingCode};
use rapd_store::{ControlStore, Engine, PartnerStore};
use tokio::sync::broadcast;

use crate::{
    overload::InFlight,
    tenancy::{Provisioning, Tenancy},
    throttle::{Throttle, ThrottleLimits},
};

/// Settings of the HTTP layer, resolved by the binary from defaults, file, environment and flags.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long an onboarding request stays open after `beginOnboarding`.
    pub onboarding_ttl_secs: i64,
    /// The origin clients reach rapd at (`https://rapd.example.com`); links in responses use it.
    /// When unset, links use the request's `Host` header, which suits a local stand-in.
    pub public_url: Option<String>,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive once its headers have (`408` past it).
    pub body_read_timeout: std::time::Duration,
    /// Whether unknown tenants are provisioned on first use (development) or refused.
    pub provisioning: Provisioning,
    /// Intune's throttling limits; `None` switches throttling off.
    pub throttle: Option<ThrottleLimits>,
    /// Requests served at once before the next is shed with `503`.
    pub max_concurrent_requests: usize,
    /// Which permission table authorises callers.
    pub permissions: PermissionProfile,
    /// A partner's calls refresh `lastConnectionDateTime` at most this often.
    pub heartbeat_interval_secs: i64,
    /// The test-control API under `/_rapd/`; `None` leaves the prefix unrouted.
    pub control: Option<ControlConfig>,
    /// The development identity provider's users, apps and lifetimes.
    pub identity: IdentityConfig,
    /// Whether `/metrics` is served (and requests are counted for it).
    pub metrics: bool,
    /// The console's sign-in at the operator's issuer; unset: the console is served only in
    /// development, with the development sign-in.
    pub console_sign_in: Option<rapd_console::OidcSettings>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            onboarding_ttl_secs: 3600,
            public_url: None,
            max_body_bytes: 64 * 1024,
            body_read_timeout: std::time::Duration::from_secs(10),
            provisioning: Provisioning::OnFirstUse,
            throttle: Some(ThrottleLimits::INTUNE),
            max_concurrent_requests: 1024,
            permissions: PermissionProfile::FoundingPage,
            heartbeat_interval_secs: 60,
            control: None,
            identity: IdentityConfig::default(),
            metrics: true,
            console_sign_in: None,
        }
    }
}

/// What every handler holds: one `Arc`, so the per-request clones of axum's extractors and
/// layers cost one reference count each.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

/// How many issued onboarding codes wait for a slow listener.
pub const ONBOARDING_CODES_KEPT: usize = 1024;

/// The parts of [`AppState`], reached through `Deref`.
pub struct SharedState {
    pub store: Arc<dyn PartnerStore>,
    pub verifier: Arc<Verifier>,
    pub dev_issuer: Option<Arc<DevIssuer>>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ServerConfig>,
    pub tenancy: Arc<Tenancy>,
    pub throttle: Arc<Throttle>,
    pub in_flight: Arc<InFlight>,
    /// The budget of the surfaces reached without a Graph token (partner API, identity provider).
    pub open_in_flight: Arc<InFlight>,
    /// The test-control API (with the same engine's `ControlStore`), when configured.
    pub control: Option<Control>,
    /// The development identity provider: there while the development issuer is on.
    pub idp: Option<Arc<IdentityProvider>>,
    /// Every onboarding code `beginOnboarding` issues, for whoever listens in this process (the
    /// development partner simulator, tests): the store keeps only its hash.
    pub onboarding_codes: broadcast::Sender<OnboardingCode>,
    /// `/openapi.json` of the routes `routing::router` mounts for this state, written once there.
    pub openapi: OnceLock<Bytes>,
    /// The request counters `/metrics` reads, laid out once by `routing::router` (when on).
    pub http_metrics: OnceLock<Arc<crate::request_counts::HttpMetrics>>,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl AppState {
    pub fn new(
        engine: Arc<dyn Engine>,
        verifier: Verifier,
        dev_issuer: Option<Arc<DevIssuer>>,
        clock: Arc<dyn Clock>,
        config: ServerConfig,
    ) -> AppState {
        let store: Arc<dyn PartnerStore> = engine.clone();
        let tenancy = Arc::new(Tenancy::new(store.clone(), config.provisioning));
        let control_store: Arc<dyn ControlStore> = engine;
        AppState(Arc::new(SharedState {
            control: config
                .control
                .clone()
                .map(|c| Control::new(c, control_store, clock.clone(), tenancy.clone())),
            tenancy,
            throttle: Arc::new(Throttle::new(config.throttle)),
            in_flight: Arc::new(InFlight::new(config.max_concurrent_requests)),
            open_in_flight: Arc::new(InFlight::new(config.max_concurrent_requests)),
            idp: dev_issuer.clone().map(|issuer| {
                IdentityProvider::new(
                    config.identity.clone(),
                    issuer,
                    clock.clone(),
                    config.max_body_bytes,
                    config.public_url.clone(),
                )
            }),
            openapi: OnceLock::new(),
            http_metrics: OnceLock::new(),
            store,
            verifier: Arc::new(verifier),
            dev_issuer,
            clock,
            config: Arc::new(config),
            onboarding_codes: broadcast::channel(ONBOARDING_CODES_KEPT).0,
        }))
    }

    /// The onboarding codes issued from now on (a listener that falls more than
    /// [`ONBOARDING_CODES_KEPT`] behind misses the oldest).
    pub fn onboarding_codes(&self) -> broadcast::Receiver<OnboardingCode> {
        self.onboarding_codes.subscribe()
    }

    /// Shares the throttling counters with every node through Redis.
    pub fn with_shared_throttle(mut self, shared: crate::throttle::SharedCounters) -> AppState {
        let parts = Arc::get_mut(&mut self.0).expect("the state is configured before it is shared");
        parts.throttle = Arc::new(Throttle::new(parts.config.throttle).shared(shared));
        self
    }

    /// The origin links are built on: the configured public URL, else the connection's scheme
    /// (`https` on the TLS listener) + `Host`.
    pub fn origin(&self, headers: &HeaderMap) -> String {
        rapd_http::origin(self.config.public_url.as_deref(), headers)
    }

    /// The permission rules for a call to `version`.
    pub fn policy(&self, version: ApiVersion) -> AccessPolicy {
        AccessPolicy {
            profile: self.config.permissions,
            beta: version == ApiVersion::Beta,
        }
    }

    /// `{origin}/{version}`: the service root of one Graph version.
    pub fn service_root(&self, headers: &HeaderMap, version: ApiVersion) -> String {
        format!("{}/{}", self.origin(headers), version.segment())
    }
}
