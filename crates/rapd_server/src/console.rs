//! `/console` (`rapd_console`): served where users can sign in to it. With `[console]` configured,
//! users sign in at the operator's issuer (OpenID Connect, authorization code with PKCE), in any
//! profile; otherwise, in the development profile (tenants provisioned on first use) while the
//! development issuer is on, the development sign-in mints their tokens; otherwise it is not
//! served. Its pages call Graph through `graph`, this application itself.

use std::sync::Arc;

use axum::Router;
use rapd_console::{Console, ConsoleUser, DevSignIn, GraphTarget, IssuerSignIn, Oidc, SignIn};
use rapd_model::ApiVersion;
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder,
    ResponseBuilder, Type,
    path::{HttpMethod, OperationBuilder},
    security::SecurityRequirement,
};

use crate::{state::AppState, tenancy::Provisioning};

/// Whether the console is served: a sign-in at the operator's issuer is configured, or the
/// development sign-in can mint tokens.
fn served(state: &AppState) -> bool {
    let development = state.config.provisioning == Provisioning::OnFirstUse;
    state.config.console_sign_in.is_some() || (development && state.dev_issuer.is_some())
}

/// How the console's users sign in, where it is served.
fn sign_in(state: &AppState) -> Option<SignIn> {
    if let Some(settings) = &state.config.console_sign_in {
        return Some(SignIn::Issuer(Box::new(IssuerSignIn {
            oidc: Oidc::new(settings.clone()),
            verifier: Arc::clone(&state.verifier),
            policy: state.policy(ApiVersion::Beta),
        })));
    }
    let issuer = state.dev_issuer.clone().filter(|_| served(state))?;
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
    Some(SignIn::Development(DevSignIn {
        issuer,
        users,
        token_ttl_secs: identity.access_token_ttl_secs,
    }))
}

/// The console's door for `/openapi.json`, where it is served: HTML for browsers, so only
/// `GET /console` is described (its pages, forms and event stream are the console's own).
pub(crate) fn described(state: &AppState) -> Option<OpenApi> {
    if !served(state) {
        return None;
    }
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
            "The administrator's console (HTML), where users can sign in to it",
        ))
        .description(Some(
            "Redirects to the sign-in page, or to the partners page once signed in. Served with a sign-in at the operator's issuer (`[console]`), or in the development profile while the development issuer is on; see docs/console.md.",
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
    let Some(sign_in) = sign_in(state) else {
        return Router::new();
    };
    rapd_console::router(Console::new(
        sign_in,
        GraphTarget(graph.clone()),
        state.store.clone(),
        state.clock.clone(),
        state.control.clone(),
        state.onboarding_codes(),
    ))
}
