//! The built-in development issuer: one ES256 key kept in the data directory, its JWKS, and
//! Graph-shaped access tokens minted with it.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use p256::SecretKey;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{AuthError, DEV_APP, GRAPH_AUDIENCE, MAX_TOKEN_BYTES};

/// The issuer of development tokens; `{tenantid}` is the token's `tid`, as in Entra's
/// multi-tenant metadata. `rapd.localhost` is a name only: nothing is ever fetched from it.
pub const DEV_ISSUER_TEMPLATE: &str = "https://rapd.localhost/{tenantid}/v2.0";
/// File name of the development key (PKCS#8 PEM, mode 0600) inside the data directory.
pub const DEV_KEY_FILE: &str = "dev-issuer-key.pem";

/// The development user's sign-in name.
pub const PLACEHOLDER_UPN: &str = "dev@rapd.localhost";
/// The development user's display name.
pub const PLACEHOLDER_NAME: &str = "rapd developer";

/// The development issuer's key pair. Debug output shows the `kid` only.
pub struct DevIssuer {
    signing: EncodingKey,
    kid: String,
    x: String,
    y: String,
}

/// What a development token should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub tenant: Uuid,
    pub subject: Subject,
    /// Delegated scopes (`scp`) for a user, application roles (`roles`) for an app.
    pub scopes: Vec<String>,
    pub ttl_secs: u64,
}

/// Who the token names beyond its subject: the client application and the user's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal<'a> {
    /// `azp`/`appid`: the client application.
    pub app_id: Uuid,
    /// `upn` of a user; ignored for an app.
    pub upn: &'a str,
    /// `name` of a user; ignored for an app.
    pub name: &'a str,
}

impl Principal<'static> {
    /// The development app and a placeholder user, as `rapd token` mints them.
    pub const DEVELOPMENT: Principal<'static> = Principal {
        app_id: DEV_APP,
        upn: PLACEHOLDER_UPN,
        name: PLACEHOLDER_NAME,
    };
}

/// A signed-in user (delegated token) or an application acting alone (app-only token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The user's object id.
    User(Uuid),
    /// The service principal's object id.
    App(Uuid),
}

