//! Configuration: defaults < TOML file < `RAPD_*` environment < command-line flags.
//! The only place that reads the environment.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Every setting, resolved. `docs/configuration.md` lists each with its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    pub onboarding_ttl_secs: i64,
    pub max_body_bytes: usize,
    /// Allows the development issuer on a non-loopback listen address (off: refuse to start).
    pub dev_issuer_on_public_address: bool,
    pub log: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./rapd-data"),
            public_url: None,
            onboarding_ttl_secs: 3600,
            max_body_bytes: 64 * 1024,
            dev_issuer_on_public_address: false,
            log: "info".into(),
        }
    }
}

/// The file's shape; every key optional, unknown keys refused so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    onboarding_ttl_secs: Option<i64>,
    max_body_bytes: Option<usize>,
    dev_issuer_on_public_address: Option<bool>,
    log: Option<String>,
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
}

const ENV_KEYS: &[&str] = &[
    "RAPD_CONFIG",
    "RAPD_LISTEN",
    "RAPD_DATA_DIR",
    "RAPD_PUBLIC_URL",
    "RAPD_ONBOARDING_TTL_SECS",
    "RAPD_MAX_BODY_BYTES",
    "RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS",
    "RAPD_LOG",
];

impl Config {
    /// Loads the configuration from the process environment and `overrides`.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("RAPD_"))
            .collect();
        Config::resolve(overrides, &env)
    }

    /// The layering itself, from an explicit environment so it can be tested.
    pub fn resolve(overrides: &Overrides, env: &[(String, String)]) -> anyhow::Result<Config> {
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        for (key, _) in env {
            if !ENV_KEYS.contains(&key.as_str()) && !FUTURE_ENV_KEYS.contains(&key.as_str()) {
                eprintln!("rapd: warning: unknown environment variable {key} is ignored");
            }
        }
        let mut config = Config::default();
        let file = overrides
            .config_file
            .clone()
            .or_else(|| var("RAPD_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            let file: FileConfig = toml::from_str(&text)
                .with_context(|| format!("invalid config file {}", path.display()))?;
            config.apply_file(file);
        }
        if let Some(v) = var("RAPD_LISTEN") {
            config.listen = v.parse().with_context(|| format!("RAPD_LISTEN={v}"))?;
        }
        if let Some(v) = var("RAPD_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("RAPD_PUBLIC_URL") {
            config.public_url = Some(v.to_owned());
        }
        if let Some(v) = var("RAPD_ONBOARDING_TTL_SECS") {
            config.onboarding_ttl_secs = v
                .parse()
                .with_context(|| format!("RAPD_ONBOARDING_TTL_SECS={v}"))?;
        }
        if let Some(v) = var("RAPD_MAX_BODY_BYTES") {
            config.max_body_bytes = v
                .parse()
                .with_context(|| format!("RAPD_MAX_BODY_BYTES={v}"))?;
        }
        if let Some(v) = var("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS") {
            config.dev_issuer_on_public_address =
                parse_bool(v).with_context(|| format!("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS={v}"))?;
        }
        if let Some(v) = var("RAPD_LOG") {
            config.log = v.to_owned();
        }
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        config.validate()?;
        Ok(config)
    }

    fn apply_file(&mut self, file: FileConfig) {
        let FileConfig {
            listen,
            data_dir,
            public_url,
            onboarding_ttl_secs,
            max_body_bytes,
            dev_issuer_on_public_address,
            log,
        } = file;
        self.listen = listen.unwrap_or(self.listen);
        self.data_dir = data_dir.unwrap_or_else(|| self.data_dir.clone());
        self.public_url = public_url.or_else(|| self.public_url.clone());
        self.onboarding_ttl_secs = onboarding_ttl_secs.unwrap_or(self.onboarding_ttl_secs);
        self.max_body_bytes = max_body_bytes.unwrap_or(self.max_body_bytes);
        self.dev_issuer_on_public_address =
            dev_issuer_on_public_address.unwrap_or(self.dev_issuer_on_public_address);
        self.log = log.unwrap_or_else(|| self.log.clone());
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.onboarding_ttl_secs <= 0 {
            bail!(
                "onboarding_ttl_secs must be positive, not {}",
                self.onboarding_ttl_secs
            );
        }
        if self.max_body_bytes == 0 {
            bail!("max_body_bytes must be positive");
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("public_url must start with http:// or https://, not {url:?}");
        }
        if !self.listen.ip().is_loopback() && !self.dev_issuer_on_public_address {
            bail!(
                "refusing to serve the development issuer on the non-loopback address {}: it \
                 trusts tokens that anyone with this data dir can mint, which is for local use. \
                 Listen on 127.0.0.1, or set dev_issuer_on_public_address = true if you mean it",
                self.listen
            );
        }
        Ok(())
    }
}

/// Names that scripts set for settings of later releases; accepted without a warning.
const FUTURE_ENV_KEYS: &[&str] = &["RAPD_DATABASE_URL", "RAPD_THROTTLING", "RAPD_PROFILE"];

fn parse_bool(v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("expected true or false"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn layers_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rapd.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nonboarding_ttl_secs = 60\nlog = \"debug\"\n",
        )
        .unwrap();
        let overrides = Overrides {
            config_file: Some(file),
            ..Overrides::default()
        };
        let c = Config::resolve(&overrides, &env(&[("RAPD_ONBOARDING_TTL_SECS", "120")])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(c.onboarding_ttl_secs, 120);
        assert_eq!(c.log, "debug");
        let flags = Overrides {
            listen: Some("127.0.0.1:9100".parse().unwrap()),
            ..overrides
        };
        let c = Config::resolve(&flags, &[]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9100".parse().unwrap());
    }

    #[test]
    fn refuses_public_bind_and_typos() {
        let public = Overrides {
            listen: Some("0.0.0.0:8080".parse().unwrap()),
            ..Overrides::default()
        };
        assert!(Config::resolve(&public, &[]).is_err());
        assert!(
            Config::resolve(
                &public,
                &env(&[("RAPD_DEV_ISSUER_ON_PUBLIC_ADDRESS", "true")])
            )
            .is_ok()
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rapd.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let typo = Overrides {
            config_file: Some(file),
            ..Overrides::default()
        };
        assert!(Config::resolve(&typo, &[]).is_err());
    }
}
