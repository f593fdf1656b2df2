//! Signing keys for tests, and signers that take any header and payload text, so a test can
//! forge exactly the token it means (duplicate members, a wrong `alg`, `crit`, …).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use p256::SecretKey;
use p256::pkcs8::EncodePrivateKey;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// INSECURE: a 2048-bit RSA key committed on purpose, so tests need not generate one (slow in
/// debug builds). Public; never trust it anywhere.
const RSA_TEST_KEY: &str = include_str!("rsa_test_key.pem");
/// INSECURE: a second committed RSA key, the attacker's or another issuer's.
const RSA_SECOND_TEST_KEY: &str = include_str!("rsa_second_test_key.pem");

/// A private key that signs test tokens: RS256 or ES256.
pub struct TestKey {
    kind: Kind,
    signing: EncodingKey,
}

enum Kind {
    Rsa(Box<RsaPrivateKey>),
    Ec(SecretKey),
}

impl TestKey {
    /// The committed INSECURE RSA test key (the same on every call).
    pub fn rsa() -> TestKey {
        TestKey::from_rsa_pem(RSA_TEST_KEY)
    }

    /// A second committed INSECURE RSA test key, distinct from [`TestKey::rsa`].
    pub fn rsa_second() -> TestKey {
        TestKey::from_rsa_pem(RSA_SECOND_TEST_KEY)
    }

    /// A fresh P-256 key.
    pub fn es256() -> TestKey {
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let der = secret.to_pkcs8_der().expect("a P-256 key encodes");
        TestKey {
            signing: EncodingKey::from_ec_der(der.as_bytes()),
            kind: Kind::Ec(secret),
        }
    }

    fn from_rsa_pem(labelled: &str) -> TestKey {
        // The files open with a warning label; PEM begins at the boundary line.
        let start = labelled.find("-----BEGIN").expect("a PEM boundary");
        let key = RsaPrivateKey::from_pkcs8_pem(&labelled[start..]).expect("a PKCS#8 RSA key");
        let der = key.to_pkcs1_der().expect("an RSA key encodes");
        TestKey {
            signing: EncodingKey::from_rsa_der(der.as_bytes()),
            kind: Kind::Rsa(Box::new(key)),
        }
    }

    /// The algorithm this key signs with: `RS256` or `ES256`.
    pub fn alg(&self) -> &'static str {
        match self.kind {
            Kind::Rsa(_) => "RS256",
            Kind::Ec(_) => "ES256",
        }
    }

    /// The public JWK, as Entra publishes it (`use: sig`, no `alg`), with `issuer` if given.
    pub fn jwk(&self, kid: &str, issuer: Option<&str>) -> Value {
        let mut jwk = match &self.kind {
            Kind::Rsa(key) => json!({
                "kty": "RSA",
                "use": "sig",
                "kid": kid,
                "n": b64url(key.n().to_bytes_be()),
                "e": b64url(key.e().to_bytes_be()),
            }),
            Kind::Ec(secret) => {
                let point = p256::EncodedPoint::from(secret.public_key());
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "use": "sig",
                    "kid": kid,
                    "x": b64url(point.x().expect("not the identity")),
                    "y": b64url(point.y().expect("not the identity")),
                })
            }
        };
        if let Some(issuer) = issuer {
            jwk["issuer"] = json!(issuer);
        }
        jwk
    }

    /// The public key as SPKI DER, for algorithm-confusion tests.
    pub fn public_key_der(&self) -> Vec<u8> {
        match &self.kind {
            Kind::Rsa(key) => key
                .to_public_key()
                .to_public_key_der()
                .map(|d| d.into_vec()),
            Kind::Ec(secret) => secret
                .public_key()
                .to_public_key_der()
                .map(|d| d.into_vec()),
        }
        .expect("a public key encodes")
    }

    /// The public key as SPKI PEM, for algorithm-confusion tests.
    pub fn public_key_pem(&self) -> String {
        match &self.kind {
            Kind::Rsa(key) => key.to_public_key().to_public_key_pem(LineEnding::LF),
            Kind::Ec(secret) => secret.public_key().to_public_key_pem(LineEnding::LF),
        }
        .expect("a public key encodes")
    }

    /// `header` (serialised as is) and `payload_json` (taken byte for byte), signed with this
    /// key's own algorithm whatever the header says.
    pub fn sign(&self, header: &Value, payload_json: &str) -> String {
        self.sign_raw(&header.to_string(), payload_json)
    }

    /// [`TestKey::sign`] with the header as raw text too.
    pub fn sign_raw(&self, header_json: &str, payload_json: &str) -> String {
        let alg = match self.kind {
            Kind::Rsa(_) => Algorithm::RS256,
            Kind::Ec(_) => Algorithm::ES256,
        };
        self.sign_as(alg, header_json, payload_json)
    }

    /// Signs with `alg`, which must suit the key (RS*/PS* for RSA, ES256 for P-256): for
    /// tokens validly signed with an algorithm the verifier does not allow.
    pub fn sign_as(&self, alg: Algorithm, header_json: &str, payload_json: &str) -> String {
        let input = signing_input(header_json, payload_json);
        let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &self.signing, alg)
            .expect("the algorithm suits the key");
        let signature = match alg {
            Algorithm::ES256 => crate::jose::low_s(&signature),
            _ => signature,
        };
        format!("{input}.{signature}")
    }
}

/// Unpadded base64url.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn signing_input(header_json: &str, payload_json: &str) -> String {
    format!("{}.{}", b64url(header_json), b64url(payload_json))
}

/// HS256 over `header` and `payload_json` with `secret`: the algorithm-confusion forgery.
pub fn sign_hs256_with(secret: &[u8], header: &Value, payload_json: &str) -> String {
    let input = signing_input(&header.to_string(), payload_json);
    let key = EncodingKey::from_secret(secret);
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256)
        .expect("HMAC signs anything");
    format!("{input}.{signature}")
}

/// `header.payload.` with an empty signature, as `alg: none` tokens come.
pub fn unsigned(header: &Value, payload_json: &str) -> String {
    format!("{}.", signing_input(&header.to_string(), payload_json))
}
