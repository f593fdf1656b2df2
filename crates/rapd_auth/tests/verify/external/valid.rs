//! The baseline: genuine v1 and v2 tokens, RS256 and ES256, delegated and app-only.

use rapd_auth::testing::{TEST_CLIENT_APP, TEST_USER};
use rapd_auth::{CallerKind, GRAPH_AUDIENCE, SCOPE_READ, VerifierConfig};

use super::*;

#[tokio::test]
async fn genuine_tokens_of_both_versions_and_algorithms_verify() {
    for version in VERSIONS {
        let ext = Ext::start(version).await;
        assert_eq!(ext.server.fetches(), 1, "one fetch at construction");
        for (key, kid) in ext.keys() {
            let caller = ext.verify(&ext.token(key, kid)).await.unwrap();
            assert_eq!(caller.tenant, TA, "{version:?} {kid}");
            assert_eq!(caller.kind, CallerKind::Delegated);
            assert_eq!(caller.scopes, [SCOPE_READ_WRITE]);
            assert_eq!(caller.app_id, Some(TEST_CLIENT_APP.to_string()));
            assert_eq!(caller.object_id, Some(TEST_USER));
            assert_eq!(caller.display.as_deref(), Some("test.user@contoso.example"));
            assert_eq!(caller.expires_at, NOW + 3600);
        }
        // Another tenant of the same multi-tenant issuer is its own valid caller.
        let claims = entra_claims(TB, version, API, Principal::User(&[SCOPE_READ]), NOW);
        let token = ext
            .rsa
            .sign(&Ext::header(&ext.rsa, RSA_KID), &claims.to_string());
        assert_eq!(ext.verify(&token).await.unwrap().tenant, TB);
        assert_eq!(ext.server.fetches(), 1, "known kids never fetch");
    }
}

#[tokio::test]
async fn app_only_tokens_carry_their_roles() {
    let ext = Ext::start(EntraVersion::V2).await;
    let claims = entra_claims(
        TA,
        ext.version,
        API,
        Principal::App(&[SCOPE_READ_WRITE]),
        NOW,
    );
    let token = ext
        .ec
        .sign(&Ext::header(&ext.ec, EC_KID), &claims.to_string());
    let caller = ext.verify(&token).await.unwrap();
    assert_eq!(caller.kind, CallerKind::Application);
    assert_eq!(caller.scopes, [SCOPE_READ_WRITE]);
}

#[tokio::test]
async fn header_typ_is_checked_per_issuer() {
    let ext = Ext::start(EntraVersion::V2).await;
    for typ in [
        "JWT",
        "jwt",
        "at+jwt",
        "application/at+jwt",
        "AT+JWT",
        "Application/JWT",
    ] {
        let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
            h.insert("typ".into(), json!(typ));
        });
        assert!(ext.verify(&token).await.is_ok(), "{typ}");
    }
    for typ in [
        json!("JWS"),
        json!("id_token"),
        json!("JWT "),
        json!(""),
        json!(1),
    ] {
        let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
            h.insert("typ".into(), typ.clone());
        });
        assert!(
            matches!(ext.err(&token).await, AuthError::UnsupportedType),
            "{typ}"
        );
    }
    let token = ext.with_header(&ext.rsa, RSA_KID, |h| {
        h.remove("typ");
    });
    assert!(matches!(ext.err(&token).await, AuthError::UnsupportedType));

    // An issuer configured for RFC 9068 tokens only.
    let strict = Ext::start_with(EntraVersion::V2, |c: &mut VerifierConfig| {
        c.issuers[0].token_types = vec!["application/at+jwt".into()];
    })
    .await;
    let at_jwt = strict.with_header(&strict.ec, EC_KID, |h| {
        h.insert("typ".into(), json!("at+jwt"));
    });
    assert!(strict.verify(&at_jwt).await.is_ok());
    let jwt = strict.token(&strict.ec, EC_KID);
    assert!(matches!(strict.err(&jwt).await, AuthError::UnsupportedType));
}

#[tokio::test]
async fn audience_is_the_configured_one() {
    let ext = Ext::start(EntraVersion::V1).await;
    // J33: an array holding ours among others.
    let token = ext.with_claims(&ext.rsa, RSA_KID, |c| {
        c.insert("aud".into(), json!(["api://other", API]));
    });
    assert!(ext.verify(&token).await.is_ok());
    // J32: missing, Graph's own, another app's.
    for aud in [
        json!(GRAPH_AUDIENCE),
        json!(rapd_auth::GRAPH_APP_ID),
        json!("api://other"),
        json!([]),
        json!(API.to_uppercase()),
    ] {
        let token = ext.with_claims(&ext.rsa, RSA_KID, |c| {
            c.insert("aud".into(), aud.clone());
        });
        assert!(
            matches!(ext.err(&token).await, AuthError::WrongAudience),
            "{aud}"
        );
    }
    let token = ext.with_claims(&ext.rsa, RSA_KID, |c| {
        c.remove("aud");
    });
    assert!(matches!(ext.err(&token).await, AuthError::WrongAudience));
}
