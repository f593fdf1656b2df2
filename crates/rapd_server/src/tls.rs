//! The https listener's certificate: a development CA kept in the data directory with a leaf for
//! `localhost`, `127.0.0.1`, `::1` and configured names, or the operator's own certificate.
//!
//! Every MSAL-based client refuses an http authority, and the JavaScript Graph client sends no
//! token to an http Graph URL, so a local stand-in needs https that clients can be told to trust.

use std::{
    fs::{self, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::Arc,
};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use time::{Duration, OffsetDateTime};
use tokio_rustls::{TlsAcceptor, rustls};

/// The directory inside the data directory that holds the development CA and leaf.
pub const TLS_DIR: &str = "tls";
/// The development CA's certificate, the file clients are told to trust.
pub const CA_CERT_FILE: &str = "ca.pem";
const CA_KEY_FILE: &str = "ca-key.pem";
/// The leaf certificate (followed by the CA) and its key, issued at every start.
pub const LEAF_CERT_FILE: &str = "localhost.pem";
const LEAF_KEY_FILE: &str = "localhost-key.pem";
/// Names every development leaf carries.
pub const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

const CA_NAME: &str = "rapd development CA";
const CA_VALIDITY_DAYS: i64 = 3650;
/// Short enough for clients that cap leaf lifetimes (398 days).
const LEAF_VALIDITY_DAYS: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    File { path: PathBuf, source: io::Error },
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("{path}: {what}")]
    Pem { path: PathBuf, what: &'static str },
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where the certificate of the https listener comes from.
#[derive(Debug, Clone)]
pub enum CertificateSource {
    /// The development CA in `data_dir/tls`, created on first use, and a leaf for the loopback
    /// names plus `extra_names`.
    Development {
        data_dir: PathBuf,
        extra_names: Vec<String>,
    },
    /// The operator's PEM files: a certificate chain (leaf first) and its private key.
    Files { cert: PathBuf, key: PathBuf },
}

/// The certificate chain and key files the listener serves.
#[derive(Debug, Clone)]
pub struct ServedCertificate {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// The development CA, when the certificate is rapd's own.
    pub ca_file: Option<PathBuf>,
}

impl CertificateSource {
    /// Makes sure the files exist (issuing a fresh development leaf) and returns them.
    pub fn prepare(&self, now: OffsetDateTime) -> Result<ServedCertificate, TlsError> {
        match self {
            CertificateSource::Development {
                data_dir,
                extra_names,
            } => issue_development_leaf(data_dir, extra_names, now),
            CertificateSource::Files { cert, key } => Ok(ServedCertificate {
                cert_file: cert.clone(),
                key_file: key.clone(),
                ca_file: None,
            }),
        }
    }
}

impl ServedCertificate {
    /// The acceptor for this certificate chain and key; offers HTTP/1.1 only.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        acceptor(self)
    }
}

fn acceptor(served: &ServedCertificate) -> Result<TlsAcceptor, TlsError> {
    let chain = CertificateDer::pem_file_iter(&served.cert_file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|_| TlsError::Pem {
            path: served.cert_file.clone(),
            what: "not a readable PEM certificate chain",
        })?;
    if chain.is_empty() {
        return Err(TlsError::Pem {
            path: served.cert_file.clone(),
            what: "holds no certificate",
        });
    }
    let key = PrivateKeyDer::from_pem_file(&served.key_file).map_err(|_| TlsError::Pem {
        path: served.key_file.clone(),
        what: "not a readable PEM private key",
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The development CA's certificate file in `data_dir`, created (with its key) if missing.
pub fn development_ca(data_dir: &Path, now: OffsetDateTime) -> Result<PathBuf, TlsError> {
    load_or_create_ca(&data_dir.join(TLS_DIR), now).map(|(path, _)| path)
}

fn issue_development_leaf(
    data_dir: &Path,
    extra_names: &[String],
    now: OffsetDateTime,
) -> Result<ServedCertificate, TlsError> {
    let dir = data_dir.join(TLS_DIR);
    let (ca_file, ca_key) = load_or_create_ca(&dir, now)?;
    let ca_pem = read(&ca_file)?;
    let issuer = Issuer::new(ca_params(now), ca_key);

    let mut names: Vec<String> = LOOPBACK_NAMES.iter().map(|n| (*n).to_owned()).collect();
    for name in extra_names {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "rapd development server");
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(LEAF_VALIDITY_DAYS);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // AKI and SKI (rcgen writes SKI with an explicit CA:FALSE): Python 3.13's strict X.509
    // verification requires both.
    params.use_authority_key_identifier_extension = true;
    params.is_ca = IsCa::ExplicitNoCa;
    let leaf_key = KeyPair::generate()?;
    let leaf = params.signed_by(&leaf_key, &issuer)?;

    let cert_file = dir.join(LEAF_CERT_FILE);
    let key_file = dir.join(LEAF_KEY_FILE);
    write_atomically(&key_file, leaf_key.serialize_pem().as_bytes(), true)?;
    write_atomically(
        &cert_file,
        format!("{}{ca_pem}", leaf.pem()).as_bytes(),
        false,
    )?;
    Ok(ServedCertificate {
        cert_file,
        key_file,
        ca_file: Some(ca_file),
    })
}

/// The CA's fixed subject and extensions; its key identifies it, so the same parameters and
/// key re-create the issuer of every leaf without re-reading the certificate.
fn ca_params(now: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, CA_NAME);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "rapd");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
    params
}

fn load_or_create_ca(dir: &Path, now: OffsetDateTime) -> Result<(PathBuf, KeyPair), TlsError> {
    let cert_file = dir.join(CA_CERT_FILE);
    let key_file = dir.join(CA_KEY_FILE);
    if cert_file.exists() && key_file.exists() {
        let key = KeyPair::from_pem(&read(&key_file)?).map_err(|_| TlsError::Pem {
            path: key_file,
            what: "not a PEM private key",
        })?;
        return Ok((cert_file, key));
    }
    rapd_store::create_private_dir(dir).map_err(|source| TlsError::File {
        path: dir.to_owned(),
        source,
    })?;
    let key = KeyPair::generate()?;
    let cert = ca_params(now).self_signed(&key)?;
    write_atomically(&key_file, key.serialize_pem().as_bytes(), true)?;
    write_atomically(&cert_file, cert.pem().as_bytes(), false)?;
    Ok((cert_file, key))
}

fn read(path: &Path) -> Result<String, TlsError> {
    fs::read_to_string(path).map_err(|source| TlsError::File {
        path: path.to_owned(),
        source,
    })
}

/// Temp file + rename, so a crash never leaves half a key; private files are mode 0600.
pub fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> Result<(), TlsError> {
    let error = |source| TlsError::File {
        path: path.to_owned(),
        source,
    };
    let nonce: u64 = rand::random();
    let tmp = path.with_extension(format!("{}.{nonce:016x}.tmp", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let written = options
        .open(&tmp)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(error(e));
    }
    Ok(())
}