impl DevIssuer {
    /// Reads the key from `data_dir`, or creates it there (mode 0600, temp file + rename) on
    /// first use. Creates `data_dir` if needed.
    pub fn load_or_create(data_dir: &Path) -> Result<DevIssuer, AuthError> {
        let path = data_dir.join(DEV_KEY_FILE);
        let key_error = |source| AuthError::Key {
            path: path.clone(),
            source,
        };
        let secret = match fs::read_to_string(&path) {
            Ok(pem) => parse_pem(&Zeroizing::new(pem)).map_err(key_error)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_key(data_dir, &path).map_err(key_error)?
            }
            Err(e) => return Err(key_error(e)),
        };
        DevIssuer::from_secret(&secret).map_err(key_error)
    }

    fn from_secret(secret: &SecretKey) -> io::Result<DevIssuer> {
        let der = secret.to_pkcs8_der().map_err(io::Error::other)?;
        let point = p256::EncodedPoint::from(secret.public_key());
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(io::Error::other("public key is the identity point"));
        };
        let x = URL_SAFE_NO_PAD.encode(x);
        let y = URL_SAFE_NO_PAD.encode(y);
        // RFC 7638: required members only, in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Ok(DevIssuer {
            signing: EncodingKey::from_ec_der(der.as_bytes()),
            kid,
            x,
            y,
        })
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key's affine coordinates, base64url.
    pub(crate) fn public_coordinates(&self) -> (&str, &str) {
        (&self.x, &self.y)
    }

    /// [`DEV_ISSUER_TEMPLATE`] with `tenant` substituted.
    pub fn issuer_for(&self, tenant: Uuid) -> String {
        let mut buf = Uuid::encode_buffer();
        let tid = tenant.hyphenated().encode_lower(&mut buf);
        DEV_ISSUER_TEMPLATE.replace("{tenantid}", tid)
    }

    /// The JWKS document of this issuer.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "EC",
                "crv": "P-256",
                "x": self.x,
                "y": self.y,
                "kid": self.kid,
                "use": "sig",
                "alg": "ES256",
            }]
        })
    }

    /// Signs an access token for Graph as Entra would shape it, issued at `now_unix`.
    pub fn mint(&self, req: &TokenRequest, now_unix: i64) -> Result<String, AuthError> {
        self.mint_for(req, &Principal::DEVELOPMENT, now_unix)
    }

    /// [`DevIssuer::mint`] for a given client application and user names.
    pub fn mint_for(
        &self,
        req: &TokenRequest,
        principal: &Principal<'_>,
        now_unix: i64,
    ) -> Result<String, AuthError> {
        if req.tenant.is_nil() {
            return Err(AuthError::InvalidTokenRequest(
                "tenant must not be the nil GUID",
            ));
        }
        if req
            .scopes
            .iter()
            .any(|s| s.is_empty() || s.contains(char::is_whitespace))
        {
            return Err(AuthError::InvalidTokenRequest(
                "a scope is empty or holds whitespace",
            ));
        }
        let exp = i64::try_from(req.ttl_secs)
            .ok()
            .filter(|&ttl| ttl > 0 && now_unix >= 0)
            .and_then(|ttl| now_unix.checked_add(ttl))
            .ok_or(AuthError::InvalidTokenRequest("ttl or time out of range"))?;
        let (oid, idtyp, scp, roles, upn, name) = match req.subject {
            Subject::User(oid) => (
                oid,
                "user",
                Some(req.scopes.join(" ")),
                None,
                Some(principal.upn),
                Some(principal.name),
            ),
            Subject::App(oid) => (oid, "app", None, Some(req.scopes.as_slice()), None, None),
        };
        let claims = MintedClaims {
            aud: GRAPH_AUDIENCE,
            iss: self.issuer_for(req.tenant),
            iat: now_unix,
            nbf: now_unix,
            exp,
            tid: req.tenant,
            ver: "2.0",
            jti: Uuid::new_v4(),
            azp: principal.app_id,
            appid: principal.app_id,
            oid,
            sub: oid,
            idtyp,
            scp,
            roles,
            upn,
            name,
        };
        self.sign("at+jwt", &claims)
    }

    /// Signs any claims set (an OpenID Connect id_token, say) with this issuer's key.
    pub fn sign(&self, typ: &'static str, claims: &impl Serialize) -> Result<String, AuthError> {
        let header = MintedHeader {
            alg: "ES256",
            typ,
            kid: &self.kid,
        };
        let mut token = encode_json(&header)?;
        token.push('.');
        token.push_str(&encode_json(claims)?);
        let signature =
            jsonwebtoken::crypto::sign(token.as_bytes(), &self.signing, Algorithm::ES256)
                .map_err(|e| AuthError::Signing(Box::new(e)))?;
        token.push('.');
        token.push_str(&crate::jose::low_s(&signature));
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::InvalidTokenRequest(
                "token would exceed the size limit",
            ));
        }
        Ok(token)
    }
}

impl fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIssuer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct MintedHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

#[derive(Serialize)]
struct MintedClaims<'a> {
    aud: &'static str,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    tid: Uuid,
    ver: &'static str,
    jti: Uuid,
    azp: Uuid,
    appid: Uuid,
    oid: Uuid,
    sub: Uuid,
    idtyp: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

fn encode_json(value: &impl Serialize) -> Result<String, AuthError> {
    let json = serde_json::to_vec(value).map_err(|e| AuthError::Signing(Box::new(e)))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn parse_pem(pem: &str) -> io::Result<SecretKey> {
    SecretKey::from_pkcs8_pem(pem).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "not a PKCS#8 PEM P-256 private key",
        )
    })
}

/// Makes a new key and publishes it atomically, so a crash never leaves a half-written key.
fn create_key(data_dir: &Path, path: &Path) -> io::Result<SecretKey> {
    let mut dir = fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(data_dir)?;
    let secret = SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(io::Error::other)?;
    let tmp = temp_path(data_dir);
    let written = write_new_private(&tmp, pem.as_bytes()).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(data_dir)?;
    Ok(secret)
}

fn temp_path(data_dir: &Path) -> PathBuf {
    let nonce: u64 = rand::random();
    data_dir.join(format!(
        ".{DEV_KEY_FILE}.{}.{nonce:016x}.tmp",
        std::process::id()
    ))
}

fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename durable (POSIX needs the directory synced; elsewhere this is a no-op).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
