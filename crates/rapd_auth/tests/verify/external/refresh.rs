//! The JWKS cache: rotation, rate-limited refresh on unknown kids (J16, J17), one fetch shared
//! by concurrent misses, withdrawn keys, and background refresh of old keys.

use std::sync::Arc;
use std::time::Duration;

use rapd_auth::SCOPE_READ;

use super::*;

fn random_kid() -> String {
    format!("kid-{:032x}", rand::random::<u128>())
}

/// `n` well-formed tokens under random kids. Signing each would only slow the test down:
/// the verifier never reaches a signature check without a key.
fn random_kid_tokens(ext: &Ext, n: usize) -> Vec<String> {
    let good = ext.token(&ext.ec, EC_KID);
    let (_, rest) = good.split_once('.').unwrap();
    (0..n)
        .map(|_| {
            let header = Ext::header(&ext.ec, &random_kid()).to_string();
            format!("{}.{rest}", rapd_auth::testing::b64url(header))
        })
        .collect()
}

#[tokio::test]
async fn an_unknown_kid_refreshes_at_most_once_per_interval() {
    // J16.
    let ext = Ext::start(EntraVersion::V2).await;
    assert_eq!(ext.server.fetches(), 1);
    let unknown = ext.token(&ext.rsa, "nope");
    assert!(matches!(ext.err(&unknown).await, AuthError::UnknownKey));
    assert_eq!(ext.server.fetches(), 2, "the first miss refreshes");
    for t in [NOW, NOW + 1, NOW + INTERVAL - 1] {
        let e = ext
            .verifier
            .verify(&ext.token(&ext.ec, &random_kid()), t)
            .await;
        assert!(matches!(e, Err(AuthError::UnknownKey)));
    }
    assert_eq!(ext.server.fetches(), 2, "no refresh within the interval");
    let e = ext.verifier.verify(&unknown, NOW + INTERVAL).await;
    assert!(matches!(e, Err(AuthError::UnknownKey)));
    assert_eq!(ext.server.fetches(), 3, "one more after the interval");
}

#[tokio::test]
async fn a_storm_of_random_kids_costs_one_fetch_per_interval() {
    // J17: 1 000 requests with random kids, concurrently and then spread over the interval.
    let ext = Arc::new(Ext::start(EntraVersion::V2).await);
    let mut storm = tokio::task::JoinSet::new();
    for token in random_kid_tokens(&ext, 1000) {
        let ext = Arc::clone(&ext);
        storm.spawn(async move { ext.verifier.verify(&token, NOW).await });
    }
    while let Some(result) = storm.join_next().await {
        assert!(matches!(result.unwrap(), Err(AuthError::UnknownKey)));
    }
    assert!(
        ext.server.fetches() <= 2,
        "{} fetches",
        ext.server.fetches()
    );
    for (i, token) in random_kid_tokens(&ext, 1000).into_iter().enumerate() {
        let t = NOW + i as i64 % INTERVAL;
        let e = ext.verifier.verify(&token, t).await;
        assert!(matches!(e, Err(AuthError::UnknownKey)));
    }
    assert!(
        ext.server.fetches() <= 2,
        "{} fetches",
        ext.server.fetches()
    );
    // Valid traffic is unaffected all along.
    assert!(ext.verify(&ext.token(&ext.rsa, RSA_KID)).await.is_ok());
    let before = ext.server.fetches();
    for token in random_kid_tokens(&ext, 100) {
        let e = ext.verifier.verify(&token, NOW + INTERVAL).await;
        assert!(matches!(e, Err(AuthError::UnknownKey)));
    }
    assert_eq!(ext.server.fetches(), before + 1);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_one_shared_fetch() {
    let ext = Arc::new(Ext::start(EntraVersion::V1).await);
    let new_key = TestKey::es256();
    ext.server.set_keys(vec![
        ext.rsa.jwk(RSA_KID, None),
        new_key.jwk("rotated", None),
    ]);
    let token =
        Arc::new(new_key.sign(&Ext::header(&new_key, "rotated"), &ext.claims().to_string()));
    let mut misses = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (ext, token) = (Arc::clone(&ext), Arc::clone(&token));
        misses.spawn(async move { ext.verifier.verify(&token, NOW).await });
    }
    while let Some(result) = misses.join_next().await {
        assert!(
            result.unwrap().is_ok(),
            "every concurrent miss waits for the one fetch"
        );
    }
    assert_eq!(ext.server.fetches(), 2);
    // The key that left the set is no longer trusted once the set is refreshed.
    assert!(matches!(
        ext.err(&ext.token(&ext.ec, EC_KID)).await,
        AuthError::UnknownKey
    ));
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_even_cached_tokens() {
    let ext = Ext::start(EntraVersion::V2).await;
    let token = ext.token(&ext.ec, EC_KID);
    assert!(ext.verify(&token).await.is_ok());
    // Emergency rollover: the issuer withdraws the key.
    ext.server.set_keys(vec![
        ext.rsa.jwk(RSA_KID, Some(ext.version.issuer_template())),
    ]);
    let unknown = ext.token(&ext.rsa, "next");
    assert!(ext.verifier.verify(&unknown, NOW + 1).await.is_err());
    assert_eq!(ext.server.fetches(), 2);
    let e = ext.verifier.verify(&token, NOW + 2).await;
    assert!(matches!(e, Err(AuthError::UnknownKey)), "{e:?}");
    // A token of a key that stayed is still good.
    assert!(
        ext.verifier
            .verify(&ext.token(&ext.rsa, RSA_KID), NOW + 2)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn old_keys_are_refreshed_in_the_background() {
    let ext = Ext::start(EntraVersion::V2).await;
    assert!(ext.verify(&ext.token(&ext.rsa, RSA_KID)).await.is_ok());
    assert_eq!(ext.server.fetches(), 1);
    let day = 24 * 3600;
    let later = NOW + day;
    let claims = entra_claims(TA, ext.version, API, Principal::User(&[SCOPE_READ]), later);
    let token = ext
        .ec
        .sign(&Ext::header(&ext.ec, EC_KID), &claims.to_string());
    // Old keys keep serving while the refresh runs.
    assert!(ext.verifier.verify(&token, later).await.is_ok());
    for _ in 0..200 {
        if ext.server.fetches() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(ext.server.fetches(), 2, "one background refresh");
    let token2 = ext
        .rsa
        .sign(&Ext::header(&ext.rsa, RSA_KID), &claims.to_string());
    assert!(ext.verifier.verify(&token2, later + 1).await.is_ok());
    assert_eq!(
        ext.server.fetches(),
        2,
        "fresh keys are not refreshed again"
    );
}
