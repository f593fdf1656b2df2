//! `/console`: the administrator's page for remote assistance partners, as the Intune admin
//! center's connector page is for Intune. Server-rendered HTML (maud) that works without script;
//! a few lines of script only flip status badges live from server-sent events.
//!
//! Every page does its work **through the Graph API in process**: it sends a request with the
//! session's bearer token to the same application Graph clients reach ([`GraphTarget`]), so
//! permission checks, validation, audit and throttling are Graph's own, and a read-only user's
//! write is refused by Graph (403) even though the page shows no write buttons. Two reads go to
//! the store and control state directly, both scoped to the session's tenant: the open
//! onboarding request's code (Graph never shows it; the console turns it into the onboarding
//! link and its QR code) and the tenant's requests in the request log.
//!
//! ## Map
//!
//! The console's state and router (`lib.rs`: `Console`, `ConsoleConfig`, `ConsoleUser`,
//! `router`), sessions and CSRF tokens (`session.rs`: server-side sessions behind an HttpOnly,
//! SameSite=Strict cookie), the in-process Graph client (`graph.rs`: `GraphTarget`), English and
//! Spanish through Fluent with Accept-Language negotiation (`i18n.rs`, `locales/`), the page
//! frame, badges and relative times (`layout.rs`), security headers (CSP) and the localized
//! error page (`security.rs`, `error.rs`: `ConsoleError`), and the pages: sign-in (`sign_in.rs`:
//! the development sign-in; `sign_in/issuer.rs`: the production sign-in's redirect and callback,
//! whose OpenID Connect client with PKCE is `oidc.rs`), partners (`partners.rs`, `partners/forms.rs`, the onboarding link's QR code in
//! `partners/qr.rs`), the audit trail (`audit.rs`), beta settings (`settings.rs`), the request log
//! and fault rules (`diagnostics.rs`), the live badge stream (`events.rs`), and the static CSS and
//! script (`assets.rs`, `assets/`).

mod assets;
mod audit;
mod diagnostics;
mod error;
mod events;
mod graph;
mod i18n;
mod layout;
mod oidc;
mod partners;
mod security;
mod session;
mod settings;
mod sign_in;

pub use error::ConsoleError;
pub use graph::GraphTarget;
pub use i18n::Lang;
pub use oidc::{Oidc, OidcSettings};

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    response::Redirect,
    routing::{get, post},
};
use rapd_auth::{AccessPolicy, DevIssuer, Verifier};
use rapd_control::Control;
use rapd_model::{Clock, OnboardingCode, PartnerId, TenantId};
use rapd_store::PartnerStore;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Where the console is mounted.
pub const PREFIX: &str = "/console";

/// The codes heard and kept at most; past it the oldest go (a Connect issues a new one).
const MAX_CODES_HEARD: usize = 10_000;

/// The codes `beginOnboarding` issues, and the last one heard of each partner.
type IssuedCodes = (
    broadcast::Receiver<OnboardingCode>,
    HashMap<(TenantId, PartnerId), OnboardingCode>,
);

/// The client application of the console's tokens: the audit trail names it as the actor's app.
pub const CONSOLE_APP: Uuid = Uuid::from_u128(0x5c0a_50fe_7e3d_4b1a_9c2d_8e7f_6a5b_4c3d);

/// A development user offered on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    pub username: String,
    pub display_name: String,
    pub object_id: Uuid,
    /// The user's home tenant, offered among the tenants.
    pub tenant: Uuid,
}

/// The development sign-in: the page mints a development user's token.
pub struct DevSignIn {
    /// Signs the tokens.
    pub issuer: Arc<DevIssuer>,
    /// The identity provider's development users.
    pub users: Vec<ConsoleUser>,
    /// Lifetime of a session's token.
    pub token_ttl_secs: u64,
}

/// The production sign-in: OpenID Connect against the operator's issuer.
pub struct IssuerSignIn {
    pub oidc: Oidc,
    /// Verifies the access token the issuer hands back, as every Graph call's is.
    pub verifier: Arc<Verifier>,
    /// Graph's permission table for beta, the version the pages call: it decides whether
    /// write buttons are shown (Graph decides whether writes are done).
    pub policy: AccessPolicy,
}

/// How users sign in: the console is served only with one of these.
pub enum SignIn {
    Development(DevSignIn),
    Issuer(Box<IssuerSignIn>),
}

/// The console's state; a clone is one reference count.
#[derive(Clone)]
pub struct Console(Arc<Parts>);

struct Parts {
    /// The onboarding codes `beginOnboarding` issued in this process, heard as they are issued
    /// (the store keeps only their hashes), and the last one heard for each partner.
    codes: Mutex<IssuedCodes>,
    sign_in: SignIn,
    graph: GraphTarget,
    store: Arc<dyn PartnerStore>,
    clock: Arc<dyn Clock>,
    control: Option<Control>,
    sessions: session::Sessions,
}

