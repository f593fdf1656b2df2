use super::*;

/// A genuine token of exactly `len` bytes, padded through an ignored header member and claim.
fn token_of_len(f: &Fixture, len: usize) -> String {
    let (header, claims) = f.parts();
    let b64_len = |n: usize| n.div_ceil(3) * 4 - (3 - n % 3) % 3;
    for header_pad in 0..4 {
        let mut h = header.clone();
        h["pad"] = json!("h".repeat(header_pad));
        let h_len = b64_len(h.to_string().len());
        let mut c = claims.clone();
        c["pad"] = json!("");
        let c_len = c.to_string().len();
        for claim_pad in 0..len {
            // An ES256 signature is 64 bytes, 86 characters.
            if h_len + 1 + b64_len(c_len + claim_pad) + 1 + 86 == len {
                c["pad"] = json!("c".repeat(claim_pad));
                let token = f.forge(&h, &c);
                assert_eq!(token.len(), len);
                return token;
            }
        }
    }
    panic!("no padding gives {len} bytes");
}

#[test]
fn size_limit_is_inclusive() {
    let f = Fixture::new();
    assert_eq!(MAX_TOKEN_BYTES, 16384);
    let at_limit = token_of_len(&f, MAX_TOKEN_BYTES);
    assert!(f.verify(&at_limit, NOW).is_ok());
    let past_limit = token_of_len(&f, MAX_TOKEN_BYTES + 1);
    assert!(matches!(err(&f, &past_limit), AuthError::TooLarge));
    // Size is checked before anything else, and garbage at the limit is not "too large".
    assert!(matches!(
        err(&f, &"a".repeat(20 * 1024)),
        AuthError::TooLarge
    ));
    assert!(matches!(
        err(&f, &"a".repeat(MAX_TOKEN_BYTES)),
        AuthError::Malformed(_)
    ));
}

#[test]
fn empty_token_is_missing() {
    let f = Fixture::new();
    assert!(matches!(err(&f, ""), AuthError::Missing));
    assert_eq!(AuthError::Missing.graph_message(), "Access token is empty.");
}

#[test]
fn not_a_compact_jws() {
    let f = Fixture::new();
    let good = f.mint(&user(&[SCOPE_READ]));
    let [h, p, s]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().unwrap();
    let cases = [
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}."),
        format!("{h}.{p}.{s}.{s}.{s}"), // five parts, the JWE shape
        format!("{h}=.{p}.{s}"),        // padding
        format!("{h}.{p}=.{s}"),
        format!("{h}.{p}.{s}=="),
        format!("{}.{p}.{s}", h.replace('-', "+").replace('_', "/") + "+/"), // standard alphabet
        format!("{h} .{p}.{s}"),
        format!("{}.{p}.{s}", b64("not json")),
        format!("{}.{p}.{s}", b64("[]")),
        format!("{}x.{p}.{s}", &h[..h.len() - 1]), // non-canonical trailing bits or bad length
        "...".to_string(),
        "a.b".to_string(),
    ];
    for token in cases {
        let e = err(&f, &token);
        assert!(matches!(e, AuthError::Malformed(_)), "{token}: {e:?}");
        assert_eq!(
            e.graph_message(),
            "CompactToken parsing failed with error code: 80049217"
        );
    }
}

#[test]
fn payload_must_be_one_json_object() {
    let f = Fixture::new();
    let (header, _) = f.parts();
    for claims in ["[]", "null", "{", r#"{"a":1} x"#] {
        let e = err(&f, &f.forge_raw(&header.to_string(), claims));
        assert!(matches!(e, AuthError::Malformed(_)), "{claims}: {e:?}");
    }
}

#[test]
fn duplicate_keys_are_refused() {
    let f = Fixture::new();
    let (header, claims) = f.parts();
    let body = claims.to_string();
    let inner = &body[1..body.len() - 1];
    let cases = [
        format!(r#"{{{inner},"tid":"{TB}"}}"#),
        format!(r#"{{"tid":"{TB}",{inner}}}"#),
        format!(r#"{{{inner},"t\u0069d":"{DEV_TENANT}"}}"#),
        format!(r#"{{{inner},"x":{{"a":1,"a":2}}}}"#),
    ];
    for claims in cases {
        let e = err(&f, &f.forge_raw(&header.to_string(), &claims));
        assert!(matches!(e, AuthError::Malformed(_)), "{claims}: {e:?}");
    }
    let kid = f.dev.kid();
    let header = format!(r#"{{"alg":"ES256","typ":"at+jwt","kid":"{kid}","alg":"none"}}"#);
    let e = err(&f, &f.forge_raw(&header, &body));
    assert!(matches!(e, AuthError::Malformed(_)), "{e:?}");
}
