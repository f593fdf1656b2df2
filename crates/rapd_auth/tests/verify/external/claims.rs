//! Claim checks for an external issuer: J26–J42.

use rapd_auth::{CONSUMER_TENANT, LEEWAY_SECS, SCOPE_READ, VerifierConfig};

use super::*;

fn with(ext: &Ext, claim: &str, value: Value) -> String {
    ext.with_claims(&ext.rsa, RSA_KID, |c| {
        c.insert(claim.into(), value);
    })
}

fn without(ext: &Ext, claim: &str) -> String {
    ext.with_claims(&ext.rsa, RSA_KID, |c| {
        c.remove(claim);
    })
}

#[tokio::test]
async fn lifetime() {
    let ext = Ext::start(EntraVersion::V2).await;
    // J26: exp within and past the leeway.
    assert!(
        ext.verify(&with(&ext, "exp", json!(NOW - LEEWAY_SECS + 5)))
            .await
            .is_ok()
    );
    let late = with(&ext, "exp", json!(NOW - LEEWAY_SECS - 5));
    assert!(matches!(ext.err(&late).await, AuthError::Expired));
    // J27: missing or malformed exp.
    for exp in [json!("tomorrow"), json!(-1), json!(1e300), json!(null)] {
        let e = ext.err(&with(&ext, "exp", exp.clone())).await;
        assert!(matches!(e, AuthError::BadClaim("exp")), "{exp}: {e:?}");
    }
    assert!(matches!(
        ext.err(&without(&ext, "exp")).await,
        AuthError::BadClaim("exp")
    ));
    // J28, J29: not yet valid, issued in the future.
    let future = json!(NOW + LEEWAY_SECS + 5);
    assert!(matches!(
        ext.err(&with(&ext, "nbf", future.clone())).await,
        AuthError::NotYetValid
    ));
    assert!(matches!(
        ext.err(&with(&ext, "iat", future)).await,
        AuthError::IssuedInFuture
    ));
}

#[tokio::test]
async fn issuer_must_match_exactly() {
    let ext = Ext::start(EntraVersion::V2).await;
    let iss = EntraVersion::V2.issuer(TA);
    // J30, J31: missing, unknown, or almost ours.
    let bad = [
        json!(format!("{iss}/")),
        json!(iss.to_uppercase()),
        json!(iss.replace("https:", "http:")),
        json!(iss.replace(&TA.to_string(), &TA.to_string().to_uppercase())),
        json!(iss.replace(&TA.to_string(), "common")),
        json!(EntraVersion::V2.issuer_template()),
        json!("https://evil.example/"),
        json!(null),
        json!([iss]),
    ];
    for value in bad {
        let e = ext.err(&with(&ext, "iss", value.clone())).await;
        assert!(matches!(e, AuthError::WrongIssuer), "{value}: {e:?}");
    }
    assert!(matches!(
        ext.err(&without(&ext, "iss")).await,
        AuthError::WrongIssuer
    ));
}

#[tokio::test]
async fn tenant_and_issuer_must_agree() {
    for version in VERSIONS {
        let ext = Ext::start(version).await;
        // J34: tid of one tenant, iss of another.
        let token = with(&ext, "iss", json!(version.issuer(TB)));
        assert!(
            matches!(ext.err(&token).await, AuthError::WrongIssuer),
            "{version:?}"
        );
        let token = with(&ext, "tid", json!(TB));
        assert!(
            matches!(ext.err(&token).await, AuthError::WrongIssuer),
            "{version:?}"
        );
        // J35: missing, empty, `common`, not a GUID.
        let tid_upper = TA.to_string().to_uppercase();
        for tid in [
            json!(""),
            json!("common"),
            json!("organizations"),
            json!(tid_upper),
            json!(Uuid::nil()),
            json!(7),
        ] {
            let e = ext.err(&with(&ext, "tid", tid.clone())).await;
            assert!(
                matches!(e, AuthError::BadTenant),
                "{version:?} {tid}: {e:?}"
            );
        }
        assert!(matches!(
            ext.err(&without(&ext, "tid")).await,
            AuthError::BadTenant
        ));
    }
}

#[tokio::test]
async fn personal_accounts_verify_and_are_refused_by_authorize() {
    // J36: DESIGN.md §3 answers personal accounts with 403 from `authorize` (profiles.rs);
    // the verifier lets the token through so the answer can say why.
    let ext = Ext::start(EntraVersion::V2).await;
    let claims = entra_claims(
        CONSUMER_TENANT,
        ext.version,
        API,
        Principal::User(&[SCOPE_READ]),
        NOW,
    );
    let token = ext
        .rsa
        .sign(&Ext::header(&ext.rsa, RSA_KID), &claims.to_string());
    assert_eq!(ext.verify(&token).await.unwrap().tenant, CONSUMER_TENANT);
}

