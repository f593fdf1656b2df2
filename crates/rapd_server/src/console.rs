//! `/console` (`rapd_console`): served in the development profile (tenants provisioned on first
//! use) while the development issuer is on, whose tokens its development sign-in mints; never in
//! production, where a sign-in against the operator's issuer is still to come. Its pages call
//! Graph through `graph`, this application itself.

use std::sync::Arc;

use axum::Router;
use rapd_auth::DevIssuer;
use rapd_console::{Console, ConsoleConfig, ConsoleUser, GraphTarget};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder,
    ResponseBuilder, Type,
    path::{HttpMethod, OperationBuilder},
    security::SecurityRequirement,
};

use crate::{state::AppState, tenancy::Provisioning};

/// The development issuer the console's sign-in mints with, where the console is served.
fn served(state: &AppState) -> Option<Arc<DevIssuer>> {
    let development = state.config.provisioning == Provisioning::OnFirstUse;
    state.dev_issuer.clone().filter(|_| development)
}

/// The console's door for `/openapi.json`, where it is served: HTML for browsers, so only
/// `GET /console` is described (its pages, forms and event stream are the console's own).
pub(crate) fn described(state: &AppState) -> Option<OpenApi> {
    served(state)?;
    let html = ContentBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    let location = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .build();
    let operation = OperationBuilder::new()
        .tag("console")
        .operation_id(Some("getConsole"))
        .summary(Some(
            "The administrator's console (HTML), served in the development profile",
        ))
        .description(Some(
            "Redirects to the sign-in page, or to the partners page once signed in. Served in the development profile while the development issuer is on; see docs/console.md.",
        ))
        .securities(Some([SecurityRequirement::default()]))
        .response(
            "303",
            ResponseBuilder::new()
                .description("To `/console/sign-in`, or `/console/partners` once signed in")
                .header("Location", location),
        )
        .response(
            "200",
            ResponseBuilder::new()
                .description("The page the redirect leads to, for a client that follows it")
                .content("text/html", html),
        );
    let paths = PathsBuilder::new().path("/console", PathItem::new(HttpMethod::Get, operation));
    Some(OpenApiBuilder::new().paths(paths).build())
}

/// The console's routes, or none.
pub(crate) fn router(state: &AppState, graph: &Router) -> Router {
    let Some(issuer) = served(state) else {
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
        state.onboarding_codes(),
    ))
}
