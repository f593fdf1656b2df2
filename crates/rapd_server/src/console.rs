//! `/console` (`rapd_console`): served in the development profile (tenants provisioned on first
//! use) while the development issuer is on, whose tokens its development sign-in mints; never in
//! production, where a sign-in against the operator's issuer is still to come. Its pages call
//! Graph through `graph`, this application itself.

use axum::Router;
use rapd_console::{Console, ConsoleConfig, ConsoleUser, GraphTarget};

use crate::{state::AppState, tenancy::Provisioning};

/// The console's routes, or none.
pub(crate) fn router(state: &AppState, graph: &Router) -> Router {
    let development = state.config.provisioning == Provisioning::OnFirstUse;
    let (Some(issuer), true) = (state.dev_issuer.clone(), development) else {
        return Router::new();
    };
    let identity = &state.config.identity;
    let users = identity
        .users
        .iter()
        .map(|u| ConsoleUser {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            object_id: u.object_id,
            tenant: u.tenant,
        })
        .collect();
    let config = ConsoleConfig {
        issuer,
        users,
        token_ttl_secs: identity.access_token_ttl_secs,
    };
    rapd_console::router(Console::new(
        config,
        GraphTarget(graph.clone()),
        state.store.clone(),
        state.clock.clone(),
        state.control.clone(),
    ))
}
