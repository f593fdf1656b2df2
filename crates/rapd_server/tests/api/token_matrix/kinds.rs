//! What kind of token it is: J40 (explicit typing), J41 (ID tokens), J42 (duplicate members).

use rapd_auth::testing::TestKey;
use rapd_auth::{DEV_TENANT, SCOPE_READ_WRITE};
use serde_json::json;

use super::expect::*;
use super::fixture::*;

#[tokio::test]
async fn j40_token_type_is_checked() {
    // External issuers accept `JWT` (what Entra writes) and `at+jwt` by default.
    let m = Matrix::start().await;
    for version in VERSIONS {
        for alg in ALGS {
            for typ in [
                json!("id_token+jwt"),
                json!("JOSE"),
                json!("JWT "),
                json!("secevent+jwt"),
                json!(""),
                json!(1),
                json!(null),
            ] {
                let token = m.with_header(version, alg, |h| {
                    h.insert("typ".into(), typ.clone());
                });
                unauthorized_with(m.list(&token).await, &token, INVALID).await;
            }
            let token = m.with_header(version, alg, |h| {
                h.remove("typ");
            });
            unauthorized_with(m.list(&token).await, &token, INVALID).await;
            for typ in ["JWT", "jwt", "at+jwt", "application/at+jwt", "AT+JWT"] {
                let token = m.with_header(version, alg, |h| {
                    h.insert("typ".into(), json!(typ));
                });
                m.accepts(&token).await;
            }
        }
    }
    // An issuer configured for RFC 9068 typing refuses Entra's `JWT`.
    let strict = Matrix::with(|s| {
        for issuer in &mut s.issuers {
            issuer.token_types = vec!["at+jwt".into()];
        }
    })
    .await;
    for version in VERSIONS {
        let token = strict.token(version, Alg::Es256);
        unauthorized_with(strict.list(&token).await, &token, INVALID).await;
        let token = strict.with_header(version, Alg::Rs256, |h| {
            h.insert("typ".into(), json!("at+jwt"));
        });
        strict.accepts(&token).await;
    }
}

#[tokio::test]
async fn j40_dev_issuer_tokens_are_at_jwt() {
    // The development issuer writes and requires `typ: at+jwt`. A token re-typed `JWT` is
    // refused; over HTTP it can only be re-signed with a key other than the development key
    // (see docs/security.md), so rapd_auth's `typ_must_be_at_jwt` is what isolates the check.
    let m = Matrix::start().await;
    let dev = m.dev_token(DEV_TENANT, &[SCOPE_READ_WRITE]);
    let [header, payload, _] = parts(&dev);
    assert_eq!(part_json(header)["typ"], "at+jwt");
    m.accepts(&dev).await;
    let payload = String::from_utf8(b64url_decode(payload)).unwrap();
    let attacker = TestKey::es256();
    for typ in [json!("JWT"), json!("id_token+jwt"), json!(null)] {
        let retyped = json!({"typ": typ, "alg": "ES256", "kid": m.app.issuer.kid()});
        let token = attacker.sign(&retyped, &payload);
        unauthorized_with(m.list(&token).await, &token, INVALID).await;
    }
}

#[tokio::test]
async fn j41_id_tokens_are_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for alg in ALGS {
            // An ID token for the same client: a nonce, neither scp nor roles.
            let id_token = m.with_claims(version, alg, |c| {
                c.remove("scp");
                c.insert("nonce".into(), json!("n-0S6_WzA2Mj"));
                c.insert("aud".into(), json!(API));
            });
            unauthorized_with(m.list(&id_token).await, &id_token, INVALID).await;
            let with_nonce = m.with_claims(version, alg, |c| {
                c.insert("nonce".into(), json!("n-0S6_WzA2Mj"));
            });
            unauthorized_with(m.list(&with_nonce).await, &with_nonce, INVALID).await;
            let neither = m.with_claims(version, alg, |c| {
                c.remove("scp");
            });
            unauthorized_with(m.list(&neither).await, &neither, INVALID).await;
        }
    }
}

#[tokio::test]
async fn j42_duplicate_members_are_401() {
    let m = Matrix::start().await;
    for version in VERSIONS {
        for alg in ALGS {
            let (key, kid) = m.key(alg);
            let body = m.claims(version).to_string();
            let inner = &body[1..body.len() - 1];
            let tb_iss = version.issuer(TB);
            for payload in [
                format!(r#"{{{inner},"tid":"{TB}"}}"#),
                format!(r#"{{"tid":"{TB}",{inner}}}"#),
                format!(r#"{{{inner},"tid":"{TB}","iss":"{tb_iss}"}}"#),
                format!(r#"{{{inner},"t\u0069d":"{TA}"}}"#),
                format!(r#"{{{inner},"scp":"{SCOPE_READ_WRITE}"}}"#),
                format!(r#"{{{inner},"x":{{"a":1,"a":2}}}}"#),
            ] {
                let token = key.sign(&Matrix::header(key, kid), &payload);
                unauthorized_with(m.list(&token).await, &token, PARSE).await;
            }
            let header = format!(
                r#"{{"typ":"JWT","alg":"{}","kid":"{kid}","kid":"{}"}}"#,
                key.alg(),
                if kid == RSA_KID { EC_KID } else { RSA_KID }
            );
            let token = key.sign_raw(&header, &body);
            unauthorized_with(m.list(&token).await, &token, PARSE).await;
            let header = format!(
                r#"{{"typ":"JWT","alg":"{}","kid":"{kid}","alg":"none"}}"#,
                key.alg()
            );
            let token = key.sign_raw(&header, &body);
            unauthorized_with(m.list(&token).await, &token, PARSE).await;
        }
    }
}
