//! The two permission tables (DESIGN.md §3): the founding page's and Graph's, on v1.0 and beta.

use rapd_auth::{Caller, SCOPE_CONFIG_READ, SCOPE_CONFIG_READ_WRITE};

use super::*;

fn caller(kind: CallerKind, scopes: &[&str]) -> Caller {
    Caller {
        tenant: DEV_TENANT,
        kind,
        app_id: None,
        object_id: None,
        display: None,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: NOW + 3600,
    }
}

fn policy(profile: PermissionProfile, beta: bool) -> AccessPolicy {
    AccessPolicy { profile, beta }
}

/// `Y` allowed, `-` missing scope, as [read v1.0, write v1.0, read beta, write beta].
fn outcome(c: &Caller, profile: PermissionProfile) -> String {
    let mut s = String::new();
    for beta in [false, true] {
        for p in [Permission::Read, Permission::Write] {
            s.push(match c.authorize(p, policy(profile, beta)) {
                Ok(grant) => {
                    assert_eq!(grant.permission(), p);
                    'Y'
                }
                Err(Denied::MissingScope { required }) => {
                    assert_eq!(required, policy(profile, beta).accepted(p));
                    '-'
                }
                Err(Denied::ApplicationToken) => 'A',
                Err(Denied::PersonalAccount) => 'P',
            });
        }
    }
    s
}

#[test]
fn graph_and_founding_page_tables() {
    use CallerKind::{Application as App, Delegated as User};
    use PermissionProfile::{FoundingPage, Graph};
    let table: [(CallerKind, &[&str], &str, &str); 14] = [
        // kind, permissions, founding page, Graph
        (User, &[SCOPE_READ], "Y-Y-", "Y-Y-"),
        (User, &[SCOPE_READ_WRITE], "YYYY", "YYYY"),
        (User, &[SCOPE_CONFIG_READ], "----", "--Y-"),
        (User, &[SCOPE_CONFIG_READ_WRITE], "----", "--YY"),
        (User, &[SCOPE_READ, SCOPE_CONFIG_READ_WRITE], "Y-Y-", "Y-YY"),
        (User, &[], "----", "----"),
        (User, &["User.Read"], "----", "----"),
        (
            User,
            &["devicemanagementserviceconfig.readwrite.all"],
            "----",
            "----",
        ),
        (App, &[SCOPE_READ], "AAAA", "Y-Y-"),
        (App, &[SCOPE_READ_WRITE], "AAAA", "YYYY"),
        (App, &[SCOPE_CONFIG_READ], "AAAA", "--Y-"),
        (App, &[SCOPE_CONFIG_READ_WRITE], "AAAA", "--YY"),
        (App, &[], "AAAA", "----"),
        (App, &["Other.Role"], "AAAA", "----"),
    ];
    for (kind, scopes, founding, graph) in table {
        let c = caller(kind, scopes);
        assert_eq!(
            outcome(&c, FoundingPage),
            founding,
            "{kind:?} {scopes:?} founding page"
        );
        assert_eq!(outcome(&c, Graph), graph, "{kind:?} {scopes:?} Graph");
    }
}

#[test]
fn personal_accounts_are_refused_under_every_profile() {
    for kind in [CallerKind::Delegated, CallerKind::Application] {
        let c = Caller {
            tenant: CONSUMER_TENANT,
            ..caller(kind, &[SCOPE_READ_WRITE, SCOPE_CONFIG_READ_WRITE])
        };
        for profile in [PermissionProfile::FoundingPage, PermissionProfile::Graph] {
            assert_eq!(outcome(&c, profile), "PPPP", "{kind:?} {profile:?}");
        }
    }
}

#[test]
fn required_lists_name_what_would_do() {
    let graph_beta = policy(PermissionProfile::Graph, true);
    assert_eq!(
        graph_beta.accepted(Permission::Read),
        [
            SCOPE_READ,
            SCOPE_READ_WRITE,
            SCOPE_CONFIG_READ,
            SCOPE_CONFIG_READ_WRITE
        ]
    );
    assert_eq!(
        graph_beta.accepted(Permission::Write),
        [SCOPE_READ_WRITE, SCOPE_CONFIG_READ_WRITE]
    );
    for p in [
        policy(PermissionProfile::Graph, false),
        policy(PermissionProfile::FoundingPage, true),
        AccessPolicy::default(),
    ] {
        assert_eq!(p.accepted(Permission::Read), [SCOPE_READ, SCOPE_READ_WRITE]);
        assert_eq!(p.accepted(Permission::Write), [SCOPE_READ_WRITE]);
    }
    assert_eq!(
        AccessPolicy::default(),
        policy(PermissionProfile::FoundingPage, false)
    );
}
