//! Unsafe JWKS answers (reliability.md A27) and where keys may come from (A20): oversized,
//! endless, invalid or redirected documents fail closed, bad entries are skipped, and the
//! last good keys keep serving.

use std::time::{Duration, Instant};

use rapd_auth::testing::{Misbehaviour, Route};
use rapd_auth::{ConfigError, VerifierConfig};

use super::*;

/// Misbehaves, then asks for a key the issuer has rotated to: the refresh must fail closed
/// and the old key keep serving.
async fn refresh_fails_closed(ext: &Ext, how: Misbehaviour) {
    ext.server.misbehave(Route::Keys, how.clone());
    let before = ext.server.fetches();
    let rotated = ext.token(&ext.rsa, "rotated");
    let started = Instant::now();
    let e = ext.err(&rotated).await;
    assert!(matches!(e, AuthError::UnknownKey), "{how:?}: {e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{how:?} took {:?}",
        started.elapsed()
    );
    assert_eq!(ext.server.fetches(), before + 1, "{how:?}");
    assert!(
        ext.verify(&ext.token(&ext.ec, EC_KID)).await.is_ok(),
        "{how:?}: last good keys"
    );
}

#[tokio::test]
async fn oversized_invalid_and_failing_answers_keep_the_last_good_keys() {
    let cases = [
        Misbehaviour::Oversized(5 * 1024 * 1024),
        Misbehaviour::OversizedChunked(5 * 1024 * 1024),
        Misbehaviour::Oversized(1024 * 1024 + 1),
        Misbehaviour::InvalidJson,
        Misbehaviour::Body(b"[]".to_vec()),
        Misbehaviour::Body(br#"{"keys":"none"}"#.to_vec()),
        Misbehaviour::Body(br#"{"keys":[],"keys":[]}"#.to_vec()),
        Misbehaviour::Body(
            br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"rotated","x":"AA"}]}"#.to_vec(),
        ),
        Misbehaviour::Status(500),
        Misbehaviour::Status(404),
    ];
    for how in cases {
        // A fresh issuer per case: each refresh costs the interval.
        let ext = Ext::start(EntraVersion::V2).await;
        refresh_fails_closed(&ext, how).await;
    }
}

#[tokio::test]
async fn a_body_that_never_ends_times_out() {
    let ext = Ext::start_with(EntraVersion::V1, |c: &mut VerifierConfig| {
        c.jwks.fetch_timeout = Duration::from_millis(300);
    })
    .await;
    let started = Instant::now();
    refresh_fails_closed(&ext, Misbehaviour::Hang).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let ext = Ext::start(EntraVersion::V2).await;
    let elsewhere = JwksServer::start().await;
    elsewhere.set_keys(vec![
        ext.rsa.jwk("rotated", Some(ext.version.issuer_template())),
    ]);
    refresh_fails_closed(&ext, Misbehaviour::Redirect(elsewhere.jwks_uri())).await;
    assert_eq!(elsewhere.total_requests(), 0);
}

#[tokio::test]
async fn a_limit_at_exactly_max_bytes_is_allowed() {
    let ext = Ext::start_with(EntraVersion::V2, |c: &mut VerifierConfig| {
        c.jwks.max_bytes = 4096;
    })
    .await;
    let jwk = ext.rsa.jwk("rotated", None);
    let frame = json!({"keys": [jwk], "pad": ""}).to_string().len();
    let doc = json!({"keys": [jwk], "pad": "x".repeat(4096 - frame)}).to_string();
    assert_eq!(doc.len(), 4096);
    ext.server
        .misbehave(Route::Keys, Misbehaviour::Body(doc.into_bytes()));
    assert!(ext.verify(&ext.token(&ext.rsa, "rotated")).await.is_ok());
}

#[tokio::test]
async fn bad_entries_are_skipped_and_good_ones_kept() {
    let ext = Ext::start(EntraVersion::V2).await;
    let mut broken = ext.rsa.jwk("broken", None);
    broken["n"] = json!("AQAB");
    ext.server.set_keys(vec![
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "okp", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}),
        json!({"kty": "oct", "kid": "oct", "k": "c2VjcmV0"}),
        json!({"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"}),
        broken,
        json!("not an object"),
        ext.ec.jwk("rotated", None),
    ]);
    assert!(ext.verify(&ext.token(&ext.ec, "rotated")).await.is_ok());
    for kid in ["okp", "oct", "p384", "broken"] {
        assert!(
            matches!(
                ext.err(&ext.token(&ext.rsa, kid)).await,
                AuthError::UnknownKey
            ),
            "{kid}"
        );
    }
}

