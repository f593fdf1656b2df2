//! Keys are bound to their issuer: J23 (across issuers), J24 (what a JWKS entry allows),
//! J25 (Entra's per-key `issuer`).

use rapd_auth::{CONSUMER_TENANT, DevIssuer, IssuerConfig, SCOPE_READ, VerifierConfig};

use super::super::support::user;
use super::*;

#[tokio::test]
async fn keys_of_one_issuer_never_verify_another_issuers_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let dev = DevIssuer::load_or_create(dir.path()).unwrap();
    let ext = Ext::start(EntraVersion::V2).await;
    let verifier = Verifier::from_config(
        Some(&dev),
        VerifierConfig {
            dev_issuer_trusted: true,
            issuers: vec![
                EntraVersion::V2.issuer_config(JwksSource::JwksUri(ext.server.jwks_uri()), &[API]),
            ],
            jwks: settings(),
        },
    )
    .await;
    // Both issuers' own tokens verify.
    let dev_token = dev.mint(&user(&[SCOPE_READ]), NOW).unwrap();
    assert!(verifier.verify(&dev_token, NOW).await.is_ok());
    assert!(
        verifier
            .verify(&ext.token(&ext.ec, EC_KID), NOW)
            .await
            .is_ok()
    );
    // The development key's kid under the external issuer's iss: not among its keys.
    let dev_key = super::super::support::read_secret(dir.path());
    let claims = ext.claims().to_string();
    let header = json!({"typ": "JWT", "alg": "ES256", "kid": dev.kid()}).to_string();
    let forged = super::super::support::sign_es256(&dev_key, &header, &claims);
    assert!(matches!(
        verifier.verify(&forged, NOW).await,
        Err(AuthError::UnknownKey)
    ));
    // The external key's kid under the development issuer's iss.
    let mut dev_claims = super::super::support::decode_json(dev_token.split('.').nth(1).unwrap());
    dev_claims["aud"] = json!(API);
    let header = json!({"typ": "at+jwt", "alg": "ES256", "kid": EC_KID});
    let forged = ext.ec.sign(&header, &dev_claims.to_string());
    assert!(matches!(
        verifier.verify(&forged, NOW).await,
        Err(AuthError::UnknownKey)
    ));
}

#[tokio::test]
async fn a_kid_shared_by_two_issuers_is_two_keys() {
    let ext = Ext::start(EntraVersion::V2).await;
    let other_server = JwksServer::start().await;
    let other_key = TestKey::rsa_second();
    other_server.set_keys(vec![other_key.jwk(RSA_KID, None)]);
    let other = IssuerConfig {
        issuer: "https://idp.example/".into(),
        jwks: JwksSource::JwksUri(other_server.jwks_uri()),
        audiences: vec![API.into()],
        token_version: None,
        tenants: None,
        token_types: vec![],
    };
    let verifier = Verifier::from_config(
        None,
        VerifierConfig {
            dev_issuer_trusted: false,
            issuers: vec![
                EntraVersion::V2.issuer_config(JwksSource::JwksUri(ext.server.jwks_uri()), &[API]),
                other,
            ],
            jwks: settings(),
        },
    )
    .await;
    let mut claims = ext.claims();
    claims["iss"] = json!("https://idp.example/");
    let theirs = other_key.sign(&Ext::header(&other_key, RSA_KID), &claims.to_string());
    assert!(verifier.verify(&theirs, NOW).await.is_ok());
    // The other issuer's key under Entra's iss, same kid: checked against Entra's key.
    let forged = other_key.sign(&Ext::header(&other_key, RSA_KID), &ext.claims().to_string());
    assert!(matches!(
        verifier.verify(&forged, NOW).await,
        Err(AuthError::BadSignature)
    ));
    // Entra's key under the other issuer's iss.
    let forged = ext
        .rsa
        .sign(&Ext::header(&ext.rsa, RSA_KID), &claims.to_string());
    assert!(matches!(
        verifier.verify(&forged, NOW).await,
        Err(AuthError::BadSignature)
    ));
}