impl Console {
    pub fn new(
        sign_in: SignIn,
        graph: GraphTarget,
        store: Arc<dyn PartnerStore>,
        clock: Arc<dyn Clock>,
        control: Option<Control>,
        codes: broadcast::Receiver<OnboardingCode>,
    ) -> Console {
        Console(Arc::new(Parts {
            codes: Mutex::new((codes, HashMap::new())),
            sign_in,
            graph,
            store,
            clock,
            control,
            sessions: session::Sessions::default(),
        }))
    }

    fn now_unix(&self) -> i64 {
        self.0.clock.now().unix_secs()
    }

    /// The last onboarding code issued for `partner` in this process, if one was heard.
    fn issued_code(&self, tenant: TenantId, partner: PartnerId) -> Option<OnboardingCode> {
        let mut codes = self.0.codes.lock().unwrap_or_else(|e| e.into_inner());
        let (issued, last) = &mut *codes;
        loop {
            match issued.try_recv() {
                Ok(code) => {
                    if last.len() >= MAX_CODES_HEARD {
                        last.clear();
                    }
                    last.insert((code.tenant(), code.partner()), code);
                }
                Err(broadcast::error::TryRecvError::Lagged(_)) => continue,
                Err(_) => break,
            }
        }
        last.get(&(tenant, partner)).cloned()
    }
}

/// Every console route, under [`PREFIX`], with its security headers and error pages.
pub fn router(console: Console) -> Router {
    let pages = Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/partners") }),
        )
        .route(
            "/console/sign-in",
            get(sign_in::show_sign_in).post(sign_in::sign_in),
        )
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/sign-in/issuer", get(sign_in::issuer::start))
        .route("/console/callback", get(sign_in::issuer::callback))
        .route(
            "/console/partners",
            get(partners::list_partners).post(partners::forms::create_partner),
        )
        .route("/console/partners/{id}", get(partners::show_partner))
        .route(
            "/console/partners/{id}/rename",
            post(partners::forms::rename_partner),
        )
        .route(
            "/console/partners/{id}/connect",
            post(partners::forms::connect_partner),
        )
        .route(
            "/console/partners/{id}/disconnect",
            get(partners::forms::confirm_disconnect).post(partners::forms::disconnect_partner),
        )
        .route(
            "/console/partners/{id}/delete",
            get(partners::forms::confirm_delete).post(partners::forms::delete_partner),
        )
        .route("/console/audit", get(audit::show_audit))
        .route(
            "/console/settings",
            get(settings::show_settings).post(settings::update_settings),
        )
        .route("/console/diagnostics", get(diagnostics::show_diagnostics))
        .route("/console/events", get(events::partner_events))
        .route("/console/assets/{file}", get(assets::asset))
        .route("/console/{*rest}", get(|| async { ConsoleError::NotFound }))
        .with_state(console);
    pages.layer(axum::middleware::from_fn(security::secure_and_localize))
}

/// The request's live session and who signed in to it.
struct Visit {
    id: String,
    csrf: String,
    user: session::SignedIn,
}

impl Console {
    /// The signed-in session the request's cookie names, or the way to the sign-in page.
    fn visit(&self, headers: &http::HeaderMap) -> Result<Visit, ConsoleError> {
        let (id, session) = self
            .0
            .sessions
            .find(headers, self.now_unix())
            .ok_or(ConsoleError::SignInRequired)?;
        let user = session.user.ok_or(ConsoleError::SignInRequired)?;
        Ok(Visit {
            id,
            csrf: session.csrf,
            user,
        })
    }

    /// [`Console::visit`] for a form: its CSRF token must be the session's.
    fn submit(&self, headers: &http::HeaderMap, csrf: &str) -> Result<Visit, ConsoleError> {
        let (id, session) = self
            .0
            .sessions
            .find(headers, self.now_unix())
            .ok_or(ConsoleError::Csrf)?;
        session.check_csrf(csrf)?;
        let user = session.user.ok_or(ConsoleError::SignInRequired)?;
        Ok(Visit {
            id,
            csrf: session.csrf,
            user,
        })
    }

    /// Calls Graph as the visit's user.
    async fn graph(
        &self,
        visit: &Visit,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value, ConsoleError> {
        self.0
            .graph
            .call(&visit.user.token, method, path, body)
            .await
    }
}

impl Visit {
    fn frame(&self, lang: Lang, section: layout::Section) -> layout::Frame<'_> {
        layout::Frame {
            lang,
            user: Some(&self.user),
            csrf: &self.csrf,
            section,
        }
    }
}