#[tokio::test]
async fn an_issuer_unreachable_at_start_gets_keys_once_it_answers() {
    let server = JwksServer::start().await;
    let key = TestKey::es256();
    server.misbehave(Route::Keys, Misbehaviour::Status(503));
    let config = VerifierConfig {
        dev_issuer_trusted: false,
        issuers: vec![
            EntraVersion::V2.issuer_config(JwksSource::JwksUri(server.jwks_uri()), &[API]),
        ],
        jwks: settings(),
    };
    let verifier = Verifier::from_config(None, config).await;
    let claims = entra_claims(
        TA,
        EntraVersion::V2,
        API,
        Principal::User(&[SCOPE_READ_WRITE]),
        NOW,
    );
    let token = key.sign(&Ext::header(&key, EC_KID), &claims.to_string());
    assert!(matches!(
        verifier.verify(&token, NOW).await,
        Err(AuthError::UnknownKey)
    ));
    server.behave();
    server.set_keys(vec![key.jwk(EC_KID, None)]);
    // Still within the interval of the failed refresh: no new fetch yet.
    assert!(matches!(
        verifier.verify(&token, NOW + 1).await,
        Err(AuthError::UnknownKey)
    ));
    assert!(verifier.verify(&token, NOW + INTERVAL).await.is_ok());
    assert_eq!(server.fetches(), 3);
}

#[tokio::test]
async fn discovery_names_the_jwks() {
    let server = JwksServer::start().await;
    let key = TestKey::rsa();
    let v2 = EntraVersion::V2;
    server.set_keys(vec![key.jwk(RSA_KID, Some(v2.issuer_template()))]);
    server.set_issuer(v2.issuer_template());
    let config = |url: String| VerifierConfig {
        dev_issuer_trusted: false,
        issuers: vec![v2.issuer_config(JwksSource::Discovery(url), &[API])],
        jwks: settings(),
    };
    let verifier = Verifier::from_config(None, config(server.discovery_url())).await;
    let claims = entra_claims(TA, v2, API, Principal::User(&[SCOPE_READ_WRITE]), NOW);
    let token = key.sign(&Ext::header(&key, RSA_KID), &claims.to_string());
    assert!(verifier.verify(&token, NOW).await.is_ok());
    assert_eq!((server.discovery_fetches(), server.fetches()), (1, 1));

    // A discovery document of another issuer is not trusted for this one.
    server.set_issuer("https://evil.example/{tenantid}/v2.0");
    let verifier = Verifier::from_config(None, config(server.discovery_url())).await;
    assert!(matches!(
        verifier.verify(&token, NOW).await,
        Err(AuthError::UnknownKey)
    ));
    assert_eq!(server.fetches(), 1, "its jwks_uri was not fetched");

    // A redirected discovery document is not followed either.
    server.set_issuer(v2.issuer_template());
    let elsewhere = JwksServer::start().await;
    server.misbehave(
        Route::Discovery,
        Misbehaviour::Redirect(elsewhere.discovery_url()),
    );
    let verifier = Verifier::from_config(None, config(server.discovery_url())).await;
    assert!(matches!(
        verifier.verify(&token, NOW).await,
        Err(AuthError::UnknownKey)
    ));
    assert_eq!(elsewhere.total_requests(), 0);
}

#[tokio::test]
async fn only_https_or_loopback_urls_are_configured() {
    let mut config = VerifierConfig {
        dev_issuer_trusted: false,
        issuers: vec![EntraVersion::V2.issuer_config(
            JwksSource::JwksUri(
                "http://login.microsoftonline.com/common/discovery/v2.0/keys".into(),
            ),
            &[API],
        )],
        jwks: settings(),
    };
    assert!(matches!(config.validate(), Err(ConfigError::Url { .. })));
    // Left out, so its tokens have no issuer here.
    let verifier = Verifier::from_config(None, config.clone()).await;
    let key = TestKey::rsa();
    let claims = entra_claims(
        TA,
        EntraVersion::V2,
        API,
        Principal::User(&[SCOPE_READ_WRITE]),
        NOW,
    );
    let token = key.sign(&Ext::header(&key, RSA_KID), &claims.to_string());
    assert!(matches!(
        verifier.verify(&token, NOW).await,
        Err(AuthError::WrongIssuer)
    ));

    config.issuers[0].jwks =
        JwksSource::JwksUri("https://login.microsoftonline.com/common/discovery/v2.0/keys".into());
    assert!(config.validate().is_ok());
    let twice = VerifierConfig {
        issuers: vec![config.issuers[0].clone(), config.issuers[0].clone()],
        ..config.clone()
    };
    assert!(matches!(twice.validate(), Err(ConfigError::Issuer { .. })));
    let mut bad = config.clone();
    bad.issuers[0].issuer = "https://x/{tenantid}/{tenantid}".into();
    assert!(bad.validate().is_err());
    let mut bad = config.clone();
    bad.issuers[0].audiences.clear();
    assert!(bad.validate().is_err());
    let mut bad = config.clone();
    bad.issuers[0].token_version = Some("3.0".into());
    assert!(bad.validate().is_err());
    let mut bad = config;
    bad.jwks.max_bytes = 0;
    assert!(matches!(bad.validate(), Err(ConfigError::Jwks(_))));
}
