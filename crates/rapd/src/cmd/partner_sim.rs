//! The development partner simulator, `rapd onboarding-link`, and `rapd partner-sim`: rapd
//! playing the remote assistance vendor over the real partner API, so that a script's whole flow
//! (beginOnboarding → onboarded → disconnect) runs on one machine.

use std::{collections::HashSet, sync::Arc, time::Duration};

use anyhow::{Context, bail};
use rapd_model::{
    OnboardingCode, OnboardingStatus, PartnerCredential, PartnerId, SystemClock, TenantId,
};
use rapd_store::PartnerStore;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    DataArgs,
    config::{Config, PartnerSim},
    data_dir::Needs,
    storage::open_store,
};

/// How often the in-process simulator looks for new onboarding requests.
const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub delay: Duration,
    pub heartbeat: Duration,
}

impl From<&PartnerSim> for Settings {
    fn from(c: &PartnerSim) -> Settings {
        Settings {
            delay: Duration::from_secs(c.delay_secs),
            heartbeat: Duration::from_secs(c.heartbeat_secs.max(1)),
        }
    }
}

/// Watches for open onboarding requests, one tenant at a time, and plays each one's vendor.
pub async fn run_in_process(store: Arc<dyn PartnerStore>, base: String, settings: Settings) {
    let client = reqwest::Client::new();
    let mut seen: HashSet<(TenantId, PartnerId, String)> = HashSet::new();
    loop {
        if let Err(e) = poll_once(store.as_ref(), &client, &base, settings, &mut seen).await {
            tracing::warn!(error = %e, "partner simulator cannot read onboarding requests")
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Starts a vendor for every open onboarding request not seen before.
async fn poll_once(
    store: &dyn PartnerStore,
    client: &reqwest::Client,
    base: &str,
    settings: Settings,
    seen: &mut HashSet<(TenantId, PartnerId, String)>,
) -> Result<(), rapd_store::StoreError> {
    for tenant in store.tenants().await? {
        for (partner, secret) in store.open_onboarding_requests(tenant.id, 100).await? {
            if seen.insert((tenant.id, partner, secret.clone())) {
                let code = OnboardingCode::new(tenant.id, partner, secret.clone()).to_string();
                let (client, base) = (client.clone(), base.to_owned());
                tokio::spawn(async move {
                    tokio::time::sleep(settings.delay).await;
                    play_vendor(&client, &base, &code, settings.heartbeat).await;
                });
            }
        }
    }
    Ok(())
}

/// Redeems `code`, then calls in every `heartbeat` until the credential is refused.
/// (`code` as the user gave it: rapd, not the simulator, decides whether it is one.)
async fn play_vendor(client: &reqwest::Client, base: &str, code: &str, heartbeat: Duration) {
    let redeemed = client
        .post(format!("{base}/partner/v1/onboarding"))
        .json(&json!({ "code": code }))
        .send()
        .await;
    let credential = match redeemed {
        Ok(r) if r.status().is_success() => match r.json::<Value>().await {
            Ok(body) => body["credential"]
                .as_str()
                .and_then(PartnerCredential::parse),
            Err(_) => None,
        },
        Ok(r) => {
            tracing::info!(status = %r.status(), "partner simulator: onboarding code refused");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "partner simulator cannot reach rapd");
            None
        }
    };
    let Some(credential) = credential else { return };
    tracing::info!(
        tenant = %credential.tenant().0,
        partner = %credential.partner().0,
        "partner simulator: connected, the partner is onboarded"
    );
    loop {
        tokio::time::sleep(heartbeat).await;
        let call = client
            .get(format!("{base}/partner/v1/connection"))
            .bearer_auth(&credential)
            .send()
            .await;
        match call {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => {
                tracing::info!(status = %r.status(), "partner simulator: disconnected");
                return;
            }
            Err(e) => tracing::warn!(error = %e, "partner simulator cannot reach rapd"),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct OnboardingLinkArgs {
    /// The tenant id.
    #[arg(long)]
    tenant: Uuid,
    /// The partner id.
    #[arg(long)]
    partner: Uuid,
    #[command(flatten)]
    data: DataArgs,
}

/// `rapd onboarding-link`: the partner's `onboardingUrl` with the open request's one-time code.
pub fn onboarding_link(args: &OnboardingLinkArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = Config::load(&args.data.overrides())?;
        crate::data_dir::require(&config, Needs::Store, "rapd onboarding-link")?;
        let store = open_store(&config, Arc::new(SystemClock)).await?;
        let (tenant, id) = (TenantId(args.tenant), PartnerId(args.partner));
        let partner = store
            .get(tenant, id)
            .await?
            .context("no such partner in that tenant")?;
        let now = rapd_model::Timestamp::now();
        let secret = match (&partner.onboarding_code, partner.status_at(now)) {
            (Some(secret), OnboardingStatus::Onboarding) => secret,
            (_, OnboardingStatus::Onboarded) => bail!(
                "the partner is onboarded already: its vendor redeemed the code; call disconnect, \
                 then beginOnboarding, for a new one"
            ),
            _ => bail!("the partner has no open onboarding request: call beginOnboarding first"),
        };
        let code = OnboardingCode::new(tenant, id, secret.as_str());
        match &partner.onboarding_url {
            Some(url) => {
                let separator = if url.contains('?') { '&' } else { '?' };
                println!("{url}{separator}code={code}");
            }
            None => println!("{code}"),
        }
        Ok(())
    })
}

#[derive(Debug, clap::Args)]
pub struct PartnerSimArgs {
    /// Where rapd serves, e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The onboarding code (from `rapd onboarding-link`, or the `code` parameter of that link).
    #[arg(long)]
    code: String,
    /// Seconds between calls once connected.
    #[arg(long, default_value_t = 30)]
    heartbeat_secs: u64,
}

/// `rapd partner-sim`: redeems one code and calls in until disconnected.
pub fn run_standalone(args: &PartnerSimArgs) -> anyhow::Result<()> {
    super::serve::init_logging("info", crate::config::LogFormat::Text);
    let code = args
        .code
        .rsplit("code=")
        .next()
        .unwrap_or(&args.code)
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(play_vendor(
        &reqwest::Client::new(),
        args.url.trim_end_matches('/'),
        &code,
        Duration::from_secs(args.heartbeat_secs.max(1)),
    ));
    Ok(())
}
