use super::*;

fn at(f: &Fixture, claim: &str, value: Value) -> String {
    f.with_claims(|c| {
        c.insert(claim.into(), value);
    })
}

#[test]
fn expiry_honours_the_leeway() {
    let f = Fixture::new();
    assert_eq!(LEEWAY_SECS, 60);
    for ok in [NOW - LEEWAY_SECS + 5, NOW - LEEWAY_SECS, NOW] {
        assert!(f.verify(&at(&f, "exp", json!(ok)), NOW).is_ok(), "{ok}");
    }
    let e = err(&f, &at(&f, "exp", json!(NOW - LEEWAY_SECS - 5)));
    assert!(matches!(e, AuthError::Expired));
    assert_eq!(
        e.graph_message(),
        "Lifetime validation failed, the token is expired."
    );
    let e = err(&f, &at(&f, "exp", json!(NOW - LEEWAY_SECS - 1)));
    assert!(matches!(e, AuthError::Expired));
}

#[test]
fn malformed_numeric_dates() {
    let f = Fixture::new();
    let bad = [
        json!("tomorrow"),
        json!(-1),
        json!(1e300),
        json!(1.5),
        json!(NOW as f64),
        json!(u64::MAX),
        json!(null),
        json!([NOW]),
        json!(300_000_000_000i64),
    ];
    for claim in ["exp", "nbf", "iat"] {
        for value in &bad {
            let e = err(&f, &at(&f, claim, value.clone()));
            assert!(
                matches!(e, AuthError::BadClaim(c) if c == claim),
                "{claim}={value}: {e:?}"
            );
        }
    }
    for claim in ["exp", "iat"] {
        let token = f.with_claims(|c| {
            c.remove(claim);
        });
        assert!(matches!(err(&f, &token), AuthError::BadClaim(c) if c == claim));
    }
    let token = f.with_claims(|c| {
        c.remove("nbf");
    });
    assert!(f.verify(&token, NOW).is_ok(), "nbf is optional");
}

#[test]
fn not_before_and_issued_at_in_the_future() {
    let f = Fixture::new();
    let late = NOW + LEEWAY_SECS + 5;
    assert!(matches!(
        err(&f, &at(&f, "nbf", json!(late))),
        AuthError::NotYetValid
    ));
    assert!(matches!(
        err(&f, &at(&f, "iat", json!(late))),
        AuthError::IssuedInFuture
    ));
    let soon = NOW + LEEWAY_SECS - 5;
    assert!(f.verify(&at(&f, "nbf", json!(soon)), NOW).is_ok());
    assert!(f.verify(&at(&f, "iat", json!(soon)), NOW).is_ok());
}
