//! `rapd serve`: opens the data directory and serves the Graph API until SIGINT or SIGTERM.

use std::{io::Write, sync::Arc};

use anyhow::Context;
use rapd_auth::{
    DEV_TENANT, DEV_USER, DevIssuer, SCOPE_READ_WRITE, Subject, TokenRequest, Verifier,
};
use rapd_model::{
    Actor, AuditContext, Clock, Mutation, PartnerId, PartnerInput, SystemClock, TenantId,
};
use rapd_server::{AppState, ServerConfig};
use rapd_store::{PartnerStore, SqliteStore};
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::config::{Config, Overrides};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "rapd.db";
/// The lifetime of the token printed at start-up.
const BANNER_TOKEN_TTL_SECS: u64 = 24 * 3600;

pub fn run(overrides: &Overrides) -> anyhow::Result<()> {
    let config = Config::load(overrides)?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let issuer = Arc::new(DevIssuer::load_or_create(&config.data_dir)?);
    let store = SqliteStore::open(&config.data_dir.join(DATABASE_FILE), clock.clone())?;
    let store: Arc<dyn PartnerStore> = Arc::new(store);
    let sample = sample_partner(store.as_ref()).await?;
    let state = AppState {
        store,
        verifier: Arc::new(Verifier::new(Some(&issuer))),
        dev_issuer: Some(issuer.clone()),
        clock: clock.clone(),
        config: Arc::new(ServerConfig {
            onboarding_ttl_secs: config.onboarding_ttl_secs,
            public_url: config.public_url.clone(),
            max_body_bytes: config.max_body_bytes,
        }),
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let token = issuer.mint(
        &TokenRequest {
            tenant: DEV_TENANT,
            subject: Subject::User(DEV_USER),
            scopes: vec![SCOPE_READ_WRITE.to_owned()],
            ttl_secs: BANNER_TOKEN_TTL_SECS,
        },
        clock.now().unix_secs(),
    )?;
    print_banner(&address.to_string(), &token, sample);
    tracing::info!(listen = %address, data_dir = %config.data_dir.display(), "serving");
    rapd_server::run(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The development tenant's first partner, created on the first start of a fresh data directory
/// so that the printed `curl` line has something to disconnect.
async fn sample_partner(store: &dyn PartnerStore) -> anyhow::Result<Option<PartnerId>> {
    let tenant = TenantId(DEV_TENANT);
    if let Some(first) = store.list(tenant).await?.first() {
        return Ok(Some(first.id));
    }
    if !store.audit_entries(tenant).await?.is_empty() {
        return Ok(None); // the user removed every partner; do not bring one back
    }
    let id = PartnerId::new_random();
    let input = PartnerInput {
        display_name: Some(Some("Contoso Remote Assistance (sample)".into())),
        onboarding_url: Some(Some(
            "https://remote-assistance.contoso.example/onboarding".into(),
        )),
    };
    let audit = AuditContext {
        actor: Actor {
            actor_type: "rapd".into(),
            ..Actor::default()
        },
        correlation_id: Uuid::new_v4(),
    };
    store
        .mutate(tenant, Mutation::Create { id, input }, audit)
        .await?;
    Ok(Some(id))
}

/// Prints where rapd listens, a token and a `curl` line. A closed stdout must not stop the
/// server, so write errors are ignored.
fn print_banner(address: &str, token: &str, sample: Option<PartnerId>) {
    let partners = format!("http://{address}/v1.0/deviceManagement/remoteAssistancePartners");
    let try_line = match sample {
        Some(id) => format!(
            "Disconnect the sample partner:\n  curl -i -X POST -H \"Authorization: Bearer $TOKEN\" \
             {partners}/{id}/disconnect\nThen read it:\n  curl -s -H \"Authorization: Bearer $TOKEN\" \
             {partners}/{id}"
        ),
        None => format!("List partners:\n  curl -s -H \"Authorization: Bearer $TOKEN\" {partners}"),
    };
    let banner = format!(
        "rapd is serving Microsoft Graph's remoteAssistancePartners on http://{address}\n  \
         v1.0: http://{address}/v1.0    beta: http://{address}/beta\n\n\
         A development token (tenant {DEV_TENANT}, 24 hours; `rapd token` mints more):\n\
         TOKEN={token}\n\n{try_line}\n\n"
    );
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}
