use super::*;

#[test]
fn delegated_token_verifies_into_its_caller() {
    let f = Fixture::new();
    let caller = f
        .verify(&f.mint(&user(&[SCOPE_READ, "User.Read"])), NOW)
        .unwrap();
    assert_eq!(caller.tenant, DEV_TENANT);
    assert_eq!(caller.kind, CallerKind::Delegated);
    assert_eq!(caller.app_id, Some(DEV_APP.to_string()));
    assert_eq!(caller.object_id, Some(DEV_USER));
    assert_eq!(caller.display.as_deref(), Some("dev@rapd.localhost"));
    assert_eq!(caller.scopes, [SCOPE_READ, "User.Read"]);
    assert_eq!(caller.expires_at, NOW + HOUR as i64);
}

#[test]
fn app_token_verifies_with_roles_as_scopes() {
    let f = Fixture::new();
    let sp = Uuid::from_u128(7);
    let req = TokenRequest {
        subject: Subject::App(sp),
        ..user(&[SCOPE_READ_WRITE])
    };
    let caller = f.verify(&f.mint(&req), NOW).unwrap();
    assert_eq!(caller.kind, CallerKind::Application);
    assert_eq!(caller.object_id, Some(sp));
    assert_eq!(caller.scopes, [SCOPE_READ_WRITE]);
    assert_eq!(caller.display, None);
}

#[test]
fn minted_token_has_graph_shape() {
    let f = Fixture::new();
    let (header, claims) = f.parts();
    assert_eq!(
        header,
        json!({"alg": "ES256", "typ": "at+jwt", "kid": f.dev.kid()})
    );
    let issuer = format!("https://rapd.localhost/{DEV_TENANT}/v2.0");
    assert_eq!(claims["aud"], GRAPH_AUDIENCE);
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["tid"], DEV_TENANT.to_string());
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["nbf"], NOW);
    assert_eq!(claims["exp"], NOW + 3600);
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["azp"], DEV_APP.to_string());
    assert_eq!(claims["appid"], DEV_APP.to_string());
    assert_eq!(claims["oid"], DEV_USER.to_string());
    assert_eq!(claims["sub"], DEV_USER.to_string());
    assert_eq!(claims["idtyp"], "user");
    assert_eq!(claims["scp"], SCOPE_READ_WRITE);
    assert!(Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
    assert!(claims.get("roles").is_none());
}

#[test]
fn app_token_carries_roles_and_idtyp_app() {
    let f = Fixture::new();
    let req = TokenRequest {
        subject: Subject::App(DEV_APP),
        ..user(&[SCOPE_READ, SCOPE_READ_WRITE])
    };
    let token = f.mint(&req);
    let claims = decode_json(token.split('.').nth(1).unwrap());
    assert_eq!(claims["roles"], json!([SCOPE_READ, SCOPE_READ_WRITE]));
    assert_eq!(claims["idtyp"], "app");
    assert!(claims.get("scp").is_none());
}

#[test]
fn issuer_and_jwks() {
    let f = Fixture::new();
    assert_eq!(
        DEV_ISSUER_TEMPLATE,
        "https://rapd.localhost/{tenantid}/v2.0"
    );
    assert_eq!(
        f.dev.issuer_for(TB),
        "https://rapd.localhost/1b2c3d4e-0000-4000-8000-00000000000b/v2.0"
    );
    let jwks = f.dev.jwks();
    let key = &jwks["keys"][0];
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["kid"], f.dev.kid());
    // RFC 7638 thumbprint recomputed from the published members.
    use sha2::Digest;
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        key["x"].as_str().unwrap(),
        key["y"].as_str().unwrap()
    );
    assert_eq!(f.dev.kid(), b64(sha2::Sha256::digest(canonical)));
    let point = p256::EncodedPoint::from(f.secret.public_key());
    assert_eq!(key["x"], b64(point.x().unwrap()));
    assert_eq!(key["y"], b64(point.y().unwrap()));
}

#[test]
fn mint_refuses_nonsense_requests() {
    let f = Fixture::new();
    let bad = [
        TokenRequest {
            tenant: Uuid::nil(),
            ..user(&[])
        },
        TokenRequest {
            ttl_secs: 0,
            ..user(&[])
        },
        TokenRequest {
            ttl_secs: u64::MAX,
            ..user(&[])
        },
        user(&["Two words"]),
        user(&[""]),
    ];
    for req in bad {
        let e = f.dev.mint(&req, NOW).unwrap_err();
        assert!(
            matches!(e, AuthError::InvalidTokenRequest(_)),
            "{req:?}: {e:?}"
        );
    }
}

#[test]
fn no_trusted_issuer_means_no_token_verifies() {
    let f = Fixture::new();
    let verifier = Verifier::new(None);
    let e = block_on(verifier.verify(&f.mint(&user(&[SCOPE_READ])), NOW)).unwrap_err();
    // No issuer is configured, so the token's issuer is nobody's.
    assert!(matches!(e, AuthError::WrongIssuer));
}

#[test]
fn development_ids_are_the_documented_ones() {
    assert_eq!(
        DEV_TENANT.to_string(),
        "d3f0a7c2-5b1e-4c8d-9a6f-1e2b3c4d5e60"
    );
    assert_eq!(DEV_USER.to_string(), "a1c2e3f4-0b1d-4e5f-8a7b-6c5d4e3f2a10");
    assert_eq!(DEV_APP.to_string(), "0e8b1f2a-9c3d-4a6b-b7e5-3f2d1c0b9a80");
    assert_eq!(
        CONSUMER_TENANT.to_string(),
        "9188040d-6c67-4c5b-b112-36a304b66dad"
    );
}
