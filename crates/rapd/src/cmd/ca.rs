//! `rapd ca`: where the development CA is, a bundle of the system CAs plus it, and the lines
//! that make each HTTP stack trust it. The output can be `eval`ed by a POSIX shell.
//!
//! `REQUESTS_CA_BUNDLE` (requests) and `SSL_CERT_FILE` (aiohttp, httpx, OpenSSL) replace the
//! trust store, so they get the combined bundle; `NODE_EXTRA_CA_CERTS` adds to Node's.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::{DataArgs, config::Config, data_dir::Needs};

/// Where Linux distributions and macOS keep the system CA bundle, most common first.
const SYSTEM_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
/// The combined bundle's name inside the data directory's `tls/`.
pub const BUNDLE_FILE: &str = "bundle.pem";

#[derive(Debug, clap::Args)]
pub struct CaArgs {
    /// The system CA bundle to combine with rapd's CA [default: the first that exists of the
    /// usual locations].
    #[arg(long)]
    system_bundle: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
}

pub fn run(args: &CaArgs) -> anyhow::Result<()> {
    let config = Config::load(&args.data.overrides())?;
    if let Some(cert) = &config.tls.cert_file {
        bail!(
            "rapd serves your own certificate ({}); trust the CA that issued it instead",
            cert.display()
        );
    }
    crate::data_dir::require(&config, Needs::Initialised, "rapd ca")?;
    let data_dir = std::path::absolute(&config.data_dir)?;
    let ca = rapd_server::development_ca(&data_dir, time::OffsetDateTime::now_utc())?;
    let system = match &args.system_bundle {
        Some(path) => path.clone(),
        None => match SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) {
            Some(path) => path.to_owned(),
            None => bail!("no system CA bundle in the usual places; name one with --system-bundle"),
        },
    };
    let bundle = ca.with_file_name(BUNDLE_FILE);
    write_bundle(&system, &ca, &bundle)?;
    println!("# rapd's development CA: {}", ca.display());
    println!(
        "# system CAs ({}) plus rapd's CA: {}",
        system.display(),
        bundle.display()
    );
    println!(
        "export REQUESTS_CA_BUNDLE='{}'  # Python requests: MSAL, azure-identity",
        bundle.display()
    );
    println!(
        "export SSL_CERT_FILE='{}'  # aiohttp, httpx: azure.identity.aio, msgraph-sdk",
        bundle.display()
    );
    println!(
        "export NODE_EXTRA_CA_CERTS='{}'  # Node: msal-node, @azure/identity, Graph JS client",
        ca.display()
    );
    Ok(())
}

fn write_bundle(system: &Path, ca: &Path, bundle: &Path) -> anyhow::Result<()> {
    let mut text = std::fs::read_to_string(system)
        .with_context(|| format!("cannot read the system CA bundle {}", system.display()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(
        &std::fs::read_to_string(ca).with_context(|| format!("cannot read {}", ca.display()))?,
    );
    rapd_server::write_atomically(bundle, text.as_bytes(), false)?;
    Ok(())
}
