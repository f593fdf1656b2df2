//! The development partner simulator, `rapd onboarding-link`, and `rapd partner-sim`: rapd
//! playing the remote assistance vendor over the real partner API, so that a script's whole flow
//! (beginOnboarding → onboarded → disconnect) runs on one machine.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, bail};
use rapd_model::{
    Actor, AuditContext, BeginOnboardingInput, Mutation, OnboardingCode, OnboardingStatus,
    PartnerCredential, PartnerId, SystemClock, TenantId, new_secret,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    DataArgs,
    config::{Config, PartnerSim},
    data_dir::Needs,
    storage::open_store,
};

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

/// Plays the vendor of every onboarding code this server issues from now on (the store keeps
/// only their hashes, so the codes come from `beginOnboarding` itself).
pub async fn run_in_process(
    mut codes: broadcast::Receiver<OnboardingCode>,
    base: String,
    settings: Settings,
) {
    let client = reqwest::Client::new();
    loop {
        let code = match codes.recv().await {
            Ok(code) => code.to_string(),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "partner simulator fell behind; those requests stay open"
                );
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            tokio::time::sleep(settings.delay).await;
            play_vendor(&client, &base, &code, settings.heartbeat).await;
        });
    }
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

/// `rapd onboarding-link`: the partner's `onboardingUrl` with a one-time code for its open
/// request. The store keeps only codes' hashes, so each call issues a new code (and renews the
/// request's expiry, audited as a `beginOnboarding` by `rapd`); an earlier link stops working.
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
        match partner.status_at(now) {
            OnboardingStatus::Onboarding => {}
            OnboardingStatus::Onboarded => bail!(
                "the partner is onboarded already: its vendor redeemed the code; call disconnect, \
                 then beginOnboarding, for a new one"
            ),
            _ => bail!("the partner has no open onboarding request: call beginOnboarding first"),
        }
        let secret = new_secret();
        let reissue = Mutation::BeginOnboarding {
            id,
            input: BeginOnboardingInput::default(),
            ttl_secs: config.onboarding_ttl_secs,
            code: secret.clone(),
        };
        let audit = AuditContext {
            actor: Actor {
                actor_type: "rapd".into(),
                ..Actor::default()
            },
            correlation_id: Uuid::new_v4(),
        };
        store.mutate(tenant, reissue, audit).await?;
        let code = OnboardingCode::new(tenant, id, secret);
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
