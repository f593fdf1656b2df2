//! The test-control API's admin token, `rapd control-token`, and the test-control operations
//! from the command line: `rapd seed FILE`, `rapd reset` and `rapd export`.

use std::{io::Write, path::Path, sync::Arc};

use anyhow::Context;
use rapd_control::{ControlConfig, control_actor};
use rapd_model::{Clock, Fixture, SystemClock, TenantId, new_secret};
use rapd_store::ControlStore;
use uuid::Uuid;

use crate::{
    DataArgs,
    config::{Config, Profile},
    data_dir::Needs,
    storage::open_store,
};

use crate::data_dir::TOKEN_FILE;

/// The configured admin token, or the data directory's (made on first use, readable by its
/// owner only).
pub fn admin_token(config: &Config) -> anyhow::Result<String> {
    if let Some(token) = &config.control.admin_token {
        return Ok(token.clone());
    }
    let path = config.data_dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    rapd_store::create_private_dir(&config.data_dir)?;
    let token = new_secret();
    write_private(&path, &token)?;
    Ok(token)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// The server's control settings, or `None` when the API is off.
pub fn control_config(config: &Config) -> anyhow::Result<Option<ControlConfig>> {
    if !config.control_enabled() {
        return Ok(None);
    }
    Ok(Some(ControlConfig {
        admin_token: admin_token(config)?,
        allow_remote: config.control.allow_remote,
        faults: config.faults_enabled(),
        max_fault_delay: std::time::Duration::from_millis(rapd_control::MAX_FAULT_DELAY_MS),
        request_log_capacity: config.control.request_log_capacity,
    }))
}

/// `rapd control-token`: prints the admin token.
pub fn print_token(data: &DataArgs) -> anyhow::Result<()> {
    let config = Config::load(&data.overrides())?;
    if config.control.admin_token.is_none() {
        crate::data_dir::require(&config, Needs::Initialised, "rapd control-token")?;
    }
    println!("{}", admin_token(&config)?);
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// A fixture file (JSON), in the format `GET /_rapd/export` writes.
    file: std::path::PathBuf,
    #[command(flatten)]
    data: DataArgs,
}

/// `rapd seed FILE`: writes a fixture into the data directory's store, all of it or nothing.
pub fn seed(args: &SeedArgs) -> anyhow::Result<()> {
    let config = test_control_config(&args.data, "seeding")?;
    let text = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let states = Fixture::parse(&text)
        .and_then(|f| f.validate(SystemClock.now(), new_secret))
        .with_context(|| format!("{} refused, nothing written", args.file.display()))?;
    let (tenants, partners) = (
        states.len(),
        states.iter().map(|s| s.partners.len()).sum::<usize>(),
    );
    on_store(config, |store| async move {
        let actor = control_actor("rapd-seed", None, Uuid::new_v4());
        Ok(store.seed(states, actor).await?)
    })?;
    println!("seeded {tenants} tenant(s) and {partners} partner(s)");
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct TenantScopeArgs {
    /// Only this tenant [default: every tenant].
    #[arg(long)]
    tenant: Option<Uuid>,
    #[command(flatten)]
    data: DataArgs,
}

/// `rapd reset [--tenant T]`: deletes the partners, audit records, settings and registration of
/// one tenant or of every tenant, as `POST /_rapd/reset` does.
pub fn reset(args: &TenantScopeArgs) -> anyhow::Result<()> {
    let config = test_control_config(&args.data, "reset")?;
    crate::data_dir::require(&config, Needs::Store, "rapd reset")?;
    let tenant = args.tenant.map(TenantId);
    on_store(
        config,
        |store| async move { Ok(store.reset(tenant).await?) },
    )?;
    match args.tenant {
        Some(tenant) => println!("reset tenant {tenant}"),
        None => println!("reset every tenant"),
    }
    Ok(())
}

/// `rapd export [--tenant T]`: prints the store's state as the fixture JSON `rapd seed` and
/// `POST /_rapd/seed` take, as `GET /_rapd/export` does.
pub fn export(args: &TenantScopeArgs) -> anyhow::Result<()> {
    let config = test_control_config(&args.data, "export")?;
    crate::data_dir::require(&config, Needs::Store, "rapd export")?;
    let tenant = args.tenant.map(TenantId);
    let states = on_store(
        config,
        |store| async move { Ok(store.export(tenant).await?) },
    )?;
    let mut text = serde_json::to_string_pretty(&Fixture::from_states(&states))?;
    text.push('\n');
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The configuration, if the test-control commands may run under it: in the production profile
/// only with the control API enabled.
fn test_control_config(data: &DataArgs, what: &str) -> anyhow::Result<Config> {
    let config = Config::load(&data.overrides())?;
    if config.profile == Profile::Production && !config.control_enabled() {
        anyhow::bail!(
            "{what} is test control; in the production profile it needs control.enabled = true"
        );
    }
    Ok(config)
}

/// Runs `job` on the configured store, on a runtime of its own.
fn on_store<T, F, Fut>(config: Config, job: F) -> anyhow::Result<T>
where
    F: FnOnce(Arc<dyn ControlStore>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store: Arc<dyn ControlStore> = open_store(&config, clock).await?;
        job(store).await
    })
}
