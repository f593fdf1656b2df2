use super::*;

fn with(f: &Fixture, claim: &str, value: Value) -> String {
    f.with_claims(|c| {
        c.insert(claim.into(), value);
    })
}

#[test]
fn issuer_must_match_exactly() {
    let f = Fixture::new();
    let iss = f.dev.issuer_for(DEV_TENANT);
    let bad = [
        format!("{iss}/"),
        iss.to_uppercase(),
        iss.replace("https://rapd.localhost", "HTTPS://RAPD.localhost"),
        iss.replace("https:", "http:"),
        iss.replace("v2.0", "v1.0"),
        format!("https://login.microsoftonline.com/{DEV_TENANT}/v2.0"),
        f.dev.issuer_for(TB),
        DEV_ISSUER_TEMPLATE.to_string(),
        format!(" {iss}"),
    ];
    for iss in bad {
        let e = err(&f, &with(&f, "iss", json!(iss)));
        assert!(matches!(e, AuthError::WrongIssuer), "{iss}: {e:?}");
    }
    for iss in [json!(null), json!(1), json!([iss])] {
        assert!(matches!(
            err(&f, &with(&f, "iss", iss)),
            AuthError::WrongIssuer
        ));
    }
    let token = f.with_claims(|c| {
        c.remove("iss");
    });
    assert!(matches!(err(&f, &token), AuthError::WrongIssuer));
}

#[test]
fn tenant_must_be_a_guid_that_matches_the_issuer() {
    let f = Fixture::new();
    // tid of TB with iss of the dev tenant: the pair must agree.
    assert!(matches!(
        err(&f, &with(&f, "tid", json!(TB))),
        AuthError::WrongIssuer
    ));
    let upper = DEV_TENANT.to_string().to_uppercase();
    let bad = [
        json!(""),
        json!("common"),
        json!("organizations"),
        json!(upper),
        json!(format!("{{{DEV_TENANT}}}")),
        json!(DEV_TENANT.simple().to_string()),
        json!(Uuid::nil()),
        json!(42),
        json!(null),
    ];
    for tid in bad {
        let e = err(&f, &with(&f, "tid", tid.clone()));
        assert!(matches!(e, AuthError::BadTenant), "{tid}: {e:?}");
    }
    let token = f.with_claims(|c| {
        c.remove("tid");
    });
    assert!(matches!(err(&f, &token), AuthError::BadTenant));
    // Another tenant with its own issuer is a valid token for that tenant.
    let token = f.with_claims(|c| {
        c.insert("tid".into(), json!(TB));
        c.insert("iss".into(), json!(f.dev.issuer_for(TB)));
    });
    assert_eq!(f.verify(&token, NOW).unwrap().tenant, TB);
}

#[test]
fn audience_must_be_graph() {
    let f = Fixture::new();
    let bad = [
        json!("https://graph.microsoft.com/"),
        json!("https://graph.microsoft.us"),
        json!(DEV_APP),
        json!(["api://other"]),
        json!([]),
    ];
    for aud in bad {
        let e = err(&f, &with(&f, "aud", aud.clone()));
        assert!(matches!(e, AuthError::WrongAudience), "{aud}: {e:?}");
        assert_eq!(
            e.graph_message(),
            "Access token validation failure. Invalid audience."
        );
    }
    let token = f.with_claims(|c| {
        c.remove("aud");
    });
    assert!(matches!(err(&f, &token), AuthError::WrongAudience));
    for aud in [json!(5), json!([GRAPH_AUDIENCE, 5])] {
        assert!(matches!(
            err(&f, &with(&f, "aud", aud)),
            AuthError::BadClaim("aud")
        ));
    }
    for aud in [json!(GRAPH_APP_ID), json!(["api://other", GRAPH_AUDIENCE])] {
        assert!(
            f.verify(&with(&f, "aud", aud.clone()), NOW).is_ok(),
            "{aud}"
        );
    }
}

#[test]
fn identity_claims_have_their_types() {
    let f = Fixture::new();
    let bad = [
        ("scp", json!(["a"])),
        ("roles", json!("a")),
        ("roles", json!([1])),
        ("oid", json!("not-a-guid")),
        ("idtyp", json!(1)),
        ("azp", json!(1)),
    ];
    for (claim, value) in bad {
        let e = err(&f, &with(&f, claim, value.clone()));
        assert!(
            matches!(e, AuthError::BadClaim(c) if c == claim),
            "{claim}={value}: {e:?}"
        );
    }
}