#[tokio::test]
async fn tenant_allow_list() {
    // J37.
    let ext = Ext::start_with(EntraVersion::V2, |c: &mut VerifierConfig| {
        c.issuers[0].tenants = Some(vec![TA]);
    })
    .await;
    assert!(ext.verify(&ext.token(&ext.ec, EC_KID)).await.is_ok());
    let claims = entra_claims(TB, ext.version, API, Principal::User(&[SCOPE_READ]), NOW);
    let token = ext
        .ec
        .sign(&Ext::header(&ext.ec, EC_KID), &claims.to_string());
    assert!(matches!(ext.err(&token).await, AuthError::TenantNotAllowed));
}

#[tokio::test]
async fn token_versions_are_not_mixed() {
    // J38: v1 tokens against a v2 issuer and the reverse; `ver` must be the configured one.
    for version in VERSIONS {
        let ext = Ext::start(version).await;
        let other = match version {
            EntraVersion::V1 => EntraVersion::V2,
            EntraVersion::V2 => EntraVersion::V1,
        };
        let claims = entra_claims(TA, other, API, Principal::User(&[SCOPE_READ]), NOW);
        let token = ext
            .rsa
            .sign(&Ext::header(&ext.rsa, RSA_KID), &claims.to_string());
        assert!(
            matches!(ext.err(&token).await, AuthError::WrongIssuer),
            "{version:?}"
        );
        for ver in [json!(other.ver()), json!(2), json!("2")] {
            let e = ext.err(&with(&ext, "ver", ver.clone())).await;
            assert!(
                matches!(e, AuthError::WrongTokenVersion),
                "{version:?} {ver}: {e:?}"
            );
        }
        let e = ext.err(&without(&ext, "ver")).await;
        assert!(matches!(e, AuthError::WrongTokenVersion));
    }
}

#[tokio::test]
async fn both_versions_side_by_side() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa();
    server.set_keys(vec![key.jwk(RSA_KID, None)]);
    let source = JwksSource::JwksUri(server.jwks_uri());
    let config = VerifierConfig {
        dev_issuer_trusted: false,
        issuers: VERSIONS
            .map(|v| v.issuer_config(source.clone(), &[API]))
            .to_vec(),
        jwks: settings(),
    };
    let verifier = Verifier::from_config(None, config).await;
    for version in VERSIONS {
        let claims = entra_claims(TA, version, API, Principal::User(&[SCOPE_READ]), NOW);
        let token = key.sign(&Ext::header(&key, RSA_KID), &claims.to_string());
        assert!(verifier.verify(&token, NOW).await.is_ok(), "{version:?}");
    }
}

#[tokio::test]
async fn only_access_tokens() {
    // J41: an ID token for the same client (nonce, no scp or roles) is not an access token.
    let ext = Ext::start(EntraVersion::V2).await;
    let id_token = ext.with_claims(&ext.rsa, RSA_KID, |c| {
        c.remove("scp");
        c.insert("nonce".into(), json!("abc"));
        c.insert("aud".into(), json!(API));
    });
    assert!(matches!(
        ext.err(&id_token).await,
        AuthError::NotAnAccessToken
    ));
    let with_nonce = with(&ext, "nonce", json!("abc"));
    assert!(matches!(
        ext.err(&with_nonce).await,
        AuthError::NotAnAccessToken
    ));
    let neither = without(&ext, "scp");
    assert!(matches!(
        ext.err(&neither).await,
        AuthError::NotAnAccessToken
    ));
}

#[tokio::test]
async fn duplicate_members_are_refused() {
    // J42: two `tid`s, or the same key spelled with an escape.
    let ext = Ext::start(EntraVersion::V2).await;
    let body = ext.claims().to_string();
    let inner = &body[1..body.len() - 1];
    for payload in [
        format!(r#"{{{inner},"tid":"{TB}"}}"#),
        format!(r#"{{"tid":"{TB}",{inner}}}"#),
        format!(r#"{{{inner},"t\u0069d":"{TA}"}}"#),
    ] {
        let token = ext.rsa.sign(&Ext::header(&ext.rsa, RSA_KID), &payload);
        assert!(
            matches!(ext.err(&token).await, AuthError::Malformed(_)),
            "{payload}"
        );
    }
    let header = format!(r#"{{"typ":"JWT","alg":"RS256","kid":"{RSA_KID}","kid":"{EC_KID}"}}"#);
    let token = ext.rsa.sign_raw(&header, &body);
    assert!(matches!(ext.err(&token).await, AuthError::Malformed(_)));
}
