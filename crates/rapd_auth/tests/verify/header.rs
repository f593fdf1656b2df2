use super::*;

#[test]
fn alg_none_in_every_spelling() {
    let f = Fixture::new();
    let (_, claims) = f.parts();
    let input_claims = b64(claims.to_string());
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(json!({"alg": alg, "typ": "at+jwt", "kid": f.dev.kid()}).to_string());
        for signature in ["", "AAAA"] {
            let token = format!("{header}.{input_claims}.{signature}");
            let e = err(&f, &token);
            assert!(matches!(e, AuthError::UnsupportedAlgorithm), "{alg}: {e:?}");
        }
        let no_kid = b64(json!({"alg": alg}).to_string());
        assert!(f.verify(&format!("{no_kid}.{input_claims}."), NOW).is_err());
    }
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let f = Fixture::new();
    let (mut header, claims) = f.parts();
    header["alg"] = json!("HS256");
    let public = f.secret.public_key();
    let point = p256::EncodedPoint::from(public);
    let secrets: Vec<Vec<u8>> = vec![
        point.as_bytes().to_vec(),
        public
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
            .into_bytes(),
        public.to_public_key_der().unwrap().as_bytes().to_vec(),
        b64(point.x().unwrap()).into_bytes(),
        f.dev.jwks()["keys"][0].to_string().into_bytes(),
    ];
    for secret in secrets {
        let input = signing_input(&header.to_string(), &claims.to_string());
        let key = EncodingKey::from_secret(&secret);
        let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).unwrap();
        let e = err(&f, &format!("{input}.{sig}"));
        assert!(matches!(e, AuthError::UnsupportedAlgorithm), "{e:?}");
    }
}

#[test]
fn only_es256_exactly() {
    let f = Fixture::new();
    for alg in ["es256", "ES384", "RS256", "PS256", "EdDSA", "ES256 "] {
        let token = f.with_header(|h| {
            h.insert("alg".into(), json!(alg));
        });
        assert!(
            matches!(err(&f, &token), AuthError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
    let token = f.with_header(|h| {
        h.remove("alg");
    });
    assert!(matches!(err(&f, &token), AuthError::Malformed(_)));
}

#[test]
fn kid_is_only_a_map_key() {
    let f = Fixture::new();
    let kids = [
        json!("../../dev/null"),
        json!("' OR 1=1 --"),
        json!("k".repeat(10_000)),
        json!(f.dev.kid().to_uppercase()),
        json!(42),
        json!({"kid": f.dev.kid()}),
        json!(null),
    ];
    for kid in kids {
        let token = f.with_header(|h| {
            h.insert("kid".into(), kid.clone());
        });
        assert!(matches!(err(&f, &token), AuthError::UnknownKey), "{kid}");
    }
    let token = f.with_header(|h| {
        h.remove("kid");
    });
    assert!(matches!(err(&f, &token), AuthError::UnknownKey));
}

#[test]
fn crit_is_always_refused() {
    let f = Fixture::new();
    for crit in [json!(["exp"]), json!(["x-foo"]), json!([]), json!("b64")] {
        let token = f.with_header(|h| {
            h.insert("crit".into(), crit.clone());
            h.insert("x-foo".into(), json!(true));
        });
        assert!(
            matches!(err(&f, &token), AuthError::CriticalHeader),
            "{crit}"
        );
    }
}

#[test]
fn typ_must_be_at_jwt() {
    let f = Fixture::new();
    for typ in [
        json!("JWT"),
        json!("jwt"),
        json!("at+jwt "),
        json!(""),
        json!(1),
        json!(null),
    ] {
        let token = f.with_header(|h| {
            h.insert("typ".into(), typ.clone());
        });
        assert!(
            matches!(err(&f, &token), AuthError::UnsupportedType),
            "{typ}"
        );
    }
    let token = f.with_header(|h| {
        h.remove("typ");
    });
    assert!(matches!(err(&f, &token), AuthError::UnsupportedType));
    for typ in ["application/at+jwt", "AT+JWT"] {
        let token = f.with_header(|h| {
            h.insert("typ".into(), json!(typ));
        });
        assert!(f.verify(&token, NOW).is_ok(), "{typ}");
    }
}
