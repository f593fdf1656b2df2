use super::*;

fn caller(f: &Fixture, token: &str) -> rapd_auth::Caller {
    f.verify(token, NOW).unwrap()
}

fn delegated(f: &Fixture, scp: &str) -> rapd_auth::Caller {
    caller(
        f,
        &f.with_claims(|c| {
            c.insert("scp".into(), json!(scp));
        }),
    )
}

#[test]
fn founding_page_table() {
    let f = Fixture::new();
    let read = Denied::MissingScope {
        required: &[SCOPE_READ, SCOPE_READ_WRITE],
    };
    let write = Denied::MissingScope {
        required: &[SCOPE_READ_WRITE],
    };
    type Want = Result<(), Denied>;
    let table: [(&str, Want, Want); 9] = [
        (SCOPE_READ, Ok(()), Err(write)),
        (SCOPE_READ_WRITE, Ok(()), Ok(())),
        (
            "User.Read DeviceManagementServiceConfig.Read.All",
            Ok(()),
            Err(write),
        ),
        (
            "User.Read  DeviceManagementServiceConfig.ReadWrite.All ",
            Ok(()),
            Ok(()),
        ),
        ("", Err(read), Err(write)),
        ("User.Read", Err(read), Err(write)),
        (
            "XDeviceManagementServiceConfig.ReadWrite.All",
            Err(read),
            Err(write),
        ),
        (
            "devicemanagementserviceconfig.readwrite.all",
            Err(read),
            Err(write),
        ),
        (
            "DeviceManagementServiceConfig.ReadWrite.All,User.Read",
            Err(read),
            Err(write),
        ),
    ];
    for (scp, want_read, want_write) in table {
        let c = delegated(&f, scp);
        assert_eq!(c.kind, CallerKind::Delegated);
        let got = c.authorize(Permission::Read, FOUNDING);
        assert_eq!(
            got.map(|g| assert_eq!(g.permission(), Permission::Read)),
            want_read,
            "{scp}"
        );
        let got = c.authorize(Permission::Write, FOUNDING);
        assert_eq!(
            got.map(|g| assert_eq!(g.permission(), Permission::Write)),
            want_write,
            "{scp}"
        );
    }
}

#[test]
fn delegated_token_without_scp_lacks_scope() {
    let f = Fixture::new();
    let c = caller(
        &f,
        &f.with_claims(|c| {
            c.remove("scp");
        }),
    );
    assert_eq!(c.kind, CallerKind::Delegated);
    assert!(matches!(
        c.authorize(Permission::Read, FOUNDING),
        Err(Denied::MissingScope { .. })
    ));
}

#[test]
fn application_tokens_verify_but_are_denied() {
    let f = Fixture::new();
    let minted = TokenRequest {
        subject: Subject::App(DEV_APP),
        ..user(&[SCOPE_READ_WRITE])
    };
    let roles_without_scp = f.with_claims(|c| {
        c.remove("scp");
        c.remove("idtyp");
        c.insert("roles".into(), json!([SCOPE_READ_WRITE]));
    });
    let idtyp_app_with_scp = f.with_claims(|c| {
        c.insert("idtyp".into(), json!("app"));
    });
    for token in [f.mint(&minted), roles_without_scp, idtyp_app_with_scp] {
        let c = caller(&f, &token);
        assert_eq!(c.kind, CallerKind::Application);
        for p in [Permission::Read, Permission::Write] {
            assert_eq!(c.authorize(p, FOUNDING), Err(Denied::ApplicationToken));
        }
    }
    // roles beside scp, no idtyp: a delegated token whose roles are not its scopes.
    let both = f.with_claims(|c| {
        c.remove("idtyp");
        c.insert("roles".into(), json!(["Other.Role"]));
    });
    let c = caller(&f, &both);
    assert_eq!(c.kind, CallerKind::Delegated);
    assert_eq!(c.scopes, [SCOPE_READ_WRITE]);
}

#[test]
fn personal_accounts_verify_but_are_denied() {
    let f = Fixture::new();
    let req = TokenRequest {
        tenant: CONSUMER_TENANT,
        ..user(&[SCOPE_READ_WRITE])
    };
    let c = caller(&f, &f.mint(&req));
    assert_eq!(c.tenant, CONSUMER_TENANT);
    assert_eq!(
        c.authorize(Permission::Read, FOUNDING),
        Err(Denied::PersonalAccount)
    );
    let app = TokenRequest {
        subject: Subject::App(DEV_APP),
        ..req
    };
    let c = caller(&f, &f.mint(&app));
    assert_eq!(
        c.authorize(Permission::Write, FOUNDING),
        Err(Denied::PersonalAccount)
    );
}
