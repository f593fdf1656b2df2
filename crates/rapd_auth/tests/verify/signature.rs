use super::*;

#[test]
fn attacker_key_with_our_kid() {
    let f = Fixture::new();
    let attacker = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let (header, claims) = f.parts();
    let token = sign_es256(&attacker, &header.to_string(), &claims.to_string());
    assert!(matches!(err(&f, &token), AuthError::BadSignature));
}

#[test]
fn embedded_and_remote_keys_are_never_trusted() {
    let f = Fixture::new();
    // The attacker runs their own rapd: a key pair, its JWK and its kid.
    let attacker_dir = tempfile::tempdir().unwrap();
    let attacker_issuer = DevIssuer::load_or_create(attacker_dir.path()).unwrap();
    let attacker = read_secret(attacker_dir.path());
    let jwk = attacker_issuer.jwks()["keys"][0].clone();
    let canary = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let url = format!("http://{}/jwks", canary.local_addr().unwrap());
    let (header, claims) = f.parts();

    let mut with_our_kid = header.clone();
    with_our_kid["jwk"] = jwk.clone();
    with_our_kid["jku"] = json!(url);
    with_our_kid["x5u"] = json!(url);
    with_our_kid["x5c"] = json!(["MIIB"]);
    let token = sign_es256(&attacker, &with_our_kid.to_string(), &claims.to_string());
    assert!(matches!(err(&f, &token), AuthError::BadSignature));

    let mut with_their_kid = with_our_kid.clone();
    with_their_kid["kid"] = json!(attacker_issuer.kid());
    let token = sign_es256(&attacker, &with_their_kid.to_string(), &claims.to_string());
    assert!(matches!(err(&f, &token), AuthError::UnknownKey));

    let e = canary.accept().unwrap_err();
    assert_eq!(
        e.kind(),
        std::io::ErrorKind::WouldBlock,
        "the verifier connected out"
    );
}

#[test]
fn damaged_signatures() {
    let f = Fixture::new();
    let good = f.mint(&user(&[SCOPE_READ]));
    let (input, sig) = good.rsplit_once('.').unwrap();
    let mut raw =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    raw[10] ^= 0x01;
    let der = {
        let (header, claims) = f.parts();
        let input = signing_input(&header.to_string(), &claims.to_string());
        let s: Signature = SigningKey::from(&f.secret).sign(input.as_bytes());
        format!("{input}.{}", b64(s.to_der().as_bytes()))
    };
    let other = f.mint(&user(&[SCOPE_READ_WRITE]));
    let cases = [
        format!("{input}.{}", b64(&raw)),
        format!("{input}."),
        format!("{input}.{}", b64([0u8; 64])),
        format!("{input}.{}", b64([0xffu8; 64])),
        format!("{input}.{}", &sig[..sig.len() - 2]),
        der,
        format!("{input}.{}", other.rsplit_once('.').unwrap().1),
    ];
    for token in cases {
        let e = err(&f, &token);
        assert!(matches!(e, AuthError::BadSignature), "{token}: {e:?}");
    }
    assert!(f.verify(&good, NOW).is_ok());
}

/// The same signature with `s` replaced by `n - s` verifies mathematically; it is refused.
#[test]
fn high_s_twin_of_a_valid_signature_is_refused() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let f = Fixture::new();
    let token = f.mint(&user(&[SCOPE_READ_WRITE]));
    assert!(f.verify(&token, NOW).is_ok());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let low = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    assert!(low.normalize_s().is_none(), "signers write low S");
    let (r, s) = low.split_scalars();
    let high = Signature::from_scalars(r.to_bytes(), (-*s.as_ref()).to_bytes()).unwrap();
    assert!(high.normalize_s().is_some(), "the twin is high S");
    let twin = format!("{input}.{}", URL_SAFE_NO_PAD.encode(high.to_bytes()));
    assert!(matches!(err(&f, &twin), AuthError::BadSignature));
}