#[tokio::test]
async fn entries_a_jwks_does_not_allow_for_signing() {
    // J24: an encryption key, or a key whose published alg is not the one it would verify.
    let ext = Ext::start(EntraVersion::V1).await;
    let mut enc = ext.rsa.jwk("enc", None);
    enc["use"] = json!("enc");
    let mut rs384 = ext.rsa.jwk("rs384", None);
    rs384["alg"] = json!("RS384");
    let mut ec_as_rsa = ext.ec.jwk("ec-rs", None);
    ec_as_rsa["alg"] = json!("RS256");
    let mut explicit = ext.rsa.jwk("explicit", None);
    explicit["alg"] = json!("RS256");
    ext.server.set_keys(vec![enc, rs384, ec_as_rsa, explicit]);
    for (key, kid) in [(&ext.rsa, "enc"), (&ext.rsa, "rs384"), (&ext.ec, "ec-rs")] {
        let token = ext.token(key, kid);
        assert!(
            matches!(ext.err(&token).await, AuthError::UnknownKey),
            "{kid}"
        );
    }
    assert!(ext.verify(&ext.token(&ext.rsa, "explicit")).await.is_ok());
}

#[tokio::test]
async fn entra_key_issuer_binding() {
    // J25: Entra publishes each key with the issuer it signs for.
    let server = JwksServer::start().await;
    let (org, consumer, foreign) = (TestKey::rsa(), TestKey::es256(), TestKey::rsa_second());
    let v2 = EntraVersion::V2;
    server.set_keys(vec![
        org.jwk("org", Some(v2.issuer_template())),
        consumer.jwk("consumer", Some(&v2.issuer(CONSUMER_TENANT))),
        foreign.jwk("foreign", Some("https://idp.example/{tenantid}/")),
    ]);
    let config = VerifierConfig {
        dev_issuer_trusted: false,
        issuers: vec![v2.issuer_config(JwksSource::JwksUri(server.jwks_uri()), &[API])],
        jwks: settings(),
    };
    let verifier = Verifier::from_config(None, config).await;
    let token = |key: &TestKey, kid: &str, tenant: Uuid| {
        let claims = entra_claims(tenant, v2, API, Principal::User(&[SCOPE_READ]), NOW);
        key.sign(&Ext::header(key, kid), &claims.to_string())
    };
    let verify = |t: String| {
        let v = &verifier;
        async move { v.verify(&t, NOW).await }
    };
    assert!(verify(token(&org, "org", TA)).await.is_ok());
    assert!(verify(token(&org, "org", CONSUMER_TENANT)).await.is_ok());
    assert!(
        verify(token(&consumer, "consumer", CONSUMER_TENANT))
            .await
            .is_ok()
    );
    // The consumer tenant's key cannot sign for an organisation.
    assert!(matches!(
        verify(token(&consumer, "consumer", TA)).await,
        Err(AuthError::WrongIssuer)
    ));
    // A key published for another issuer cannot sign for this one.
    assert!(matches!(
        verify(token(&foreign, "foreign", TA)).await,
        Err(AuthError::WrongIssuer)
    ));
}

#[tokio::test]
async fn an_untrusted_development_issuer_signs_nothing() {
    // J39: the development key exists, but the configuration does not trust it.
    let dir = tempfile::tempdir().unwrap();
    let dev = DevIssuer::load_or_create(dir.path()).unwrap();
    let ext = Ext::start(EntraVersion::V2).await;
    let config = VerifierConfig {
        dev_issuer_trusted: false,
        issuers: vec![
            EntraVersion::V2.issuer_config(JwksSource::JwksUri(ext.server.jwks_uri()), &[API]),
        ],
        jwks: settings(),
    };
    let verifier = Verifier::from_config(Some(&dev), config).await;
    let dev_token = dev.mint(&user(&[SCOPE_READ]), NOW).unwrap();
    assert!(matches!(
        verifier.verify(&dev_token, NOW).await,
        Err(AuthError::WrongIssuer)
    ));
    assert!(
        verifier
            .verify(&ext.token(&ext.rsa, RSA_KID), NOW)
            .await
            .is_ok()
    );
}
